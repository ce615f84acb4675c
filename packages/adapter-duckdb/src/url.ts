import path from 'node:path';
import { ConfigError } from '@forge/core';

export interface DuckdbTarget {
  /** Absolute file path, or `:memory:`. */
  filename: string;
  memory: boolean;
  /** How long opening waits for another process to let go of the file (ms), from `?lock_timeout=`. */
  lockTimeoutMs?: number;
}

const PREFIX = /^duckdb:/i;
const OPTIONS = ['lock_timeout'];

/**
 * Parse `duckdb::memory:`, `duckdb:./rel.duckdb`, `duckdb:/abs.duckdb`, `duckdb:///abs.duckdb`, each with an
 * optional `?lock_timeout=ms`: the same path rules as `sqlite:` (relative paths resolve against `cwd`).
 */
export function parseDuckdbUrl(url: string, cwd: string = process.cwd()): DuckdbTarget {
  const trimmed = url.trim();
  const prefix = PREFIX.exec(trimmed);
  if (!prefix) throw new ConfigError(`'${trimmed.slice(0, 80)}' is not a DuckDB URL: use duckdb:./app.duckdb, duckdb:/abs/path.duckdb or duckdb::memory:`);
  const rest = trimmed.slice(prefix[0].length);
  const q = rest.indexOf('?');
  let file = q < 0 ? rest : rest.slice(0, q);
  // `duckdb:///abs.duckdb` is the URL spelling of `/abs.duckdb`: an empty host, then the absolute path.
  if (file.startsWith('//')) file = file.slice(2);
  try {
    file = decodeURIComponent(file);
  } catch {
    throw new ConfigError(`The DuckDB URL '${trimmed}' has a malformed %-escape in its path`);
  }
  if (file === '') throw new ConfigError(`The DuckDB URL '${trimmed}' names no file: use duckdb:./app.duckdb, or duckdb::memory: for an in-memory database`);
  const target: DuckdbTarget = file === ':memory:' ? { filename: ':memory:', memory: true } : { filename: path.resolve(cwd, file), memory: false };
  if (q >= 0) {
    for (const [key, value] of new URLSearchParams(rest.slice(q + 1))) {
      if (!OPTIONS.includes(key)) throw new ConfigError(`Unknown option '${key}' in the DuckDB URL '${trimmed}'; supported: ${OPTIONS.join(', ')}`);
      if (!/^\d+$/.test(value)) throw new ConfigError(`lock_timeout in the DuckDB URL must be a whole number of milliseconds, got '${value}'`);
      target.lockTimeoutMs = Number(value);
    }
  }
  return target;
}
