import type { Connection, ExecResult, TransactionOptions } from '@forge/core';
import { DbKnownError, ValidationError } from '@forge/core';
import mssql from 'mssql';
import { mapMssqlError, type ErrorContext } from './errors.js';

/** What every connection of one pool shares. */
export interface PoolState {
  readonly pool: mssql.ConnectionPool;
  /** Whether forge opened the pool (and so closes it on close). */
  readonly owned: boolean;
  /** For error messages: the redacted URL or the driver flavor, and the address dialled. */
  readonly context: ErrorContext;
  /** `SERVERPROPERTY('ProductVersion')`, e.g. `16.0.4135.4` (SQL Server 2022). */
  readonly version: string;
  /** Built-in types forge reads as features, in the form `Connection.extensions` has: `vector` (the VECTOR type). */
  readonly extensions?: ReadonlySet<string>;
  closed: boolean;
}

/**
 * What node-mssql's ConnectionPool has beyond its typings: its config, and the acquire / release pair its own
 * Request and Transaction use to hold one connection.
 */
export interface PoolInternals {
  readonly config: mssql.config;
  acquire(requester: unknown): Promise<unknown>;
  release(connection: unknown): unknown;
}

export const internals = (pool: mssql.ConnectionPool): PoolInternals => pool as unknown as PoolInternals;

/** A tedious connection as node-mssql hands it out of its pool (only what forge touches). */
interface TediousConnection {
  hasError?: boolean;
}

/**
 * One pooled session held for a transaction or `withSession`: a Request parent for node-mssql (the shape its
 * Transaction has: `acquire` / `release` / `config` / `connected`) over one tedious connection, so every
 * statement of the session runs on it. Requests queue, one at a time, as on any TDS session.
 */
class PinnedSession {
  private busy = false;
  private readonly waiting: Array<() => void> = [];

  constructor(
    readonly pool: mssql.ConnectionPool,
    readonly connection: TediousConnection,
  ) {}

  get connected(): boolean {
    return this.pool.connected;
  }

  get config(): mssql.config {
    return internals(this.pool).config;
  }

  acquire(_request: unknown, callback: (err: Error | null, connection?: unknown, config?: unknown) => void): this {
    const grant = () => {
      this.busy = true;
      setImmediate(callback, null, this.connection, internals(this.pool).config);
    };
    if (this.busy) this.waiting.push(grant);
    else grant();
    return this;
  }

  release(): this {
    this.busy = false;
    const next = this.waiting.shift();
    if (next) next();
    return this;
  }
}

type Parent = mssql.ConnectionPool | PinnedSession;

interface TxState {
  readonly session: PinnedSession;
  open: boolean;
  readonly seq: { n: number };
  /** False for a session pinned by `withSession(fn)` outside any transaction. */
  readonly transaction: boolean;
  readonly readOnly?: boolean;
}

/** The parameter name of the i-th (1-based) bound value: the compiler writes `@p1`, `@p2`, ... */
export const paramName = (i: number): string => `p${i}`;

const INT_MIN = -2147483648;
const INT_MAX = 2147483647;

/**
 * The SQL type a value is bound as. Declared, not left to the driver, so that one statement shape always has
 * the same parameter declarations (one plan in the server's cache): text as nvarchar(4000) (nvarchar(max) when
 * longer), integers as int or bigint, a Date as datetime2(7) (mssql's default, datetime, rounds to 3 ms).
 */
export function bindType(value: unknown): mssql.ISqlType | (() => mssql.ISqlType) {
  if (value === null || value === undefined) return mssql.NVarChar(4000);
  switch (typeof value) {
    case 'string':
      return value.length <= 4000 ? mssql.NVarChar(4000) : mssql.NVarChar(mssql.MAX);
    case 'number':
      if (Number.isInteger(value)) return value >= INT_MIN && value <= INT_MAX ? mssql.Int() : mssql.BigInt();
      return mssql.Float();
    case 'bigint':
      return mssql.BigInt();
    case 'boolean':
      return mssql.Bit();
  }
  if (value instanceof Date) return mssql.DateTime2(7);
  if (value instanceof Uint8Array) return mssql.VarBinary(mssql.MAX);
  return mssql.NVarChar(mssql.MAX);
}

function bindValue(value: unknown): unknown {
  if (value instanceof Uint8Array && !Buffer.isBuffer(value)) return Buffer.from(value.buffer, value.byteOffset, value.byteLength);
  if (value !== null && typeof value === 'object' && !(value instanceof Date) && !Buffer.isBuffer(value)) return JSON.stringify(value);
  return value;
}

function request(parent: Parent, params: readonly unknown[], arrayRowMode: boolean): mssql.Request {
  const req = new mssql.Request(parent as mssql.ConnectionPool);
  req.arrayRowMode = arrayRowMode;
  params.forEach((v, i) => req.input(paramName(i + 1), bindType(v), bindValue(v) as never));
  return req;
}

/**
 * One round trip. With parameters it runs through sp_executesql (values travel apart from the text); without,
 * as a plain batch, so that session settings it makes (SET LOCK_TIMEOUT) outlive it, which they would not
 * inside sp_executesql.
 */
