import { existsSync } from 'node:fs';
import path from 'node:path';
import { types } from 'node:util';
import type { ConnectOptions, IgnorePattern, LockStrategy } from '@forge/core';
import { parseLockDuration, parseLockLease, parseLockStrategy } from '@forge/core';
import { CliError } from './errors.js';
import { importUserModule } from './load-module.js';

/** `forge.config.ts`: `export default defineConfig({ schema: './src/schema.ts', ignore: ['logs'] })`. */
export interface ForgeConfig {
  /** The schema file, relative to the config file. */
  schema?: string;
  /** Tables `forge diff` and `forge diff apply` leave alone; stacks with FORGE_DIFF_IGNORE and --ignore. */
  ignore?: IgnorePattern[] | string;
  /** Where `forge diff apply`, `forge generate` and `forge migrate` keep migration files (default `migrations`). */
  migrationsDir?: string;
  /**
   * How long each DDL statement of `forge migrate` waits for a lock another session holds before it fails
   * (`'5s'`, `'500ms'`, or milliseconds; `0` waits forever). FORGE_LOCK_TIMEOUT overrides it. Default 5s.
   */
  lockTimeout?: string | number;
  /**
   * Postgres: `forge generate` and `forge diff apply` write an index on a table that already exists as
   * `CREATE INDEX CONCURRENTLY IF NOT EXISTS` (built while the table takes writes, outside the transaction), and
   * its down as `DROP INDEX CONCURRENTLY IF EXISTS`. Default true; false writes the plain, transactional form.
   */
  concurrentIndexes?: boolean;
  /**
   * Custom SQL forge does not model (functions, triggers, grants, expression indexes), run after every `forge push`,
   * `forge migrate` and `forge diff apply` that succeeded: the path of a `.sql` file (relative to this file), or
   * `async (db) => { await db.$executeRawUnsafe('CREATE OR REPLACE ...') }`. It runs each time: keep it idempotent.
   */
  afterMigrate?: string | ((db: { $executeRawUnsafe(sql: string, ...params: unknown[]): Promise<number>; $queryRawUnsafe(sql: string, ...params: unknown[]): Promise<unknown[]> } & Record<string, unknown>) => unknown);
  /**
   * The push lock: `'auto'` (default) takes the engine's own lock (a Postgres advisory lock, MySQL's GET_LOCK) and a
   * row of `_forge_lock` with a lease where that lock is missing or a no-op (CockroachDB, YugabyteDB, Vitess);
   * `'row'` always takes the row, `'native'` never does. FORGE_LOCK_STRATEGY overrides it.
   */
  lockStrategy?: LockStrategy;
  /** The lock row's lease (`'60s'`, `'2m'`, or milliseconds; at least 3 s), renewed while a push runs. FORGE_LOCK_LEASE overrides it. */
  lockLease?: string | number;
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

/** `--config <file>`, else the first config file in the cwd, loaded and checked; undefined when there is none. */
export async function loadConfig(cwd: string, explicit?: string): Promise<LoadedConfig | undefined> {
  if (explicit) {
    const file = path.resolve(cwd, explicit);
    if (!existsSync(file)) throw new CliError(`config file ${explicit} (from --config) does not exist`, `check the path; it is resolved from ${cwd}`);
    const mod = await importUserModule(file, cwd, 'config');
    return { file, dir: path.dirname(file), config: checkConfig((mod.default ?? mod) as unknown, path.basename(file)) };
  }
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
  if (c.lockTimeout !== undefined && parseDuration(c.lockTimeout) === undefined) throw fail("`lockTimeout` must be a duration such as '5s', '500ms' or a number of milliseconds");
  if (c.concurrentIndexes !== undefined && typeof c.concurrentIndexes !== 'boolean') throw fail('`concurrentIndexes` must be true or false');
  if (c.afterMigrate !== undefined && typeof c.afterMigrate !== 'string' && typeof c.afterMigrate !== 'function') {
    throw fail("`afterMigrate` must be the path of a .sql file ('./sql/after-migrate.sql') or a function async (db) => { ... }");
  }
  if (c.lockStrategy !== undefined && !['auto', 'row', 'native'].includes(c.lockStrategy as string)) {
    throw fail(`\`lockStrategy\` must be 'auto', 'row' or 'native' (got ${JSON.stringify(c.lockStrategy)}): 'row' takes the push lock as a row of _forge_lock, with a lease`);
  }
  if (c.lockLease !== undefined) {
    try {
      parseLockLease(c.lockLease, 'lockLease');
    } catch (e) {
      throw fail((e as Error).message);
    }
  }
  const ignore = c.ignore;
  const ignoreOk =
    ignore === undefined ||
    typeof ignore === 'string' ||
    (Array.isArray(ignore) && ignore.every((p) => typeof p === 'string' || types.isRegExp(p)));
  if (!ignoreOk) throw fail('`ignore` must be a list of table names and regular expressions');
  return c as ForgeConfig;
}

/** `'5s'`, `'500ms'`, `'1m'`, `'2'` (seconds) or a number of milliseconds, as milliseconds; undefined when unreadable. */
export function parseDuration(value: unknown): number | undefined {
  // A number is taken as given (core's parser rounds it, for the lease); text is read by core's one duration parser.
  if (typeof value === 'number') return Number.isFinite(value) && value >= 0 ? value : undefined;
  return parseLockDuration(value);
}

/** FORGE_LOCK_TIMEOUT, else forge.config `lockTimeout`, else 5 s (0: no limit). */
export function lockTimeoutMs(env: NodeJS.Dict<string>, config?: LoadedConfig): number {
  const fromEnv = env.FORGE_LOCK_TIMEOUT;
  if (fromEnv !== undefined && fromEnv !== '') {
    const ms = parseDuration(fromEnv);
    if (ms === undefined) throw new CliError(`FORGE_LOCK_TIMEOUT=${fromEnv} is not a duration`, "set it like FORGE_LOCK_TIMEOUT=5s or FORGE_LOCK_TIMEOUT=500ms (0 waits forever)");
    return ms;
  }
  return config?.config.lockTimeout !== undefined ? parseDuration(config.config.lockTimeout)! : 5000;
}

/** forge.config `concurrentIndexes`, default true. */
export function concurrentIndexes(config?: LoadedConfig): boolean {
  return config?.config.concurrentIndexes !== false;
}

/**
 * The push lock options every lock-taking command connects with: FORGE_LOCK_STRATEGY / FORGE_LOCK_LEASE, else
 * forge.config `lockStrategy` / `lockLease`; the lock row's wait is FORGE_LOCK_TIMEOUT / `lockTimeout` where one
 * is set (0: wait until the holder is done), else the adapter's default (60 s).
 */
export function lockConnectOptions(env: NodeJS.Dict<string>, config?: LoadedConfig): Pick<ConnectOptions, 'lockStrategy' | 'lockLeaseMs' | 'lockWaitMs'> {
  const opts: Pick<ConnectOptions, 'lockStrategy' | 'lockLeaseMs' | 'lockWaitMs'> = {};
  const asCli = <T>(read: () => T, hint: string): T => {
    try {
      return read();
    } catch (e) {
      throw new CliError((e as Error).message, hint);
    }
  };
  if (env.FORGE_LOCK_STRATEGY) opts.lockStrategy = asCli(() => parseLockStrategy(env.FORGE_LOCK_STRATEGY, 'FORGE_LOCK_STRATEGY'), 'set FORGE_LOCK_STRATEGY=row, native or auto, or unset it');
  else if (config?.config.lockStrategy !== undefined) opts.lockStrategy = config.config.lockStrategy;
  if (env.FORGE_LOCK_LEASE) opts.lockLeaseMs = asCli(() => parseLockLease(env.FORGE_LOCK_LEASE, 'FORGE_LOCK_LEASE'), 'set it like FORGE_LOCK_LEASE=60s, or unset it');
  else if (config?.config.lockLease !== undefined) opts.lockLeaseMs = parseLockLease(config.config.lockLease);
  const explicitWait = (env.FORGE_LOCK_TIMEOUT !== undefined && env.FORGE_LOCK_TIMEOUT !== '') || config?.config.lockTimeout !== undefined;
  if (explicitWait) opts.lockWaitMs = lockTimeoutMs(env, config);
  return opts;
}
