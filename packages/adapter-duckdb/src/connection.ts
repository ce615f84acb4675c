import type { DuckDBConnection, DuckDBInstance, DuckDBPreparedStatement, DuckDBResultReader } from '@duckdb/node-api';
import { DbKnownError, ValidationError, type Connection, type ExecResult, type QueryOptions } from '@forge/core';
import { appendRows } from './appender.js';
import { mapDuckdbError } from './errors.js';
import { Gate, inside, wouldDeadlock } from './gate.js';
import { bindAll, readValue } from './values.js';

/** Bounded, so that dynamic SQL (IN lists of every length) cannot grow the cache without limit. */
const STATEMENT_CACHE_SIZE = 300;
/** DuckDB refuses to prepare text that holds several statements; such text (a migration block) runs unprepared. */
const SEVERAL_STATEMENTS = /multiple statements|more than one statement/i;

/** One DuckDB connection with its prepared statements. A statement is taken out while it runs, so concurrent calls never share one. */
export class Session {
  private readonly statements = new Map<string, DuckDBPreparedStatement>();
  constructor(readonly native: DuckDBConnection) {}

  private async take(sql: string): Promise<DuckDBPreparedStatement | undefined> {
    const cached = this.statements.get(sql);
    if (cached) {
      this.statements.delete(sql);
      return cached;
    }
    try {
      return await this.native.prepare(sql);
    } catch (e) {
      if (e instanceof Error && SEVERAL_STATEMENTS.test(e.message)) return undefined;
      throw e;
    }
  }

  private giveBack(sql: string, stmt: DuckDBPreparedStatement): void {
    if (this.statements.has(sql)) {
      stmt.destroySync();
      return;
    }
    if (this.statements.size >= STATEMENT_CACHE_SIZE) {
      const [oldest, old] = this.statements.entries().next().value as [string, DuckDBPreparedStatement];
      this.statements.delete(oldest);
      old.destroySync();
    }
    this.statements.set(sql, stmt);
  }

  /** Run one statement with its values bound and read every row. */
  async run(sql: string, params: readonly unknown[]): Promise<DuckDBResultReader> {
    const stmt = await this.take(sql);
    if (!stmt) {
      if (params.length) throw new ValidationError('Parameters cannot be bound to SQL text with several statements; run the statements one at a time');
      return this.native.runAndReadAll(sql);
    }
    try {
      stmt.clearBindings();
      if (params.length) {
        const { values, types } = bindAll(params);
        stmt.bind(values, types);
      }
      return await stmt.runAndReadAll();
    } finally {
      this.giveBack(sql, stmt);
    }
  }

  close(): void {
    for (const s of this.statements.values()) s.destroySync();
    this.statements.clear();
    this.native.closeSync();
  }
}

/** What every scope of one forge connection shares. */
export interface Shared {
  /** Where new DuckDB connections come from; absent on a user's single DuckDBConnection. */
  readonly instance?: DuckDBInstance;
  /** Autocommit statements outside any transaction. */
  readonly main: Session;
  /** Connections for transactions and streams, kept for reuse. */
  readonly idle: Session[];
  /** Every session forge opened (closed with the connection). */
  readonly opened: Session[];
  /** Whether forge opened the instance (then `close()` lets go of it) or the user owns it. */
  readonly ownsInstance: boolean;
  /** The database file (absolute), `:memory:`, or a description of the user's handle: for messages and the push lock. */
  readonly target: string;
  /** One transaction at a time on a user's single connection. */
  readonly gate: Gate;
  closed: boolean;
}

interface Scope {
  readonly session: Session;
  /** The transaction's token (for deadlock detection); absent for a pinned session outside a transaction. */
  readonly token?: object;
  open: boolean;
  /** A statement of this scope failed: DuckDB may have aborted the transaction, which COMMIT would then end silently. */
  sawError?: boolean;
}

const reader = (r: DuckDBResultReader): unknown[][] => r.convertRows(readValue);

function objects<R>(r: DuckDBResultReader): R[] {
  const names = r.columnNames();
  return r.convertRows(readValue).map((row) => {
    const o: Record<string, unknown> = {};
    names.forEach((n, i) => (o[n] = row[i]));
    return o as R;
  });
}

/**
 * A forge `Connection` over one DuckDB database. Outside a transaction statements run on the main DuckDB
 * connection (DuckDB runs them concurrently, each in its own autocommit transaction); a transaction takes a DuckDB
 * connection of its own for its duration, as a pool would hand out a session. On a user's single
 * DuckDBConnection everything runs on that one, and root statements wait while a transaction holds it.
 */
export class DuckdbConnection implements Connection {
  readonly dialect = 'duckdb' as const;

  constructor(
    readonly shared: Shared,
    private readonly scope?: Scope,
  ) {}

  /** The database file, `:memory:`, or the user's handle. */
  get target(): string {
    return this.shared.target;
  }

  get inTransaction(): boolean {
    return this.scope?.token !== undefined;
  }

