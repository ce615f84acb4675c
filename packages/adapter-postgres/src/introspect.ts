import type { Connection, IndexKeyToken, Snapshot, SnapshotColumn, SnapshotForeignKey, SnapshotIndex, SnapshotSearch, SnapshotTable } from '@forge/core';
import { FTS_COLUMN } from './compile.js';
import { searchIndexName } from './ddl.js';

/**
 * Introspection reads pg_catalog in seven queries whatever the number of tables, each restricted to the
 * connection's `current_schema()`: a tenant pool with its own `search_path` sees only its own tables.
 * Arrays come back as JSON, which pg and postgres.js parse alike (postgres.js reads int2[] and NULL array
 * elements its own way).
 */

const RELATIONS = `
SELECT c.relname AS name, c.relkind AS kind, c.relispartition AS partition,
       EXISTS (SELECT 1 FROM pg_depend d
               WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.deptype = 'e') AS extension_owned,
       CASE WHEN c.relkind IN ('v', 'm') THEN pg_get_viewdef(c.oid, true) END AS sql
FROM pg_class c
JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p', 'v', 'm')
ORDER BY c.relname`;

/**
 * A generated column's expression sits in pg_attrdef too; it is not a default. For a stored generated
 * column, `generated_from` lists the columns its expression reads (pg_depend of its pg_attrdef row): that
 * is how forge's search column tells which columns it indexes.
 */
const COLUMNS = `
SELECT c.relname AS table, a.attname AS name,
       CASE WHEN ty.typtype = 'e' THEN format_type(a.atttypid, a.atttypmod) ELSE lower(format_type(a.atttypid, a.atttypmod)) END AS type,
       CASE WHEN ty.typtype = 'e' AND ty.typnamespace = n.oid THEN ty.typname::text END AS enum_type,
       NOT a.attnotnull AS nullable,
       CASE WHEN a.attgenerated = '' THEN pg_get_expr(ad.adbin, ad.adrelid) END AS default,
       COALESCE(a.attnum = ANY (pk.indkey::int2[]), false) AS primary_key,
       CASE WHEN a.attgenerated = 's' THEN to_json(ARRAY(
         SELECT sa.attname::text FROM pg_depend d
         JOIN pg_attribute sa ON sa.attrelid = d.refobjid AND sa.attnum = d.refobjsubid
         WHERE d.classid = 'pg_attrdef'::regclass AND d.objid = ad.oid AND d.refclassid = 'pg_class'::regclass
           AND d.refobjid = ad.adrelid AND d.refobjsubid > 0 AND d.refobjsubid <> ad.adnum
         ORDER BY sa.attnum)) END AS generated_from
FROM pg_attribute a
JOIN pg_class c ON c.oid = a.attrelid
JOIN pg_namespace n ON n.oid = c.relnamespace
JOIN pg_type ty ON ty.oid = a.atttypid
LEFT JOIN pg_attrdef ad ON ad.adrelid = a.attrelid AND ad.adnum = a.attnum
LEFT JOIN pg_index pk ON pk.indrelid = c.oid AND pk.indisprimary
WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p') AND a.attnum > 0 AND NOT a.attisdropped
ORDER BY c.relname, a.attnum`;

/** Key positions with attnum 0 are expressions (a null column); positions past indnkeyatts are INCLUDE columns. */
const INDEXES = `
SELECT t.relname AS table, i.relname AS name, am.amname AS method, x.indisunique AS unique,
       x.indisprimary AS primary, x.indnkeyatts AS key_count,
       to_json(ARRAY(SELECT a.attname::text
             FROM unnest(x.indkey::int2[]) WITH ORDINALITY k(attnum, ord)
             LEFT JOIN pg_attribute a ON a.attrelid = x.indrelid AND a.attnum = k.attnum
             ORDER BY k.ord)) AS columns,
       to_json(ARRAY(SELECT pg_get_indexdef(x.indexrelid, k.ord::int, true)
             FROM unnest(x.indkey::int2[]) WITH ORDINALITY k(attnum, ord)
             WHERE k.attnum = 0 ORDER BY k.ord)) AS expressions,
       to_json(x.indoption::int2[]) AS options,
       pg_get_expr(x.indpred, x.indrelid) AS predicate
FROM pg_index x
JOIN pg_class i ON i.oid = x.indexrelid
JOIN pg_class t ON t.oid = x.indrelid
JOIN pg_namespace n ON n.oid = t.relnamespace
JOIN pg_am am ON am.oid = i.relam
WHERE n.nspname = current_schema() AND t.relkind IN ('r', 'p')
ORDER BY t.relname, i.relname`;

