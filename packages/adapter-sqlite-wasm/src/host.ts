import type { Database, PreparedStatement, SAHPoolUtil, Sqlite3Static } from '@sqlite.org/sqlite-wasm';
import { FOLD_FUNCTION, foldText } from '../../adapter-sqlite/src/fold.js';
import type { Envelope, ExecuteResult, OpenRequest, OpenResult, PortLike, QueryRequest, QueryResult, Response, WireError } from './protocol.js';

/**
 * The worker side of the protocol (`protocol.ts`): one SQLite database on the official sqlite-wasm build, served
 * one request at a time over a port. In a browser Worker the port is the worker's global scope (`worker.ts`); a
 * test hands it one end of a MessageChannel. Requests queue in arrival order, so the page's statements run in the
 * order it sent them and a transaction's BEGIN, statements and COMMIT never interleave with anything else the
 * page did not send from inside it (the page-side connection holds other calls back while a transaction runs).
 */

/** The SAH-pool VFS's name and its OPFS directory. One directory per app on an origin. */
const POOL_NAME = 'forge-sahpool';

/** INSERT (or REPLACE) is the only statement whose last rowid is this statement's. */
const INSERT = /^\s*(insert|replace)\b/i;

export interface HostOptions {
  /** Loads the SQLite module (sqlite-wasm's default export). Called once, on the first `open`. */
  init: () => Promise<Sqlite3Static>;
}

interface Opened {
  sqlite3: Sqlite3Static;
  db: Database;
  info: OpenResult;
}

/** Serve one database over `port`; resolves nothing, runs until the port closes or a `close` request. */
export function serveSqlite(port: PortLike, opts: HostOptions): void {
  let opened: Opened | undefined;
  let sqlite3: Promise<Sqlite3Static> | undefined;
  let queue: Promise<void> = Promise.resolve();

  const inTransaction = () => (opened && opened.db.isOpen() ? opened.sqlite3.capi.sqlite3_get_autocommit(opened.db) === 0 : false);
  const reply = (msg: Response) => port.postMessage(msg);

  async function handle(req: Envelope): Promise<unknown> {
    switch (req.op) {
      case 'open': {
        if (opened) throw wireError('The worker already has a database open; open one per worker (one sqliteWasmDriver per Worker)');
        sqlite3 ??= opts.init();
        opened = await openDatabase(await sqlite3, req);
        return opened.info;
      }
      case 'query':
        return query(need(opened), req);
      case 'execute':
        return execute(need(opened), req.sql, req.params);
      case 'close': {
        if (opened?.db.isOpen()) opened.db.close();
        // The next open (a new createDb on this worker) starts afresh.
        opened = undefined;
        return null;
      }
    }
  }

  const listener = (event: { data: unknown }) => {
    const req = event.data as Envelope;
    if (!req || typeof req !== 'object' || typeof req.id !== 'number') return;
    queue = queue.then(async () => {
      try {
        const result = await handle(req);
        reply({ id: req.id, ok: true, result, inTransaction: inTransaction() });
      } catch (e) {
        reply({ id: req.id, ok: false, error: toWire(e, opened?.sqlite3), inTransaction: inTransaction() });
      }
    });
  };
  port.addEventListener('message', listener);
  port.start?.();
}

function need(opened: Opened | undefined): Opened {
  if (!opened || !opened.db.isOpen()) throw wireError('No database is open in this worker: the driver sends open first (was the connection closed?)');
  return opened;
}

/** The SAH-pool VFS is installed once per worker; its promise is kept (a second install would fight over the handles). */
const pools = new WeakMap<Sqlite3Static, Promise<SAHPoolUtil>>();

