import { existsSync } from 'node:fs';
import path from 'node:path';
import { ConfigError } from '@forge/core';
import type { Backend, RowMode, RunResult, Session } from './backend.js';
import { Turn } from './pg-backend.js';

/**
 * PGlite (Postgres compiled to WASM, in process) as a second backend of the Postgres adapter. Everything above
 * the backend (SQL, codec, DDL, introspection, errors by SQLSTATE) is the pg path's; what differs is here:
 *
 * - PGlite is one session. Statements forge sends outside a transaction take turns on it, and a transaction or
 *   pinned session holds the turn from BEGIN to COMMIT (as on a single `pg.Client`), so a query from outside waits
 *   instead of landing inside someone else's transaction.
 * - It has no named prepared statements in its API (`prepare` is false); a text without parameters runs on the
 *   simple protocol (`exec`), so multi-statement DDL works as on pg.
 * - Type parsing is per query and matches pg's: int8 and numeric stay text, bytea becomes a Buffer.
 *
 * `@electric-sql/pglite` is an optional peer: this file names it in types only and loads it when a `pglite:` URL
 * is opened, so the adapter works without it installed.
 */

/** The part of a PGlite instance forge calls (`new PGlite()`, or a `PGlite.create(...)` result). */
export interface PgliteLike {
  query(sql: string, params?: unknown[], options?: object): Promise<unknown>;
  exec(sql: string, options?: object): Promise<unknown>;
  close(): Promise<void>;
  readonly closed?: boolean;
  readonly waitReady?: Promise<void>;
}

interface PgliteResult {
  rows: unknown[];
  rowCount?: number;
  affectedRows?: number;
  command?: string;
}

const identity = (v: string) => v;

/** `{1,2}` of int8 to text elements, as pg returns them (numbers would lose precision past 2^53). */
function textArray(value: string): unknown {
  if (!value.startsWith('{')) return value;
  const body = value.slice(1, -1);
  if (body === '') return [];
  return body.split(',').map((v) => (v === 'NULL' ? null : v.replace(/^"|"$/g, '')));
}

function byteaBuffer(value: string): Buffer {
  return value.startsWith('\\x') ? Buffer.from(value.slice(2), 'hex') : Buffer.from(value, 'binary');
}

/** A `date` as pg's parser gives it: local midnight of that day (PGlite's own parser gives UTC midnight). */
function localDate(value: string): Date | string {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  return m ? new Date(Number(m[1]), Number(m[2]) - 1, Number(m[3])) : value;
}

/** Per-query parsers by type OID, so results are the same as through pg whatever the user set on the instance. */
const PARSERS: Record<number, (value: string) => unknown> = {
  20: identity, // int8: the codec turns it into bigint
  1700: identity, // numeric: exact decimal text
  1016: textArray, // int8[]
  17: byteaBuffer, // bytea
  1082: localDate, // date
};

async function runPglite(db: PgliteLike, sql: string, params: readonly unknown[], mode: RowMode): Promise<RunResult> {
  const options = { rowMode: mode === 'arrays' ? 'array' : 'object', parsers: PARSERS };
  // Without parameters, the simple protocol: several statements in one text work, as they do on pg.
  const results = (
    params.length === 0 ? await db.exec(sql, options) : [await db.query(sql, params as unknown[], options)]
  ) as PgliteResult[];
  const last = results[results.length - 1];
  const rowCount = results.reduce((n, r) => n + (r.rowCount ?? r.affectedRows ?? 0), 0);
  return { rows: last?.rows ?? [], rowCount, command: last?.command };
}

export class PgliteBackend implements Backend {
  readonly flavor = 'pglite';
  readonly prepare = false;
  private readonly turn = new Turn();

  /** `release` runs on `end()`: it closes an instance forge opened (once its last connection closes). */
  constructor(
    readonly db: PgliteLike,
    private readonly release?: () => Promise<void>,
  ) {}

  async run(sql: string, params: readonly unknown[], mode: RowMode): Promise<RunResult> {
    return this.turn.run(() => runPglite(this.db, sql, params, mode));
  }

