import type { Connection, IndexKeyToken, Snapshot, SnapshotColumn, SnapshotForeignKey, SnapshotIndex, SnapshotSearch, SnapshotTable, SnapshotView } from '@forge/core';
import { MYSQL_ENV } from './column-type.js';
import { searchIndexName } from './ddl.js';
import { atLeast, parseServerVersion, serverFeatures, type MysqlServer } from './server.js';

/**
 * Introspection reads information_schema of the connection's current database (`DATABASE()`) in seven
 * queries whatever the number of tables: the server and database first, then TABLES, COLUMNS, STATISTICS,
 * KEY_COLUMN_USAGE ⋈ REFERENTIAL_CONSTRAINTS, CHECK_CONSTRAINTS and VIEWS together. Where a catalog
 * column or table does not exist on the server (STATISTICS.EXPRESSION before MySQL 8.0.13 and on MariaDB,
 * CHECK_CONSTRAINTS on old servers) the same query selects NULL instead, so the count never changes.
 *
 * information_schema's column labels come back upper-case on MySQL 8 and lower-case on MariaDB, so every
 * selected column is aliased in lower case. Numbers may come back as strings (the driver reads BIGINT as a
 * string) and text as Buffers (binary collations), so every value is coerced.
 *
 * The ledger `_forge_migrations` is reported like any table: core ignores it by name (diff/ignore.ts), as
 * with Postgres.
 */

const SERVER = `SELECT VERSION() AS version, DATABASE() AS db`;

/** MariaDB reports system-versioned tables as their own type; sequences (MariaDB) are not tables. */
const TABLES = `
SELECT TABLE_NAME AS table_name, TABLE_TYPE AS table_type
FROM information_schema.TABLES
WHERE TABLE_SCHEMA = ? AND TABLE_TYPE IN ('BASE TABLE', 'SYSTEM VERSIONED', 'VIEW')`;

const COLUMNS = `
SELECT TABLE_NAME AS table_name, COLUMN_NAME AS column_name, ORDINAL_POSITION AS position,
       COLUMN_TYPE AS column_type, IS_NULLABLE AS is_nullable, COLUMN_DEFAULT AS column_default, EXTRA AS extra
FROM information_schema.COLUMNS
WHERE TABLE_SCHEMA = ?`;

const statistics = (expressions: boolean) => `
SELECT TABLE_NAME AS table_name, INDEX_NAME AS index_name, NON_UNIQUE AS non_unique, SEQ_IN_INDEX AS seq,
       COLUMN_NAME AS column_name, COLLATION AS collation, SUB_PART AS sub_part, INDEX_TYPE AS index_type,
       ${expressions ? 'EXPRESSION' : 'NULL'} AS expression
FROM information_schema.STATISTICS
WHERE TABLE_SCHEMA = ?`;

/** Constraint names are unique per table, so the join matches on the table too. */
const FOREIGN_KEYS = `
SELECT k.TABLE_NAME AS table_name, k.CONSTRAINT_NAME AS constraint_name, k.ORDINAL_POSITION AS position,
       k.COLUMN_NAME AS column_name, k.REFERENCED_TABLE_NAME AS ref_table, k.REFERENCED_COLUMN_NAME AS ref_column,
       r.DELETE_RULE AS delete_rule, r.UPDATE_RULE AS update_rule
FROM information_schema.KEY_COLUMN_USAGE k
JOIN information_schema.REFERENTIAL_CONSTRAINTS r
  ON r.CONSTRAINT_SCHEMA = k.CONSTRAINT_SCHEMA AND r.TABLE_NAME = k.TABLE_NAME AND r.CONSTRAINT_NAME = k.CONSTRAINT_NAME
WHERE k.TABLE_SCHEMA = ? AND k.REFERENCED_TABLE_NAME IS NOT NULL`;

/**
 * MariaDB's CHECK_CONSTRAINTS carries the table and whether the check was written on the column (`LEVEL`:
 * the automatic `json_valid()` of a JSON column is a column check named after the column). MySQL's carries
 * neither: check names are unique per schema there, and TABLE_CONSTRAINTS gives the table.
 */