const FOREIGN_KEYS = `
SELECT t.relname AS table, con.conname AS name,
       to_json(ARRAY(SELECT a.attname::text FROM unnest(con.conkey) WITH ORDINALITY k(attnum, ord)
             JOIN pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = k.attnum ORDER BY k.ord)) AS columns,
       r.relname AS ref_table,
       to_json(ARRAY(SELECT a.attname::text FROM unnest(con.confkey) WITH ORDINALITY k(attnum, ord)
             JOIN pg_attribute a ON a.attrelid = con.confrelid AND a.attnum = k.attnum ORDER BY k.ord)) AS ref_columns,
       con.confdeltype AS on_delete, con.confupdtype AS on_update
FROM pg_constraint con
JOIN pg_class t ON t.oid = con.conrelid
JOIN pg_namespace n ON n.oid = t.relnamespace
JOIN pg_class r ON r.oid = con.confrelid
WHERE con.contype = 'f' AND n.nspname = current_schema()
ORDER BY t.relname, con.conname`;

/** CHECKs on one column: a value list among them is how forge enforces an `f.enum` (`CHECK (col IN (...))`). */
const CHECKS = `
SELECT t.relname AS table, a.attname AS column, con.conname AS name, pg_get_constraintdef(con.oid) AS definition
FROM pg_constraint con
JOIN pg_class t ON t.oid = con.conrelid
JOIN pg_namespace n ON n.oid = t.relnamespace
JOIN pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = con.conkey[1]
WHERE con.contype = 'c' AND n.nspname = current_schema() AND cardinality(con.conkey) = 1
ORDER BY t.relname, con.conname`;

const EXTENSIONS = `SELECT extname AS name FROM pg_extension ORDER BY extname`;

/**
 * Enum types of the schema with their values in sort order (pg_enum.enumsortorder: a value added BEFORE another
 * sorts before it). An extension's own types are not the user's.
 */
const ENUM_TYPES = `
SELECT t.typname::text AS name,
       to_json(ARRAY(SELECT e.enumlabel::text FROM pg_enum e WHERE e.enumtypid = t.oid ORDER BY e.enumsortorder)) AS values
FROM pg_type t
JOIN pg_namespace n ON n.oid = t.typnamespace
WHERE t.typtype = 'e' AND n.nspname = current_schema()
  AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_type'::regclass AND d.objid = t.oid AND d.deptype = 'e')
ORDER BY t.typname`;

interface RelationRow {
  name: string;
  kind: 'r' | 'p' | 'v' | 'm';
  partition: boolean;
  extension_owned: boolean;
  sql: string | null;
}
interface ColumnRow {
  table: string;
  name: string;
  type: string;
  nullable: boolean;
  default: string | null;
  primary_key: boolean;
  generated_from: string[] | null;
  enum_type: string | null;
}
interface IndexRow {
  table: string;
  name: string;
  method: string;
  unique: boolean;
  primary: boolean;
  key_count: number;
  columns: Array<string | null>;
  expressions: string[];
  options: number[];
  predicate: string | null;
}
interface ForeignKeyRow {
  table: string;
  name: string;
  columns: string[];
  ref_table: string;
  ref_columns: string[];
  on_delete: string;
  on_update: string;
}
interface CheckRow {
  table: string;
  column: string;
  name: string;
  definition: string;
}

