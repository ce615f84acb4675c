import type { DialectFacts, TableIR, TypeCategory } from '@forge/core';
import { sequenceName } from './ddl.js';

/** Base type names as duckdb_columns() (or a `.dbType()`) spells them, with their drift category. */
const EXACT: Record<string, TypeCategory> = {
  varchar: 'string',
  text: 'string',
  string: 'string',
  char: 'string',
  bpchar: 'string',
  'character varying': 'string',
  uuid: 'string',
  enum: 'string',
  tinyint: 'int',
  int1: 'int',
  smallint: 'int',
  int2: 'int',
  short: 'int',
  integer: 'int',
  int: 'int',
  int4: 'int',
  int32: 'int',
  signed: 'int',
  utinyint: 'int',
  usmallint: 'int',
  uinteger: 'int',
  bigint: 'bigint',
  int8: 'bigint',
  int64: 'bigint',
  long: 'bigint',
  ubigint: 'bigint',
  hugeint: 'bigint',
  int128: 'bigint',
  uhugeint: 'bigint',
  double: 'float',
  'double precision': 'float',
  float8: 'float',
  float: 'float',
  float4: 'float',
  real: 'float',
  decimal: 'decimal',
  numeric: 'decimal',
  boolean: 'bool',
  bool: 'bool',
  logical: 'bool',
  timestamp: 'datetime',
  datetime: 'datetime',
  timestamptz: 'datetime',
  'timestamp with time zone': 'datetime',
  'timestamp without time zone': 'datetime',
  timestamp_s: 'datetime',
  timestamp_ms: 'datetime',
  timestamp_ns: 'datetime',
  date: 'datetime',
  time: 'datetime',
  timetz: 'datetime',
  'time with time zone': 'datetime',
  json: 'json',
};

/**
 * The drift category of a DuckDB type: `VARCHAR`, `DECIMAL(12,2)`, `TIMESTAMP WITH TIME ZONE`, `JSON`. Lists
 * and arrays (`VARCHAR[]`, `FLOAT[3]`), STRUCT, MAP, BLOB and GEOMETRY have none (never compared).
 */
export function categoryOf(nativeType: string): TypeCategory | undefined {
  const t = nativeType.trim().toLowerCase().replace(/\s+/g, ' ');
  if (t.endsWith(']') || /^(struct|map|union)\b/.test(t)) return undefined;
  const base = t.replace(/\([^)]*\)/g, '').replace(/"/g, '').trim();
  return Object.hasOwn(EXACT, base) ? EXACT[base] : undefined;
}

/** Integer ids take a sequence of this name; it lives in the catalog beside tables and indexes. */
function impliedRelationNames(table: TableIR): string[] {
  return table.columns.filter((c) => c.default?.kind === 'generated' && (c.default.strategy === 'int' || c.default.strategy === 'bigserial')).map((c) => sequenceName(table.name, c.name));
}

export const duckdbFacts: DialectFacts = {
  categoryOf,
  // DuckDB echoes an index expression with identifiers in double quotes only where they need them and keeps
  // casts as written; `"x"` and `x` name the same column. Receives lower-cased text.
  normalizeExpression: (expr) => expr.replace(/"([a-z_][a-z0-9_$]*)"/g, '$1'),
  ledgerDdl: (table) => `CREATE TABLE IF NOT EXISTS ${table} (name VARCHAR(255) PRIMARY KEY, applied_at VARCHAR(64))`,
  // forge creates no full-text object on DuckDB (see ddl.ts createSearch).
  searchObjectNames: () => ({ relations: [], columns: [] }),
  impliedRelationNames,
  // Index names are one namespace per schema (DROP INDEX takes no table).
  indexNamespace: 'schema',
  // DuckDB keeps the case of a name but compares names without it: "Email" and "email" are one column.
  identifierKey: (name) => name.toLowerCase(),
};
