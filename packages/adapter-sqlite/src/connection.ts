import type BetterSqlite3 from 'better-sqlite3';
import { DbKnownError, ValidationError, type Connection, type ExecResult, type QueryOptions } from '@forge/core';
import { bindParams } from './bind.js';
import { mapSqliteError } from './errors.js';
import { Gate, runInsideTransaction, wouldDeadlock } from './gate.js';

type Database = BetterSqlite3.Database;
type Statement = BetterSqlite3.Statement<unknown[]>;

/** Bounded so that dynamic SQL (IN lists of every length) cannot grow the cache without limit. */
const STATEMENT_CACHE_SIZE = 500;

/** `prepare` refuses text with several statements (or none); such DDL runs through `exec` instead. */
const NOT_ONE_STATEMENT = /supplied SQL string contains (more than one statement|no statements)/;

export interface TransactionOptions {
  /** BEGIN IMMEDIATE: take the write lock up front (waiting up to busy_timeout), as the push lock does. */
  immediate?: boolean;
}

/** What every scope (the root connection and the transactions opened from it) shares: the handle and its statements. */
class Session {
  closed = false;
  private readonly statements = new Map<string, Statement>();
  constructor(
    readonly db: Database,
    /** False for a user's own Database (betterSqlite3Driver): forge never closes it. */
    readonly owned: boolean,
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

  close(): void {
    this.closed = true;
    this.statements.clear();
    if (this.owned) this.db.close();
  }
}

function settle<T>(op: () => T): Promise<T> {
  try {
    return Promise.resolve(op());
  } catch (e) {
    return Promise.reject(mapSqliteError(e));
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
 */
export class SqliteConnection implements Connection {
  readonly dialect = 'sqlite' as const;
  private readonly gate = new Gate();
  private ended = false;

  constructor(
    private readonly session: Session,
    private readonly depth: number,
  ) {}

  static open(db: Database, owned: boolean): SqliteConnection {
    return new SqliteConnection(new Session(db, owned), 0);
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

  /** Run a synchronous driver call now, or after the transaction currently open on this scope. */
  private enter<T>(op: () => T): Promise<T> {
    const unusable = this.usable();
    if (unusable) return Promise.reject(unusable);
    if (!this.gate.busy) return settle(op);
    if (wouldDeadlock(this.gate)) return Promise.reject(deadlockError());
    return this.gate.run(() => settle(op));
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

  /** The same, synchronously, when nothing holds this scope; `undefined` tells the caller to use queryArrays. */
  queryArraysSync(sql: string, params: readonly unknown[] = [], opts?: QueryOptions): unknown[][] | undefined {
    if (this.gate.busy || this.usable()) return undefined;
    try {
      return this.arraysNow(sql, params, opts);
    } catch (e) {
      throw mapSqliteError(e);
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

  /** The same, synchronously, when nothing holds this scope; `undefined` tells the caller to use execute. */
  executeSync(sql: string, params: readonly unknown[] = []): ExecResult | undefined {
    if (this.gate.busy || this.usable()) return undefined;
    try {
      return this.executeNow(sql, params);
    } catch (e) {
      throw mapSqliteError(e);
    }
  }

  private executeNow(sql: string, params: readonly unknown[]): ExecResult {
    let stmt: Statement;
    try {
      stmt = this.session.prepare(sql);
    } catch (e) {
      if (!(e instanceof RangeError) || !NOT_ONE_STATEMENT.test(e.message)) throw e;
      if (params.length) throw new ValidationError('Parameters cannot be bound to SQL text with several statements; run the statements one at a time');
      this.session.db.exec(sql);
      return { rowCount: 0 };
    }
    const args = bindParams(params);
    // A statement with RETURNING produces rows; run() would discard them, so count what all() returns.
    if (stmt.reader) return { rowCount: stmt.raw(true).safeIntegers(false).all(...args).length };
    const res = stmt.run(...args);
    // SQLite's last rowid belongs to the connection, not the statement: report it only for an INSERT that wrote.
    return res.changes > 0 && INSERT.test(sql) ? { rowCount: res.changes, lastInsertId: res.lastInsertRowid } : { rowCount: res.changes };
  }


  async *stream(sql: string, params: readonly unknown[], chunkSize: number, opts?: QueryOptions): AsyncIterable<unknown[][]> {
    if (!Number.isInteger(chunkSize) || chunkSize < 1) throw new ValidationError(`chunkSize must be a positive integer, got ${chunkSize}`);
    await this.enter(() => undefined);
    let rows: IterableIterator<unknown[]>;
    try {
      // A statement of its own: a cached one could be re-entered by another call while this cursor is open.
      const stmt = this.session.db.prepare<unknown[]>(sql);
      rows = stmt.raw(true).safeIntegers(opts?.safeIntegers === true).iterate(...bindParams(params)) as IterableIterator<unknown[]>;
    } catch (e) {
      throw mapSqliteError(e);
    }
    let chunk: unknown[][] = [];
    try {
      for (;;) {
        let next: IteratorResult<unknown[]>;
        try {
          next = rows.next();
        } catch (e) {
          throw mapSqliteError(e);
        }
        if (next.done) break;
        chunk.push(next.value);
        if (chunk.length >= chunkSize) {
          yield chunk;
          chunk = [];
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
    return this.gate.run(async () => {
      const db = this.session.db;
      // A savepoint when nested, or when the root handle is already inside a transaction begun with raw SQL.
      const savepoint = this.depth > 0 || db.inTransaction ? `forge_sp_${this.depth}` : undefined;
      try {
        if (savepoint) this.session.control(`SAVEPOINT ${savepoint}`);
        else if (opts.immediate) await beginImmediate(db);
        else this.session.control('BEGIN');
      } catch (e) {
        throw mapSqliteError(e);
      }
      const tx = new SqliteConnection(this.session, this.depth + 1);
      const token = {};
      this.gate.holder = token;
      try {
        const result = await runInsideTransaction(token, () => fn(tx));
        // SQLite can end a transaction on its own (SQLITE_FULL, an interrupted statement); COMMIT would then fail
        // with a bare "no transaction is active" or, worse, nested work would land outside any transaction.
        if (!db.inTransaction) throw transactionEnded();
        this.session.control(savepoint ? `RELEASE ${savepoint}` : 'COMMIT');
        return result;
      } catch (e) {
        rollback(this.session, savepoint);
        throw mapSqliteError(e);
      } finally {
        tx.ended = true;
        this.gate.holder = undefined;
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
    // Let an open transaction finish rather than cutting it off mid-way.
    if (this.gate.busy && !wouldDeadlock(this.gate)) await this.gate.run(() => undefined);
    this.session.close();
  }
}

const isBusy = (e: unknown): boolean => typeof (e as { code?: unknown }).code === 'string' && (e as { code: string }).code.startsWith('SQLITE_BUSY');

/**
 * BEGIN IMMEDIATE that waits without blocking the event loop. SQLite's busy handler sleeps synchronously, which
 * would also stall another connection in this process that holds the lock and needs the loop to finish; so the
 * handler is off for the attempt and the wait happens here, for as long as the connection's busy_timeout allows.
 */
async function beginImmediate(db: Database): Promise<void> {
  const timeout = Number(db.pragma('busy_timeout', { simple: true }));
  const deadline = Date.now() + timeout;
  for (let pause = 1; ; pause = Math.min(pause * 2, 50)) {
    db.pragma('busy_timeout = 0');
    try {
      db.exec('BEGIN IMMEDIATE');
      return;
    } catch (e) {
      if (!isBusy(e)) throw e;
      if (Date.now() >= deadline) {
        throw new DbKnownError(
          'TIMEOUT',
          `Waited ${timeout} ms for the SQLite write lock, which another connection holds (a concurrent forge push or a long write): retry, or wait longer with ?busy_timeout=60000 in the URL`,
          { driverCode: (e as { code: string }).code, waitedMs: timeout },
          { cause: e },
        );
      }
    } finally {
      db.pragma(`busy_timeout = ${timeout}`);
    }
    await new Promise((resolve) => setTimeout(resolve, Math.min(pause, Math.max(0, deadline - Date.now()))));
  }
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
