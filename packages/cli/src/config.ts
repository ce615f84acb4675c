import { existsSync } from 'node:fs';
import path from 'node:path';
import { types } from 'node:util';
import type { IgnorePattern } from '@forge/core';
import { CliError } from './errors.js';
import { importUserModule } from './load-module.js';

/** `forge.config.ts`: `export default defineConfig({ schema: './src/schema.ts', ignore: ['logs'] })`. */
export interface ForgeConfig {
  /** The schema file, relative to the config file. */
  schema?: string;
  /** Tables `forge diff` and `forge diff apply` leave alone; stacks with FORGE_DIFF_IGNORE and --ignore. */
  ignore?: IgnorePattern[] | string;
  /** Where `forge diff apply` writes and `forge rollback` reads migration files (default `migrations`). */
  migrationsDir?: string;
}

/** Identity at run time; gives the config file type checking and completion. */
export function defineConfig(config: ForgeConfig): ForgeConfig {
  return config;
}

export const CONFIG_FILES = ['forge.config.ts', 'forge.config.mts', 'forge.config.js', 'forge.config.mjs'] as const;

export interface LoadedConfig {
  file: string;
  dir: string;
  config: ForgeConfig;
}

/** The first config file in the cwd, loaded and checked; undefined when there is none. */
export async function loadConfig(cwd: string): Promise<LoadedConfig | undefined> {
  const name = CONFIG_FILES.find((f) => existsSync(path.join(cwd, f)));
  if (!name) return undefined;
  const file = path.join(cwd, name);
  const mod = await importUserModule(file, cwd, 'config');
  const config = (mod.default ?? mod) as unknown;
  return { file, dir: cwd, config: checkConfig(config, name) };
}

function checkConfig(value: unknown, name: string): ForgeConfig {
  const fail = (what: string) =>
    new CliError(`${name}: ${what}`, "export default defineConfig({ schema: './src/schema.ts', ignore: ['logs'], migrationsDir: 'migrations' })");
  if (!value || typeof value !== 'object') throw fail('the default export is not an object');
  const c = value as Record<string, unknown>;
  if (c.schema !== undefined && typeof c.schema !== 'string') throw fail('`schema` must be a path string');
  if (c.migrationsDir !== undefined && typeof c.migrationsDir !== 'string') throw fail('`migrationsDir` must be a path string');
  const ignore = c.ignore;
  const ignoreOk =
    ignore === undefined ||
    typeof ignore === 'string' ||
    (Array.isArray(ignore) && ignore.every((p) => typeof p === 'string' || types.isRegExp(p)));
  if (!ignoreOk) throw fail('`ignore` must be a list of table names and regular expressions');
  return c as ForgeConfig;
}
