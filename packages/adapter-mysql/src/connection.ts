import type { ConnectOptions, Connection, EngineFacts, ExecResult, LockSettings, TransactionOptions } from '@forge/core';
import { lockSettings, ValidationError } from '@forge/core';
import type { Pool, PoolConnection, QueryOptions as MysqlQueryOptions, ResultSetHeader } from 'mysql2';
import { mapMysqlError } from './errors.js';
import type { MysqlServer } from './server.js';

/**
 * How forge reads values, per query, whatever the pool was opened with (a user's pool keeps its own settings
 * for its own queries): dates as UTC strings the codec turns into Dates, BIGINT and DECIMAL as strings so no
 * digit is lost (the codec makes BIGINT a bigint).
 */
const READ_OPTIONS = { dateStrings: true, supportBigNumbers: true, bigNumberStrings: true, decimalNumbers: false, timezone: 'Z' } as const;

/** What every connection of one pool shares. */
export interface PoolState {
  readonly pool: Pool;
  /** Whether forge opened the pool (and so ends it on close). */
  readonly owned: boolean;
  readonly server: MysqlServer;
  /** For error messages (a redacted URL or the driver flavor). */
  readonly target: string;
  closed: boolean;
  /** The engine behind the wire (MySQL, MariaDB, TiDB or Vitess), from `VERSION()` and `@@version_comment` at connect. */
  engine?: EngineFacts;
  /** The connect options the push lock's strategy, lease and wait are read from (with the environment), on first use. */
  lockOptions?: ConnectOptions;
  lock?: LockSettings;
}

interface TxState {
  readonly session: PoolConnection;
  open: boolean;
  readonly seq: { n: number };
  /** False for a session pinned by `withSession(fn)` outside any transaction. */
  readonly transaction: boolean;
  /** Begun READ ONLY (`{ readOnly: true }`): a nested transaction stays inside it. */
  readonly readOnly?: boolean;
}

type Runner = Pool | PoolConnection;

interface Result {
  rows: unknown;
  header?: ResultSetHeader;
}

/**
 * One statement. With parameters it runs as a server-side prepared statement (`execute`): values travel
 * apart from the SQL text, never interpolated by the client. Without parameters (DDL, transaction control) it
 * runs on the text protocol, which accepts every statement.
 */
function run(runner: Runner, sql: string, params: readonly unknown[], rowsAsArray: boolean): Promise<unknown> {
  const opts: MysqlQueryOptions = { sql, rowsAsArray, ...READ_OPTIONS };
  return new Promise((resolve, reject) => {
    const done = (err: unknown, rows: unknown) => (err ? reject(err) : resolve(rows));
    if (params.length === 0) runner.query(opts, done);
    else runner.execute(opts, params as unknown[], done);
  });
}

function headerOf(res: unknown): ResultSetHeader | undefined {
  if (res && typeof res === 'object' && !Array.isArray(res) && 'affectedRows' in res) return res as ResultSetHeader;
  return undefined;
}

/** `Records: 3  Duplicates: 1  Warnings: 0`, the info line of a multi-row INSERT. */
const INSERT_INFO = /Records:\s*(\d+)\s+Duplicates:\s*(\d+)/;
const INSERT = /^\s*insert\b/i;

/**
 * Rows a statement wrote. mysql2 connects with CLIENT_FOUND_ROWS, so an UPDATE counts the rows it matched (as
 * Postgres and SQLite do), but a multi-row `INSERT ... ON DUPLICATE KEY UPDATE k = k` (createMany's
 * skipDuplicates) then counts each skipped duplicate as a row; the server's info line says how many were new.
 */
function rowsWritten(sql: string, header: ResultSetHeader): number {
  const info = typeof header.info === 'string' ? INSERT_INFO.exec(header.info) : null;
  if (info && INSERT.test(sql)) return Number(info[1]) - Number(info[2]);
  return header.affectedRows;
}

