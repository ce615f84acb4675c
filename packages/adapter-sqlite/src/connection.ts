import { setTimeout as sleep } from 'node:timers/promises';
import type BetterSqlite3 from 'better-sqlite3';
import {
  DbKnownError,
  ValidationError,
  type Connection,
  type DbErrorCode,
  type ExecResult,
  type QueryOptions,
  type TransactionOptions as CoreTransactionOptions,
} from '@forge/core';
import { bindParams } from './bind.js';
import { mapSqliteError } from './errors.js';
import { Gate, runInsideTransaction, wouldDeadlock } from './gate.js';

type Database = BetterSqlite3.Database;
type Statement = BetterSqlite3.Statement<unknown[]>;

/** Bounded so that dynamic SQL (IN lists of every length) cannot grow the cache without limit. */
const STATEMENT_CACHE_SIZE = 500;

/** `prepare` refuses text with several statements (or none); such DDL runs through `exec` instead. */
const NOT_ONE_STATEMENT = /supplied SQL string contains (more than one statement|no statements)/;

/**
 * The longest pause between two attempts at a lock another connection holds. Attempts start 1 ms apart and double:
 * a failed attempt costs microseconds, and a short pause lets a waiter take the lock in the gap between two
 * transactions of a busy writer instead of sleeping through it.
 */
const MAX_PAUSE_MS = 20;

/**
 * `Connection.transaction`'s options (core's `TransactionOptions`). Without `readOnly` a transaction takes the
 * write lock up front (BEGIN IMMEDIATE); `immediate` is accepted for callers written before that was the default.
 */
export interface TransactionOptions extends CoreTransactionOptions {
  /** @deprecated Every transaction that may write is BEGIN IMMEDIATE now. */
  immediate?: boolean;
}

/** What every scope (the root connection and the transactions opened from it) shares: the handle and its statements. */
class Session {
  closed = false;
  /** True while a readOnly transaction runs (PRAGMA query_only is on): SQLITE_READONLY then means a refused write. */
  readOnly = false;
  private readonly statements = new Map<string, Statement>();
  constructor(
    readonly db: Database,
    /** False for a user's own Database (betterSqlite3Driver): forge never closes it. */
    readonly owned: boolean,
    /**
     * How long forge waits for a lock another connection holds (the URL's busy_timeout), on a handle whose own
     * busy handler forge turned off. Undefined on a user's own Database: its busy handler waits as configured.
     */
    readonly waitMs: number | undefined,
  ) {}

  prepare(sql: string): Statement {
    let stmt = this.statements.get(sql);
    if (stmt) return stmt;
    stmt = this.db.prepare<unknown[]>(sql);
    if (this.statements.size >= STATEMENT_CACHE_SIZE) this.statements.delete(this.statements.keys().next().value as string);
    this.statements.set(sql, stmt);
    return stmt;
  }

  /**
   * Transaction control through cached prepared statements: `exec` re-parses the text every time, which
   * measured 40 µs more per BEGIN/COMMIT pair than a prepared statement on a WAL file database.
   */
  control(sql: string): void {
    this.prepare(sql).run();
  }

  /** A one-value PRAGMA, read through a cached statement. */
  pragmaValue(sql: string): unknown {
    return (this.prepare(sql).raw(true).safeIntegers(false).get() as unknown[] | undefined)?.[0];
  }

  /** True for an error worth waiting out: a lock another connection holds, on a handle where forge does the waiting. */
  canWait(e: unknown): boolean {
    return this.waitMs !== undefined && isLockWait(e);
  }

  close(): void {
    this.closed = true;
    this.statements.clear();
    if (this.owned) this.db.close();
  }
}

function deadlockError(): Error {
  return new Error(
    'A query was sent to the outer connection from inside its own transaction; it would wait for the transaction to end, which waits for the query. Use the `tx` connection passed to transaction(fn).',
  );
}

/**
 * A better-sqlite3 handle behind the async Connection contract. The root connection and each transaction scope
 * are separate objects over one Session; each scope's Gate makes calls on it wait while a transaction opened
 * from it is running, while the transaction's own connection goes straight through.
 *
 * Locks held by other connections (other processes on the file) are waited for here, not in SQLite: forge opens
 * its handles with SQLite's busy handler off (busy_timeout = 0), because that handler sleeps synchronously and
 * would freeze the event loop (and with it any other connection of this process that holds the lock and needs
 * the loop to finish). A statement that finds the database locked is retried after a timer, 1 ms then doubling up
 * to 20 ms, until the URL's busy_timeout has passed; the scope's gate is held meanwhile, so later calls on it
 * still run in the order they were made.
 */
