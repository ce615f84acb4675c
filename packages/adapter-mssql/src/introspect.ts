import type { Connection, IndexKeyToken, Snapshot, SnapshotColumn, SnapshotForeignKey, SnapshotIndex, SnapshotTable, SnapshotView } from '@forge/core';
import { MSSQL_ENV } from './column-type.js';

/**
 * Introspection reads the catalog views of the connection's default schema (`SCHEMA_ID()`, dbo for most logins)
 * in six queries whatever the number of tables: the server and schema first, then sys.tables with sys.views
 * (and their sys.sql_modules text), sys.columns ⋈ sys.types with each column's sys.default_constraints row,
 * sys.indexes ⋈ sys.index_columns (filters, INCLUDE columns, descending keys), sys.foreign_keys ⋈
 * sys.foreign_key_columns, and sys.check_constraints. No parameters: everything is scoped by SCHEMA_ID().
 *
 * The ledger `_forge_migrations` is reported like any table: core ignores it by name.
 */

export const SERVER = `SELECT SCHEMA_NAME() AS schema_name, DB_NAME() AS db,
  CAST(SERVERPROPERTY('ProductVersion') AS nvarchar(128)) AS version,
  CAST(CASE WHEN EXISTS (SELECT 1 FROM sys.types WHERE name = N'vector' AND is_user_defined = 0) THEN 1 ELSE 0 END AS bit) AS has_vector`;

export const RELATIONS = `SELECT t.name AS name, N'U' AS kind, CAST(NULL AS nvarchar(max)) AS definition
FROM sys.tables AS t WHERE t.schema_id = SCHEMA_ID() AND t.is_ms_shipped = 0
UNION ALL
SELECT v.name, N'V', m.definition
FROM sys.views AS v LEFT JOIN sys.sql_modules AS m ON m.object_id = v.object_id
WHERE v.schema_id = SCHEMA_ID() AND v.is_ms_shipped = 0`;

export const COLUMNS = `SELECT o.name AS table_name, c.name AS column_name, c.column_id, ty.name AS type_name,
  CAST(ty.is_user_defined AS bit) AS is_user_defined, bt.name AS base_type,
  c.max_length, c.precision, c.scale, c.is_nullable, c.is_identity, c.is_computed,
  d.name AS default_name, d.definition AS default_definition
FROM sys.columns AS c
JOIN sys.objects AS o ON o.object_id = c.object_id
JOIN sys.types AS ty ON ty.user_type_id = c.user_type_id
LEFT JOIN sys.types AS bt ON bt.user_type_id = c.system_type_id
LEFT JOIN sys.default_constraints AS d ON d.parent_object_id = c.object_id AND d.parent_column_id = c.column_id
WHERE o.schema_id = SCHEMA_ID() AND o.type IN ('U', 'V') AND o.is_ms_shipped = 0`;

/** Heaps (type 0) and hypothetical indexes are no indexes; XML and columnstore ones are reported by their type. */
export const INDEXES = `SELECT t.name AS table_name, i.name AS index_name, i.index_id, i.type_desc, i.is_unique, i.is_primary_key,
  i.is_unique_constraint, i.has_filter, i.filter_definition, ic.key_ordinal, ic.index_column_id, ic.is_included_column,
  ic.is_descending_key, c.name AS column_name
FROM sys.indexes AS i
JOIN sys.tables AS t ON t.object_id = i.object_id
JOIN sys.index_columns AS ic ON ic.object_id = i.object_id AND ic.index_id = i.index_id
JOIN sys.columns AS c ON c.object_id = ic.object_id AND c.column_id = ic.column_id
WHERE t.schema_id = SCHEMA_ID() AND t.is_ms_shipped = 0 AND i.type > 0 AND i.is_hypothetical = 0`;

export const FOREIGN_KEYS = `SELECT t.name AS table_name, fk.name AS constraint_name, fkc.constraint_column_id AS position,
  pc.name AS column_name, rt.name AS ref_table, rc.name AS ref_column, fk.delete_referential_action_desc AS delete_rule
FROM sys.foreign_keys AS fk
JOIN sys.tables AS t ON t.object_id = fk.parent_object_id
JOIN sys.tables AS rt ON rt.object_id = fk.referenced_object_id
JOIN sys.foreign_key_columns AS fkc ON fkc.constraint_object_id = fk.object_id
JOIN sys.columns AS pc ON pc.object_id = fkc.parent_object_id AND pc.column_id = fkc.parent_column_id
JOIN sys.columns AS rc ON rc.object_id = fkc.referenced_object_id AND rc.column_id = fkc.referenced_column_id
WHERE t.schema_id = SCHEMA_ID()`;

