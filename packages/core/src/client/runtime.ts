import { AsyncLocalStorage } from 'node:async_hooks';
import { performance } from 'node:perf_hooks';
import type { Adapter, Connection, ExecResult, MaybePromise, PreparedQuery, QueryOptions } from '../adapter.js';
import type { QueryNode } from '../query/ast.js';
import { DbKnownError } from '../errors.js';
import { describeDbError } from './error-meta.js';
import type { ModelMeta } from './meta.js';

export type SemanticOp = 'select' | 'insert' | 'update' | 'delete' | 'upsert' | 'raw' | 'stream';

/** The `$on('query')` event. */
export interface QueryEvent {
  /** The client call: findMany, create, $queryRaw, ... */
  op: string;
  semanticOp: SemanticOp;
  model?: string;
  /** The SQL text on SQL dialects; the driver command (an object) on a dialect without SQL. */
  sql: string | Readonly<Record<string, unknown>>;
  params: readonly unknown[];
  duration_ms: number;
  rowCount: number;
  adapter: string;
}

/** The `$on('error')` event. */
export interface ErrorEvent {
  op: string;
  model?: string;
  sql?: string | Readonly<Record<string, unknown>>;
  error: Error;
  adapter: string;
}

export interface CallInfo {
  op: string;
  semanticOp: SemanticOp;
  model?: string;
}

type Listener<E> = (e: E) => void;


/** Always a promise, whether `fn` answers now, later, or throws. */
export function settle<T>(fn: () => MaybePromise<T>): Promise<T> {
  try {
    const v = fn();
    return v instanceof Promise ? v : Promise.resolve(v);
  } catch (e) {
    return Promise.reject(e);
  }
}

/** `f(v)` now if `v` is a value, after it resolves if it is a promise. */
export function chain<T, U>(v: MaybePromise<T>, f: (t: T) => MaybePromise<U>): MaybePromise<U> {
  return v instanceof Promise ? v.then(f) : f(v);
}

/** Shared state of one db handle: adapter, root connection, transaction context, listeners. */
export class Runtime {
  readonly als = new AsyncLocalStorage<Connection>();
  readonly queryListeners = new Set<Listener<QueryEvent>>();
  readonly errorListeners = new Set<Listener<ErrorEvent>>();

  constructor(
    readonly adapter: Adapter,
    readonly root: Connection,
    readonly metas: Map<string, ModelMeta>,
    readonly strict: boolean,
  ) {}

  /** The connection a root-level call uses: the enclosing `$transaction` if there is one. */
  current(): Connection {
    return this.als.getStore() ?? this.root;
  }

  /** The node as the adapter's executor runs it (SQL text and values, or a driver command). */
  prepare(node: QueryNode): PreparedQuery {
    return this.adapter.executor.prepare(node);
  }

  private emitQuery(info: CallInfo, q: PreparedQuery, t0: number, rowCount: number): void {
    const e: QueryEvent = {
      op: info.op,
      semanticOp: info.semanticOp,
      model: info.model,
      sql: q.sql,
      params: q.params,
      duration_ms: performance.now() - t0,
      rowCount,
      adapter: this.adapter.kind,
    };
    for (const l of this.queryListeners) {
      try {
        l(e);
      } catch {
        // A listener's failure must never reach the query that triggered it.
      }
    }
  }

  private fail(info: CallInfo, q: PreparedQuery | undefined, e: unknown): unknown {
    const mapped = this.adapter.mapError(e);
    if (mapped instanceof DbKnownError) describeDbError(this.metas, mapped, info.model);
    if (this.errorListeners.size) {
      const ev: ErrorEvent = { op: info.op, model: info.model, sql: q?.sql, error: mapped as Error, adapter: this.adapter.kind };
      for (const l of this.errorListeners) {
        try {
          l(ev);
        } catch {
          // Same rule as query listeners.
        }
      }
    }
    return mapped;
  }

