import type { Connection, Snapshot, SnapshotColumn, SnapshotForeignKey, SnapshotIndex, SnapshotTable, SnapshotView } from '@forge/core';

/**
 * Six catalog queries, whatever the table count: tables, columns, indexes, constraints, views and extensions of
 * the current database and schema (DuckDB's own and other attached catalogs are left out).
 */
const SCOPE = `database_name = current_database() AND schema_name = current_schema()`;
const TABLES = `SELECT table_name FROM duckdb_tables() WHERE ${SCOPE} AND NOT internal AND NOT temporary ORDER BY table_name`;
const COLUMNS = `SELECT table_name, column_name, column_index, data_type, is_nullable, column_default FROM duckdb_columns() WHERE ${SCOPE} AND NOT internal ORDER BY table_name, column_index`;
const INDEXES = `SELECT table_name, index_name, is_unique, is_primary, sql FROM duckdb_indexes() WHERE ${SCOPE} ORDER BY table_name, index_name`;
const CONSTRAINTS = `SELECT table_name, constraint_index, constraint_type, constraint_name, constraint_column_names, referenced_table, referenced_column_names FROM duckdb_constraints() WHERE ${SCOPE} AND constraint_type IN ('PRIMARY KEY', 'UNIQUE', 'FOREIGN KEY') ORDER BY table_name, constraint_index`;
const VIEWS = `SELECT view_name, sql FROM duckdb_views() WHERE ${SCOPE} AND NOT internal AND NOT temporary ORDER BY view_name`;
const EXTENSIONS = `SELECT extension_name FROM duckdb_extensions() WHERE loaded ORDER BY extension_name`;

interface ColumnRow {
  table_name: string;
  column_name: string;
  data_type: string;
  is_nullable: boolean;
  column_default: string | null;
}
interface IndexRow {
  table_name: string;
  index_name: string;
  is_unique: boolean;
  is_primary: boolean;
  sql: string | null;
}
interface ConstraintRow {
  table_name: string;
  constraint_type: string;
  constraint_name: string;
  constraint_column_names: string[];
  referenced_table: string | null;
  referenced_column_names: string[] | null;
}

function groupBy<R>(rows: R[], key: (r: R) => string): Map<string, R[]> {
  const out = new Map<string, R[]>();
  for (const r of rows) {
    const k = key(r);
    const list = out.get(k);
    if (list) list.push(r);
    else out.set(k, [r]);
  }
  return out;
}

/** Split `a, "b c", (lower(x))` at the commas outside parentheses and quotes. */
function splitKeys(list: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let quote: string | undefined;
  let cur = '';
  for (const ch of list) {
    if (quote) {
      cur += ch;
      if (ch === quote) quote = undefined;
      continue;
    }
    if (ch === '"' || ch === "'") quote = ch;
    else if (ch === '(') depth++;
    else if (ch === ')') depth--;
    else if (ch === ',' && depth === 0) {
      out.push(cur.trim());
      cur = '';
      continue;
    }
    cur += ch;
  }
  if (cur.trim()) out.push(cur.trim());
  return out;
}

const IDENT = /^(?:"((?:[^"]|"")+)"|([A-Za-z_][A-Za-z0-9_$]*))$/;

/**
 * The key list of `CREATE [UNIQUE] INDEX name ON table [USING m] (keys)[ WITH (...)];`, DuckDB's echo of the
 * statement (an ART index keeps no direction): plain names are columns, anything else the expression.
 */
export function parseIndexSql(sql: string): { columns: string[]; expression?: string; method?: string } {
  const on = /\bON\s+(?:"(?:[^"]|"")+"|[^\s(]+)\s*(?:USING\s+([A-Za-z_]+)\s*)?\(/i.exec(sql);
  if (!on) return { columns: [] };
  let depth = 1;
  let i = on.index + on[0].length;
  const start = i;
  // Parentheses inside a quoted name (a column called "(") or a string literal are not the key list's.
  let quote: string | undefined;
  for (; i < sql.length && depth > 0; i++) {
    const ch = sql[i];
    if (quote) {
      if (ch === quote) quote = undefined;
    } else if (ch === '"' || ch === "'") quote = ch;
    else if (ch === '(') depth++;
    else if (ch === ')') depth--;
  }
  const columns: string[] = [];
  const expressions: string[] = [];
  for (const key of splitKeys(sql.slice(start, i - 1))) {
    const m = IDENT.exec(key);
    if (m) columns.push(m[1] !== undefined ? m[1].replace(/""/g, '"') : m[2]);
    else expressions.push(key.replace(/^\((.*)\)$/s, '$1'));
  }
  const out: { columns: string[]; expression?: string; method?: string } = { columns };
  if (expressions.length) out.expression = expressions.join(', ');
  if (on[1]) out.method = on[1].toLowerCase() === 'hnsw' ? 'vector' : on[1].toLowerCase();
  return out;
}

