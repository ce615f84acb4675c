import { ConfigError, SqlExecutor, type Adapter, type Capabilities, type Connection, type DriverHandle, type ProbeReport } from '@forge/core';
// The SQLite dialect itself comes from @forge/adapter-sqlite's source modules that carry no better-sqlite3
// import: the compiler, DDL emitter, introspection SQL, codec, facts and error mapping are the same code on
// both drivers, so `forge diff` on a file and `db.$diff()` in the browser plan alike.
import { sqliteCodec } from '../../adapter-sqlite/src/codec.js';
import { SqliteCompiler } from '../../adapter-sqlite/src/compile.js';
import { sqliteDdl } from '../../adapter-sqlite/src/ddl.js';
import { mapSqliteError } from '../../adapter-sqlite/src/errors.js';
import { sqliteFacts } from '../../adapter-sqlite/src/facts.js';
import { introspectSqlite } from '../../adapter-sqlite/src/introspect.js';
import { WasmConnection, WorkerClient } from './connection.js';
import type { PortLike, WasmStorage } from './protocol.js';

export const SQLITE_WASM_FLAVOR = 'sqlite-wasm';

/**
 * The SQLite adapter's capabilities, with one difference: a query is one message to the worker and one answer,
 * so there is no cursor to keep open across messages (`nativeCursor: false`; findManyStream pages instead).
 */
export const capabilities: Capabilities = {
  dialect: 'sqlite',
  compareTypes: false,
  transactionalDdl: true,
  returning: true,
  savepoints: true,
  partialIndexes: true,
  expressionIndexes: true,
  coveringIndexes: false,
  indexMethods: ['btree'],
  alterAddForeignKey: false,
  dropColumn: true,
  fullTextSearch: true,
  jsonPath: true,
  nativeCursor: false,
  views: true,
  materializedViews: false,
  maxIdentifierLength: 128,
};

export interface SqliteWasmDriverOptions {
  /** The database's name in OPFS. Default `/forge.sqlite3`. */
  filename?: string;
  /**
   * `auto` (default): OPFS through the SAH-pool VFS where the browser has it, else memory (the connection's
   * `storage.fallbackReason` and `browserDoctor()` say why). Where OPFS exists but another tab holds the database,
   * opening fails rather than falling back (writes to memory would be lost). `opfs`: fail instead of falling back. `memory`: never persist.
   */
  storage?: WasmStorage;
  /** The SAH-pool VFS's OPFS directory (default `.forge-sahpool`); one per app that shares an origin. */
  directory?: string;
  /**
   * How long opening waits while another tab (or the worker of the page this one replaced) holds the OPFS files,
   * in ms (default 3000). Then the open fails with CONNECTION_FAILED naming the other tab; it never falls back to memory.
   */
  lockTimeoutMs?: number;
  /** Terminate the Worker when the db is disconnected (default true when `worker` has `terminate`). */
  terminateOnClose?: boolean;
}

interface WasmClient {
  port: PortLike;
  opened?: Promise<WasmConnection>;
  options: Required<Pick<SqliteWasmDriverOptions, 'filename' | 'storage'>> & SqliteWasmDriverOptions;
}

const STORAGES: readonly WasmStorage[] = ['auto', 'opfs', 'memory'];

/**
 * `createDb({ driver: sqliteWasmDriver(worker), schema })`: forge on a Worker that called `startSqliteWorker()`.
 * `worker` is the Worker (or any MessagePort-like object whose other end the worker serves).
 */
export function sqliteWasmDriver(worker: PortLike, options: SqliteWasmDriverOptions = {}): DriverHandle {
  if (!worker || typeof worker !== 'object' || typeof worker.postMessage !== 'function' || typeof worker.addEventListener !== 'function') {
    throw new ConfigError(
      "sqliteWasmDriver(worker) needs the Worker that serves the database: new Worker(new URL('./db.worker.ts', import.meta.url), { type: 'module' }), whose module calls startSqliteWorker()",
    );
  }
  const storage = options.storage ?? 'auto';
  if (!STORAGES.includes(storage)) throw new ConfigError(`sqliteWasmDriver: storage must be one of ${STORAGES.join(', ')}; got ${JSON.stringify(storage)}`);
  const filename = options.filename ?? '/forge.sqlite3';
  if (typeof filename !== 'string' || !filename.trim() || filename === ':memory:') {
    throw new ConfigError("sqliteWasmDriver: filename names the database in OPFS, e.g. '/app.sqlite3' (for a database in memory pass storage: 'memory')");
  }
  if (options.lockTimeoutMs !== undefined && !(Number.isFinite(options.lockTimeoutMs) && options.lockTimeoutMs >= 0)) {
    throw new ConfigError(`sqliteWasmDriver: lockTimeoutMs is a number of milliseconds (0 or more); got ${JSON.stringify(options.lockTimeoutMs)}`);
  }
  const client: WasmClient = { port: worker, options: { ...options, storage, filename } };
  return { __forgeDriver: true, dialect: 'sqlite', flavor: SQLITE_WASM_FLAVOR, client, adapter };
}

