import type { ConnectOptions, Connection, EngineFacts, ExecResult, LockSettings, TransactionOptions } from '@forge/core';
import { DbKnownError, lockSettings, ValidationError } from '@forge/core';
import type { Backend, RowMode, RunResult, Runner, Session } from './backend.js';
import { mapPgError } from './errors.js';
import type { StatementNames } from './statements.js';
import { bindParams } from './wire.js';

/** What every connection of one pool shares: the backend, prepared-statement names, installed extensions. */
export interface PoolState {
  readonly backend: Backend;
  readonly names: StatementNames;
  /** Read at connect and again after extension DDL: it decides how geo points and vectors are bound. */
  extensions: Set<string>;
  /** For error messages (a redacted URL or the driver flavor). */
  readonly target: string;
  closed: boolean;
  /** The engine behind the wire (CockroachDB, YugabyteDB or PostgreSQL), from `version()` at connect. */
  engine?: EngineFacts;
  /** The connect options the push lock's strategy, lease and wait are read from (with the environment), on first use. */
  lockOptions?: ConnectOptions;
  lock?: LockSettings;
}

interface TxState {
  readonly session: Session;
  /** Cleared when the transaction (or savepoint, or pinned session) this connection stands for has finished. */
  open: boolean;
  /** Savepoint names must be unique on the session, across nesting levels. */
  readonly seq: { n: number };
  /** False for a session pinned by `withSession(fn)` outside any transaction. */
  readonly transaction: boolean;
  /** Begun READ ONLY (`{ readOnly: true }`): savepoints inside it are read-only too. */
  readonly readOnly?: boolean;
}

const EXTENSION_DDL = /\b(create|drop|alter)\s+extension\b/i;
const STALE_PLAN = '0A000';
const EXTENSIONS_SQL = 'SELECT extname FROM pg_extension';

let cursorSeq = 0;

function abortedAtCommit(): DbKnownError {
  return new DbKnownError(
    'TRANSACTION_ABORTED',
    'The transaction was rolled back, not committed: a statement in it failed, its error was caught inside the callback, and Postgres then ' +
      'refuses the rest of the transaction. Let the error leave the $transaction callback, or wrap the statement that may fail in a nested ' +
      'db.$transaction(...) (a savepoint) so only it is undone.',
  );
}

function nestedReadOnly(): ValidationError {
  return new ValidationError(
    'readOnly applies to a whole transaction: this $transaction is nested in one that may write, so it cannot be read-only. Open the readOnly transaction outermost, or leave readOnly off here',
  );
}

export async function readExtensions(runner: Runner): Promise<Set<string>> {
  const res = await runner.run(EXTENSIONS_SQL, [], 'arrays');
  return new Set((res.rows as string[][]).map((r) => r[0]));
}

/** A forge `Connection` over a pool (`tx` undefined) or over one session inside a transaction. */
export class PgConnection implements Connection {
  readonly dialect = 'postgres' as const;

  constructor(
    private readonly pool: PoolState,
    private readonly tx?: TxState,
  ) {}

  get inTransaction(): boolean {
    return this.tx?.transaction === true;
  }

  /** Which client library runs this connection's statements (`Adapter.forConnection` tells PGlite apart). */
  get backendFlavor(): Backend['flavor'] {
    return this.pool.backend.flavor;
  }

  /** The engine behind the wire, read at connect (`EngineFacts`). */
  get engine(): EngineFacts | undefined {
    return this.pool.engine;
  }

  /**
   * The push lock settings this connection was opened with (`lock.ts`), read when a lock is first taken: a bad
   * FORGE_LOCK_STRATEGY / FORGE_LOCK_LEASE fails the push that reads it, not every connection an application opens.
   */
  get lockSettings(): LockSettings {
    return (this.pool.lock ??= lockSettings(this.pool.lockOptions));
  }

  /** The database's extensions (read at connect and after extension DDL), for `forConnection`. */
  get extensions(): ReadonlySet<string> {
    return this.pool.extensions;
  }

  private runner(): Runner {
    return this.tx ? this.sessionOf(this.tx) : this.root();
  }