/** A string literal as Postgres prints it back, with an optional cast (`'a'::text`, `'b'::character varying`). */
const LITERAL = String.raw`'((?:[^']|'')*)'(?:::[a-z][a-z ]*(?:\[\])?)?`;
const LIST = new RegExp(String.raw`^ARRAY\[\s*${LITERAL}(?:\s*,\s*${LITERAL})*\s*\]$`);
const EACH = new RegExp(LITERAL, 'g');

/** Remove the parentheses that wrap the whole of `text` (`((x))` is `x`, `(a) = (b)` stays). */
function unwrap(text: string): string {
  let t = text.trim();
  for (;;) {
    if (!t.startsWith('(') || !t.endsWith(')')) return t;
    let depth = 0;
    // Inside a string literal or a quoted identifier (`") "` is a column name), a parenthesis is text. A doubled
    // quote toggles twice, so it needs no case of its own.
    let quote = '';
    for (let i = 0; i < t.length; i++) {
      const ch = t[i];
      if (quote) {
        if (ch === quote) quote = '';
        continue;
      }
      if (ch === "'" || ch === '"') {
        quote = ch;
        continue;
      }
      if (ch === '(') depth++;
      else if (ch === ')' && --depth === 0 && i < t.length - 1) return t;
    }
    t = t.slice(1, -1).trim();
  }
}

/** Whether `expr` names `column`: bare, quoted, or cast (`(status)::text`). */
function namesColumn(expr: string, column: string): boolean {
  const e = unwrap(expr.replace(/::[a-z][a-z ]*$/, ''));
  return e === column || e === `"${column.replace(/"/g, '""')}"`;
}

/**
 * The values of a CHECK that limits `column` to a list, from pg_get_constraintdef's spelling: Postgres stores
 * `col IN ('a', 'b')` as `col = ANY (ARRAY['a'::text, 'b'::text])` (a varchar column is cast on both sides), and
 * a list of one as `col = 'a'::text`. Anything else (another operator, an OR, a function) is not a value list.
 */
export function checkValues(definition: string, column: string): string[] | undefined {
  const m = /^CHECK\s*(\(.*\))(?:\s+NOT VALID)?$/s.exec(definition.trim());
  if (!m) return undefined;
  const body = unwrap(m[1]);
  const any = /^(.+?)\s*=\s*ANY\s*(\(.*\))$/s.exec(body);
  const values = (text: string) => [...text.matchAll(EACH)].map((x) => x[1].replace(/''/g, "'"));
  if (any) {
    if (!namesColumn(any[1], column)) return undefined;
    const list = unwrap(unwrap(any[2]).replace(/::[a-z][a-z ]*\[\]$/, ''));
    return LIST.test(list) ? values(list) : undefined;
  }
  const one = new RegExp(String.raw`^(.+?)\s*=\s*(${LITERAL})$`, 's').exec(body);
  if (one && namesColumn(one[1], column)) return values(one[2]);
  return undefined;
}

/** pg_constraint.confdeltype and confupdtype in the IR's vocabulary (`ReferentialAction`). */
const ON_DELETE: Record<string, string> = { a: 'noAction', r: 'restrict', c: 'cascade', n: 'setNull', d: 'setDefault' };

/** pg_index.indoption bit for a descending key. */
const INDOPTION_DESC = 1;

function toIndex(row: IndexRow): SnapshotIndex {
  const keys = row.columns.slice(0, row.key_count);
  const columns: string[] = [];
  const directions: IndexKeyToken[] = [];
  keys.forEach((name, i) => {
    if (name === null) return;
    columns.push(name);
    directions.push(row.options[i] & INDOPTION_DESC ? -1 : 1);
  });
  const ix: SnapshotIndex = { name: row.name, columns, directions, unique: row.unique, primary: row.primary, method: row.method };
  const include = row.columns.slice(row.key_count).filter((c): c is string => c !== null);
  if (include.length) ix.include = include;
  if (row.predicate) ix.where = row.predicate;
  if (row.expressions.length) ix.expression = row.expressions.join(', ');
  return ix;
}