/** A SELECT returns rows; a write returns a ResultSetHeader; a write with RETURNING returns rows. */
function rowsOf(res: unknown): unknown[] {
  if (Array.isArray(res)) return res;
  return [];
}

function toResult(res: unknown): Result {
  return { rows: res, header: headerOf(res) };
}

/** A forge `Connection` over a mysql2 pool (`tx` undefined) or over one pooled session. */
export class MysqlConnection implements Connection {
  readonly dialect = 'mysql' as const;

  constructor(
    readonly state: PoolState,
    private readonly tx?: TxState,
  ) {}

  /** What the server said it is at connect (`VERSION()`). */
  get server(): MysqlServer {
    return this.state.server;
  }

  /** The engine behind the wire, read at connect (`EngineFacts`). */
  get engine(): EngineFacts | undefined {
    return this.state.engine;
  }

  /**
   * The push lock settings this connection was opened with (`lock.ts`), read when a lock is first taken: a bad
   * FORGE_LOCK_STRATEGY / FORGE_LOCK_LEASE fails the push that reads it, not every connection an application opens.
   */
  get lockSettings(): LockSettings {
    return (this.state.lock ??= lockSettings(this.state.lockOptions));
  }

  get serverVersion(): string {
    return this.state.server.version;
  }

  get inTransaction(): boolean {
    return this.tx?.transaction === true;
  }

  private runner(): Runner {
    if (this.tx) {
      if (!this.tx.open) throw new Error('This transaction has already finished: use the connection inside the transaction callback only.');
      return this.tx.session;
    }
    if (this.state.closed) throw new Error('The MySQL connection is closed.');
    return this.state.pool;
  }

  private async exec(sql: string, params: readonly unknown[], rowsAsArray: boolean, runner = this.runner()): Promise<Result> {
    try {
      return toResult(await run(runner, sql, params, rowsAsArray));
    } catch (e) {
      throw mapMysqlError(e, { target: this.state.target });
    }
  }

  async query<R = Record<string, unknown>>(sql: string, params: readonly unknown[] = []): Promise<R[]> {
    return rowsOf((await this.exec(sql, params, false)).rows) as R[];
  }

  async queryArrays(sql: string, params: readonly unknown[] = []): Promise<unknown[][]> {
    return rowsOf((await this.exec(sql, params, true)).rows) as unknown[][];
  }

  async execute(sql: string, params: readonly unknown[] = []): Promise<ExecResult> {
    const { rows, header } = await this.exec(sql, params, false);
    if (!header) return { rowCount: Array.isArray(rows) ? rows.length : 0 };
    const out: ExecResult = { rowCount: rowsWritten(sql, header) };
    // insertId is the first AUTO_INCREMENT value the statement generated; 0 when it generated none.
    if (header.insertId) out.lastInsertId = header.insertId;
    return out;
  }

  private async reserve(): Promise<PoolConnection> {
    if (this.state.closed) throw new Error('The MySQL connection is closed.');
    try {
      return await new Promise<PoolConnection>((resolve, reject) => this.state.pool.getConnection((err, c) => (err ? reject(err) : resolve(c))));
    } catch (e) {
      throw mapMysqlError(e, { target: this.state.target });
    }
  }

  /** Give a session back; one whose state is unknown (a failed ROLLBACK) is destroyed instead. */
  private static release(session: PoolConnection, broken: boolean): void {
    if (broken) session.destroy();
    else session.release();
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
    const pinned = this.tx ? (this.runner() as PoolConnection) : undefined;
    const session = pinned ?? (await this.reserve());
    const state: TxState = { session, open: true, seq: this.tx?.seq ?? { n: 0 }, transaction: true, readOnly };
    let clean = false;
    try {
      // READ ONLY: the server refuses every write in it (ER_CANT_EXECUTE_IN_READ_ONLY_TRANSACTION, 1792).
      await this.exec(readOnly ? 'START TRANSACTION READ ONLY' : 'START TRANSACTION', [], false, session);
      const result = await fn(new MysqlConnection(this.state, state));
      await this.exec('COMMIT', [], false, session);
      clean = true;
      return result;
    } catch (e) {
      clean = await this.quietly(session, 'ROLLBACK');
      throw e;
    } finally {
      state.open = false;
      if (!pinned) MysqlConnection.release(session, !clean);
    }
  }