  /** The one session, held until released: transactions, cursors and session locks live on it. */
  async reserve(): Promise<Session> {
    const release = await this.turn.acquire();
    let released = false;
    return {
      // Statements inside the session may be sent together (Promise.all in a transaction); PGlite queues them.
      run: (sql, params, mode) => runPglite(this.db, sql, params, mode),
      release: () => {
        if (released) return;
        released = true;
        release();
      },
    };
  }

  bindJson(value: unknown): string {
    return JSON.stringify(value);
  }

  async end(): Promise<void> {
    await this.release?.();
  }
}

export interface PgliteTarget {
  /** Absolute data directory, or undefined for an in-memory database. */
  dataDir?: string;
}

const PREFIX = /^pglite:/i;

/**
 * Parse `pglite::memory:`, `pglite:./dir`, `pglite:/abs/dir`, `pglite:///abs/dir` (the same path rules as
 * `sqlite:` URLs). Relative paths resolve against `cwd`. PGlite takes no URL options.
 */
export function parsePgliteUrl(url: string, cwd: string = process.cwd()): PgliteTarget {
  const trimmed = url.trim();
  if (!PREFIX.test(trimmed)) throw new ConfigError(`'${trimmed.slice(0, 80)}' is not a PGlite URL: use pglite::memory: or pglite:./data-dir`);
  const rest = trimmed.slice('pglite:'.length);
  if (rest.includes('?')) {
    throw new ConfigError(`The PGlite URL '${trimmed}' has options; PGlite takes none in the URL. For options, open it yourself and pass pgliteDriver(new PGlite({ ... })).`);
  }
  let dir = rest.startsWith('//') ? rest.slice(2) : rest;
  try {
    dir = decodeURIComponent(dir);
  } catch {
    throw new ConfigError(`The PGlite URL '${trimmed}' has a malformed %-escape in its path`);
  }
  if (dir === '') throw new ConfigError(`The PGlite URL '${trimmed}' names no data directory: use pglite:./pgdata, or pglite::memory: for an in-memory database`);
  if (dir === ':memory:') return {};
  return { dataDir: path.resolve(cwd, dir) };
}

/** The contrib extensions a forge-opened PGlite loads, so `CREATE EXTENSION` (and doctor) finds them. */
export const PGLITE_URL_EXTENSIONS = ['pg_trgm', 'btree_gin', 'btree_gist'] as const;

type PgliteModule = typeof import('@electric-sql/pglite');

async function loadPglite(): Promise<PgliteModule> {
  try {
    return await import('@electric-sql/pglite');
  } catch (e) {
    const code = (e as { code?: string }).code;
    if (code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND') {
      throw new ConfigError('pglite: URLs need PGlite, which is not installed: npm install @electric-sql/pglite');
    }
    throw e;
  }
}

async function urlExtensions(): Promise<Record<string, unknown>> {
  const out: Record<string, unknown> = {};
  for (const name of PGLITE_URL_EXTENSIONS) {
    try {
      const spec = `@electric-sql/pglite/contrib/${name}`;
      const mod = (await import(/* @vite-ignore */ spec)) as Record<string, unknown>;
      if (mod[name]) out[name] = mod[name];
    } catch {
      // Not in this PGlite build: doctor reports it missing.
    }
  }
  return out;
}

/** Open data directories in this process: PGlite is one process's database, so two opens share one instance. */
const openDirs = new Map<string, { backend: Promise<PgliteBackend>; refs: number }>();

/**
 * A freshly initialised cluster, dumped once per process: later `pglite::memory:` databases start from it instead
 * of running initdb again (measured here: 1.3 s instead of 3.2 s per database, the price of tests and demos that
 * open many). It holds nothing but what initdb wrote.
 */
let memoryTemplate: Promise<Blob | undefined> | undefined;

type PgliteInstance = InstanceType<PgliteModule['PGlite']>;

