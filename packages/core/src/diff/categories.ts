import type { ColumnIR, FieldKind, TypeCategory } from '../schema/ir.js';

/**
 * Drift compares types by coarse category, never as strings (seed 004, "Category-based type comparison"):
 * `text` vs `varchar(255)` is not drift, `text` vs `integer` is. Anything without a category (arrays,
 * vectors, geo, bytes, custom types) is skipped, because a false alarm costs more trust than a miss.
 */
const KIND_CATEGORY: Partial<Record<FieldKind, TypeCategory>> = {
  id: 'string',
  objectId: 'string',
  string: 'string',
  text: 'string',
  uuid: 'string',
  enum: 'string',
  int: 'int',
  bigint: 'bigint',
  float: 'float',
  decimal: 'decimal',
  bool: 'bool',
  dateTime: 'datetime',
  json: 'json',
  embed: 'json',
  embedMany: 'json',
};

export function categoryOfKind(kind: FieldKind): TypeCategory | undefined {
  return KIND_CATEGORY[kind];
}

/** Exact base names (after normalisation) and their category. */
const EXACT: Record<string, TypeCategory> = {
  text: 'string',
  tinytext: 'string',
  mediumtext: 'string',
  longtext: 'string',
  ntext: 'string',
  uuid: 'string',
  uniqueidentifier: 'string',
  citext: 'string',
  bpchar: 'string',
  enum: 'string',
  string: 'string',
  int: 'int',
  integer: 'int',
  int2: 'int',
  int4: 'int',
  smallint: 'int',
  mediumint: 'int',
  tinyint: 'int',
  serial: 'int',
  serial2: 'int',
  serial4: 'int',
  smallserial: 'int',
  bigint: 'bigint',
  int8: 'bigint',
  bigserial: 'bigint',
  serial8: 'bigint',
  real: 'float',
  decimal: 'decimal',
  numeric: 'decimal',
  bool: 'bool',
  boolean: 'bool',
  bit: 'bool',
  date: 'datetime',
  json: 'json',
  jsonb: 'json',
};

/** Prefix families (`varchar*`, `timestamp*`, ...), tried in order after the exact table. */
const PREFIXES: Array<[string, TypeCategory]> = [
  ['varchar', 'string'],
  ['nvarchar', 'string'],
  ['character', 'string'],
  ['char', 'string'],
  ['nchar', 'string'],
  ['double', 'float'],
  ['float', 'float'],
  ['timestamp', 'datetime'],
  ['datetime', 'datetime'],
  ['smalldatetime', 'datetime'],
  ['time', 'datetime'],
];

/**
 * The category of a native type as a catalog reports it (`character varying(255)`, `int4`,
 * `timestamp(3) with time zone`, `numeric(10,2)`, `tinyint(1)`, `nvarchar(max)`, `int unsigned`).
 */
export function categoryOfDbType(nativeType: string): TypeCategory | undefined {
  const t = nativeType.trim().toLowerCase().replace(/\s+/g, ' ');
  // Arrays (`text[]`, Postgres' internal `_int4`) are skipped like every other array type.
  if (t.endsWith(']') || t.startsWith('_')) return undefined;
  // MySQL spells bool as tinyint(1): the width is the only thing that tells it from a small integer.
  if (/^tinyint\s*\(\s*1\s*\)/.test(t) || /^bit\s*\(\s*1\s*\)$/.test(t)) return 'bool';
  // A sized `bit(8)` or `bit varying` is a bit string in Postgres; a bare `bit` is MSSQL's boolean.
  if (/^bit\s*\(/.test(t) || t.startsWith('bit varying')) return undefined;
  const base = t
    .replace(/\([^)]*\)/g, '')
    .replace(/\b(unsigned|signed|zerofill)\b/g, '')
    .replace(/\s+/g, ' ')
    .trim();
  if (Object.hasOwn(EXACT, base)) return EXACT[base];
  return PREFIXES.find(([prefix]) => base.startsWith(prefix))?.[1];
}

/**
 * The category the schema expects for a column: its `.dbType()` when set (that is what DDL emitted), the
 * integer strategies of `f.id()`, and the kind table otherwise.
 */
export function categoryOfColumn(column: ColumnIR): TypeCategory | undefined {
  if (column.dbType) return categoryOfDbType(column.dbType);
  if (column.kind === 'id' && column.idStrategy === 'int') return 'int';
  if (column.kind === 'id' && column.idStrategy === 'bigserial') return 'bigint';
  return categoryOfKind(column.kind);
}
