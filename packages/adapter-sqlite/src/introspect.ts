import {
  generatedName,
  type Connection,
  type IndexKeyToken,
  type ReferentialAction,
  type Snapshot,
  type SnapshotColumn,
  type SnapshotForeignKey,
  type SnapshotIndex,
  type SnapshotTable,
} from '@forge/core';
import { indexKeyExpression, parseIndexSql, viewSelect } from './sqltext.js';

/** The tables whose catalog the pragma joins read: the user's ordinary tables (virtual ones may need a module). */
const ORDINARY_TABLES = `m.type = 'table' AND m.name NOT LIKE 'sqlite\\_%' ESCAPE '\\' AND m.sql NOT LIKE 'CREATE VIRTUAL TABLE%'`;

const OBJECTS_SQL = `SELECT m.type, m.name, m.tbl_name AS tbl, m.sql, t.type AS kind
FROM sqlite_master AS m LEFT JOIN pragma_table_list AS t ON t.schema = 'main' AND t.name = m.name
ORDER BY m.name`;

const COLUMNS_SQL = `SELECT m.name AS tbl, p.name, p.type, p."notnull" AS required, p.dflt_value AS dflt, p.pk
FROM sqlite_master AS m JOIN pragma_table_info(m.name) AS p
WHERE ${ORDINARY_TABLES} ORDER BY m.name, p.cid`;

const INDEXES_SQL = `SELECT m.name AS tbl, l.name AS idx, l."unique" AS uniq, l.origin, x.seqno, x.cid, x.name AS col, x."desc" AS dsc
FROM sqlite_master AS m JOIN pragma_index_list(m.name) AS l JOIN pragma_index_xinfo(l.name) AS x
WHERE ${ORDINARY_TABLES} AND x.key = 1 ORDER BY m.name, l.name, x.seqno`;

/** SQLite numbers a table's foreign keys last-declared first; descending ids give declaration order. */
const FOREIGN_KEYS_SQL = `SELECT m.name AS tbl, f.id, f."table" AS ref, f."from" AS col, f."to" AS refcol, f.on_delete AS ondelete
FROM sqlite_master AS m JOIN pragma_foreign_key_list(m.name) AS f
WHERE ${ORDINARY_TABLES} ORDER BY m.name, f.id DESC, f.seq`;

interface ObjectRow { type: string; name: string; tbl: string; sql: string | null; kind: string | null }
interface ColumnRow { tbl: string; name: string; type: string; required: number; dflt: string | null; pk: number }
interface IndexRow { tbl: string; idx: string; uniq: number; origin: string; seqno: number; cid: number; col: string | null; dsc: number }
interface ForeignKeyRow { tbl: string; id: number; ref: string; col: string; refcol: string | null; ondelete: string }

const ON_DELETE: Record<string, ReferentialAction | 'setDefault'> = {
  CASCADE: 'cascade',
  RESTRICT: 'restrict',
  'SET NULL': 'setNull',
  'NO ACTION': 'noAction',
  'SET DEFAULT': 'setDefault',
};

/** Engine-managed objects: SQLite's own tables, virtual tables and their shadow tables, forge's FTS triggers. */
function isInternal(o: ObjectRow): boolean {
  if (o.name.startsWith('sqlite_')) return true;
  if (o.type === 'table') return o.kind === 'virtual' || o.kind === 'shadow';
  return o.type === 'trigger' && /_fts_(ai|ad|au)$/.test(o.name);
}

function groupBy<T, K>(rows: T[], key: (row: T) => K): Map<K, T[]> {
  const out = new Map<K, T[]>();
  for (const r of rows) {
    const k = key(r);
    const list = out.get(k);
    if (list) list.push(r);
    else out.set(k, [r]);
  }
  return out;
}

function toColumn(r: ColumnRow): SnapshotColumn {
  // A key column counts as NOT NULL: an INTEGER PRIMARY KEY never holds NULL even when not declared so.
  return { name: r.name, type: r.type.toLowerCase(), nullable: r.required === 0 && r.pk === 0, primaryKey: r.pk > 0, default: r.dflt };
}

