import {
  generatedName,
  type Connection,
  type IndexKeyToken,
  type ReferentialAction,
  type Snapshot,
  type SnapshotColumn,
  type SnapshotForeignKey,
  type SnapshotIndex,
  type SnapshotSearch,
  type SnapshotTable,
} from '@forge/core';
import { ftsTableName } from './compile.js';
import { FTS_TRIGGERS, ftsTrigger } from './facts.js';
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
const FOREIGN_KEYS_SQL = `SELECT m.name AS tbl, f.id, f."table" AS ref, f."from" AS col, f."to" AS refcol, f.on_delete AS ondelete, f.on_update AS onupdate
FROM sqlite_master AS m JOIN pragma_foreign_key_list(m.name) AS f
WHERE ${ORDINARY_TABLES} ORDER BY m.name, f.id DESC, f.seq`;

interface ObjectRow { type: string; name: string; tbl: string; sql: string | null; kind: string | null }
interface ColumnRow { tbl: string; name: string; type: string; required: number; dflt: string | null; pk: number }
interface IndexRow { tbl: string; idx: string; uniq: number; origin: string; seqno: number; cid: number; col: string | null; dsc: number }
interface ForeignKeyRow { tbl: string; id: number; ref: string; col: string; refcol: string | null; ondelete: string; onupdate: string }

const ON_DELETE: Record<string, ReferentialAction | 'setDefault'> = {
  CASCADE: 'cascade',
  RESTRICT: 'restrict',
  'SET NULL': 'setNull',
  'NO ACTION': 'noAction',
  'SET DEFAULT': 'setDefault',
};

/** The text of one quoted or bare token at the start of `text`, unquoted, and its length. */
function leadingToken(text: string): { value: string; length: number } | undefined {
  const open = text[0];
  const close = open === '[' ? ']' : open;
  if (open === '"' || open === "'" || open === '`' || open === '[') {
    let value = '';
    for (let i = 1; i < text.length; i++) {
      if (text[i] !== close) value += text[i];
      else if (close !== ']' && text[i + 1] === close) value += text[i++];
      else return { value, length: i + 1 };
    }
    return undefined;
  }
  const bare = /^[^\s=,()]+/.exec(text)?.[0];
  return bare ? { value: bare, length: bare.length } : undefined;
}

/** The top-level arguments of `USING fts5(...)` in a CREATE VIRTUAL TABLE statement, or undefined for another module. */
function fts5Arguments(sql: string): string[] | undefined {
  const head = /\busing\s+fts5\s*\(/i.exec(sql);
  if (!head) return undefined;
  const args: string[] = [];
  let current = '';
  let depth = 0;
  for (let i = head.index + head[0].length; i < sql.length; i++) {
    const c = sql[i];
    if (c === '"' || c === "'" || c === '`' || c === '[') {
      const token = leadingToken(sql.slice(i));
      if (!token) return undefined;
      current += sql.slice(i, i + token.length);
      i += token.length - 1;
    } else if (c === '(') {
      depth++;
      current += c;
    } else if (c === ')' && depth > 0) {
      depth--;
      current += c;
    } else if (c === ')' || (c === ',' && depth === 0)) {
      args.push(current.trim());
      current = '';
      if (c === ')') return args;
    } else {
      current += c;
    }
  }
  return undefined;
}

/** An FTS5 table's indexed columns and its options (`content`, `content_rowid`, ...), from its CREATE statement. */
function parseFts5(sql: string): { columns: string[]; options: Map<string, string> } | undefined {
  const args = fts5Arguments(sql);
  if (!args) return undefined;
  const columns: string[] = [];
  const options = new Map<string, string>();
  for (const arg of args) {
    const option = /^([A-Za-z_]+)\s*=\s*/.exec(arg);
    if (option) {
      options.set(option[1].toLowerCase(), leadingToken(arg.slice(option[0].length))?.value ?? '');
      continue;
    }
    const column = leadingToken(arg);
    if (column) columns.push(column.value);
  }
  return { columns, options };
}

/**
 * Which objects are not the user's, by SQLite's own rules and by what ddl.ts creates: SQLite's catalog
 * (`sqlite_*`, a prefix SQLite reserves), virtual tables and their shadow tables (pragma_table_list says
 * which), and forge's full-text objects: an FTS5 table `<t>_fts` with `content='<t>'` over an ordinary
 * table `<t>` (reported as `<t>`'s search object, with the columns it indexes), and the triggers
 * `<t>_fts_ai|ad|au` on `<t>`. Nothing else is taken for internal by its name.
 */
function recogniseInternal(objects: ObjectRow[]): { internal: Set<string>; search: SnapshotSearch[] } {
  const internal = new Set<string>();
  const ordinary = new Set(objects.filter((o) => o.type === 'table' && o.kind === 'table' && !o.name.startsWith('sqlite_')).map((o) => o.name));
  const found = new Map<string, { columns?: string[]; triggers: number }>();
  const entry = (table: string) => found.get(table) ?? found.set(table, { triggers: 0 }).get(table)!;
  for (const o of objects) {
    if (o.name.startsWith('sqlite_') || (o.type === 'table' && o.kind === 'shadow')) {
      internal.add(o.name);
    } else if (o.type === 'table' && o.kind === 'virtual') {
      // A virtual table's shape belongs to its module, which forge cannot declare: never the user's drift.
      internal.add(o.name);
      const fts = o.sql ? parseFts5(o.sql) : undefined;
      const content = fts?.options.get('content');
      if (!fts || !content || !ordinary.has(content) || o.name !== ftsTableName(content) || fts.options.get('content_rowid') !== 'rowid') continue;
      entry(content).columns = fts.columns;
    } else if (o.type === 'trigger' && ordinary.has(o.tbl) && FTS_TRIGGERS.some((k) => ftsTrigger(o.tbl, k) === o.name)) {
      internal.add(o.name);
      entry(o.tbl).triggers++;
    }
  }
  const search = [...found].map(([table, f]) => ({
    table,
    columns: f.columns ?? [],
    complete: f.columns !== undefined && f.triggers === FTS_TRIGGERS.length,
  }));
  return { internal, search };
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
      onUpdate: ON_DELETE[parts[0].onupdate] ?? parts[0].onupdate.toLowerCase(),
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

  const { internal, search } = recogniseInternal(objects);
  const tableNames = objects.filter((o) => o.type === 'table' && !internal.has(o.name)).map((o) => o.name);
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
  const snapshot: Snapshot = { dialect: 'sqlite', tables, views, internal: objects.filter((o) => internal.has(o.name)).map((o) => o.name) };
  if (search.length) snapshot.search = search;
  return snapshot;
}
