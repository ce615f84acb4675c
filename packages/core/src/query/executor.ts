import type { Connection, ExecResult, MaybePromise, PreparedQuery, QueryExecutor, QueryOptions } from '../adapter.js';
import type { Expr, QueryNode } from './ast.js';
import type { SqlCompiler } from './compiler.js';

/**
 * The executor every SQL dialect shares: compile a node with the dialect's `SqlCompiler`, run the text on the
 * `Connection` with the values bound. A synchronous driver answers without a promise (`queryArraysSync`),
 * which keeps the client's hot path at one promise per call.
 */
export class SqlExecutor implements QueryExecutor {
  constructor(readonly compiler: SqlCompiler) {}

  prepare(node: QueryNode): PreparedQuery {
    return this.compiler.compile(node);
  }

  prepareRaw(fragment: Extract<Expr, { t: 'raw' }>): PreparedQuery {
    return this.compiler.compileExpr(fragment);
  }

  rows(conn: Connection, q: PreparedQuery, opts?: QueryOptions): MaybePromise<unknown[][]> {
    const sql = text(q);
    if (conn.queryArraysSync) {
      const rows = conn.queryArraysSync(sql, q.params, opts);
      if (rows !== undefined) return rows;
    }
    return conn.queryArrays(sql, q.params, opts);
  }

  objects(conn: Connection, q: PreparedQuery): Promise<Record<string, unknown>[]> {
    return conn.query(text(q), q.params);
  }

  run(conn: Connection, q: PreparedQuery): MaybePromise<ExecResult> {
    const sql = text(q);
    if (conn.executeSync) {
      const res = conn.executeSync(sql, q.params);
      if (res !== undefined) return res;
    }
    return conn.execute(sql, q.params);
  }

  stream(conn: Connection, q: PreparedQuery, chunkSize: number, opts?: QueryOptions): AsyncIterable<unknown[][]> {
    return conn.stream(text(q), q.params, chunkSize, opts);
  }
}

function text(q: PreparedQuery): string {
  if (typeof q.sql !== 'string') throw new TypeError('SqlExecutor runs SQL text; this query was prepared by another executor');
  return q.sql;
}
