import { types } from 'node:util';
import { parseIgnoreList, type IgnorePattern } from '@forge/core';
import type { ForgeConfig } from './config.js';
import { CliError, errorMessage } from './errors.js';

export interface IgnoreSources {
  config?: ForgeConfig['ignore'];
  env?: string;
  /** cac hands over a string, a number (mri coerces `--ignore=123`) or an array when the flag repeats. */
  flag?: unknown;
}

/**
 * The ignore list: forge.config `ignore`, then FORGE_DIFF_IGNORE, then --ignore. They stack (seed 004),
 * so a fleet-wide default in the environment can be extended for one run without being replaced.
 */
export function collectIgnore(sources: IgnoreSources): IgnorePattern[] {
  const patterns: IgnorePattern[] = [];
  const config = sources.config;
  if (typeof config === 'string') patterns.push(...parse(config, 'forge.config ignore'));
  for (const p of Array.isArray(config) ? config : []) {
    patterns.push(...(types.isRegExp(p) ? [p] : parse(p, 'forge.config ignore')));
  }
  if (sources.env) patterns.push(...parse(sources.env, 'FORGE_DIFF_IGNORE'));
  if (sources.flag !== undefined) {
    const flag = (Array.isArray(sources.flag) ? sources.flag : [sources.flag]).map(String).join(',');
    patterns.push(...parse(flag, '--ignore'));
  }
  return patterns;
}

function parse(input: string, source: string): IgnorePattern[] {
  try {
    return parseIgnoreList(input);
  } catch (e) {
    throw new CliError(
      `${source}: ${errorMessage(e)}`,
      'ignore patterns are comma-separated table names or /regex/flags, e.g. --ignore=logs,/^_atlas_/i',
    );
  }
}
