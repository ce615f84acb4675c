import { AsyncLocalStorage } from 'node:async_hooks';
import { performance } from 'node:perf_hooks';
import type { Adapter, Connection, QueryOptions } from '../adapter.js';
import type { CompiledQuery } from '../query/ast.js';
import type { ModelMeta } from './meta.js';

export type SemanticOp = 'select' | 'insert' | 'update' | 'delete' | 'upsert' | 'raw' | 'stream';

/** The `$on('query')` event. */
export interface QueryEvent {
  /** The client call: findMany, create, $queryRaw, ... */
  op: string;
  semanticOp: SemanticOp;
  model?: string;
  sql: string;
  params: readonly unknown[];
  duration_ms: number;
  rowCount: number;
  adapter: string;
}

/** The `$on('error')` event. */
export interface ErrorEvent {
  op: string;
  model?: string;
  sql?: string;
  error: Error;
  adapter: string;
}

export interface CallInfo {
  op: string;
  semanticOp: SemanticOp;
  model?: string;
}

type Listener<E> = (e: E) => void;

/** A value now (synchronous drivers) or later. The client's hot path stays synchronous until the one promise a call returns. */
export type MaybePromise<T> = T | Promise<T>;

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

  private emitQuery(info: CallInfo, q: CompiledQuery, t0: number, rowCount: number): void {
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

  private fail(info: CallInfo, q: CompiledQuery | undefined, e: unknown): unknown {
    const mapped = this.adapter.mapError(e);
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

  arrays(conn: Connection, info: CallInfo, q: CompiledQuery, opts?: QueryOptions): MaybePromise<unknown[][]> {
    const t0 = this.queryListeners.size ? performance.now() : 0;
    if (conn.queryArraysSync) {
      let rows: unknown[][] | undefined;
      try {
        rows = conn.queryArraysSync(q.sql, q.params, opts);
      } catch (e) {
        throw this.fail(info, q, e);
      }
      if (rows !== undefined) {
        if (this.queryListeners.size) this.emitQuery(info, q, t0, rows.length);
        return rows;
      }
    }
    return conn.queryArrays(q.sql, q.params, opts).then(
      (rows) => {
        if (this.queryListeners.size) this.emitQuery(info, q, t0, rows.length);
        return rows;
      },
      (e) => {
        throw this.fail(info, q, e);
      },
    );
  }

  async objects(conn: Connection, info: CallInfo, q: CompiledQuery): Promise<Record<string, unknown>[]> {
    const t0 = this.queryListeners.size ? performance.now() : 0;
    let rows: Record<string, unknown>[];
    try {
      rows = await conn.query(q.sql, q.params);
    } catch (e) {
      throw this.fail(info, q, e);
    }
    if (this.queryListeners.size) this.emitQuery(info, q, t0, rows.length);
    return rows;
  }

  exec(conn: Connection, info: CallInfo, q: CompiledQuery): MaybePromise<number> {
    const t0 = this.queryListeners.size ? performance.now() : 0;
    if (conn.executeSync) {
      let res: { rowCount: number } | undefined;
      try {
        res = conn.executeSync(q.sql, q.params);
      } catch (e) {
        throw this.fail(info, q, e);
      }
      if (res !== undefined) {
        if (this.queryListeners.size) this.emitQuery(info, q, t0, res.rowCount);
        return res.rowCount;
      }
    }
    return conn.execute(q.sql, q.params).then(
      (res) => {
        if (this.queryListeners.size) this.emitQuery(info, q, t0, res.rowCount);
        return res.rowCount;
      },
      (e) => {
        throw this.fail(info, q, e);
      },
    );
  }

  async *stream(conn: Connection, info: CallInfo, q: CompiledQuery, chunkSize: number, opts?: QueryOptions): AsyncGenerator<unknown[][]> {
    const t0 = this.queryListeners.size ? performance.now() : 0;
    let total = 0;
    try {
      for await (const chunk of conn.stream(q.sql, q.params, chunkSize, opts)) {
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
