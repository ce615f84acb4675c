import { readFileSync } from 'node:fs';
import path from 'node:path';
import { checkRenameAnswers, type RenameAnswers } from '@forge/core';
import type { CommandContext, Flags } from './command.js';
import { stringFlag } from './command.js';
import { CliError, errorMessage } from './errors.js';

/** `--renames <file>`: the JSON answers that settle possible renames without a prompt. */
export function loadRenames(ctx: CommandContext, flags: Flags): RenameAnswers | undefined {
  const file = stringFlag(flags, 'renames');
  if (!file) return undefined;
  const full = path.resolve(ctx.cwd, file);
  let text: string;
  try {
    text = readFileSync(full, 'utf8');
  } catch (e) {
    throw new CliError(`cannot read --renames ${file}: ${errorMessage(e)}`, 'check the path; it is resolved from the current folder');
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (e) {
    throw new CliError(`--renames ${file} is not valid JSON: ${errorMessage(e)}`, 'write an object such as {"users.handle": "username", "users.bio": false}');
  }
  try {
    return checkRenameAnswers(parsed, `--renames ${file}`);
  } catch (e) {
    throw new CliError(errorMessage(e));
  }
}