  /**
   * One pooled session held for `fn` without a transaction: named locks (`GET_LOCK`) live on a session, and
   * session settings (`lock_wait_timeout`) must reach the statements that follow. Inside a transaction or
   * another pinned session, `fn` runs on that same session.
   */
  async withSession<T>(fn: (conn: Connection) => Promise<T>): Promise<T> {
    if (this.tx) {
      this.runner();
      return fn(this);
    }
    const session = await this.reserve();
    const state: TxState = { session, open: true, seq: { n: 0 }, transaction: false };
    let clean = false;
    try {
      const result = await fn(new MysqlConnection(this.state, state));
      clean = true;
      return result;
    } finally {
      state.open = false;
      MysqlConnection.release(session, !clean);
    }
  }

  private async savepoint<T>(parent: TxState, fn: (tx: Connection) => Promise<T>): Promise<T> {
    const name = `forge_sp_${++parent.seq.n}`;
    const session = parent.session;
    await this.exec(`SAVEPOINT ${name}`, [], false, session);
    const child: TxState = { session, open: true, seq: parent.seq, transaction: true, readOnly: parent.readOnly };
    try {
      const result = await fn(new MysqlConnection(this.state, child));
      await this.exec(`RELEASE SAVEPOINT ${name}`, [], false, session);
      return result;
    } catch (e) {
      await this.quietly(session, `ROLLBACK TO SAVEPOINT ${name}`);
      throw e;
    } finally {
      child.open = false;
    }
  }

  private async quietly(session: PoolConnection, sql: string): Promise<boolean> {
    try {
      await run(session, sql, [], false);
      return true;
    } catch {
      return false;
    }
  }

  /**
   * Rows as mysql2 reads them off the socket, `chunkSize` at a time, with constant memory: the session is
   * paused while a chunk waits for the consumer (mysql2's row stream, so the server's result is not buffered
   * in full). Outside a transaction the stream has a session of its own; leaving the loop early ends it, and
   * the session is destroyed (the rest of the result cannot be skipped cheaply) instead of returned.
   */
  async *stream(sql: string, params: readonly unknown[], chunkSize: number): AsyncGenerator<unknown[][]> {
    if (!Number.isInteger(chunkSize) || chunkSize <= 0) {
      throw new ValidationError(`chunkSize must be a positive integer, got ${String(chunkSize)}`);
    }
    const own = this.tx ? undefined : await this.reserve();
    const session = own ?? (this.runner() as PoolConnection);
    const opts: MysqlQueryOptions = { sql, rowsAsArray: true, ...READ_OPTIONS };
    const cmd = params.length ? session.execute(opts, params as unknown[]) : session.query(opts);
    const rows = cmd.stream({ highWaterMark: chunkSize });
    let finished = false;
    try {
      let chunk: unknown[][] = [];
      for await (const row of rows as AsyncIterable<unknown[]>) {
        chunk.push(row);
        if (chunk.length >= chunkSize) {
          yield chunk;
          chunk = [];
        }
      }
      if (chunk.length) yield chunk;
      finished = true;
    } catch (e) {
      throw mapMysqlError(e, { target: this.state.target });
    } finally {
      if (!finished) rows.destroy();
      if (own) MysqlConnection.release(own, !finished);
      else if (!finished) {
        // Inside a transaction the session must stay: drain what the server still sends so the next statement can run.
        session.resume();
      }
    }
  }

  async close(): Promise<void> {
    if (this.tx || this.state.closed) return;
    this.state.closed = true;
    if (this.state.owned) await new Promise<void>((resolve) => this.state.pool.end(() => resolve()));
  }
}