  private sessionOf(tx: TxState): Session {
    if (!tx.open) throw new Error('This transaction has already finished: use the connection inside the transaction callback only.');
    return tx.session;
  }

  private root(): Backend {
    if (this.pool.closed) throw new Error('The PostgreSQL connection is closed.');
    return this.pool.backend;
  }

  private async run(sql: string, params: readonly unknown[], mode: RowMode, runner = this.runner(), name?: string): Promise<RunResult> {
    const bound = bindParams(params, { extensions: this.pool.extensions, json: (v) => this.pool.backend.bindJson(v) });
    try {
      return await runner.run(sql, bound, mode, name);
    } catch (e) {
      throw mapPgError(e, { target: this.pool.target });
    }
  }

  async query<R = Record<string, unknown>>(sql: string, params: readonly unknown[] = []): Promise<R[]> {
    const res = await this.run(sql, params, 'objects');
    if (EXTENSION_DDL.test(sql)) await this.refreshExtensions();
    return res.rows as R[];
  }

  /** The client's fast path: repeated texts run as named prepared statements (parsed and planned once). */
  async queryArrays(sql: string, params: readonly unknown[] = []): Promise<unknown[][]> {
    const runner = this.runner();
    const name = this.pool.backend.prepare ? this.pool.names.nameFor(sql) : undefined;
    if (!name) return (await this.run(sql, params, 'arrays', runner)).rows as unknown[][];
    try {
      return (await this.run(sql, params, 'arrays', runner, name)).rows as unknown[][];
    } catch (e) {
      if ((e as { code?: unknown }).code !== STALE_PLAN) throw e;
      // A schema change altered the statement's result type. Stop naming it; outside a transaction the
      // statement can simply run again, inside one the transaction is already aborted.
      this.pool.names.refuse(sql);
      if (this.inTransaction) throw e;
      return (await this.run(sql, params, 'arrays', runner)).rows as unknown[][];
    }
  }

  async execute(sql: string, params: readonly unknown[] = []): Promise<ExecResult> {
    const res = await this.run(sql, params, 'objects');
    if (EXTENSION_DDL.test(sql)) await this.refreshExtensions();
    return { rowCount: res.rowCount };
  }

  private async refreshExtensions(): Promise<void> {
    this.pool.extensions = await readExtensions(this.runner());
  }

  async transaction<T>(fn: (tx: Connection) => Promise<T>, opts?: TransactionOptions): Promise<T> {
    const readOnly = opts?.readOnly === true;
    if (this.tx?.transaction) {
      if (readOnly && !this.tx.readOnly) throw nestedReadOnly();
      return this.savepoint(this.tx, fn);
    }
    const pinned = this.tx ? this.sessionOf(this.tx) : undefined;
    const session = pinned ?? (await this.reserve());
    const state: TxState = { session, open: true, seq: this.tx?.seq ?? { n: 0 }, transaction: true, readOnly };
    let clean = false;
    try {
      // READ ONLY: Postgres refuses every write in it (25006). REPEATABLE READ gives the whole transaction one
      // snapshot, as SQLite and InnoDB do (a report's numbers agree with each other); read-only, it never
      // fails with a serialization error.
      await this.run(readOnly ? 'BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY' : 'BEGIN', [], 'objects', session);
      const result = await fn(new PgConnection(this.pool, state));
      const commit = await this.run('COMMIT', [], 'objects', session);
      clean = true;
      // Postgres answers COMMIT of a failed transaction with ROLLBACK: nothing was written, so say so.
      if (commit.command === 'ROLLBACK') throw abortedAtCommit();
      return result;
    } catch (e) {
      // After a failed COMMIT the server has already ended the transaction and ROLLBACK only warns;
      // when ROLLBACK itself fails the session is in an unknown state and is discarded.
      clean = await this.quietly(session, 'ROLLBACK');
      throw e;
    } finally {
      state.open = false;
      // A pinned session stays with its `withSession(fn)`, which releases it.
      if (!pinned) session.release(!clean);
    }
  }