export class SqliteConnection implements Connection {
  readonly dialect = 'sqlite' as const;
  private readonly gate = new Gate();
  private ended = false;

  constructor(
    private readonly session: Session,
    private readonly depth: number,
  ) {}

  /**
   * `waitMs`: how long to wait for another connection's lock, on a handle whose busy handler is off (forge's own
   * handles); leave it out for a user's Database, whose busy handler does the waiting.
   */
  static open(db: Database, owned: boolean, waitMs?: number): SqliteConnection {
    return new SqliteConnection(new Session(db, owned, waitMs), 0);
  }

  /** The better-sqlite3 handle, for what SQL cannot do (loading an extension). */
  get native(): Database {
    return this.session.db;
  }

  get inTransaction(): boolean {
    // At the root, only a transaction someone began with raw SQL counts; forge's own ones belong to their `tx`.
    return this.depth > 0 || (!this.gate.busy && this.session.db.open && this.session.db.inTransaction);
  }

  private usable(): Error | undefined {
    if (this.session.closed) return new Error('The SQLite connection is closed');
    if (this.ended) return new Error('This transaction has already finished; run queries on the connection it was opened from');
    return undefined;
  }

  /** A driver error as forge reports it: a write refused inside a readOnly transaction says so. */
  private fail(e: unknown): unknown {
    if (this.session.readOnly && (e as { code?: unknown }).code === 'SQLITE_READONLY') return readOnlyError(e);
    return mapSqliteError(e);
  }

  /** Run a synchronous driver call now, or after the transaction currently open on this scope. */
  private enter<T>(op: () => T): Promise<T> {
    const unusable = this.usable();
    if (unusable) return Promise.reject(unusable);
    if (this.gate.busy) {
      if (wouldDeadlock(this.gate)) return Promise.reject(deadlockError());
      return this.gate.run(() => this.attempt(op));
    }
    try {
      return Promise.resolve(op());
    } catch (e) {
      if (!this.session.canWait(e)) return Promise.reject(this.fail(e));
      // Hold the gate while waiting, so that calls made meanwhile on this scope run after this one.
      return this.gate.run(() => this.waitFor(op, e));
    }
  }

  /** `op` once the gate is ours: now, or after waiting out another connection's lock. */
  private attempt<T>(op: () => T): T | Promise<T> {
    const unusable = this.usable();
    if (unusable) throw unusable;
    try {
      return op();
    } catch (e) {
      if (!this.session.canWait(e)) throw this.fail(e);
      return this.waitFor(op, e);
    }
  }

  private async waitFor<T>(op: () => T, first: unknown): Promise<T> {
    try {
      return await waitForLock(this.session, op, first);
    } catch (e) {
      throw this.fail(e);
    }
  }

  query<R = Record<string, unknown>>(sql: string, params: readonly unknown[] = []): Promise<R[]> {
    return this.enter(() => {
      const stmt = this.session.prepare(sql);
      const args = bindParams(params);
      if (!stmt.reader) {
        stmt.run(...args);
        return [];
      }
      return stmt.raw(false).safeIntegers(false).all(...args) as R[];
    });
  }

  queryArrays(sql: string, params: readonly unknown[] = [], opts?: QueryOptions): Promise<unknown[][]> {
    return this.enter(() => this.arraysNow(sql, params, opts));
  }

  /**
   * The same, synchronously, when nothing holds this scope; `undefined` tells the caller to use queryArrays (also
   * when the database is locked by another connection: the async path waits for it without blocking).
   */
  queryArraysSync(sql: string, params: readonly unknown[] = [], opts?: QueryOptions): unknown[][] | undefined {
    if (this.gate.busy || this.usable()) return undefined;
    try {
      return this.arraysNow(sql, params, opts);
    } catch (e) {
      if (this.session.canWait(e)) return undefined;
      throw this.fail(e);
    }
  }

