import { ConfigError, DbKnownError, redactUrl, ValidationError, type Connection, type ExecResult, type QueryOptions, type TransactionOptions } from '@forge/core';
import { bindParams } from './bind.js';
import { mapSqliteError } from './errors.js';
import { Gate, runInsideTransaction, wouldDeadlock } from './gate.js';

/**
 * The SQLite adapter on libSQL (`@libsql/client`): a local `file:` client the user made, or Turso / sqld over the
 * network (`libsql://host?authToken=...`). The client is async and keeps its own connections (a small pool for a
 * local file, streams for a server), so this is its own Connection, not the better-sqlite3 one:
 *
 * - Statements outside a transaction go to `client.execute`; a transaction is `client.transaction()`, which holds
 *   one connection (a local pooled connection, or one server stream) from BEGIN to COMMIT. Nested transactions are
 *   savepoints on it. A transaction that may write begins IMMEDIATE (`transaction('write')`); a readOnly one is
 *   deferred with `PRAGMA query_only` on for its duration (libSQL's own `BEGIN TRANSACTION READONLY` lets writes
 *   through in the local build).
 * - As on the better-sqlite3 connection, a transaction holds this connection's gate: calls made on the root
 *   connection meanwhile wait for it, in order, instead of racing it for the write lock (libSQL's local busy
 *   handler would sleep synchronously, freezing the event loop the transaction needs to finish).
 * - A lock another connection holds is waited for only by libSQL itself, as the client was made: a local client
 *   waits with `createClient({ url, timeout: ms })` and not at all by default. forge does not retry on its own:
 *   @libsql/client 0.18 leaves a pooled connection whose statement met SQLITE_BUSY unable to COMMIT ever after
 *   ("SQL statements in progress"), so a retried transaction would fail at its end. Both errors say what to do.
 * - libSQL runs only the first statement of a multi-statement text through `execute`; forge sends such text
 *   (DDL scripts, triggers) through `executeMultiple`, which takes no parameters.
 * - No server-side cursor: `stream` reads the result once and hands it out in chunks (the adapter's capabilities
 *   say `nativeCursor: false` for libSQL, so the client pages findManyStream with LIMIT/OFFSET instead).
 */

/** One libSQL result set (`ResultSet` of @libsql/client), as far as forge reads it. */
interface ResultSetLike {
  columns: string[];
  rows: ArrayLike<unknown>[];
  rowsAffected: number;
  lastInsertRowid?: bigint;
}

interface Executor {
  execute(stmt: { sql: string; args: unknown[] }): Promise<ResultSetLike>;
  executeMultiple(sql: string): Promise<void>;
}

interface TxLike extends Executor {
  commit(): Promise<void>;
  rollback(): Promise<void>;
  close(): void;
  readonly closed: boolean;
}

/** What forge needs of a `@libsql/client` Client (`createClient({ url })`). */
export interface LibsqlClientLike extends Executor {
  transaction(mode?: 'write' | 'read' | 'deferred'): Promise<TxLike>;
  close(): void;
  readonly closed: boolean;
  readonly protocol?: string;
}

const INSERT = /^\s*(INSERT|REPLACE)\b/i;

/** State every scope of one connection shares. */
interface Shared {
  readonly client: LibsqlClientLike;
  /** False for a client the user made (libsqlDriver): forge never closes it. */
  readonly owned: boolean;
  readonly label: string;
  closed: boolean;
}

interface Scope {
  readonly tx: TxLike;
  readonly depth: number;
  readonly readOnly: boolean;
}

const codeOf = (e: unknown): string | undefined => {
  const err = e as { extendedCode?: unknown; code?: unknown } | null;
  const code = err?.extendedCode ?? err?.code;
  return typeof code === 'string' ? code : undefined;
};

function isLockWait(e: unknown): boolean {
  const code = codeOf(e);
  return code !== undefined && code.startsWith('SQLITE_BUSY') && code !== 'SQLITE_BUSY_SNAPSHOT';
}

const STUCK = /statements in progress/;