/** Why this context cannot use OPFS at all, or undefined when it can. Only then does `auto` fall back to memory. */
function missingOpfs(sqlite3: Sqlite3Static): string | undefined {
  if (typeof sqlite3.installOpfsSAHPoolVfs !== 'function') return 'this sqlite-wasm build has no OPFS SAH-pool VFS';
  const g = globalThis as { navigator?: { storage?: { getDirectory?: unknown } }; FileSystemFileHandle?: { prototype?: { createSyncAccessHandle?: unknown } } };
  if (typeof g.navigator?.storage?.getDirectory !== 'function') return 'this context has no OPFS (navigator.storage.getDirectory); OPFS needs a secure origin (https or localhost)';
  if (typeof g.FileSystemFileHandle?.prototype?.createSyncAccessHandle !== 'function') return 'OPFS sync access handles exist only inside a Worker';
  return undefined;
}

/**
 * Install the SAH-pool VFS, which takes every file of its directory for this worker alone. While another worker
 * holds them (another tab of the app, or the page this one replaces and whose worker is still closing) the install
 * fails; it is retried until `lockTimeoutMs` has passed. Then the open fails: OPFS is here, so falling back to
 * memory would let the app write where nothing is kept.
 */
async function sahPool(sqlite3: Sqlite3Static, req: OpenRequest): Promise<SAHPoolUtil> {
  const cached = pools.get(sqlite3);
  if (cached) return cached;
  const deadline = Date.now() + (req.lockTimeoutMs ?? 3000);
  let last: unknown;
  for (let attempt = 0; ; attempt++) {
    try {
      const pool = await sqlite3.installOpfsSAHPoolVfs({
        name: POOL_NAME,
        directory: req.directory,
        preserveOnInitFailure: true,
        ...(attempt > 0 ? { forceReinitIfPreviouslyFailed: true } : {}),
      } as Parameters<Sqlite3Static['installOpfsSAHPoolVfs']>[0]);
      pools.set(sqlite3, Promise.resolve(pool));
      return pool;
    } catch (e) {
      last = e;
    }
    if (Date.now() >= deadline) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  const reason = last instanceof Error ? `${last.name}: ${last.message}` : String(last);
  throw wireError(
    `The OPFS database is held by another tab or window of this app (${reason}); the SAH-pool VFS serves one at a time. ` +
      'Close the other tab and reload, or open this one with a different sqliteWasmDriver directory',
    'SQLITE_CANTOPEN',
  );
}

/**
 * sqlite-wasm warns on the console for every statement that fails (`sqlite3_step() rc= ...`) and then throws the
 * same failure, which reaches the caller as an error: the console copy is dropped; every other warning is kept.
 */
function quietStepWarnings(sqlite3: Sqlite3Static): void {
  const config = (sqlite3 as unknown as { config?: { warn?: (...args: unknown[]) => void } }).config;
  const warn = config?.warn;
  if (!config || typeof warn !== 'function' || (warn as { forge?: true }).forge) return;
  const filtered = Object.assign((...args: unknown[]) => (args[0] === 'sqlite3_step() rc=' ? undefined : warn(...args)), { forge: true as const });
  try {
    config.warn = filtered;
  } catch {
    // A frozen config: the warnings stay.
  }
}

async function openDatabase(sqlite3: Sqlite3Static, req: OpenRequest): Promise<Opened> {
  quietStepWarnings(sqlite3);
  const version = sqlite3.version.libVersion;
  let db: Database | undefined;
  let fallbackReason: string | undefined;
  if (req.storage !== 'memory') {
    const missing = missingOpfs(sqlite3);
    if (missing && req.storage === 'opfs') {
      throw wireError(`OPFS storage is not available here (${missing}): serve the page from a secure origin (https or localhost) and open the database in a Worker, or pass storage: 'auto' to fall back to memory`, 'SQLITE_CANTOPEN');
    }
    if (missing) fallbackReason = missing;
    else db = new (await sahPool(sqlite3, req)).OpfsSAHPoolDb(req.filename);
  }
  db ??= new sqlite3.oo1.DB(':memory:', 'c');
  db ??= new sqlite3.oo1.DB(':memory:', 'c');
  const persistent = fallbackReason === undefined && req.storage !== 'memory';
  // What better-sqlite3's adapter sets on every handle it opens: keys enforced, and `mode: 'insensitive'`'s fold.
  db.exec('PRAGMA foreign_keys = ON');
  // The SAH-pool VFS gives this worker the files alone: exclusive locking keeps SQLite's page cache across
  // transactions instead of re-checking the file before each statement.
  if (persistent) db.exec('PRAGMA locking_mode = EXCLUSIVE');
  db.createFunction(FOLD_FUNCTION, (_ctx: number, v: unknown) => (typeof v === 'string' ? foldText(v) : v) as never, { deterministic: true, arity: 1 });
  return {
    sqlite3,
    db,
    info: { version, vfs: persistent ? 'opfs-sahpool' : 'memory', persistent, filename: persistent ? req.filename : ':memory:', ...(fallbackReason ? { fallbackReason } : {}) },
  };
}

/** Read the current row of `stmt`: integers as bigint when `safe`, else as numbers where they fit (sqlite-wasm's default). */
function readRow(sqlite3: Sqlite3Static, stmt: PreparedStatement, safe: boolean | undefined): unknown[] {
  const n = stmt.columnCount;
  const row = new Array<unknown>(n);
  for (let i = 0; i < n; i++) {
    const v = stmt.get(i);
    row[i] = safe && typeof v === 'number' && sqlite3.capi.sqlite3_column_type(stmt, i) === sqlite3.capi.SQLITE_INTEGER ? BigInt(v) : v;
  }
  return row;
}

function query({ sqlite3, db }: Opened, req: QueryRequest): QueryResult {
  const rows: unknown[][] = [];
  let names: string[] | undefined;
  db.exec({
    sql: req.sql,
    bind: bindable(req.params),
    rowMode: 'stmt',
    callback: (stmt: PreparedStatement) => {
      if (req.firstOnly && rows.length > 0) return;
      names ??= stmt.getColumnNames();
      rows.push(readRow(sqlite3, stmt, req.safeIntegers));
    },
  });
  if (req.shape === 'arrays') return { rows };
  return { rows: rows.map((r) => Object.fromEntries((names ?? []).map((name, i) => [name, r[i]]))) };
}

function execute({ sqlite3, db }: Opened, sql: string, params: readonly unknown[]): ExecuteResult {
  let returned = 0;
  db.exec({ sql, bind: bindable(params), rowMode: 'stmt', callback: () => void returned++ });
  // A statement with RETURNING produced rows: those are what it wrote.
  if (returned > 0) return { rowCount: returned };
  const changes = Number(db.changes());
  if (changes > 0 && INSERT.test(sql)) {
    const id = sqlite3.capi.sqlite3_last_insert_rowid(db);
    return { rowCount: changes, lastInsertId: id >= BigInt(Number.MIN_SAFE_INTEGER) && id <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(id) : id };
  }
  return { rowCount: changes };
}

/** sqlite-wasm binds an empty array as "no parameters" only when it is left out. */
function bindable(params: readonly unknown[]): never {
  return (params.length ? params : undefined) as never;
}

function wireError(message: string, code?: string): Error & { code?: string } {
  return Object.assign(new Error(message), code ? { code } : {});
}

/**
 * sqlite-wasm's SQLite3Error carries the extended result code as a number and a message prefixed with it
 * (`SQLITE_CONSTRAINT_UNIQUE: sqlite3 result code 2067: UNIQUE constraint failed: t.x`); the page gets the code
 * by name and SQLite's own message, the shape better-sqlite3 reports and the SQLite adapter's error mapping reads.
 */
function toWire(e: unknown, sqlite3: Sqlite3Static | undefined): WireError {
  if (!(e instanceof Error)) return { name: 'Error', message: String(e) };
  const rc = (e as { resultCode?: unknown }).resultCode;
  let code = (e as { code?: unknown }).code as string | undefined;
  if (typeof rc === 'number' && sqlite3) code = sqlite3.capi.sqlite3_js_rc_str(rc) ?? code;
  const message = e.message.replace(/^SQLITE_[A-Z_]+: sqlite3 result code \d+: /, '');
  return { name: e.name, message, ...(typeof code === 'string' ? { code } : {}) };
}