  private arraysNow(sql: string, params: readonly unknown[], opts?: QueryOptions): unknown[][] {
    const stmt = this.session.prepare(sql);
    const args = bindParams(params);
    if (!stmt.reader) {
      stmt.run(...args);
      return [];
    }
    // The mode is set on every call because cached statements are shared by query, queryArrays and execute.
    stmt.raw(true).safeIntegers(opts?.safeIntegers === true);
    if (opts?.firstOnly) {
      const row = stmt.get(...args) as unknown[] | undefined;
      return row === undefined ? [] : [row];
    }
    return stmt.all(...args) as unknown[][];
  }

  execute(sql: string, params: readonly unknown[] = []): Promise<ExecResult> {
    return this.enter(() => this.executeNow(sql, params));
  }

  /** The same, synchronously, when nothing holds this scope; `undefined` tells the caller to use execute (as queryArraysSync). */
  executeSync(sql: string, params: readonly unknown[] = []): ExecResult | undefined {
    if (this.gate.busy || this.usable()) return undefined;
    try {
      return this.executeNow(sql, params);
    } catch (e) {
      if (this.session.canWait(e)) return undefined;
      throw this.fail(e);
    }
  }

  private executeNow(sql: string, params: readonly unknown[]): ExecResult {
    let stmt: Statement;
    try {
      stmt = this.session.prepare(sql);
    } catch (e) {
      if (!(e instanceof RangeError) || !NOT_ONE_STATEMENT.test(e.message)) throw e;
      if (params.length) throw new ValidationError('Parameters cannot be bound to SQL text with several statements; run the statements one at a time');
      this.execScript(sql);
      return { rowCount: 0 };
    }
    const args = bindParams(params);
    // A statement with RETURNING produces rows; run() would discard them, so count what all() returns.
    if (stmt.reader) return { rowCount: stmt.raw(true).safeIntegers(false).all(...args).length };
    const res = stmt.run(...args);
    // SQLite's last rowid belongs to the connection, not the statement: report it only for an INSERT that wrote.
    return res.changes > 0 && INSERT.test(sql) ? { rowCount: res.changes, lastInsertId: res.lastInsertRowid } : { rowCount: res.changes };
  }

  /**
   * Text with several statements. Outside a transaction the statements before a locked one would already have
   * committed, so retrying the text would run them twice: SQLite's own busy handler waits here instead (it blocks
   * the event loop; this is DDL text, not the path of ordinary queries). Inside forge's transactions the write lock
   * is already held.
   */
  private execScript(sql: string): void {
    const { db, waitMs } = this.session;
    if (waitMs === undefined || !waitMs || db.inTransaction) {
      db.exec(sql);
      return;
    }
    db.pragma(`busy_timeout = ${waitMs}`);
    try {
      db.exec(sql);
    } catch (e) {
      if (isLockWait(e)) throw lockTimeout(waitMs, e);
      throw e;
    } finally {
      db.pragma('busy_timeout = 0');
    }
  }

  async *stream(sql: string, params: readonly unknown[], chunkSize: number, opts?: QueryOptions): AsyncIterable<unknown[][]> {
    if (!Number.isInteger(chunkSize) || chunkSize < 1) throw new ValidationError(`chunkSize must be a positive integer, got ${chunkSize}`);
    // Open the cursor and read its first row in one attempt, so that a locked database is waited for (and the
    // cursor opened again) before anything reaches the consumer.
    const { rows, first } = await this.enter(() => {
      // A statement of its own: a cached one could be re-entered by another call while this cursor is open.
      const stmt = this.session.db.prepare<unknown[]>(sql);
      const it = stmt.raw(true).safeIntegers(opts?.safeIntegers === true).iterate(...bindParams(params)) as IterableIterator<unknown[]>;
      try {
        return { rows: it, first: it.next() };
      } catch (e) {
        it.return?.();
        throw e;
      }
    });
    let chunk: unknown[][] = [];
    try {
      for (let next = first; !next.done; ) {
        chunk.push(next.value);
        if (chunk.length >= chunkSize) {
          yield chunk;
          chunk = [];
        }
        try {
          next = rows.next();
        } catch (e) {
          throw this.fail(e);
        }
      }
      if (chunk.length) yield chunk;
    } finally {
      // Closing the cursor frees the connection when the consumer stops early.
      rows.return?.();
    }
  }

