import { SqlExecutor, type Connection, type ExecResult, type MaybePromise, type PreparedQuery, type QueryNode } from '@forge/core';
import type { DuckdbCompiler } from './compile.js';
import { DuckdbConnection } from './connection.js';

/**
 * From this many rows on, a plain multi-row INSERT (createMany without skipDuplicates) goes through DuckDB's
 * Appender, which writes column vectors directly instead of parsing and binding rows × columns parameters.
 * Below it the INSERT is cheaper than the Appender's set-up (a catalog read and its own transaction).
 */
export const APPEND_MIN_ROWS = 256;

/** A prepared INSERT that can also be appended: the SQL stays what `$on('query')` reports and the fallback runs. */
export interface AppendableQuery extends PreparedQuery {
  readonly append: { readonly table: string; readonly columns: readonly string[] };
}

const isAppendable = (q: PreparedQuery): q is AppendableQuery => (q as Partial<AppendableQuery>).append !== undefined;

/** core's SqlExecutor, with createMany's large batches sent through the Appender. */
export class DuckdbExecutor extends SqlExecutor {
  constructor(compiler: DuckdbCompiler) {
    super(compiler);
  }

  override prepare(node: QueryNode): PreparedQuery {
    const q = super.prepare(node);
    if (
      node.t === 'insert' &&
      !node.onConflict &&
      !node.returning?.length &&
      node.columns.length > 0 &&
      node.rows.length >= APPEND_MIN_ROWS &&
      node.rows.every((r) => r.length === node.columns.length && r.every((v) => v.t === 'param'))
    ) {
      const append: AppendableQuery = { sql: q.sql, params: q.params, append: { table: node.table, columns: node.columns } };
      return append;
    }
    return q;
  }

  override run(conn: Connection, q: PreparedQuery): MaybePromise<ExecResult> {
    if (isAppendable(q) && conn instanceof DuckdbConnection) {
      return conn.append(q.append.table, q.append.columns, q.params).then((done) => done ?? (super.run(conn, q) as Promise<ExecResult>));
    }
    return super.run(conn, q);
  }
}
