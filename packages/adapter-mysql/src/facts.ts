import type { DialectFacts, TypeCategory } from '@forge/core';
import { searchIndexName } from './ddl.js';

/** Base type names as information_schema's COLUMN_TYPE (or a `.dbType()`) spells them, with their drift category. */
const EXACT: Record<string, TypeCategory> = {
  bool: 'bool',
  boolean: 'bool',
  tinyint: 'int',
  smallint: 'int',
  mediumint: 'int',
  int: 'int',
  integer: 'int',
  middleint: 'int',
  int1: 'int',
  int2: 'int',
  int3: 'int',
  int4: 'int',
  bigint: 'bigint',
  int8: 'bigint',
  // SERIAL is BIGINT UNSIGNED NOT NULL AUTO_INCREMENT UNIQUE.
  serial: 'bigint',
  float: 'float',
  float4: 'float',
  float8: 'float',
  double: 'float',
  'double precision': 'float',
  real: 'float',
  decimal: 'decimal',
  dec: 'decimal',
  numeric: 'decimal',
  fixed: 'decimal',
  char: 'string',
  character: 'string',
  nchar: 'string',
  'national char': 'string',
  'national character': 'string',
  varchar: 'string',
  'character varying': 'string',
  'char varying': 'string',
  nvarchar: 'string',
  'national varchar': 'string',
  'national character varying': 'string',
  tinytext: 'string',
  text: 'string',
  mediumtext: 'string',
  // MariaDB's JSON is a LONGTEXT: core cannot tell one from a text column, the introspector reports it as `json`.
  longtext: 'string',
  long: 'string',
  'long varchar': 'string',
  enum: 'string',
  set: 'string',
  // MariaDB 10.7+ has a native UUID type.
  uuid: 'string',
  datetime: 'datetime',
  timestamp: 'datetime',
  date: 'datetime',
  time: 'datetime',
  year: 'datetime',
  json: 'json',
};

/** Attributes that follow the type and do not change its category. */
const ATTRIBUTES = /\b(unsigned|signed|zerofill)\b/g;

/**
 * The drift category of a type as information_schema's COLUMN_TYPE (or a `.dbType()`) spells it:
 * `int(11)`, `int unsigned`, `bigint(20) unsigned`, `tinyint(1)` (the boolean, any other tinyint is an int),
 * `decimal(12,2)`, `varchar(255)`, `enum('a','b')`, `datetime(3)`, `json`. BLOB/BINARY, BIT, spatial types
 * and anything else have none (never compared).
 */
export function categoryOf(nativeType: string): TypeCategory | undefined {
  const t = nativeType.trim().toLowerCase().replace(/\s+/g, ' ');
  // enum('a','b)') and set(...) first: their value lists may hold anything, parentheses included.
  if (/^(enum|set)\s*\(/.test(t)) return 'string';
  if (/^tinyint\s*\(\s*1\s*\)/.test(t)) return 'bool';
  const base = t
    .replace(/\([^)]*\)/g, '')
    .replace(ATTRIBUTES, '')
    // A column attribute a `.dbType()` may carry after the type (`varchar(20) character set latin1`).
    .replace(/\b(character set|charset|collate)\b.*$/, '')
    .replace(/\s+/g, ' ')
    .trim();
  return Object.hasOwn(EXACT, base) ? EXACT[base] : undefined;
}

/** A character set introducer before a string literal: `_utf8mb4'x'`, `_latin1 'x'`, `_binary'...'`. */
const INTRODUCER = /(^|[^\w$`])_[a-z0-9]+\s*(?=\\?')/g;

/**
 * MySQL echoes index expressions and check clauses with identifiers in backticks (`` lower(`email`) ``),
 * string literals with a charset introducer (`_utf8mb4'a'`, in information_schema also with backslash-escaped
 * quotes: `_utf8mb4\'a\'`) and extra parentheses (core drops those). The backticks around plain identifiers,
 * the introducers and the backslashes before quotes are taken out. Receives lower-cased text.
 */
export function normalizeExpression(expr: string): string {
  return expr
    .replace(/\\'/g, "'")
    .replace(INTRODUCER, '$1')
    .replace(/`([a-z0-9_$]+)`/g, '$1');
}

export const mysqlFacts: DialectFacts = {
  categoryOf,
  normalizeExpression,
  // Lower-case and unquoted on purpose: the same name whoever spells it later.
  ledgerDdl: (table) => `CREATE TABLE IF NOT EXISTS ${table} (name VARCHAR(255) PRIMARY KEY, applied_at VARCHAR(64))`,
  // The FULLTEXT index is an index of the table, in the table's own index namespace (indexNamespace is
  // 'table', so core checks it against that table's indexes only); forge adds no column for it (InnoDB's
  // hidden FTS_DOC_ID is not reported by information_schema.COLUMNS).
  searchObjectNames: (table) => ({ relations: [searchIndexName(table)], columns: [] }),
  // The primary key's index is `PRIMARY` in each table's own namespace, and both servers refuse the name for any
  // other index ("Incorrect index name"), key or none. AUTO_INCREMENT has no sequence.
  impliedRelationNames: () => ['PRIMARY'],
  indexNamespace: 'table',
  // Column and index names never differ by case alone in MySQL or MariaDB (they compare case-insensitively);
  // table names do on Linux with lower_case_table_names=0, but under indexNamespace 'table' core claims only
  // index and search names with this key, per table. Folding is also what foldIdentifier does for every dialect.
  identifierKey: (name) => name.toLowerCase(),
  identifierProblem,
};

/**
 * What both servers refuse even in backticks (MySQL's "Schema Object Names"): a name that is empty or ends in
 * a space ("Incorrect table name"), U+0000, and characters outside the Basic Multilingual Plane (an emoji).
 */
function identifierProblem(name: string): string | undefined {
  if (name.length === 0) return 'a name cannot be empty';
  if (/\s$/u.test(name)) return 'MySQL and MariaDB refuse names that end in a space';
  if (name.includes('\u0000')) return 'MySQL and MariaDB refuse the NUL character in names';
  if (/[\u{10000}-\u{10FFFF}]/u.test(name)) return 'MySQL and MariaDB take only characters of the Basic Multilingual Plane in names (no emoji)';
  return undefined;
}