const CHECKS_MARIADB = `
SELECT TABLE_NAME AS table_name, CONSTRAINT_NAME AS constraint_name, LEVEL AS level, CHECK_CLAUSE AS check_clause
FROM information_schema.CHECK_CONSTRAINTS
WHERE CONSTRAINT_SCHEMA = ?`;
const CHECKS_MYSQL = `
SELECT tc.TABLE_NAME AS table_name, cc.CONSTRAINT_NAME AS constraint_name, NULL AS level, cc.CHECK_CLAUSE AS check_clause
FROM information_schema.CHECK_CONSTRAINTS cc
JOIN information_schema.TABLE_CONSTRAINTS tc
  ON tc.CONSTRAINT_SCHEMA = cc.CONSTRAINT_SCHEMA AND tc.CONSTRAINT_NAME = cc.CONSTRAINT_NAME AND tc.CONSTRAINT_TYPE = 'CHECK'
WHERE cc.CONSTRAINT_SCHEMA = ?`;
/** Same shape, no rows: the server has no CHECK_CONSTRAINTS table (and enforces no checks). */
const CHECKS_NONE = `
SELECT NULL AS table_name, NULL AS constraint_name, NULL AS level, NULL AS check_clause FROM DUAL WHERE ? IS NULL AND FALSE`;

const VIEWS = `
SELECT TABLE_NAME AS table_name, VIEW_DEFINITION AS view_definition
FROM information_schema.VIEWS
WHERE TABLE_SCHEMA = ?`;

interface TableRow {
  table_name: string;
  table_type: string;
}
interface ColumnRow {
  table_name: string;
  column_name: string;
  position: number | string;
  column_type: string;
  is_nullable: string;
  column_default: string | null;
  extra: string | null;
}
interface StatisticsRow {
  table_name: string;
  index_name: string;
  non_unique: number | string;
  seq: number | string;
  column_name: string | null;
  collation: string | null;
  sub_part: number | string | null;
  index_type: string;
  expression: string | null;
}
interface ForeignKeyRow {
  table_name: string;
  constraint_name: string;
  position: number | string;
  column_name: string;
  ref_table: string;
  ref_column: string;
  delete_rule: string;
  update_rule: string;
}
interface CheckRow {
  table_name: string | null;
  constraint_name: string | null;
  level: string | null;
  check_clause: string | null;
}
interface ViewRow {
  table_name: string;
  view_definition: string | null;
}

/**
 * What a column with AUTO_INCREMENT reports as its default: its value comes from the server, as a
 * Postgres serial's `nextval(…)` default does. Not an SQL expression: an emitter re-adding the column
 * writes the AUTO_INCREMENT attribute, not `DEFAULT AUTO_INCREMENT`.
 */
export const AUTO_INCREMENT_DEFAULT = 'AUTO_INCREMENT';

/** The one form every spelling of "now" takes as a default (the precision is the column type's). */
export const CURRENT_TIMESTAMP_DEFAULT = 'CURRENT_TIMESTAMP';

/** REFERENTIAL_CONSTRAINTS rules in the IR's vocabulary (`ReferentialAction`). */
const RULES: Record<string, string> = { CASCADE: 'cascade', 'SET NULL': 'setNull', RESTRICT: 'restrict', 'NO ACTION': 'noAction', 'SET DEFAULT': 'setDefault' };

/** STATISTICS.INDEX_TYPE in forge's method names (`IndexMethod`). */
const METHODS: Record<string, string> = { BTREE: 'btree', HASH: 'hash', FULLTEXT: 'fulltext', SPATIAL: 'spatial', RTREE: 'spatial' };

/** information_schema values as text: BIGINT may come back as a string, binary-collated text as a Buffer. */
function text(v: unknown): string | null {
  if (v === null || v === undefined) return null;
  if (typeof v === 'string') return v;
  if (v instanceof Uint8Array) return Buffer.from(v).toString('utf8');
  return String(v);
}
function num(v: unknown): number {
  return Number(text(v));
}