async function startMemory(PGlite: PgliteModule['PGlite'], extensions: Record<string, unknown>): Promise<PgliteInstance> {
  const template = memoryTemplate ? await memoryTemplate : undefined;
  if (template) return (await PGlite.create({ loadDataDir: template, extensions } as never)) as PgliteInstance;
  const db = (await PGlite.create({ extensions } as never)) as PgliteInstance;
  memoryTemplate ??= db.dumpDataDir('none').then(
    (b: unknown) => b as Blob,
    () => undefined,
  );
  await memoryTemplate;
  return db;
}

async function create(dataDir: string | undefined, onClose: () => void): Promise<PgliteBackend> {
  const { PGlite } = await loadPglite();
  const extensions = await urlExtensions();
  let db: PgliteInstance;
  try {
    db = dataDir ? ((await PGlite.create({ dataDir, extensions } as never)) as PgliteInstance) : await startMemory(PGlite, extensions);
  } catch (e) {
    onClose();
    throw new ConfigError(
      `PGlite could not open ${dataDir ? `the data directory ${dataDir}` : 'an in-memory database'}: ${(e as Error).message}. ` +
        (dataDir ? 'Check that the directory is a PGlite data directory (or empty) and that no other process has it open.' : ''),
      { cause: e },
    );
  }
  return new PgliteBackend(db, async () => {
    onClose();
    if (!db.closed) await db.close();
  });
}

/**
 * The backend for a `pglite:` URL. `:memory:` is a new database each time; a data directory is opened once per
 * process and shared by every connection to it (closed when the last one closes). Its parent must exist.
 */
export async function openPgliteUrl(url: string): Promise<PgliteBackend> {
  const { dataDir } = parsePgliteUrl(url);
  if (!dataDir) return create(undefined, () => undefined);
  const parent = path.dirname(dataDir);
  if (!existsSync(parent)) {
    throw new ConfigError(`The directory ${parent} for the PGlite data directory ${path.basename(dataDir)} does not exist: create it first (mkdir -p ${parent})`);
  }
  const open = openDirs.get(dataDir);
  if (open) {
    open.refs++;
    return shared(dataDir, await open.backend);
  }
  const entry = { refs: 1, backend: create(dataDir, () => openDirs.delete(dataDir)) };
  openDirs.set(dataDir, entry);
  return shared(dataDir, await entry.backend);
}

/** One connection's handle on a shared instance: ending it drops a reference; the last one closes PGlite. */
function shared(dataDir: string, backend: PgliteBackend): PgliteBackend {
  let ended = false;
  const handle = Object.create(backend) as PgliteBackend;
  handle.end = async () => {
    if (ended) return;
    ended = true;
    const entry = openDirs.get(dataDir);
    if (!entry) return;
    entry.refs--;
    if (entry.refs === 0) await backend.end();
  };
  return handle;
}

/** A user's PGlite (`pgliteDriver(db)`): forge queues its statements on it and never closes it. */
export function pgliteBackendFor(db: PgliteLike): PgliteBackend {
  if (!db || typeof db.query !== 'function' || typeof db.exec !== 'function') {
    throw new ConfigError('pgliteDriver(db) needs a PGlite instance: new PGlite() or await PGlite.create()');
  }
  if (db.closed) throw new ConfigError('The PGlite instance passed to pgliteDriver() is already closed');
  return new PgliteBackend(db);
}

/** Whether the Postgres behind a connection is PGlite (its version() says so). */
export const isPgliteVersion = (version: string): boolean => /\bPGlite\b/.test(version);

/**
 * Which of `names` this installed PGlite bundles (an importable `@electric-sql/pglite/contrib/<name>`, or a
 * top-level `@electric-sql/pglite/<name>` as older releases shipped pgvector). For doctor.
 */
export async function bundledPgliteExtensions(names: readonly string[]): Promise<Set<string>> {
  const found = new Set<string>();
  for (const name of names) {
    for (const spec of [`@electric-sql/pglite/contrib/${name}`, `@electric-sql/pglite/${name}`]) {
      try {
        await import(/* @vite-ignore */ spec);
        found.add(name);
        break;
      } catch {
        // not shipped under this name
      }
    }
  }
  return found;
}