function run(parent: Parent, sql: string, params: readonly unknown[], arrayRowMode: boolean): Promise<mssql.IResult<unknown>> {
  const req = request(parent, params, arrayRowMode);
  return (params.length ? req.query(sql) : req.batch(sql)) as Promise<mssql.IResult<unknown>>;
}

const sum = (xs: readonly number[] | undefined): number => (xs ?? []).reduce((a, b) => a + b, 0);

/**
 * Statements a read-only transaction refuses. SQL Server has no read-only transaction (READ ONLY is a database
 * option), so forge refuses writes itself, before they are sent: a statement that contains one of these
 * keywords outside string literals, bracketed names and comments.
 */
const WRITE_KEYWORDS = /\b(INSERT|UPDATE|DELETE|MERGE|INTO|CREATE|ALTER|DROP|TRUNCATE|EXEC|EXECUTE|GRANT|REVOKE|DENY|BULK|WRITETEXT|UPDATETEXT|DBCC|SP_RENAME)\b/i;

/** `sql` with its string literals, `[names]`, `"names"` and comments blanked out. */
export function codeOnly(sql: string): string {
  return sql.replace(/N?'(?:[^']|'')*'|\[(?:[^\]]|\]\])*\]|"(?:[^"]|"")*"|--[^\n]*|\/\*[\s\S]*?\*\//g, ' ');
}

export function isWriteStatement(sql: string): boolean {
  return WRITE_KEYWORDS.test(codeOnly(sql));
}

const NO_EXTENSIONS: ReadonlySet<string> = new Set();

/** A forge `Connection` over an mssql ConnectionPool (`tx` undefined) or over one pinned session. */
export class MssqlConnection implements Connection {
  readonly dialect = 'mssql' as const;

  constructor(
    readonly state: PoolState,
    private readonly tx?: TxState,
  ) {}

  get serverVersion(): string {
    return this.state.version;
  }

  /** `vector` where the server has the VECTOR type, for `forConnection` (SQL Server has no extensions as such). */
  get extensions(): ReadonlySet<string> {
    return this.state.extensions ?? NO_EXTENSIONS;
  }

  get inTransaction(): boolean {
    return this.tx?.transaction === true;
  }

  /** The pool's requestTimeout in ms (0: none), which bounds how long any one statement, a lock wait included, may take. */
  get requestTimeoutMs(): number {
    const t = internals(this.state.pool).config.requestTimeout;
    return typeof t === 'number' ? t : 15_000;
  }

  private parent(): Parent {
    if (this.tx) {
      if (!this.tx.open) throw new Error('This transaction has already finished: use the connection inside the transaction callback only.');
      return this.tx.session;
    }
    if (this.state.closed) throw new Error('The SQL Server connection is closed.');
    return this.state.pool;
  }

  private guard(sql: string): void {
    if (this.tx?.readOnly && isWriteStatement(sql)) {
      throw new DbKnownError(
        'READ_ONLY',
        'This transaction is read-only ($transaction(fn, { readOnly: true })): forge refused the write before sending it (SQL Server has no read-only transactions). Run writes in a $transaction without readOnly.',
      );
    }
  }

  private async exec(sql: string, params: readonly unknown[], arrayRowMode: boolean, parent?: Parent): Promise<mssql.IResult<unknown>> {
    const target = parent ?? this.parent();
    this.guard(sql);
    try {
      return await run(target, sql, params, arrayRowMode);
    } catch (e) {
      throw mapMssqlError(e, this.state.context);
    }
  }

  async query<R = Record<string, unknown>>(sql: string, params: readonly unknown[] = []): Promise<R[]> {
    const res = await this.exec(sql, params, false);
    return (res.recordset ?? []) as R[];
  }

  async queryArrays(sql: string, params: readonly unknown[] = []): Promise<unknown[][]> {
    const res = await this.exec(sql, params, true);
    return (res.recordset ?? []) as unknown as unknown[][];
  }

  async execute(sql: string, params: readonly unknown[] = []): Promise<ExecResult> {
    const res = await this.exec(sql, params, false);
    return { rowCount: sum(res.rowsAffected) };
  }

  private async reserve(): Promise<PinnedSession> {
    if (this.state.closed) throw new Error('The SQL Server connection is closed.');
    try {
      const connection = (await internals(this.state.pool).acquire(this)) as TediousConnection;
      return new PinnedSession(this.state.pool, connection);
    } catch (e) {
      throw mapMssqlError(e, this.state.context);
    }
  }

  /**
   * Give a session back. One whose state is unknown (a failed ROLLBACK, a cancelled stream) is marked broken,
   * so the pool's validation destroys it instead of handing it out again.
   */
  private release(session: PinnedSession, broken: boolean): void {
    if (broken) session.connection.hasError = true;
    internals(this.state.pool).release(session.connection);
  }