/**
 * A libSQL error as forge reports SQLite errors. `LibsqlError` puts the base code in front of SQLite's message
 * (`SQLITE_CONSTRAINT: UNIQUE constraint failed: users.email`) and the precise one in `extendedCode`; the shared
 * mapper reads better-sqlite3's shape, so it gets SQLite's own message and the extended code, and the libSQL
 * error stays the cause.
 */
export function mapLibsqlError(e: unknown, readOnly = false): unknown {
  if (!(e instanceof Error) || e instanceof DbKnownError) return e;
  if (e instanceof RangeError && /cannot be safely represented as a JavaScript number/.test(e.message)) {
    return new ConfigError(
      'libSQL read an integer beyond 2^53, which this client turns into a JavaScript number only by losing digits, so it refused. ' +
        "Create the client with intMode: 'bigint' (createClient({ url, intMode: 'bigint' })); forge then reads f.bigint() exactly and other integers as numbers.",
      { cause: e },
    );
  }
  const code = codeOf(e);
  if (!code) return e;
  if (isLockWait(e)) {
    if (STUCK.test(e.message)) {
      return new DbKnownError(
        'TRANSACTION_ABORTED',
        'libSQL could not commit: an earlier statement on this pooled connection met a lock (SQLITE_BUSY) and @libsql/client leaves such a statement open, ' +
          'so the connection can no longer commit; nothing of this transaction was written. Close the client and make a new one, with a busy timeout (createClient({ url, timeout: 5000 })) so statements wait for the lock instead.',
        { driverCode: code },
        { cause: e },
      );
    }
    return new DbKnownError(
      'TIMEOUT',
      "The libSQL database is locked by another connection (another process or client writing, a long transaction) and this client did not wait for it: make the client with a busy timeout (createClient({ url, timeout: 5000 }); its default is 0), or run the work again",
      { driverCode: code },
      { cause: e },
    );
  }
  if (readOnly && code.startsWith('SQLITE_READONLY')) {
    return new DbKnownError(
      'READ_ONLY',
      'This transaction is read-only ($transaction(fn, { readOnly: true })), so SQLite refused the write: run writes in a $transaction without readOnly',
      { driverCode: code, readOnly: true },
      { cause: e },
    );
  }
  const base = (e as { code?: unknown }).code;
  const prefix = typeof base === 'string' ? `${base}: ` : '';
  const message = prefix && e.message.startsWith(prefix) ? e.message.slice(prefix.length) : e.message;
  const shaped = Object.assign(new Error(message, { cause: e }), { code });
  const mapped = mapSqliteError(shaped);
  return mapped === shaped ? e : mapped;
}

/**
 * Whether `sql` holds more than one statement (a `;` outside quotes and comments with more text after it).
 * A trigger body counts too, which is what it needs: executeMultiple runs it whole.
 */
export function severalStatements(sql: string): boolean {
  let seenEnd = false;
  for (let i = 0; i < sql.length; i++) {
    const c = sql[i];
    if (c === '-' && sql[i + 1] === '-') {
      const nl = sql.indexOf('\n', i);
      i = nl < 0 ? sql.length : nl;
      continue;
    }
    if (c === '/' && sql[i + 1] === '*') {
      const end = sql.indexOf('*/', i + 2);
      i = end < 0 ? sql.length : end + 1;
      continue;
    }
    if (seenEnd && !/\s/.test(c)) return true;
    if (c === "'" || c === '"' || c === '`' || c === '[') {
      const close = c === '[' ? ']' : c;
      let j = i + 1;
      while (j < sql.length && !(sql[j] === close && sql[j + 1] !== close)) j += sql[j] === close ? 2 : 1;
      i = j;
      continue;
    }
    if (c === ';') seenEnd = true;
  }
  return false;
}

/** A libSQL value as better-sqlite3 would give it: blobs as Buffers, integers as numbers unless bigints are wanted. */
function cell(v: unknown, bigints: boolean): unknown {
  if (typeof v === 'bigint') {
    if (bigints) return v;
    return v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v;
  }
  if (v instanceof ArrayBuffer) return Buffer.from(v);
  return v;
}