  /** The DuckDB connection statements of this scope run on. */
  session(): Session {
    if (this.scope) {
      if (!this.scope.open) throw new Error('This transaction has already finished; run queries on the connection it was opened from');
      return this.scope.session;
    }
    if (this.shared.closed) throw new Error('The DuckDB connection is closed');
    return this.shared.main;
  }

  /** Note that a statement of this scope failed (see `Scope.sawError`). */
  markFailed(): void {
    if (this.scope) this.scope.sawError = true;
  }

  /** Run on the right session; on a single shared connection, after the transaction holding it. */
  private async exec<T>(fn: (s: Session) => Promise<T>): Promise<T> {
    const session = this.session();
    const run = async () => {
      try {
        return await fn(session);
      } catch (e) {
        if (this.scope) this.scope.sawError = true;
        throw mapDuckdbError(e, { target: this.shared.target });
      }
    };
    if (this.scope || this.shared.instance || !this.shared.gate.busy) return run();
    if (wouldDeadlock(this.shared.gate)) throw deadlock();
    return this.shared.gate.run(run);
  }

  async query<R = Record<string, unknown>>(sql: string, params: readonly unknown[] = []): Promise<R[]> {
    return this.exec(async (s) => objects<R>(await s.run(sql, params)));
  }

  async queryArrays(sql: string, params: readonly unknown[] = [], _opts?: QueryOptions): Promise<unknown[][]> {
    return this.exec(async (s) => reader(await s.run(sql, params)));
  }

  async execute(sql: string, params: readonly unknown[] = []): Promise<ExecResult> {
    return this.exec(async (s) => {
      const r = await s.run(sql, params);
      // A write with RETURNING (or a SELECT) produces rows: count those; otherwise the rows the statement changed.
      return { rowCount: r.columnCount > 0 && r.columnNames()[0] !== 'Count' ? r.currentRowCount : r.rowsChanged };
    });
  }

  /** A DuckDB connection of its own (for a transaction or a stream), or the user's single one. */
  private async borrow(): Promise<Session> {
    const { instance, idle, opened } = this.shared;
    if (this.shared.closed) throw new Error('The DuckDB connection is closed');
    if (!instance) return this.shared.main;
    const reused = idle.pop();
    if (reused) return reused;
    try {
      const s = new Session(await instance.connect());
      opened.push(s);
      return s;
    } catch (e) {
      throw mapDuckdbError(e, { target: this.shared.target });
    }
  }

  private giveBack(s: Session, clean: boolean): void {
    if (s === this.shared.main) return;
    if (clean && !this.shared.closed) {
      this.shared.idle.push(s);
      return;
    }
    const i = this.shared.opened.indexOf(s);
    if (i >= 0) this.shared.opened.splice(i, 1);
    try {
      s.close();
    } catch {
      // The session is being thrown away; a failure to close it adds nothing.
    }
  }

  /**
   * Run `fn` in one transaction: commit when it resolves, roll back when it throws (or when `rollbackIf` says
   * so, as the push lock does after a failed statement). DuckDB has no SAVEPOINT, so a transaction cannot nest.
   */
  async transaction<T>(fn: (tx: Connection) => Promise<T>, opts: { rollbackIf?: () => boolean; readOnly?: boolean } = {}): Promise<T> {
    if (this.scope?.token) {
      throw new Error('DuckDB has no SAVEPOINT, so a transaction cannot be opened inside another one: run this work in the outer transaction');
    }
    if (!this.shared.instance && !this.scope) {
      if (wouldDeadlock(this.shared.gate)) throw deadlock();
      return this.shared.gate.run(() => this.begin(this.shared.main, fn, opts));
    }
    const session = this.scope?.session ?? (await this.borrow());
    let clean = false;
    try {
      const result = await this.begin(session, fn, opts);
      clean = true;
      return result;
    } catch (e) {
      clean = session.native !== undefined && (await quietly(session, 'SELECT 1'));
      throw e;
    } finally {
      if (!this.scope) this.giveBack(session, clean);
    }
  }

  private async begin<T>(session: Session, fn: (tx: Connection) => Promise<T>, opts: { rollbackIf?: () => boolean; readOnly?: boolean }): Promise<T> {
    const token = {};
    const scope: Scope = { session, token, open: true };
    if (!this.shared.instance) this.shared.gate.holder = token;
    try {
      // READ ONLY: DuckDB refuses the transaction's writes ("transaction is launched in read-only mode").
      await control(session, opts.readOnly ? 'BEGIN TRANSACTION READ ONLY' : 'BEGIN TRANSACTION', this.shared.target);
      let result: T;
      try {
        result = await inside(token, () => fn(new DuckdbConnection(this.shared, scope)));
      } catch (e) {
        await quietly(session, 'ROLLBACK');
        throw e;
      }
      if (opts.rollbackIf?.()) await control(session, 'ROLLBACK', this.shared.target);
      else {
        // COMMIT of a transaction DuckDB aborted (a constraint failure the callback caught) rolls it back without an
        // error, so the caller would see success with its writes gone. A failed statement makes us ask first.
        if (scope.sawError && !(await quietly(session, 'SELECT 1'))) {
          await quietly(session, 'ROLLBACK');
          throw new DbKnownError(
            'TRANSACTION_ABORTED',
            'The transaction could not commit: a statement in it failed and DuckDB aborted it, so nothing it wrote was kept (it was rolled back). ' +
              'Let the error end the $transaction callback instead of catching it, or run the statement that may fail in a transaction of its own: DuckDB has no savepoint to roll back to.',
          );
        }
        await control(session, 'COMMIT', this.shared.target);
      }
      return result;
    } finally {
      scope.open = false;
      if (this.shared.gate.holder === token) this.shared.gate.holder = undefined;
    }
  }