function toColumn(r: ColumnRow, primary: Set<string>): SnapshotColumn {
  return {
    name: r.column_name,
    type: String(r.data_type).toLowerCase(),
    nullable: r.is_nullable === true,
    primaryKey: primary.has(r.column_name),
    default: r.column_default ?? null,
  };
}

/** A view's SELECT out of DuckDB's `CREATE VIEW name AS SELECT ...;`. */
function viewSql(sql: string | null): string | undefined {
  if (!sql) return undefined;
  const m = /^\s*CREATE\s+(?:OR\s+REPLACE\s+)?VIEW\s+(?:"(?:[^"]|"")+"|\S+)\s+AS\s+([\s\S]*?);?\s*$/i.exec(sql);
  return m ? m[1].trim() : undefined;
}

export async function introspectDuckdb(conn: Connection): Promise<Snapshot> {
  const [tableRows, columnRows, indexRows, constraintRows, viewRows, extensionRows] = await Promise.all([
    conn.query<{ table_name: string }>(TABLES),
    conn.query<ColumnRow>(COLUMNS),
    conn.query<IndexRow>(INDEXES),
    conn.query<ConstraintRow>(CONSTRAINTS),
    conn.query<{ view_name: string; sql: string | null }>(VIEWS),
    conn.query<{ extension_name: string }>(EXTENSIONS),
  ]);
  const columnsOf = groupBy(columnRows, (r) => r.table_name);
  const indexesOf = groupBy(indexRows, (r) => r.table_name);
  const constraintsOf = groupBy(constraintRows, (r) => r.table_name);
  const snapshot: Snapshot = { dialect: 'duckdb', tables: [], views: [], internal: [], extensions: extensionRows.map((r) => r.extension_name) };
  for (const { table_name: name } of tableRows) {
    const constraints = constraintsOf.get(name) ?? [];
    const pk = constraints.find((c) => c.constraint_type === 'PRIMARY KEY');
    const primary = new Set(pk?.constraint_column_names ?? []);
    const indexes: SnapshotIndex[] = [];
    for (const r of indexesOf.get(name) ?? []) {
      if (r.is_primary) continue;
      const parsed = parseIndexSql(r.sql ?? '');
      const ix: SnapshotIndex = { name: r.index_name, columns: parsed.columns, unique: r.is_unique === true, primary: false };
      if (parsed.expression !== undefined) ix.expression = parsed.expression;
      if (parsed.method) ix.method = parsed.method;
      indexes.push(ix);
    }
    // A UNIQUE constraint written in CREATE TABLE (a table forge did not create) is a unique key all the same.
    for (const c of constraints) {
      if (c.constraint_type === 'UNIQUE') indexes.push({ name: c.constraint_name, columns: [...c.constraint_column_names], unique: true, primary: false });
    }
    const foreignKeys: SnapshotForeignKey[] = constraints
      .filter((c) => c.constraint_type === 'FOREIGN KEY' && c.referenced_table)
      .map((c) => ({ name: c.constraint_name, columns: [...c.constraint_column_names], refTable: c.referenced_table!, refColumns: [...(c.referenced_column_names ?? [])], onDelete: 'restrict' }));
    const table: SnapshotTable = { name, columns: (columnsOf.get(name) ?? []).map((r) => toColumn(r, primary)), indexes, foreignKeys };
    snapshot.tables.push(table);
  }
  for (const v of viewRows) {
    const view: SnapshotView = { name: v.view_name, materialized: false };
    const sql = viewSql(v.sql);
    if (sql !== undefined) view.sql = sql;
    snapshot.views.push(view);
  }
  return snapshot;
}