function arraysOf(res: ResultSetLike, bigints: boolean): unknown[][] {
  const out: unknown[][] = new Array(res.rows.length);
  for (let r = 0; r < res.rows.length; r++) {
    const row = res.rows[r];
    const values = new Array(row.length);
    for (let i = 0; i < row.length; i++) values[i] = cell(row[i], bigints);
    out[r] = values;
  }
  return out;
}

function objectsOf<R>(res: ResultSetLike): R[] {
  return arraysOf(res, false).map((values) => {
    const obj: Record<string, unknown> = {};
    res.columns.forEach((name, i) => (obj[name] = values[i]));
    return obj as R;
  });
}

function deadlockError(): Error {
  return new Error(
    'A query was sent to the outer connection from inside its own transaction; it would wait for the transaction to end, which waits for the query. Use the `tx` connection passed to transaction(fn).',
  );
}

export class LibsqlConnection implements Connection {
  readonly dialect = 'sqlite' as const;
  private readonly gate = new Gate();
  private ended = false;

  private constructor(
    private readonly shared: Shared,
    private readonly scope?: Scope,
  ) {}

  /** `owned`: forge made the client (a libsql:// URL) and closes it with the connection. */
  static open(client: LibsqlClientLike, opts: { owned: boolean; label: string }): LibsqlConnection {
    return new LibsqlConnection({ client, owned: opts.owned, label: opts.label, closed: false });
  }

  /** The @libsql/client Client, for what forge does not wrap (batch, sync of an embedded replica). */
  get native(): LibsqlClientLike {
    return this.shared.client;
  }

  get inTransaction(): boolean {
    return this.scope !== undefined;
  }

  private usable(): Error | undefined {
    if (this.shared.closed) return new Error('The libSQL connection is closed');
    if (this.ended) return new Error('This transaction has already finished; run queries on the connection it was opened from');
    return undefined;
  }

  /**
   * Run `op` on this scope: inside a transaction on its connection; at the root once no transaction opened from
   * it is running (a call from inside that transaction to the root is refused: it would wait for itself).
   */
  private async enter<T>(op: (on: Executor) => Promise<T>): Promise<T> {
    const unusable = this.usable();
    if (unusable) throw unusable;
    const on: Executor = this.scope?.tx ?? this.shared.client;
    const attempt = () => op(on);
    try {
      if (!this.gate.busy) return await attempt();
      if (wouldDeadlock(this.gate)) throw deadlockError();
      return await this.gate.run(attempt);
    } catch (e) {
      throw mapLibsqlError(e, this.scope?.readOnly === true);
    }
  }

  private statement(sql: string, params: readonly unknown[]): { sql: string; args: unknown[] } {
    if (params.length && severalStatements(sql)) {
      throw new ValidationError('Parameters cannot be bound to SQL text with several statements; run the statements one at a time');
    }
    return { sql, args: bindParams(params) as unknown[] };
  }

  query<R = Record<string, unknown>>(sql: string, params: readonly unknown[] = []): Promise<R[]> {
    const stmt = this.statement(sql, params);
    return this.enter(async (on) => objectsOf<R>(await on.execute(stmt)));
  }

  queryArrays(sql: string, params: readonly unknown[] = [], opts?: QueryOptions): Promise<unknown[][]> {
    const stmt = this.statement(sql, params);
    return this.enter(async (on) => {
      const rows = arraysOf(await on.execute(stmt), opts?.safeIntegers === true);
      return opts?.firstOnly && rows.length > 1 ? rows.slice(0, 1) : rows;
    });
  }