  /**
   * One DuckDB connection held for `fn` without a transaction. DuckDB has no session-scoped locks; this exists
   * for the contract (statements that must share a connection). Inside a transaction it is the transaction's.
   */
  async withSession<T>(fn: (conn: Connection) => Promise<T>): Promise<T> {
    if (this.scope) {
      this.session();
      return fn(this);
    }
    if (!this.shared.instance) return fn(this);
    const session = await this.borrow();
    const scope: Scope = { session, open: true };
    let clean = false;
    try {
      const result = await fn(new DuckdbConnection(this.shared, scope));
      clean = true;
      return result;
    } finally {
      scope.open = false;
      this.giveBack(session, clean);
    }
  }

  /**
   * Rows in chunks through DuckDB's streaming result (vectors of 2048 rows pulled as the consumer asks), so memory
   * stays constant. Outside a transaction the stream has a DuckDB connection of its own: any other statement on the
   * connection a stream reads from would end the stream.
   */
  async *stream(sql: string, params: readonly unknown[], chunkSize: number, _opts?: QueryOptions): AsyncIterable<unknown[][]> {
    if (!Number.isInteger(chunkSize) || chunkSize < 1) throw new ValidationError(`chunkSize must be a positive integer, got ${chunkSize}`);
    const own = this.scope ? undefined : await this.borrow();
    const session = own ?? this.session();
    let finished = false;
    try {
      let result;
      try {
        const { values, types } = bindAll(params);
        const stmt = await session.native.prepare(sql);
        try {
          if (params.length) stmt.bind(values, types);
          result = await stmt.stream();
        } finally {
          stmt.destroySync();
        }
      } catch (e) {
        throw mapDuckdbError(e, { target: this.shared.target });
      }
      let chunk: unknown[][] = [];
      for (;;) {
        let data;
        try {
          data = await result.fetchChunk();
        } catch (e) {
          throw mapDuckdbError(e, { target: this.shared.target });
        }
        if (!data || data.rowCount === 0) break;
        for (const row of data.convertRows(readValue)) {
          chunk.push(row);
          if (chunk.length >= chunkSize) {
            yield chunk;
            chunk = [];
          }
        }
      }
      if (chunk.length) yield chunk;
      finished = true;
    } finally {
      // A stream left early still has rows pending on its connection: that connection is not reused.
      if (own) this.giveBack(own, finished);
    }
  }

  /**
   * createMany's rows through DuckDB's Appender (see executor.ts), in the current transaction or in one of its
   * own, so a constraint failure half-way writes nothing. `undefined` when the Appender cannot write this table
   * (a left-out column with a non-constant default): the caller runs the INSERT.
   */
  async append(table: string, columns: readonly string[], params: readonly unknown[]): Promise<ExecResult | undefined> {
    const write = async (tx: Connection): Promise<ExecResult | undefined> => {
      const session = (tx as DuckdbConnection).session();
      try {
        const count = await appendRows(session, table, columns, params);
        return count === undefined ? undefined : { rowCount: count };
      } catch (e) {
        (tx as DuckdbConnection).markFailed();
        throw mapDuckdbError(e, { target: this.shared.target });
      }
    };
    if (this.scope?.token) return write(this);
    // A user's single connection: keep to the plain INSERT rather than hold it for an appender transaction.
    if (!this.shared.instance) return undefined;
    return this.transaction(write);
  }

  async close(): Promise<void> {
    if (this.scope) throw new Error('close() belongs to the root connection, not to a transaction');
    if (this.shared.closed) return;
    if (!this.shared.instance && this.shared.gate.busy && !wouldDeadlock(this.shared.gate)) await this.shared.gate.run(() => undefined);
    this.shared.closed = true;
    for (const s of this.shared.opened.splice(0)) {
      try {
        s.close();
      } catch {
        // Closing everything; one connection that will not close must not keep the others open.
      }
    }
    this.shared.idle.length = 0;
    if (this.shared.ownsInstance) this.shared.instance?.closeSync();
  }
}

async function control(session: Session, sql: string, target: string): Promise<void> {
  try {
    await session.native.run(sql);
  } catch (e) {
    throw mapDuckdbError(e, { target });
  }
}

async function quietly(session: Session, sql: string): Promise<boolean> {
  try {
    await session.native.run(sql);
    return true;
  } catch {
    return false;
  }
}

function deadlock(): Error {
  return new Error(
    'A query was sent to the outer connection from inside its own transaction; on a single DuckDBConnection it would wait for the transaction, which waits for the query. Use the `tx` connection passed to transaction(fn).',
  );
}