  transaction<T>(fn: (tx: Connection) => Promise<T>, opts: TransactionOptions = {}): Promise<T> {
    const unusable = this.usable();
    if (unusable) return Promise.reject(unusable);
    if (this.gate.busy && wouldDeadlock(this.gate)) return Promise.reject(deadlockError());
    const readOnly = opts?.readOnly === true;
    return this.gate.run(async () => {
      const session = this.session;
      const db = session.db;
      // A savepoint when nested, or when the root handle is already inside a transaction begun with raw SQL.
      const savepoint = this.depth > 0 || db.inTransaction ? `forge_sp_${this.depth}` : undefined;
      if (savepoint && readOnly && !session.readOnly) throw nestedReadOnly();
      // readOnly: the value of query_only to put back afterwards (a user's own handle may have it on already).
      let queryOnlyBefore: unknown;
      try {
        if (savepoint) session.control(`SAVEPOINT ${savepoint}`);
        else if (readOnly) queryOnlyBefore = beginReadOnly(session);
        else await beginImmediate(session);
      } catch (e) {
        throw this.fail(e);
      }
      const tx = new SqliteConnection(session, this.depth + 1);
      const token = {};
      this.gate.holder = token;
      try {
        const result = await runInsideTransaction(token, () => fn(tx));
        // SQLite can end a transaction on its own (SQLITE_FULL, an interrupted statement); COMMIT would then fail
        // with a bare "no transaction is active" or, worse, nested work would land outside any transaction.
        if (!db.inTransaction) throw transactionEnded();
        if (savepoint) session.control(`RELEASE ${savepoint}`);
        else await commit(session);
        return result;
      } catch (e) {
        rollback(session, savepoint);
        throw this.fail(e);
      } finally {
        tx.ended = true;
        this.gate.holder = undefined;
        if (readOnly && !savepoint) endReadOnly(session, queryOnlyBefore);
      }
    });
  }

  /** SQLite has one connection per handle and no session-scoped locks: every call already runs on the same session. */
  withSession<T>(fn: (conn: Connection) => Promise<T>): Promise<T> {
    const unusable = this.usable();
    if (unusable) return Promise.reject(unusable);
    return fn(this);
  }

  async close(): Promise<void> {
    if (this.depth > 0) throw new Error('close() belongs to the root connection, not to a transaction');
    if (this.session.closed) return;
    // Let an open transaction (or a wait for a lock) finish rather than cutting it off mid-way.
    if (this.gate.busy && !wouldDeadlock(this.gate)) await this.gate.run(() => undefined);
    this.session.close();
  }
}