  execute(sql: string, params: readonly unknown[] = []): Promise<ExecResult> {
    if (params.length === 0 && severalStatements(sql)) {
      return this.enter(async (on) => {
        await on.executeMultiple(sql);
        return { rowCount: 0 };
      });
    }
    const stmt = this.statement(sql, params);
    return this.enter(async (on) => {
      const res = await on.execute(stmt);
      // A statement with RETURNING reports its rows, not rowsAffected (libSQL answers 0 for it).
      if (res.columns.length > 0) return { rowCount: res.rows.length };
      const id = res.lastInsertRowid;
      if (res.rowsAffected > 0 && INSERT.test(sql) && id !== undefined) {
        return { rowCount: res.rowsAffected, lastInsertId: id <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(id) : id };
      }
      return { rowCount: res.rowsAffected };
    });
  }

  /** The whole result read at once, then handed out `chunkSize` rows at a time (libSQL has no cursor). */
  async *stream(sql: string, params: readonly unknown[], chunkSize: number, opts?: QueryOptions): AsyncIterable<unknown[][]> {
    if (!Number.isInteger(chunkSize) || chunkSize < 1) throw new ValidationError(`chunkSize must be a positive integer, got ${chunkSize}`);
    const rows = await this.queryArrays(sql, params, { safeIntegers: opts?.safeIntegers });
    for (let i = 0; i < rows.length; i += chunkSize) yield rows.slice(i, i + chunkSize);
  }

  async transaction<T>(fn: (tx: Connection) => Promise<T>, opts?: TransactionOptions): Promise<T> {
    const unusable = this.usable();
    if (unusable) throw unusable;
    const readOnly = opts?.readOnly === true;
    if (this.scope) return this.savepoint(this.scope, fn, readOnly);
    if (this.gate.busy && wouldDeadlock(this.gate)) throw deadlockError();
    return this.gate.run(async () => {
      const { client } = this.shared;
      let tx: TxLike;
      try {
        tx = await client.transaction(readOnly ? 'deferred' : 'write');
        if (readOnly) await tx.execute({ sql: 'PRAGMA query_only = 1', args: [] });
      } catch (e) {
        throw mapLibsqlError(e);
      }
      const scope = new LibsqlConnection(this.shared, { tx, depth: 1, readOnly });
      const token = {};
      this.gate.holder = token;
      try {
        const result = await runInsideTransaction(token, () => fn(scope));
        if (readOnly) await tx.execute({ sql: 'PRAGMA query_only = 0', args: [] });
        await tx.commit();
        return result;
      } catch (e) {
        try {
          // query_only belongs to the connection, not the transaction: off before it goes back to the pool.
          if (readOnly && !tx.closed) await tx.execute({ sql: 'PRAGMA query_only = 0', args: [] });
          if (!tx.closed) await tx.rollback();
        } catch {
          // The error that caused the rollback is the one worth reporting.
        }
        throw mapLibsqlError(e, readOnly);
      } finally {
        scope.ended = true;
        this.gate.holder = undefined;
        tx.close();
      }
    });
  }

  private async savepoint<T>(parent: Scope, fn: (tx: Connection) => Promise<T>, readOnly: boolean): Promise<T> {
    if (readOnly && !parent.readOnly) {
      throw new ValidationError(
        'readOnly applies to a whole transaction: this $transaction is nested in one that may write, so it cannot be read-only. Open the readOnly transaction outermost, or leave readOnly off here',
      );
    }
    const name = `forge_sp_${parent.depth}`;
    const run = (sql: string) => parent.tx.execute({ sql, args: [] });
    try {
      await run(`SAVEPOINT ${name}`);
    } catch (e) {
      throw mapLibsqlError(e, parent.readOnly);
    }
    const scope = new LibsqlConnection(this.shared, { tx: parent.tx, depth: parent.depth + 1, readOnly: parent.readOnly });
    try {
      const result = await fn(scope);
      await run(`RELEASE ${name}`);
      return result;
    } catch (e) {
      try {
        await run(`ROLLBACK TO ${name}`);
        await run(`RELEASE ${name}`);
      } catch {
        // as above
      }
      throw mapLibsqlError(e, parent.readOnly);
    } finally {
      scope.ended = true;
    }
  }

