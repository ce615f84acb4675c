import type { DialectFacts, TableIR, TypeCategory } from '@forge/core';
import { FTS_COLUMN } from './compile.js';
import { searchIndexName } from './ddl.js';

/** Base type names as `format_type` prints them (and the aliases a `.dbType()` may use), with their drift category. */
const EXACT: Record<string, TypeCategory> = {
  text: 'string',
  uuid: 'string',
  citext: 'string',
  bpchar: 'string',
  name: 'string',
  int: 'int',
  integer: 'int',
  int2: 'int',
  int4: 'int',
  smallint: 'int',
  serial: 'int',
  serial2: 'int',
  serial4: 'int',
  smallserial: 'int',
  bigint: 'bigint',
  int8: 'bigint',
  bigserial: 'bigint',
  serial8: 'bigint',
  real: 'float',
  float4: 'float',
  float8: 'float',
  decimal: 'decimal',
  numeric: 'decimal',
  bool: 'bool',
  boolean: 'bool',
  date: 'datetime',
  json: 'json',
  jsonb: 'json',
};

/** Families by prefix (`character varying(20)`, `timestamp(3) with time zone`, `double precision`), after the exact table. */
const PREFIXES: Array<[string, TypeCategory]> = [
  ['varchar', 'string'],
  ['character', 'string'],
  ['char', 'string'],
  ['double', 'float'],
  ['float', 'float'],
  ['timestamp', 'datetime'],
  ['time', 'datetime'],
];

/** The drift category of a type as pg_catalog's `format_type` (or a `.dbType()`) spells it. */
export function categoryOf(nativeType: string): TypeCategory | undefined {
  const t = nativeType.trim().toLowerCase().replace(/\s+/g, ' ');
  // Arrays (`text[]`, the internal `_int4`) are skipped like every other array type.
  if (t.endsWith(']') || t.startsWith('_')) return undefined;
  // `bit(8)` and `bit varying` are bit strings, not booleans.
  if (t.startsWith('bit')) return undefined;
  const base = t.replace(/\([^)]*\)/g, '').replace(/\s+/g, ' ').trim();
  if (Object.hasOwn(EXACT, base)) return EXACT[base];
  return PREFIXES.find(([prefix]) => base.startsWith(prefix))?.[1];
}

/** A cast as the catalog echoes it: `::text`, `::character varying(20)`, `::timestamp with time zone[]`. */
const CAST =
  /::\s*(?:character varying|timestamp with(?:out)? time zone|time with(?:out)? time zone|double precision|bit varying|"[^"]+"|[a-z_][a-z0-9_.]*)(?:\s*\([^)]*\))?(?:\s*\[\])*/g;

/**
 * Postgres echoes predicates and index expressions with casts added (`(email)::text`) and identifiers
 * quoted only where needed: both are taken out before comparing. Receives lower-cased text.
 */
export function normalizeExpression(expr: string): string {
  return expr.replace(CAST, '').replace(/"([a-z_][a-z0-9_$]*)"/g, '$1');
}

/** Objects Postgres names itself when a table is created: the primary key's index and identity sequences. */
function impliedRelationNames(t: TableIR): string[] {
  const out = t.primaryKey.length ? [`${t.name}_pkey`] : [];
  for (const c of t.columns) {
    if (c.default?.kind === 'generated' && (c.default.strategy === 'int' || c.default.strategy === 'bigserial')) out.push(`${t.name}_${c.name}_seq`);
  }
  return out;
}

export const postgresFacts: DialectFacts = {
  categoryOf,
  normalizeExpression,
  // Lower-case and unquoted on purpose: the same name whoever spells it later.
  ledgerDdl: (table) => `CREATE TABLE IF NOT EXISTS ${table} (name VARCHAR(255) PRIMARY KEY, applied_at VARCHAR(64))`,
  searchObjectNames: (table) => ({ relations: [searchIndexName(table)], columns: [FTS_COLUMN] }),
  impliedRelationNames,
  indexNamespace: 'schema',
};
