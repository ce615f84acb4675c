import path from 'node:path';
import { ConfigError } from '@forge/core';

export interface SqliteTarget {
  /** Absolute file path, or `:memory:`. */
  filename: string;
  memory: boolean;
  busyTimeoutMs?: number;
}

const PREFIX = /^(sqlite|file):/i;
const OPTIONS = ['busy_timeout'];

/**
 * Parse `sqlite::memory:`, `sqlite:./rel.db`, `sqlite:/abs.db`, `sqlite:///abs.db`, `file:./x.db`, `file:/abs`,
 * `file::memory:`, each with an optional `?busy_timeout=ms`. Relative paths resolve against `cwd`.
 */
export function parseSqliteUrl(url: string, cwd: string = process.cwd()): SqliteTarget {
  const trimmed = url.trim();
  const prefix = PREFIX.exec(trimmed);
  if (!prefix) throw new ConfigError(`'${trimmed.slice(0, 80)}' is not a SQLite URL: use sqlite:./app.db, sqlite:/abs/path.db or sqlite::memory:`);
  const rest = trimmed.slice(prefix[0].length);
  const q = rest.indexOf('?');
  let file = q < 0 ? rest : rest.slice(0, q);
  // `sqlite:///abs.db` is the URL spelling of `/abs.db`: an empty host, then the absolute path.
  if (file.startsWith('//')) file = file.slice(2);
  try {
    file = decodeURIComponent(file);
  } catch {
    throw new ConfigError(`The SQLite URL '${trimmed}' has a malformed %-escape in its path`);
  }
  if (file === '') throw new ConfigError(`The SQLite URL '${trimmed}' names no file: use sqlite:./app.db, or sqlite::memory: for an in-memory database`);
  const target: SqliteTarget =
    file === ':memory:' ? { filename: ':memory:', memory: true } : { filename: path.resolve(cwd, file), memory: false };
  if (q >= 0) {
    for (const [key, value] of new URLSearchParams(rest.slice(q + 1))) {
      if (!OPTIONS.includes(key)) throw new ConfigError(`Unknown option '${key}' in the SQLite URL '${trimmed}'; supported: ${OPTIONS.join(', ')}`);
      if (!/^\d+$/.test(value)) throw new ConfigError(`busy_timeout in the SQLite URL must be a whole number of milliseconds, got '${value}'`);
      target.busyTimeoutMs = Number(value);
    }
  }
  return target;
}