export const CHECKS = `SELECT t.name AS table_name, cc.name AS constraint_name, c.name AS column_name, cc.definition
FROM sys.check_constraints AS cc
JOIN sys.tables AS t ON t.object_id = cc.parent_object_id
LEFT JOIN sys.columns AS c ON c.object_id = cc.parent_object_id AND c.column_id = cc.parent_column_id
WHERE t.schema_id = SCHEMA_ID()`;

export interface ServerRow {
  schema_name: string | null;
  db: string | null;
  version: string | null;
  has_vector: boolean | number | null;
}
export interface RelationRow {
  name: string;
  kind: string;
  definition: string | null;
}
export interface ColumnRow {
  table_name: string;
  column_name: string;
  column_id: number;
  type_name: string;
  is_user_defined: boolean | number;
  base_type: string | null;
  max_length: number;
  precision: number;
  scale: number;
  is_nullable: boolean | number;
  is_identity: boolean | number;
  is_computed: boolean | number;
  default_name: string | null;
  default_definition: string | null;
}
export interface IndexRow {
  table_name: string;
  index_name: string | null;
  index_id: number;
  type_desc: string;
  is_unique: boolean | number;
  is_primary_key: boolean | number;
  is_unique_constraint: boolean | number;
  has_filter: boolean | number;
  filter_definition: string | null;
  key_ordinal: number;
  index_column_id: number;
  is_included_column: boolean | number;
  is_descending_key: boolean | number;
  column_name: string;
}
export interface ForeignKeyRow {
  table_name: string;
  constraint_name: string;
  position: number;
  column_name: string;
  ref_table: string;
  ref_column: string;
  delete_rule: string;
}
export interface CheckRow {
  table_name: string;
  constraint_name: string;
  column_name: string | null;
  definition: string | null;
}

/** The rows of one introspection, as the six catalog queries return them (what the tests record). */
export interface CatalogRows {
  server: ServerRow;
  relations: RelationRow[];
  columns: ColumnRow[];
  indexes: IndexRow[];
  foreignKeys: ForeignKeyRow[];
  checks: CheckRow[];
}

/**
 * Tables SQL Server's own tools create in a user database and do not mark is_ms_shipped: SSMS's database
 * diagrams (`sysdiagrams`, created the first time someone opens the diagrams folder). Reported as internal.
 */
export const TOOL_TABLES: ReadonlySet<string> = new Set(['sysdiagrams']);

/** What a column with IDENTITY reports as its default: its value comes from the server, as a serial's does. */
export const IDENTITY_DEFAULT = 'IDENTITY';

/** sys.foreign_keys.delete_referential_action_desc in the IR's vocabulary. */
const RULES: Record<string, string> = { NO_ACTION: 'noAction', CASCADE: 'cascade', SET_NULL: 'setNull', SET_DEFAULT: 'setDefault' };

/** sys.indexes.type_desc in forge's method names. */
const METHODS: Record<string, string> = { CLUSTERED: 'btree', NONCLUSTERED: 'btree', SPATIAL: 'spatial', XML: 'xml', 'CLUSTERED COLUMNSTORE': 'columnstore', 'NONCLUSTERED COLUMNSTORE': 'columnstore', NONCLUSTERED_HASH: 'hash' };

const yes = (v: unknown): boolean => v === true || v === 1 || v === '1';

