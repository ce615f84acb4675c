import { SqlExecutor, type Connection, type ExecResult, type InsertNode, type MaybePromise, type PreparedQuery, type QueryNode } from '@forge/core';
import type { DuckdbCompiler } from './compile.js';
import { DuckdbConnection } from './connection.js';

/**
 * From this many rows on, a plain multi-row INSERT (createMany without skipDuplicates) goes through DuckDB's
 * Appender, which writes column vectors directly instead of parsing and binding rows × columns parameters.
 * Below it the INSERT is cheaper than the Appender's set-up (a catalog read and its own transaction).
 */
export const APPEND_MIN_ROWS = 256;

/**
 * A batch for the Appender. Its `sql` is the INSERT's one-row form with the row count, which is what `$on('query')`
 * reports: the full multi-row text is compiled only if the Appender cannot take the table and the INSERT runs.
 */
export interface AppendableQuery extends PreparedQuery {
  readonly append: { readonly table: string; readonly columns: readonly string[]; readonly node: InsertNode };
}

const isAppendable = (q: PreparedQuery): q is AppendableQuery => (q as Partial<AppendableQuery>).append !== undefined;

/** core's SqlExecutor, with createMany's large batches sent through the Appender. */
export class DuckdbExecutor extends SqlExecutor {
  constructor(compiler: DuckdbCompiler) {
    super(compiler);
  }

  override prepare(node: QueryNode): PreparedQuery {
    if (
      node.t === 'insert' &&
      !node.onConflict &&
      !node.returning?.length &&
      node.columns.length > 0 &&
      node.rows.length >= APPEND_MIN_ROWS &&
      node.rows.every((r) => r.length === node.columns.length && r.every((v) => v.t === 'param'))
    ) {
      // Compiling 100k rows × columns placeholders costs more than the Appender's own work: only one row's text.
      const one = super.prepare({ ...node, rows: [node.rows[0]] });
      const params: unknown[] = new Array(node.rows.length * node.columns.length);
      let i = 0;
      for (const row of node.rows) for (const v of row) params[i++] = (v as { value: unknown }).value;
      const append: AppendableQuery = { sql: `${one.sql} /* ${node.rows.length} rows, through the Appender */`, params, append: { table: node.table, columns: node.columns, node } };
      return append;
    }
    return super.prepare(node);
  }

  override run(conn: Connection, q: PreparedQuery): MaybePromise<ExecResult> {
    if (isAppendable(q)) {
      const insert = () => super.run(conn, super.prepare(q.append.node)) as Promise<ExecResult>;
      if (!(conn instanceof DuckdbConnection)) return insert();
      return conn.append(q.append.table, q.append.columns, q.params).then((done) => done ?? insert());
    }
    return super.run(conn, q);
  }
}