const codeOf = (e: unknown): string | undefined => {
  const code = (e as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
};

/**
 * A lock another connection holds: SQLITE_BUSY and its extended codes, except SQLITE_BUSY_SNAPSHOT (a read
 * transaction whose snapshot another connection has since written past: waiting cannot make it able to write).
 */
function isLockWait(e: unknown): boolean {
  const code = codeOf(e);
  return code !== undefined && code.startsWith('SQLITE_BUSY') && code !== 'SQLITE_BUSY_SNAPSHOT';
}

function lockTimeout(waitMs: number, cause: unknown, how = 'with ?busy_timeout=<ms> in the database URL (e.g. sqlite:./app.db?busy_timeout=30000)'): DbKnownError {
  return new DbKnownError(
    'TIMEOUT',
    `The SQLite database is locked by another connection (another process writing, a long transaction, a checkpoint) and the wait for it ran out after busy_timeout = ${waitMs} ms: run the work again, or wait longer ${how}`,
    { driverCode: codeOf(cause), waitedMs: waitMs, busyTimeoutMs: waitMs },
    { cause },
  );
}

/**
 * Retry `op` (which just failed on `first`, a lock another connection holds) after timers, 1 ms then doubling up
 * to MAX_PAUSE_MS, until the session's busy_timeout has passed since the first failure; then a TIMEOUT error.
 * Only statements that changed nothing when they failed come here (SQLITE_BUSY is returned before any change).
 */
async function waitForLock<T>(session: Session, op: () => T, first: unknown): Promise<T> {
  const waitMs = session.waitMs ?? 0;
  const deadline = Date.now() + waitMs;
  let last = first;
  for (let pause = 1; ; pause = Math.min(pause * 2, MAX_PAUSE_MS)) {
    const left = deadline - Date.now();
    if (left <= 0) throw lockTimeout(waitMs, last);
    await sleep(Math.min(pause, left));
    if (session.closed) throw new Error('The SQLite connection was closed while waiting for a lock');
    try {
      return op();
    } catch (e) {
      if (!isLockWait(e)) throw e;
      last = e;
    }
  }
}

/**
 * BEGIN IMMEDIATE: the write lock up front, so a transaction that reads and then writes never has to upgrade its
 * lock (in WAL mode that upgrade fails at once, SQLITE_BUSY_SNAPSHOT, when another connection committed meanwhile).
 * It waits for the lock without blocking the event loop: on forge's handles through waitForLock; on a user's own
 * Database, whose busy handler sleeps synchronously, with that handler off for each attempt and the wait done here
 * for as long as the handle's busy_timeout allows.
 */
async function beginImmediate(session: Session): Promise<void> {
  if (session.waitMs !== undefined) {
    try {
      session.control('BEGIN IMMEDIATE');
    } catch (e) {
      if (!isLockWait(e)) throw e;
      await waitForLock(session, () => session.control('BEGIN IMMEDIATE'), e);
    }
    return;
  }
  const db = session.db;
  const timeout = Number(db.pragma('busy_timeout', { simple: true }));
  const deadline = Date.now() + timeout;
  for (let pause = 1; ; pause = Math.min(pause * 2, MAX_PAUSE_MS)) {
    db.pragma('busy_timeout = 0');
    try {
      session.control('BEGIN IMMEDIATE');
      return;
    } catch (e) {
      if (!isLockWait(e)) throw e;
      if (Date.now() >= deadline) throw lockTimeout(timeout, e, "with the Database's timeout option (new Database(file, { timeout: ms })) or PRAGMA busy_timeout on your handle");
    } finally {
      db.pragma(`busy_timeout = ${timeout}`);
    }
    await sleep(Math.min(pause, Math.max(0, deadline - Date.now())));
  }
}

/** COMMIT, waiting like any statement when it needs a lock (rollback-journal mode waits for readers at commit). */
async function commit(session: Session): Promise<void> {
  try {
    session.control('COMMIT');
  } catch (e) {
    if (!session.canWait(e)) throw e;
    // A COMMIT that found the database locked left the transaction open: it can simply run again.
    await waitForLock(session, () => session.control('COMMIT'), e);
  }
}

/**
 * A deferred transaction (it takes no lock until its first read, and never the write lock) with PRAGMA query_only
 * on, so that SQLite refuses every write inside it. Returns the query_only value to restore.
 */
function beginReadOnly(session: Session): unknown {
  const before = session.pragmaValue('PRAGMA query_only');
  session.control('BEGIN');
  if (!before) {
    try {
      session.control('PRAGMA query_only = 1');
    } catch (e) {
      session.control('ROLLBACK');
      throw e;
    }
  }
  session.readOnly = true;
  return before;
}

function endReadOnly(session: Session, before: unknown): void {
  session.readOnly = false;
  if (before || !session.db.open) return;
  session.control('PRAGMA query_only = 0');
}

const READ_ONLY: DbErrorCode = 'READ_ONLY';

function readOnlyError(cause: unknown): DbKnownError {
  return new DbKnownError(
    READ_ONLY,
    'This transaction is read-only ($transaction(fn, { readOnly: true })), so SQLite refused the write: run writes in a $transaction without readOnly',
    { driverCode: codeOf(cause), readOnly: true },
    { cause },
  );
}

function nestedReadOnly(): ValidationError {
  return new ValidationError(
    'readOnly applies to a whole transaction: this $transaction is nested in one that may write, so it cannot be read-only. Open the readOnly transaction outermost, or leave readOnly off here',
  );
}

const INSERT = /^\s*(INSERT|REPLACE)\b/i;

function transactionEnded(): DbKnownError {
  return new DbKnownError(
    'TRANSACTION_ABORTED',
    'The transaction had already ended before forge could commit it (SQLite rolled it back after an error), so its writes are not saved. Run the work again.',
  );
}

function rollback(session: Session, savepoint: string | undefined): void {
  const db = session.db;
  // SQLite may already have rolled back on its own (e.g. SQLITE_FULL); then there is nothing left to undo.
  if (!db.open || !db.inTransaction) return;
  try {
    if (savepoint) {
      session.control(`ROLLBACK TO ${savepoint}`);
      session.control(`RELEASE ${savepoint}`);
    } else {
      session.control('ROLLBACK');
    }
  } catch {
    // The error that caused the rollback is the one worth reporting; a failed rollback adds nothing to it.
  }
}