function byName(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function groupBy<R>(rows: readonly R[], key: (r: R) => string): Map<string, R[]> {
  const out = new Map<string, R[]>();
  for (const r of rows) {
    const k = key(r);
    const list = out.get(k);
    if (list) list.push(r);
    else out.set(k, [r]);
  }
  return out;
}

/** Types whose length is in characters of two bytes (sys.columns.max_length counts bytes). */
const WIDE = new Set(['nchar', 'nvarchar']);
const LENGTHED = new Set(['char', 'varchar', 'binary', 'varbinary', 'nchar', 'nvarchar']);
const SCALED = new Set(['datetime2', 'time', 'datetimeoffset']);

/**
 * The type as forge spells it, lower-case, from sys.types and sys.columns: `nvarchar(255)`, `nvarchar(max)`,
 * `decimal(12,2)`, `datetime2(3)`, `float`, `uniqueidentifier`. A user-defined alias type is reported by its
 * base type.
 */
export function columnTypeOf(r: Pick<ColumnRow, 'type_name' | 'is_user_defined' | 'base_type' | 'max_length' | 'precision' | 'scale'>): string {
  const name = (yes(r.is_user_defined) && r.base_type ? r.base_type : r.type_name).toLowerCase();
  if (LENGTHED.has(name)) {
    if (r.max_length === -1) return `${name}(max)`;
    return `${name}(${WIDE.has(name) ? r.max_length / 2 : r.max_length})`;
  }
  if (name === 'decimal' || name === 'numeric') return `${name}(${r.precision},${r.scale})`;
  if (SCALED.has(name)) return `${name}(${r.scale})`;
  return name;
}

/** `(isjson([meta])=(1))`, the check forge gives a json column (with or without the ISJSON type argument). */
function isJsonCheck(definition: string | null, column: string): boolean {
  if (!definition) return false;
  const s = definition.replace(/\s+/g, '').toLowerCase();
  const col = `[${column.replace(/]/g, ']]')}]`.toLowerCase();
  return s === `(isjson(${col})=(1))` || s === `(isjson(${col})=1)`;
}

/** The default's definition as the catalog keeps it (`((0))`, `(N'member')`, `(sysutcdatetime())`), parentheses kept. */
function defaultOf(r: ColumnRow): string | null {
  if (yes(r.is_identity)) return IDENTITY_DEFAULT;
  if (yes(r.is_computed)) return null;
  return r.default_definition ?? null;
}

function toColumn(r: ColumnRow, primary: Set<string>, json: Set<string>): SnapshotColumn {
  const type = columnTypeOf(r);
  return {
    name: r.column_name,
    type: type === 'nvarchar(max)' && json.has(r.column_name) ? 'json' : type,
    nullable: yes(r.is_nullable),
    primaryKey: primary.has(r.column_name),
    default: defaultOf(r),
  };
}

/** `([a] IS NOT NULL AND [b] IS NOT NULL)` over exactly the NULL-able key columns: forge's filter for a unique index. */
function isForgeNotNullFilter(filter: string, keys: string[], nullable: Set<string>): boolean {
  const wanted = keys.filter((k) => nullable.has(k));
  if (wanted.length === 0) return false;
  const s = filter.replace(/\s+/g, ' ').trim().replace(/^\((.*)\)$/, '$1').trim();
  const parts = s.split(/ AND /i).map((p) => p.trim().replace(/^\((.*)\)$/, '$1').trim());
  if (parts.length !== wanted.length) return false;
  const seen = new Set<string>();
  for (const p of parts) {
    const m = /^\[((?:[^\]]|\]\])+)\] IS NOT NULL$/i.exec(p);
    if (!m) return false;
    seen.add(m[1].replace(/]]/g, ']'));
  }
  return wanted.every((k) => seen.has(k));
}

function toIndex(name: string, rows: IndexRow[], nullable: Set<string>): SnapshotIndex {
  const keyRows = rows.filter((r) => !yes(r.is_included_column)).sort((a, b) => a.key_ordinal - b.key_ordinal);
  const included = rows.filter((r) => yes(r.is_included_column)).sort((a, b) => a.index_column_id - b.index_column_id);
  const first = rows[0];
  const type = first.type_desc.toUpperCase();
  const ix: SnapshotIndex = {
    name,
    columns: keyRows.map((r) => r.column_name),
    unique: yes(first.is_unique),
    primary: false,
    method: METHODS[type] ?? type.toLowerCase(),
  };
  if (ix.method === 'btree') ix.directions = keyRows.map((r): IndexKeyToken => (yes(r.is_descending_key) ? -1 : 1));
  if (included.length) ix.include = included.map((r) => r.column_name);
  if (yes(first.has_filter) && first.filter_definition) {
    if (!(ix.unique && isForgeNotNullFilter(first.filter_definition, ix.columns, nullable))) ix.where = first.filter_definition;
  }
  return ix;
}

function toForeignKey(name: string, rows: ForeignKeyRow[]): SnapshotForeignKey {
  const sorted = [...rows].sort((a, b) => a.position - b.position);
  const rule = (sorted[0].delete_rule ?? '').toUpperCase();
  return {
    name,
    columns: sorted.map((r) => r.column_name),
    refTable: sorted[0].ref_table,
    refColumns: sorted.map((r) => r.ref_column),
    onDelete: RULES[rule] ?? rule.toLowerCase(),
  };
}