  /**
   * One pooled session held for `fn` without a transaction: session advisory locks (`pg_advisory_lock`) and
   * statements that refuse to run inside a transaction (`CREATE INDEX CONCURRENTLY`). Inside a transaction or
   * another pinned session, `fn` runs on that same session.
   */
  async withSession<T>(fn: (conn: Connection) => Promise<T>): Promise<T> {
    if (this.tx) {
      this.sessionOf(this.tx);
      return fn(this);
    }
    const session = await this.reserve();
    const state: TxState = { session, open: true, seq: { n: 0 }, transaction: false };
    let clean = false;
    try {
      const result = await fn(new PgConnection(this.pool, state));
      clean = true;
      return result;
    } finally {
      state.open = false;
      session.release(!clean);
    }
  }

  private async savepoint<T>(parent: TxState, fn: (tx: Connection) => Promise<T>): Promise<T> {
    const name = `forge_sp_${++parent.seq.n}`;
    const session = this.sessionOf(parent);
    await this.run(`SAVEPOINT ${name}`, [], 'objects', session);
    const child: TxState = { session, open: true, seq: parent.seq, transaction: true, readOnly: parent.readOnly };
    try {
      const result = await fn(new PgConnection(this.pool, child));
      await this.run(`RELEASE SAVEPOINT ${name}`, [], 'objects', session);
      return result;
    } catch (e) {
      await this.quietly(session, `ROLLBACK TO SAVEPOINT ${name}`);
      throw e;
    } finally {
      child.open = false;
    }
  }

  /** Run a cleanup statement whose own failure must not hide the error that caused it; true when it worked. */
  private async quietly(session: Session, sql: string): Promise<boolean> {
    try {
      await session.run(sql, [], 'objects');
      return true;
    } catch {
      return false;
    }
  }

  private async reserve(): Promise<Session> {
    const backend = this.root();
    try {
      return await backend.reserve();
    } catch (e) {
      throw mapPgError(e, { target: this.pool.target });
    }
  }

  /**
   * Rows through a server-side cursor, `chunkSize` at a time, so memory stays flat whatever the result size.
   * Outside a transaction the cursor gets its own session and transaction; inside one it lives in it.
   * Leaving the loop early (`break`, `return()`) closes the cursor and releases the session. The session is
   * held for the whole loop: on a single connection (a pg.Client, a pool of one) issue no other query from
   * inside the loop, it would wait for the loop to end.
   */
  async *stream(sql: string, params: readonly unknown[], chunkSize: number): AsyncGenerator<unknown[][]> {
    if (!Number.isInteger(chunkSize) || chunkSize <= 0) {
      throw new ValidationError(`chunkSize must be a positive integer, got ${String(chunkSize)}`);
    }
    const cursor = `forge_cursor_${++cursorSeq}`;
    // A cursor lives in a transaction: the caller's, or one opened here (on a pinned session, or a reserved one).
    let own: Session | undefined;
    let begun: Session | undefined;
    let session: Session;
    if (this.tx?.transaction) session = this.sessionOf(this.tx);
    else if (this.tx) session = begun = this.sessionOf(this.tx);
    else session = begun = own = await this.reserve();
    let failed = false;
    let declared = false;
    try {
      if (begun) await this.run('BEGIN', [], 'objects', begun);
      await this.run(`DECLARE ${cursor} NO SCROLL CURSOR FOR ${sql.trim().replace(/;+$/, '')}`, params, 'objects', session);
      declared = true;
      const fetch = `FETCH FORWARD ${chunkSize} FROM ${cursor}`;
      for (;;) {
        const { rows } = await this.run(fetch, [], 'arrays', session);
        if (rows.length > 0) yield rows as unknown[][];
        if (rows.length < chunkSize) break;
      }
    } catch (e) {
      failed = true;
      throw e;
    } finally {
      let clean = !failed;
      if (clean && declared) clean = await this.quietly(session, `CLOSE ${cursor}`);
      if (begun) {
        const ended = await this.quietly(begun, clean ? 'COMMIT' : 'ROLLBACK');
        own?.release(!ended);
      }
    }
  }

  /** Ends the pool forge opened; a user's pool, and a transaction's connection, are left alone. */
  async close(): Promise<void> {
    if (this.tx || this.pool.closed) return;
    this.pool.closed = true;
    await this.pool.backend.end();
  }
}