function toIndexes(rows: IndexRow[], sqlByIndex: Map<string, string>): SnapshotIndex[] {
  return [...groupBy(rows, (r) => r.idx)].map(([name, keys]) => {
    const sql = sqlByIndex.get(name);
    const text = sql ? parseIndexSql(sql) : undefined;
    const columns: string[] = [];
    const directions: IndexKeyToken[] = [];
    const expressions: string[] = [];
    for (const k of keys) {
      if (k.col !== null) {
        columns.push(k.col);
        directions.push(k.dsc ? -1 : 1);
      } else if (text) {
        const e = indexKeyExpression(text, k.seqno);
        if (e) expressions.push(e);
      }
    }
    const index: SnapshotIndex = { name, columns, directions, unique: keys[0].uniq === 1, primary: keys[0].origin === 'pk' };
    if (text?.where) index.where = text.where;
    if (expressions.length) index.expression = expressions.join(', ');
    return index;
  });
}

function toForeignKeys(table: string, rows: ForeignKeyRow[], pkOf: (t: string) => string[]): SnapshotForeignKey[] {
  return [...groupBy(rows, (r) => r.id).values()].map((parts) => {
    const columns = parts.map((p) => p.col);
    // `REFERENCES parent` without columns means the parent's primary key; the pragma reports it as NULL.
    const refColumns = parts.every((p) => p.refcol !== null) ? parts.map((p) => p.refcol as string) : pkOf(parts[0].ref);
    return {
      name: generatedName(table, 'fk', columns),
      columns,
      refTable: parts[0].ref,
      refColumns,
      onDelete: ON_DELETE[parts[0].ondelete] ?? parts[0].ondelete.toLowerCase(),
    };
  });
}

/**
 * Read tables, columns, indexes, foreign keys and views in four statements whatever the table count: the
 * table-valued pragma functions are joined to sqlite_master instead of being called once per table.
 */
export async function introspectSqlite(conn: Connection): Promise<Snapshot> {
  const objects = await conn.query<ObjectRow>(OBJECTS_SQL);
  const columnRows = await conn.query<ColumnRow>(COLUMNS_SQL);
  const indexRows = await conn.query<IndexRow>(INDEXES_SQL);
  const fkRows = await conn.query<ForeignKeyRow>(FOREIGN_KEYS_SQL);

  const internal = objects.filter(isInternal);
  const internalNames = new Set(internal.map((o) => o.name));
  const tableNames = objects.filter((o) => o.type === 'table' && !internalNames.has(o.name)).map((o) => o.name);
  const sqlByIndex = new Map(objects.filter((o) => o.type === 'index' && o.sql).map((o) => [o.name, o.sql as string]));
  const byTable = (r: { tbl: string }) => r.tbl;
  const columnsByTable = groupBy(columnRows, byTable);
  const indexesByTable = groupBy(indexRows, byTable);
  const fksByTable = groupBy(fkRows, byTable);
  const pkOf = (t: string) =>
    (columnsByTable.get(t) ?? [])
      .filter((c) => c.pk > 0)
      .sort((a, b) => a.pk - b.pk)
      .map((c) => c.name);

  const tables: SnapshotTable[] = tableNames.map((name) => ({
    name,
    columns: (columnsByTable.get(name) ?? []).map(toColumn),
    indexes: toIndexes(indexesByTable.get(name) ?? [], sqlByIndex),
    foreignKeys: toForeignKeys(name, fksByTable.get(name) ?? [], pkOf),
  }));
  const views = objects
    .filter((o) => o.type === 'view')
    .map((o) => (o.sql ? { name: o.name, materialized: false, sql: viewSelect(o.sql) } : { name: o.name, materialized: false }));
  return { dialect: 'sqlite', tables, views, internal: internal.map((o) => o.name) };
}