/** The view's SELECT: sys.sql_modules keeps the whole `CREATE [OR ALTER] VIEW name AS ...` as it was written. */
export function viewSql(definition: string | null): string | undefined {
  if (!definition) return undefined;
  const m = /^\s*create\s+(?:or\s+alter\s+)?view\s+(?:\[(?:[^\]]|\]\])*\]|"(?:[^"]|"")*"|[^\s(]+)(?:\s*\.\s*(?:\[(?:[^\]]|\]\])*\]|[^\s(]+))?\s+as\s+([\s\S]*)$/i.exec(definition);
  return (m ? m[1] : definition).trim();
}

/** A Snapshot from the rows of the six catalog queries (pure: the tests feed it recorded rows). */
export function snapshotFromCatalog(rows: CatalogRows): Snapshot {
  const columnsOf = groupBy(rows.columns, (r) => r.table_name);
  const indexesOf = groupBy(rows.indexes, (r) => r.table_name);
  const fksOf = groupBy(rows.foreignKeys, (r) => r.table_name);
  const jsonOf = new Map<string, Set<string>>();
  for (const c of rows.checks) {
    if (c.column_name && isJsonCheck(c.definition, c.column_name)) {
      let set = jsonOf.get(c.table_name);
      if (!set) jsonOf.set(c.table_name, (set = new Set()));
      set.add(c.column_name);
    }
  }
  const extensions = yes(rows.server.has_vector) ? [MSSQL_ENV.vector] : [];
  const snapshot: Snapshot = { dialect: 'mssql', tables: [], views: [], internal: [], extensions };
  const relations = [...rows.relations].sort((a, b) => byName(a.name, b.name));
  for (const rel of relations) {
    if (rel.kind.trim().toUpperCase() === 'V') {
      const view: SnapshotView = { name: rel.name, materialized: false };
      const sql = viewSql(rel.definition);
      if (sql !== undefined) view.sql = sql;
      snapshot.views.push(view);
      continue;
    }
    if (TOOL_TABLES.has(rel.name)) {
      snapshot.internal!.push(rel.name);
      continue;
    }
    const cols = [...(columnsOf.get(rel.name) ?? [])].sort((a, b) => a.column_id - b.column_id);
    const nullable = new Set(cols.filter((c) => yes(c.is_nullable)).map((c) => c.column_name));
    const byIndex = groupBy(
      [...(indexesOf.get(rel.name) ?? [])].filter((r) => r.index_name !== null),
      (r) => r.index_name!,
    );
    const primary = new Set<string>();
    const indexes: SnapshotIndex[] = [];
    for (const [name, ixRows] of [...byIndex].sort(([a], [b]) => byName(a, b))) {
      if (yes(ixRows[0].is_primary_key)) {
        for (const r of ixRows) if (!yes(r.is_included_column)) primary.add(r.column_name);
        continue;
      }
      indexes.push(toIndex(name, ixRows, nullable));
    }
    const foreignKeys = [...groupBy(fksOf.get(rel.name) ?? [], (r) => r.constraint_name)]
      .sort(([a], [b]) => byName(a, b))
      .map(([name, fkRows]) => toForeignKey(name, fkRows));
    const json = jsonOf.get(rel.name) ?? new Set<string>();
    const table: SnapshotTable = { name: rel.name, columns: cols.map((c) => toColumn(c, primary, json)), indexes, foreignKeys };
    snapshot.tables.push(table);
  }
  return snapshot;
}

/** Read the catalog of the connection's default schema: six queries, one after the other on the same session. */
export async function introspectMssql(conn: Connection): Promise<Snapshot> {
  const [server] = await conn.query<ServerRow>(SERVER);
  if (!server || server.schema_name === null) {
    throw new Error('The login has no default schema in this database: give it one (ALTER USER <user> WITH DEFAULT_SCHEMA = dbo) so forge knows which tables are the schema\'s');
  }
  // One after the other: a transaction (push's lock) is one session, and a TDS session runs one request at a time.
  const relations = await conn.query<RelationRow>(RELATIONS);
  const columns = await conn.query<ColumnRow>(COLUMNS);
  const indexes = await conn.query<IndexRow>(INDEXES);
  const foreignKeys = await conn.query<ForeignKeyRow>(FOREIGN_KEYS);
  const checks = await conn.query<CheckRow>(CHECKS);
  return snapshotFromCatalog({ server, relations, columns, indexes, foreignKeys, checks });
}
