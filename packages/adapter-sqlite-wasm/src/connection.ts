import { DbKnownError, ValidationError, type Connection, type ExecResult, type QueryOptions, type TransactionOptions } from '@forge/core';
import { bindParams } from '../../adapter-sqlite/src/bind.js';
import { mapSqliteError } from '../../adapter-sqlite/src/errors.js';
import type { Envelope, ExecuteResult, OpenRequest, OpenResult, PortLike, QueryResult, Request, Response, WireError } from './protocol.js';

/**
 * The page's end of the protocol: numbered requests posted to the worker, answers matched by id. A worker that
 * dies (a load error, `terminate()`) fails every waiting call and every later one with the reason.
 */
export class WorkerClient {
  private next = 1;
  private readonly waiting = new Map<number, { resolve: (v: unknown) => void; reject: (e: unknown) => void }>();
  private dead: Error | undefined;
  /** The worker's last word on whether the database is inside a transaction. */
  inTransaction = false;

  constructor(private readonly port: PortLike) {
    port.addEventListener('message', (event) => this.receive(event.data as Response));
    const target = port as unknown as { addEventListener(type: string, l: (e: unknown) => void): void };
    // A Worker reports a script that failed to load (or threw at top level) as an 'error' event.
    target.addEventListener('error', (e: unknown) => {
      const detail = (e as { message?: string })?.message;
      this.fail(new DbKnownError('CONNECTION_FAILED', `The SQLite worker failed${detail ? ` (${detail})` : ''}: check that its module calls startSqliteWorker() and that sqlite3.wasm is served`, {}));
    });
    port.start?.();
  }

  send<T>(req: Request): Promise<T> {
    if (this.dead) return Promise.reject(this.dead);
    const id = this.next++;
    return new Promise<T>((resolve, reject) => {
      this.waiting.set(id, { resolve: resolve as (v: unknown) => void, reject });
      try {
        this.port.postMessage({ ...req, id } satisfies Envelope);
      } catch (e) {
        this.waiting.delete(id);
        // A value that cannot be cloned (a function, a class instance the page passed as a parameter).
        reject(new ValidationError(`The query could not be sent to the SQLite worker: ${(e as Error).message}`));
      }
    });
  }

  /** Fail everything waiting, and every later call, with `reason`. */
  fail(reason: Error): void {
    this.dead ??= reason;
    for (const w of this.waiting.values()) w.reject(reason);
    this.waiting.clear();
  }

  private receive(msg: Response): void {
    if (!msg || typeof msg !== 'object' || typeof msg.id !== 'number') return;
    const w = this.waiting.get(msg.id);
    if (!w) return;
    this.waiting.delete(msg.id);
    this.inTransaction = msg.inTransaction;
    if (msg.ok) w.resolve(msg.result);
    else w.reject(fromWire(msg.error));
  }
}

/** A worker's failure as the Error better-sqlite3 would have thrown (message and `code`), for mapSqliteError. */
function fromWire(e: WireError): Error {
  const err = new Error(e.message) as Error & { code?: string };
  err.name = e.name === 'SQLite3Error' ? 'SqliteError' : e.name;
  if (e.code) err.code = e.code;
  return err;
}

/** A FIFO lock for one connection scope: while a transaction holds it, other calls on that scope wait their turn. */
class Gate {
  private tail: Promise<void> = Promise.resolve();
  private pending = 0;
  get busy(): boolean {
    return this.pending > 0;
  }
  run<T>(fn: () => Promise<T>): Promise<T> {
    this.pending++;
    const prev = this.tail;
    let release!: () => void;
    this.tail = new Promise<void>((r) => (release = r));
    return prev.then(fn).finally(() => {
      this.pending--;
      release();
    });
  }
}

interface Shared {
  client: WorkerClient;
  /** Root handles given out for this worker's database (createDb twice on one driver): the last close() closes it. */
  refs: number;
  info: OpenResult;
  closed: boolean;
  readOnly: boolean;
  terminate?: () => void;
}