  /** Run through the executor, reporting the query event on success and the mapped error on failure. */
  private observe<T>(info: CallInfo, q: PreparedQuery, run: () => MaybePromise<T>, count: (v: T) => number): MaybePromise<T> {
    const t0 = this.queryListeners.size ? performance.now() : 0;
    let v: MaybePromise<T>;
    try {
      v = run();
    } catch (e) {
      throw this.fail(info, q, e);
    }
    if (!(v instanceof Promise)) {
      if (this.queryListeners.size) this.emitQuery(info, q, t0, count(v));
      return v;
    }
    return v.then(
      (r) => {
        if (this.queryListeners.size) this.emitQuery(info, q, t0, count(r));
        return r;
      },
      (e) => {
        throw this.fail(info, q, e);
      },
    );
  }

  arrays(conn: Connection, info: CallInfo, q: PreparedQuery, opts?: QueryOptions): MaybePromise<unknown[][]> {
    const ex = this.adapter.executor;
    return this.observe(info, q, () => ex.rows(conn, q, opts), rowsLength);
  }

  objects(conn: Connection, info: CallInfo, q: PreparedQuery): Promise<Record<string, unknown>[]> {
    const ex = this.adapter.executor;
    return this.observe(info, q, () => ex.objects(conn, q), rowsLength) as Promise<Record<string, unknown>[]>;
  }

  /** Run a statement; the result carries the row count and, where the driver reports one, the generated key. */
  run(conn: Connection, info: CallInfo, q: PreparedQuery): MaybePromise<ExecResult> {
    const ex = this.adapter.executor;
    return this.observe(info, q, () => ex.run(conn, q), affected);
  }

  exec(conn: Connection, info: CallInfo, q: PreparedQuery): MaybePromise<number> {
    const res = this.run(conn, info, q);
    return res instanceof Promise ? res.then(affected) : res.rowCount;
  }

  async *stream(conn: Connection, info: CallInfo, q: PreparedQuery, chunkSize: number, opts?: QueryOptions): AsyncGenerator<unknown[][]> {
    const t0 = this.queryListeners.size ? performance.now() : 0;
    let total = 0;
    try {
      for await (const chunk of this.adapter.executor.stream(conn, q, chunkSize, opts)) {
        total += chunk.length;
        yield chunk;
      }
    } catch (e) {
      throw this.fail(info, q, e);
    }
    if (this.queryListeners.size) this.emitQuery(info, q, t0, total);
  }

  /** Errors raised by forge itself (validation, not found) also reach `$on('error')`. */
  reject(info: CallInfo, e: unknown): never {
    throw this.fail(info, undefined, e);
  }

  /** Run `fn` in a transaction unless the connection is already in one. */
  atomically<T>(conn: Connection, fn: (c: Connection) => MaybePromise<T>): MaybePromise<T> {
    return conn.inTransaction ? fn(conn) : conn.transaction(async (c) => fn(c));
  }
}

const rowsLength = (rows: readonly unknown[]): number => rows.length;
const affected = (r: ExecResult): number => r.rowCount;

/**
 * A promise that does nothing until awaited. It lets `$transaction([db.a.create(...), db.b.update(...)])` run
 * the calls inside the transaction instead of before it.
 */
export class LazyQuery<T> implements PromiseLike<T> {
  private started?: Promise<T>;
  readonly __forgeQuery = true as const;
  constructor(private readonly exec: (conn?: Connection) => MaybePromise<T>) {}

  private start(conn?: Connection): Promise<T> {
    return settle(() => this.exec(conn));
  }

  /** Run on a specific connection (the transaction's). */
  runWith(conn: Connection): Promise<T> {
    return this.start(conn);
  }
  then<A = T, B = never>(onFulfilled?: ((v: T) => A | PromiseLike<A>) | null, onRejected?: ((e: unknown) => B | PromiseLike<B>) | null): Promise<A | B> {
    this.started ??= this.start();
    return this.started.then(onFulfilled, onRejected);
  }
  catch<B = never>(onRejected?: ((e: unknown) => B | PromiseLike<B>) | null): Promise<T | B> {
    return this.then(undefined, onRejected);
  }
  finally(onFinally?: (() => void) | null): Promise<T> {
    return this.then(
      (v) => {
        onFinally?.();
        return v;
      },
      (e) => {
        onFinally?.();
        throw e;
      },
    );
  }
  get [Symbol.toStringTag](): string {
    return 'ForgePromise';
  }
}

export function isLazyQuery(v: unknown): v is LazyQuery<unknown> {
  return v instanceof LazyQuery;
}