  /** SQLite has no session-scoped locks: `fn` runs on this connection (a transaction's, inside one). */
  async withSession<T>(fn: (conn: Connection) => Promise<T>): Promise<T> {
    const unusable = this.usable();
    if (unusable) throw unusable;
    return fn(this);
  }

  async close(): Promise<void> {
    if (this.scope) throw new Error('close() belongs to the root connection, not to a transaction');
    if (this.shared.closed) return;
    if (this.gate.busy && !wouldDeadlock(this.gate)) await this.gate.run(() => undefined);
    this.shared.closed = true;
    if (this.shared.owned && !this.shared.client.closed) this.shared.client.close();
  }

  toString(): string {
    return `libSQL connection (${this.shared.label})`;
  }
}

/** A client the user made (`libsqlDriver(client)`): forge uses it as configured and never closes it. */
export function libsqlConnectionFor(client: LibsqlClientLike): LibsqlConnection {
  if (!client || typeof client.execute !== 'function' || typeof client.transaction !== 'function') {
    throw new ConfigError("libsqlDriver(client) needs a @libsql/client Client: createClient({ url: 'file:./app.db' })");
  }
  if (client.closed) throw new ConfigError('The libSQL client passed to libsqlDriver() is already closed');
  return LibsqlConnection.open(client, { owned: false, label: `${client.protocol ?? 'libsql'} client` });
}

const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]']);

/**
 * Open `libsql://host?authToken=...` (Turso, or sqld): a client forge owns, reading integers as bigint where a
 * bigint column is selected. A Turso URL without `authToken` is refused before any network traffic; a server on
 * loopback (sqld during development) may run without one.
 */
export async function openLibsqlUrl(url: string): Promise<LibsqlConnection> {
  const trimmed = url.trim();
  let parsed: URL;
  try {
    parsed = new URL(trimmed);
  } catch {
    throw new ConfigError(`'${redactUrl(trimmed).slice(0, 80)}' is not a valid libSQL URL: use libsql://<database>.turso.io?authToken=<token>`);
  }
  if (parsed.protocol !== 'libsql:') throw new ConfigError(`'${redactUrl(trimmed).slice(0, 80)}' is not a libsql:// URL`);
  if (!parsed.hostname) throw new ConfigError('The libSQL URL names no host: use libsql://<database>.turso.io?authToken=<token>');
  const token = parsed.searchParams.get('authToken');
  if (!token && !LOOPBACK.has(parsed.hostname)) {
    throw new ConfigError(
      `The libSQL URL for ${parsed.hostname} has no authToken: Turso refuses requests without one. ` +
        'Add it to the URL (libsql://<database>.turso.io?authToken=<token>; create one with `turso db tokens create <database>`), ' +
        'or make the client yourself and pass libsqlDriver(createClient({ url, authToken })).',
    );
  }
  let createClient: (config: { url: string; intMode?: 'bigint' }) => LibsqlClientLike;
  try {
    ({ createClient } = (await import('@libsql/client')) as unknown as { createClient: typeof createClient });
  } catch (e) {
    const code = (e as { code?: string }).code;
    if (code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND') {
      throw new ConfigError('libsql:// URLs need the libSQL client, which is not installed: npm install @libsql/client');
    }
    throw e;
  }
  let client: LibsqlClientLike;
  try {
    client = createClient({ url: trimmed, intMode: 'bigint' });
  } catch (e) {
    throw new ConfigError(`The libSQL URL ${redactUrl(trimmed)} was refused by @libsql/client: ${(e as Error).message}`, { cause: e });
  }
  const conn = LibsqlConnection.open(client, { owned: true, label: redactUrl(trimmed) });
  try {
    // One round trip, so a wrong host or token fails here rather than at the first query.
    await conn.query('SELECT 1');
  } catch (e) {
    client.close();
    const mapped = mapLibsqlError(e);
    if (mapped instanceof DbKnownError) throw mapped;
    throw new DbKnownError('CONNECTION_FAILED', `Could not reach libSQL at ${redactUrl(trimmed)}: ${(e as Error).message}. Check the URL and the authToken.`, {}, { cause: e });
  }
  return conn;
}