function toColumn(row: ColumnRow, checks: CheckRow[]): SnapshotColumn {
  const col: SnapshotColumn = { name: row.name, type: row.type, nullable: row.nullable, primaryKey: row.primary_key, default: row.default };
  if (row.enum_type) col.enumType = row.enum_type;
  for (const c of checks) {
    if (c.column !== row.name) continue;
    const values = checkValues(c.definition, row.name);
    if (values) {
      col.enumCheck = { name: c.name, values };
      break;
    }
  }
  return col;
}

function toForeignKey(row: ForeignKeyRow): SnapshotForeignKey {
  return { name: row.name, columns: row.columns, refTable: row.ref_table, refColumns: row.ref_columns, onDelete: ON_DELETE[row.on_delete] ?? row.on_delete, onUpdate: ON_DELETE[row.on_update] ?? row.on_update };
}

function groupBy<R extends { table: string }>(rows: R[]): Map<string, R[]> {
  const out = new Map<string, R[]>();
  for (const r of rows) {
    const list = out.get(r.table);
    if (list) list.push(r);
    else out.set(r.table, [r]);
  }
  return out;
}

/**
 * Extension-owned relations (PostGIS's spatial_ref_sys and its views) and partitions of a partitioned table
 * are listed in `internal`, never as the user's tables or views.
 */
export async function introspectPostgres(conn: Connection): Promise<Snapshot> {
  const [relations, columns, indexes, fks, extensions, checks, enumTypes] = await Promise.all([
    conn.query<RelationRow>(RELATIONS),
    conn.query<ColumnRow>(COLUMNS),
    conn.query<IndexRow>(INDEXES),
    conn.query<ForeignKeyRow>(FOREIGN_KEYS),
    conn.query<{ name: string }>(EXTENSIONS),
    conn.query<CheckRow>(CHECKS),
    conn.query<{ name: string; values: string[] }>(ENUM_TYPES),
  ]);
  const checksOf = groupBy(checks);
  const columnsOf = groupBy(columns);
  const indexesOf = groupBy(indexes);
  const fksOf = groupBy(fks);
  const snapshot: Snapshot = { dialect: 'postgres', tables: [], views: [], internal: [], extensions: extensions.map((e) => e.name), enumChecksRead: true, enumTypes: enumTypes.map((t) => ({ name: t.name, values: t.values })) };
  for (const rel of relations) {
    if (rel.extension_owned || rel.partition) {
      snapshot.internal!.push(rel.name);
    } else if (rel.kind === 'v' || rel.kind === 'm') {
      snapshot.views.push({ name: rel.name, materialized: rel.kind === 'm', sql: rel.sql?.trim() });
    } else {
      const columns = columnsOf.get(rel.name) ?? [];
      const indexes = indexesOf.get(rel.name) ?? [];
      const search = searchOf(rel.name, columns, indexes);
      const table: SnapshotTable = {
        name: rel.name,
        columns: columns.filter((c) => !search?.parts.includes(c)).map((c) => toColumn(c, checksOf.get(rel.name) ?? [])),
        indexes: indexes.filter((i) => !search?.parts.includes(i)).map(toIndex),
        foreignKeys: (fksOf.get(rel.name) ?? []).map(toForeignKey),
      };
      snapshot.tables.push(table);
      if (search) (snapshot.search ??= []).push(search.search);
    }
  }
  return snapshot;
}

/**
 * forge's search object on `table`, recognised exactly as ddl.ts creates it: a stored generated tsvector
 * column named forge_fts, and a GIN index named for the table on that column alone. Its parts are not
 * the user's columns and indexes. A plain column that happens to be called forge_fts is not it.
 */
function searchOf(table: string, columns: ColumnRow[], indexes: IndexRow[]): { search: SnapshotSearch; parts: unknown[] } | undefined {
  const column = columns.find((c) => c.name === FTS_COLUMN && c.type === 'tsvector' && c.generated_from !== null);
  if (!column) return undefined;
  const index = indexes.find((i) => i.name === searchIndexName(table) && i.method === 'gin' && i.columns.length === 1 && i.columns[0] === FTS_COLUMN);
  const parts: unknown[] = index ? [column, index] : [column];
  return { search: { table, columns: column.generated_from ?? [], complete: index !== undefined }, parts };
}