async function connect(target: string | DriverHandle): Promise<Connection> {
  if (typeof target === 'string' || target?.__forgeDriver !== true || target.flavor !== SQLITE_WASM_FLAVOR) {
    throw new ConfigError('The sqlite-wasm adapter connects through sqliteWasmDriver(worker) only; a URL (sqlite:, file:) belongs to @forge/adapter-sqlite on better-sqlite3');
  }
  const wasm = target.client as WasmClient;
  // One database handle per worker: a second createDb on the same driver shares the first one's connection.
  if (wasm.opened) {
    const conn = await wasm.opened;
    if (!conn.closed) return conn.retain();
  }
  const { port, options } = wasm;
  const terminate = (port as { terminate?: () => void }).terminate;
  const stop = options.terminateOnClose !== false && typeof terminate === 'function' ? () => terminate.call(port) : undefined;
  wasm.opened = WasmConnection.open(new WorkerClient(port), { filename: options.filename, storage: options.storage, directory: options.directory, lockTimeoutMs: options.lockTimeoutMs }, stop);
  wasm.opened.catch(() => (wasm.opened = undefined));
  return wasm.opened;
}

async function firstValue(conn: Connection, sql: string): Promise<unknown> {
  return (await conn.queryArrays(sql))[0]?.[0];
}

/** What `db.$doctor()` reports on sqlite-wasm: version, VFS and persistence, FTS5, JSON, pragmas. Failures are findings. */
export async function probeSqliteWasm(conn: Connection): Promise<ProbeReport> {
  const features: ProbeReport['features'] = {};
  const actions: string[] = [];
  let version = 'unknown';
  try {
    version = String(await firstValue(conn, 'SELECT sqlite_version()'));
  } catch (e) {
    features.reachable = false;
    actions.push(`Could not query the SQLite worker (${e instanceof Error ? e.message : String(e)}): check the Worker module calls startSqliteWorker().`);
    return { dialect: 'sqlite', version, features, actions };
  }
  features.reachable = true;
  if (conn instanceof WasmConnection) {
    const s = conn.storage;
    features.vfs = s.vfs;
    features.persistent = s.persistent;
    if (!s.persistent) {
      actions.push(
        s.fallbackReason
          ? `The database is in memory and is lost when the page closes: OPFS was not usable (${s.fallbackReason}).`
          : "The database is in memory (storage: 'memory') and is lost when the page closes.",
      );
    }
  }
  features.fts5 = await firstValue(conn, `SELECT count(*) FROM pragma_module_list WHERE name = 'fts5'`).then((n) => Number(n) === 1, () => false);
  if (!features.fts5) actions.push('This sqlite-wasm build has no FTS5, so .searchable() fields cannot be indexed.');
  features.json = await firstValue(conn, `SELECT json('{}')`).then(() => true, () => false);
  try {
    features.journalMode = String(await firstValue(conn, 'PRAGMA journal_mode'));
    features.foreignKeys = Number(await firstValue(conn, 'PRAGMA foreign_keys')) === 1;
  } catch (e) {
    features.pragmas = e instanceof Error ? e.message : String(e);
  }
  return { dialect: 'sqlite', version, features, actions };
}

const compiler = new SqliteCompiler();

/** The SQLite dialect on sqlite-wasm in a Web Worker. */
export const adapter: Adapter = {
  kind: 'sqlite',
  capabilities,
  facts: sqliteFacts,
  connect,
  introspect: introspectSqlite,
  ddl: sqliteDdl,
  compiler,
  executor: new SqlExecutor(compiler),
  codec: sqliteCodec,
  // BEGIN IMMEDIATE: one worker, one database handle; the transaction is the push lock.
  lock: (conn, fn) => conn.transaction(fn),
  runIsolated: async (conn, sql) => {
    await conn.transaction((tx) => tx.execute(sql));
  },
  probe: probeSqliteWasm,
  mapError: mapSqliteError,
};