/**
 * The SQLite dialect's `Connection` in the page, every call posted to the worker that owns the database. The
 * root connection and each transaction scope are separate objects: while a transaction runs, calls on the scope
 * it was opened from wait for it to end (SQLite has one transaction per database handle, so they would silently
 * join it). Inside `db.$transaction(async (tx) => ...)` use `tx`: a browser has no AsyncLocalStorage, so a root
 * `db` call made there after an `await` cannot be told apart from one made elsewhere, and waits for the
 * transaction it is part of.
 */
export class WasmConnection implements Connection {
  readonly dialect = 'sqlite' as const;
  private readonly gate = new Gate();
  private ended = false;

  private constructor(
    private readonly shared: Shared,
    private readonly depth: number,
  ) {}

  static async open(client: WorkerClient, req: Omit<OpenRequest, 'op'>, terminate?: () => void): Promise<WasmConnection> {
    const info = await client.send<OpenResult>({ op: 'open', ...req }).catch((e) => {
      throw mapSqliteError(e);
    });
    return new WasmConnection({ client, info, refs: 1, closed: false, readOnly: false, terminate }, 0);
  }

  /** The same root connection for another db on this driver (one database handle, one gate for both). */
  retain(): this {
    if (this.depth > 0) throw new Error('retain() belongs to the root connection');
    this.shared.refs++;
    return this;
  }

  get closed(): boolean {
    return this.shared.closed;
  }

  /** What the worker opened: SQLite version, VFS, whether it persists, and why not where it fell back to memory. */
  get storage(): OpenResult {
    return this.shared.info;
  }

  get serverVersion(): string {
    return this.shared.info.version;
  }

  get inTransaction(): boolean {
    return this.depth > 0 || (!this.gate.busy && this.shared.client.inTransaction);
  }

  private usable(): Error | undefined {
    if (this.shared.closed) return new Error('The SQLite connection is closed');
    if (this.ended) return new Error('This transaction has already finished; run queries on the connection it was opened from');
    return undefined;
  }

  private fail(e: unknown): unknown {
    if (this.shared.readOnly && typeof (e as { code?: unknown }).code === 'string' && (e as { code: string }).code.startsWith('SQLITE_READONLY')) {
      return new DbKnownError(
        'READ_ONLY',
        'This transaction is read-only ($transaction(fn, { readOnly: true })), so SQLite refused the write: run writes in a $transaction without readOnly',
        { driverCode: (e as { code: string }).code, readOnly: true },
        { cause: e },
      );
    }
    return mapSqliteError(e);
  }

  /** Send `req` now, or after the transaction currently open on this scope. */
  private call<T>(req: Request): Promise<T> {
    const unusable = this.usable();
    if (unusable) return Promise.reject(unusable);
    const run = () => {
      const again = this.usable();
      if (again) return Promise.reject(again);
      return this.shared.client.send<T>(req).catch((e) => {
        throw this.fail(e);
      });
    };
    return this.gate.busy ? this.gate.run(run) : run();
  }

  /** Parameters as SQLite binds them; a value it cannot bind rejects the call (never throws) before anything is posted. */
  private send<T>(build: () => Request): Promise<T> {
    let req: Request;
    try {
      req = build();
    } catch (e) {
      return Promise.reject(e);
    }
    return this.call<T>(req);
  }

  async query<R = Record<string, unknown>>(sql: string, params: readonly unknown[] = []): Promise<R[]> {
    const res = await this.send<QueryResult>(() => ({ op: 'query', sql, params: bindParams(params), shape: 'objects' }));
    return res.rows as R[];
  }

  async queryArrays(sql: string, params: readonly unknown[] = [], opts?: QueryOptions): Promise<unknown[][]> {
    const res = await this.send<QueryResult>(() => ({ op: 'query', sql, params: bindParams(params), shape: 'arrays', safeIntegers: opts?.safeIntegers === true, firstOnly: opts?.firstOnly === true }));
    return res.rows as unknown[][];
  }