  async transaction<T>(fn: (tx: Connection) => Promise<T>, opts?: TransactionOptions): Promise<T> {
    const readOnly = opts?.readOnly === true;
    if (this.tx?.transaction) {
      if (readOnly && !this.tx.readOnly) {
        throw new ValidationError(
          'readOnly applies to a whole transaction: this $transaction is nested in one that may write, so it cannot be read-only. Open the readOnly transaction outermost, or leave readOnly off here',
        );
      }
      return this.savepoint(this.tx, fn);
    }
    const pinned = this.tx ? (this.parent() as PinnedSession) : undefined;
    const session = pinned ?? (await this.reserve());
    const state: TxState = { session, open: true, seq: this.tx?.seq ?? { n: 0 }, transaction: true, readOnly };
    let clean = false;
    try {
      await this.exec('BEGIN TRANSACTION', [], false, session);
      const result = await fn(new MssqlConnection(this.state, state));
      await this.exec('COMMIT TRANSACTION', [], false, session);
      clean = true;
      return result;
    } catch (e) {
      // The server may have ended the transaction itself (a deadlock victim, XACT_ABORT): roll back only what is open.
      clean = await this.quietly(session, 'IF @@TRANCOUNT > 0 ROLLBACK TRANSACTION');
      throw e;
    } finally {
      state.open = false;
      if (!pinned) this.release(session, !clean);
    }
  }

  /**
   * One pooled session held for `fn` without a transaction: an application lock owned by the session
   * (`sp_getapplock @LockOwner = 'Session'`) and session settings (SET LOCK_TIMEOUT) must reach the statements
   * that follow. Inside a transaction or another pinned session, `fn` runs on that same session.
   */
  async withSession<T>(fn: (conn: Connection) => Promise<T>): Promise<T> {
    if (this.tx) {
      this.parent();
      return fn(this);
    }
    const session = await this.reserve();
    const state: TxState = { session, open: true, seq: { n: 0 }, transaction: false };
    try {
      return await fn(new MssqlConnection(this.state, state));
    } finally {
      state.open = false;
      // A transaction fn left open must not reach the next user of the session; a session that cannot even
      // answer that is not given back.
      const clean = await this.quietly(session, 'IF @@TRANCOUNT > 0 ROLLBACK TRANSACTION');
      this.release(session, !clean);
    }
  }

  /** A nested transaction: `SAVE TRANSACTION`, rolled back to on throw (T-SQL has no RELEASE SAVEPOINT). */
  private async savepoint<T>(parent: TxState, fn: (tx: Connection) => Promise<T>): Promise<T> {
    const name = `forge_sp_${++parent.seq.n}`;
    const session = parent.session;
    await this.exec(`SAVE TRANSACTION ${name}`, [], false, session);
    const child: TxState = { session, open: true, seq: parent.seq, transaction: true, readOnly: parent.readOnly };
    try {
      return await fn(new MssqlConnection(this.state, child));
    } catch (e) {
      await this.quietly(session, `IF XACT_STATE() = 1 ROLLBACK TRANSACTION ${name}`);
      throw e;
    } finally {
      child.open = false;
    }
  }

  private async quietly(session: PinnedSession, sql: string): Promise<boolean> {
    try {
      await run(session, sql, [], false);
      return true;
    } catch {
      return false;
    }
  }

  /**
   * Rows as tedious reads them off the socket, `chunkSize` at a time: the request is paused while a chunk waits
   * for the consumer, so the result is never buffered whole. Outside a transaction the stream has a session of
   * its own; leaving the loop early cancels the request.
   */
  async *stream(sql: string, params: readonly unknown[], chunkSize: number): AsyncGenerator<unknown[][]> {
    if (!Number.isInteger(chunkSize) || chunkSize <= 0) {
      throw new ValidationError(`chunkSize must be a positive integer, got ${String(chunkSize)}`);
    }
    this.guard(sql);
    const parent = this.parent();
    const req = request(parent, params, true);
    req.stream = true;
    let buffer: unknown[][] = [];
    let done = false;
    let failure: unknown;
    let wake: (() => void) | undefined;
    const signal = () => {
      const w = wake;
      wake = undefined;
      w?.();
    };
    req.on('row', (row: unknown[]) => {
      buffer.push(row);
      if (buffer.length >= chunkSize) {
        req.pause();
        signal();
      }
    });
    req.on('error', (e: unknown) => {
      failure ??= e;
    });
    req.on('done', () => {
      done = true;
      signal();
    });
    if (params.length) void req.query(sql);
    else void req.batch(sql);
    let finished = false;
    try {
      for (;;) {
        if (buffer.length < chunkSize && !done) {
          await new Promise<void>((resolve) => {
            wake = resolve;
            if (buffer.length >= chunkSize || done) signal();
          });
        }
        if (failure) throw mapMssqlError(failure, this.state.context);
        if (buffer.length >= chunkSize || (done && buffer.length)) {
          const chunk = buffer.length > chunkSize ? buffer.splice(0, chunkSize) : buffer;
          if (chunk === buffer) buffer = [];
          yield chunk;
          if (!done) req.resume();
          continue;
        }
        if (done) break;
      }
      finished = true;
    } finally {
      if (!finished && !done) req.cancel();
    }
  }

  async close(): Promise<void> {
    if (this.tx || this.state.closed) return;
    this.state.closed = true;
    if (this.state.owned) await this.state.pool.close();
  }
}