/** Plain code-unit order: information_schema sorts by its own (case-insensitive) collation. */
function byName(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
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

/** Integer display widths (`int(11)`, MariaDB and MySQL before 8.0.19) carry no meaning except `tinyint(1)` and ZEROFILL. */
const DISPLAY_WIDTH = /^(tinyint|smallint|mediumint|int|integer|bigint)\(\d+\)/;

/** COLUMN_TYPE lower-cased, display widths dropped so MySQL 8 and MariaDB read the same. */
export function normalizeColumnType(columnType: string): string {
  const t = columnType.trim().toLowerCase();
  if (t.startsWith('tinyint(1)') || /\bzerofill\b/.test(t)) return t;
  return t.replace(DISPLAY_WIDTH, '$1');
}

const NOW = /^(current_timestamp|now|localtime|localtimestamp)\s*(\(\s*\d*\s*\))?$/i;
/** Types whose literal default MySQL 8 writes bare and MariaDB writes bare too (`0`, `1.50`, `b'1'`). */
const BARE_LITERAL = /^(tinyint|smallint|mediumint|int|integer|bigint|decimal|numeric|dec|fixed|float|double|real|year|bit|bool|boolean)\b/;
/** EXTRA of a generated column: `VIRTUAL GENERATED` / `STORED GENERATED` (MariaDB before 10.2: `VIRTUAL` / `PERSISTENT`). */
const GENERATED = /\b(virtual|stored|persistent)\b/i;

/** A string as a MySQL literal the way MariaDB writes defaults: quotes doubled, backslash escapes. */
export function quoteMysqlString(s: string): string {
  const escaped = s.replace(/[\0\n\r\x1a\\']/g, (c) => {
    switch (c) {
      case '\0':
        return '\\0';
      case '\n':
        return '\\n';
      case '\r':
        return '\\r';
      case '\x1a':
        return '\\Z';
      case '\\':
        return '\\\\';
      default:
        return "''";
    }
  });
  return `'${escaped}'`;
}

/**
 * A column's default as an SQL expression, the same on MySQL 8 and MariaDB: a string literal quoted
 * (`'it''s'`), a number bare (`0.00`), any spelling of now (`CURRENT_TIMESTAMP`, `current_timestamp()`,
 * `CURRENT_TIMESTAMP(3)`, `now()`) as `CURRENT_TIMESTAMP`, another expression as the server wrote it
 * (`uuid()`), no default (and `DEFAULT NULL`) as null, AUTO_INCREMENT as `AUTO_INCREMENT_DEFAULT`. A
 * generated column has no default.
 *
 * MariaDB (10.2.7+) writes COLUMN_DEFAULT as SQL already, string literals quoted and `NULL` for a nullable
 * column without a default; MySQL writes a literal's raw value and SQL NULL, and flags an expression
 * default (8.0.13+, CURRENT_TIMESTAMP included) with DEFAULT_GENERATED in EXTRA.
 */
export function normalizeColumnDefault(raw: string | null, column: { type: string; extra: string | null; flavor: MysqlServer['flavor'] }): string | null {
  const extra = column.extra ?? '';
  if (/\bauto_increment\b/i.test(extra)) return AUTO_INCREMENT_DEFAULT;
  if (GENERATED.test(extra)) return null;
  if (raw === null) return null;
  const value = raw.trim();
  if (column.flavor === 'mariadb') {
    if (value === 'NULL') return null;
    if (NOW.test(value)) return CURRENT_TIMESTAMP_DEFAULT;
    return value;
  }
  const type = column.type.toLowerCase();
  const expression = /\bdefault_generated\b/i.test(extra);
  // Before 8.0.13 there is no DEFAULT_GENERATED, and CURRENT_TIMESTAMP is the only expression a default may be.
  if ((expression || /^(datetime|timestamp)\b/.test(type)) && NOW.test(value)) return CURRENT_TIMESTAMP_DEFAULT;
  if (expression) return value;
  if (BARE_LITERAL.test(type)) return value;
  return quoteMysqlString(raw);
}

/** Whitespace out and lower case, on both sides alike (a column name may hold spaces). */
const squeeze = (s: string) => s.replace(/\s+/g, '').toLowerCase();

/** MariaDB's JSON: LONGTEXT with the column check `json_valid(\`col\`)` it adds itself. */
function jsonColumns(checks: CheckRow[]): Set<string> {
  const out = new Set<string>();
  for (const c of checks) {
    const table = text(c.table_name);
    const name = text(c.constraint_name);
    const clause = text(c.check_clause);
    if (table === null || name === null || clause === null) continue;
    if (c.level !== null && text(c.level)?.toLowerCase() !== 'column') continue;
    if (squeeze(clause) === squeeze(`json_valid(${quoteIdent(name)})`)) out.add(`${table}\0${name}`);
  }
  return out;
}

function quoteIdent(name: string): string {
  return '`' + name.replace(/`/g, '``') + '`';
}

function toColumn(row: ColumnRow, server: MysqlServer, primary: Set<string>, json: Set<string>): SnapshotColumn {
  const name = text(row.column_name)!;
  const table = text(row.table_name)!;
  const native = normalizeColumnType(text(row.column_type) ?? '');
  const isJson = server.flavor === 'mariadb' && native === 'longtext' && json.has(`${table}\0${name}`);
  const extra = text(row.extra);
  return {
    name,
    type: isJson ? 'json' : native,
    nullable: text(row.is_nullable) === 'YES',
    primaryKey: primary.has(name),
    default: normalizeColumnDefault(text(row.column_default), { type: native, extra, flavor: server.flavor }),
  };
}

/** One index from its STATISTICS rows (SEQ_IN_INDEX order). A prefix length (SUB_PART) is not kept. */
function toIndex(name: string, rows: StatisticsRow[]): SnapshotIndex {
  const columns: string[] = [];
  const directions: IndexKeyToken[] = [];
  const expressions: string[] = [];
  let ordered = true;
  for (const r of rows) {
    const column = text(r.column_name);
    const expression = text(r.expression);
    if (column === null) {
      if (expression !== null) expressions.push(expression);
      continue;
    }
    columns.push(column);
    const collation = text(r.collation);
    if (collation === null) ordered = false;
    directions.push(collation === 'D' ? -1 : 1);
  }
  const type = (text(rows[0].index_type) ?? 'BTREE').toUpperCase();
  const ix: SnapshotIndex = { name, columns, unique: num(rows[0].non_unique) === 0, primary: false, method: METHODS[type] ?? type.toLowerCase() };
  // FULLTEXT, SPATIAL and HASH keys have no order (COLLATION is NULL): no directions to compare.
  if (ordered) ix.directions = directions;
  if (expressions.length) ix.expression = expressions.join(', ');
  return ix;
}

function toForeignKey(name: string, rows: ForeignKeyRow[]): SnapshotForeignKey {
  const rule = (text(rows[0].delete_rule) ?? '').toUpperCase();
  const update = (text(rows[0].update_rule) ?? '').toUpperCase();
  return {
    name,
    columns: rows.map((r) => text(r.column_name)!),
    refTable: text(rows[0].ref_table)!,
    refColumns: rows.map((r) => text(r.ref_column)!),
    onDelete: RULES[rule] ?? rule.toLowerCase(),
    onUpdate: RULES[update] ?? update.toLowerCase(),
  };
}

/** The view's SELECT without the `current_db`. qualifiers the server writes on every column. */
function viewSql(definition: string | null, db: string): string | undefined {
  if (definition === null || definition === '') return undefined;
  return definition.split(`${quoteIdent(db)}.`).join('').trim();
}

/** CHECK_CONSTRAINTS exists from MySQL 8.0.16 and MariaDB 10.2.22 / 10.3.10. */
function hasCheckCatalog(s: MysqlServer): boolean {
  if (s.flavor === 'mysql') return atLeast(s, 8, 0, 16);
  return atLeast(s, 10, 3, 10) || (s.major === 10 && s.minor === 2 && s.patch >= 22);
}

/**
 * forge's search object on `table`, recognised exactly as ddl.ts creates it: the FULLTEXT index named
 * `searchIndexName(table)`. Its columns stay the user's columns; the index is not reported as theirs.
 */
function searchOf(table: string, indexes: Map<string, StatisticsRow[]>): SnapshotSearch | undefined {
  const rows = indexes.get(searchIndexName(table));
  if (!rows || (text(rows[0].index_type) ?? '').toUpperCase() !== 'FULLTEXT') return undefined;
  return { table, columns: rows.map((r) => text(r.column_name)).filter((c): c is string => c !== null), complete: true };
}

export async function introspectMysql(conn: Connection): Promise<Snapshot> {
  const [head] = await conn.query<{ version: unknown; db: unknown }>(SERVER);
  const db = text(head?.db);
  if (db === null) throw new Error('No database selected: name the database in the connection URL (mysql://host/db) so forge knows which one to read');
  const server = parseServerVersion(text(head.version) ?? '');
  const checks = !hasCheckCatalog(server) ? CHECKS_NONE : server.flavor === 'mariadb' ? CHECKS_MARIADB : CHECKS_MYSQL;
  const [tableRows, columnRows, statRows, fkRows, checkRows, viewRows] = await Promise.all([
    conn.query<TableRow>(TABLES, [db]),
    conn.query<ColumnRow>(COLUMNS, [db]),
    conn.query<StatisticsRow>(statistics(server.flavor === 'mysql' && atLeast(server, 8, 0, 13)), [db]),
    conn.query<ForeignKeyRow>(FOREIGN_KEYS, [db]),
    conn.query<CheckRow>(checks, [db]),
    conn.query<ViewRow>(VIEWS, [db]),
  ]);

  const columnsOf = groupBy(columnRows, (r) => text(r.table_name)!);
  const statsOf = groupBy(statRows, (r) => text(r.table_name)!);
  const fksOf = groupBy(fkRows, (r) => text(r.table_name)!);
  const viewOf = new Map(viewRows.map((v) => [text(v.table_name)!, text(v.view_definition)]));
  const json = server.flavor === 'mariadb' ? jsonColumns(checkRows) : new Set<string>();

  // MySQL has no extensions; the server's features ride in their place for the DDL emitter (see column-type.ts).
  const features = serverFeatures(server);
  const extensions = [
    ...(features.sridColumns ? [MYSQL_ENV.srid] : []),
    ...(features.functionalIndexes ? [MYSQL_ENV.functionalIndexes] : []),
    ...(features.instantAddColumn ? [MYSQL_ENV.instantAddColumn] : []),
  ];
  const snapshot: Snapshot = { dialect: 'mysql', tables: [], views: [], internal: [], extensions };
  const relations = tableRows.map((r) => ({ name: text(r.table_name)!, type: (text(r.table_type) ?? '').toUpperCase() })).sort((a, b) => byName(a.name, b.name));
  for (const rel of relations) {
    if (rel.type === 'VIEW') {
      const view: SnapshotView = { name: rel.name, materialized: false };
      const sql = viewSql(viewOf.get(rel.name) ?? null, db);
      if (sql !== undefined) view.sql = sql;
      snapshot.views.push(view);
      continue;
    }
    const stats = [...(statsOf.get(rel.name) ?? [])].sort((a, b) => byName(text(a.index_name)!, text(b.index_name)!) || num(a.seq) - num(b.seq));
    const byIndex = groupBy(stats, (r) => text(r.index_name)!);
    const primary = new Set((byIndex.get('PRIMARY') ?? []).map((r) => text(r.column_name)).filter((c): c is string => c !== null));
    const search = searchOf(rel.name, byIndex);
    const indexes: SnapshotIndex[] = [];
    for (const [name, rows] of byIndex) {
      if (name === 'PRIMARY' || (search && name === searchIndexName(rel.name))) continue;
      indexes.push(toIndex(name, rows));
    }
    const fks = [...(fksOf.get(rel.name) ?? [])].sort((a, b) => byName(text(a.constraint_name)!, text(b.constraint_name)!) || num(a.position) - num(b.position));
    const foreignKeys = [...groupBy(fks, (r) => text(r.constraint_name)!)].map(([name, rows]) => toForeignKey(name, rows));
    const columns = [...(columnsOf.get(rel.name) ?? [])].sort((a, b) => num(a.position) - num(b.position)).map((c) => toColumn(c, server, primary, json));
    const table: SnapshotTable = { name: rel.name, columns, indexes, foreignKeys };
    snapshot.tables.push(table);
    if (search) (snapshot.search ??= []).push(search);
  }
  return snapshot;
}
