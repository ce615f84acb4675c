import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parseEnv } from 'node:util';
import { CliError, errorMessage } from './errors.js';

export type Env = Readonly<Record<string, string | undefined>>;

export const DATABASE_URL_EXAMPLE = 'DATABASE_URL=sqlite:./app.db npx forge push';

/**
 * The process environment over `.env` in the cwd: the environment wins, so
 * `DATABASE_URL=... npx forge push` can retarget a project whose `.env` points elsewhere.
 * `.env` also supplies FORGE_SCHEMA_PATH and FORGE_DIFF_IGNORE (seed 004, workflow (c)).
 */
export function loadEnv(cwd: string, processEnv: NodeJS.ProcessEnv = process.env): Env {
  const file = path.join(cwd, '.env');
  let fromFile: NodeJS.Dict<string> = {};
  try {
    fromFile = parseEnv(readFileSync(file, 'utf8'));
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') {
      throw new CliError(`could not read ${file}: ${errorMessage(e)}`, 'fix or remove the file, or set the variables in the environment');
    }
  }
  return { ...fromFile, ...processEnv };
}

export function requireDatabaseUrl(env: Env): string {
  const url = env.DATABASE_URL?.trim();
  if (!url) {
    throw new CliError(
      'DATABASE_URL is not set (looked in the environment and in .env)',
      `set it in the environment or in .env, e.g.  ${DATABASE_URL_EXAMPLE}`,
    );
  }
  return url;
}