  execute(sql: string, params: readonly unknown[] = []): Promise<ExecResult> {
    return this.send<ExecuteResult>(() => ({ op: 'execute', sql, params: bindParams(params) }));
  }

  /**
   * Rows in chunks. The worker answers one message per query, so this reads the whole result and hands it out in
   * chunks: memory is not constant. The adapter says so (`capabilities.nativeCursor: false`), and the client's
   * findManyStream pages with LIMIT / OFFSET instead of calling this.
   */
  async *stream(sql: string, params: readonly unknown[], chunkSize: number, opts?: QueryOptions): AsyncIterable<unknown[][]> {
    if (!Number.isInteger(chunkSize) || chunkSize < 1) throw new ValidationError(`chunkSize must be a positive integer, got ${chunkSize}`);
    const rows = await this.queryArrays(sql, params, opts);
    for (let i = 0; i < rows.length; i += chunkSize) yield rows.slice(i, i + chunkSize);
  }

  transaction<T>(fn: (tx: Connection) => Promise<T>, opts: TransactionOptions = {}): Promise<T> {
    const unusable = this.usable();
    if (unusable) return Promise.reject(unusable);
    const readOnly = opts?.readOnly === true;
    return this.gate.run(async () => {
      const shared = this.shared;
      const control = (sql: string) =>
        shared.client.send<ExecuteResult>({ op: 'execute', sql, params: [] }).catch((e) => {
          throw this.fail(e);
        });
      // A savepoint when nested, or when the root is already inside a transaction begun with raw SQL.
      const savepoint = this.depth > 0 || shared.client.inTransaction ? `forge_sp_${this.depth}` : undefined;
      if (savepoint && readOnly && !shared.readOnly) {
        throw new ValidationError('A readOnly transaction cannot be nested inside one that may write: open the readOnly transaction outside it');
      }
      if (savepoint) await control(`SAVEPOINT ${savepoint}`);
      else if (readOnly) {
        await control('BEGIN DEFERRED');
        await control('PRAGMA query_only = 1');
        shared.readOnly = true;
      } else await control('BEGIN IMMEDIATE');
      const tx = new WasmConnection(shared, this.depth + 1);
      try {
        const result = await fn(tx);
        if (!shared.client.inTransaction) {
          throw new DbKnownError('TRANSACTION_ABORTED', 'SQLite ended the transaction on its own (a failed statement rolled it back, or raw SQL ended it): run the work again', {});
        }
        if (savepoint) await control(`RELEASE ${savepoint}`);
        else await control('COMMIT');
        return result;
      } catch (e) {
        if (shared.client.inTransaction && !shared.closed) {
          try {
            if (savepoint) {
              await control(`ROLLBACK TO ${savepoint}`);
              await control(`RELEASE ${savepoint}`);
            } else await control('ROLLBACK');
          } catch {
            // The transaction is already gone (the worker died): the original error is the one to report.
          }
        }
        throw this.fail(e);
      } finally {
        tx.ended = true;
        if (readOnly && !savepoint) {
          shared.readOnly = false;
          await control('PRAGMA query_only = 0').catch(() => undefined);
        }
      }
    });
  }

  /** One database handle in the worker: every call already runs on the same session. */
  withSession<T>(fn: (conn: Connection) => Promise<T>): Promise<T> {
    const unusable = this.usable();
    if (unusable) return Promise.reject(unusable);
    return fn(this);
  }

  async close(): Promise<void> {
    if (this.depth > 0) throw new Error('close() belongs to the root connection, not to a transaction');
    if (this.shared.closed) return;
    if (--this.shared.refs > 0) return;
    // Let an open transaction finish rather than cutting it off mid-way.
    if (this.gate.busy) await this.gate.run(async () => undefined);
    this.shared.closed = true;
    await this.shared.client.send({ op: 'close' }).catch(() => undefined);
    this.shared.client.fail(new Error('The SQLite connection is closed'));
    this.shared.terminate?.();
  }
}
