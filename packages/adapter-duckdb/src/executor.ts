import { paramRows, SqlExecutor, type Connection, type ExecResult, type InsertNode, type MaybePromise, type PreparedQuery } from '@forge/core';
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
 * reports: the full multi-row INSERT is built only if the Appender cannot take the table and it runs instead.
 */
export interface AppendableQuery extends PreparedQuery {
  readonly append: { readonly table: string; readonly columns: readonly string[]; readonly insert: () => InsertNode };
}

const isAppendable = (q: PreparedQuery): q is AppendableQuery => (q as Partial<AppendableQuery>).append !== undefined;

/** core's SqlExecutor, with createMany's large batches sent through the Appender. */
export class DuckdbExecutor extends SqlExecutor {
  constructor(compiler: DuckdbCompiler) {
    super(compiler);
  }

  /** createMany's batches of APPEND_MIN_ROWS rows or more, as the client hands them over: columns and flat values. */
  prepareInsertRows(table: string, columns: readonly string[], values: readonly unknown[], rows: number): PreparedQuery | undefined {
    if (rows < APPEND_MIN_ROWS || columns.length === 0 || values.length !== rows * columns.length) return undefined;
    const width = columns.length;
    // Compiling rows × columns placeholders costs more than the Appender's own work: only one row's text.
    const one = super.prepare({ t: 'insert', table, columns: [...columns], rows: paramRows(values, width, 0, 1) });
    const insert = (): InsertNode => ({ t: 'insert', table, columns: [...columns], rows: paramRows(values, width, 0, rows) });
    const append: AppendableQuery = { sql: `${one.sql} /* ${rows} rows, through the Appender */`, params: values as unknown[], append: { table, columns, insert } };
    return append;
  }

  override run(conn: Connection, q: PreparedQuery): MaybePromise<ExecResult> {
    if (isAppendable(q)) {
      const insert = () => super.run(conn, super.prepare(q.append.insert())) as Promise<ExecResult>;
      if (!(conn instanceof DuckdbConnection)) return insert();
      return conn.append(q.append.table, q.append.columns, q.params).then((done) => done ?? insert());
    }
    return super.run(conn, q);
  }
}
