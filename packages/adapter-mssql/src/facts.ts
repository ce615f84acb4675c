import type { DialectFacts, TypeCategory } from '@forge/core';
import { MAX_IDENTIFIER, objectName } from './column-type.js';

/** Base type names as sys.types (or a `.dbType()`) spells them, with their drift category. */
const EXACT: Record<string, TypeCategory> = {
  bit: 'bool',
  tinyint: 'int',
  smallint: 'int',
  int: 'int',
  integer: 'int',
  bigint: 'bigint',
  float: 'float',
  real: 'float',
  'double precision': 'float',
  decimal: 'decimal',
  dec: 'decimal',
  numeric: 'decimal',
  money: 'decimal',
  smallmoney: 'decimal',
  char: 'string',
  character: 'string',
  nchar: 'string',
  'national char': 'string',
  'national character': 'string',
  varchar: 'string',
  'character varying': 'string',
  'char varying': 'string',
  nvarchar: 'string',
  'national character varying': 'string',
  'national char varying': 'string',
  // nvarchar(max) and text are one category (seed 004): the deprecated text / ntext too.
  text: 'string',
  ntext: 'string',
  sysname: 'string',
  uniqueidentifier: 'string',
  datetime2: 'datetime',
  datetime: 'datetime',
  smalldatetime: 'datetime',
  datetimeoffset: 'datetime',
  date: 'datetime',
  time: 'datetime',
  // An nvarchar(max) column with forge's ISJSON check (introspect.ts), and SQL Server 2025's native json.
  json: 'json',
};

/**
 * The drift category of a type as introspection (or a `.dbType()`) spells it: `nvarchar(255)`, `nvarchar(max)`,
 * `decimal(12,2)`, `datetime2(3)`, `uniqueidentifier`, `bit`, `json`. Binary, spatial, vector, xml and
 * anything else have none (never compared).
 */
export function categoryOf(nativeType: string): TypeCategory | undefined {
  const base = nativeType
    .trim()
    .toLowerCase()
    .replace(/\([^)]*\)/g, '')
    .replace(/\s+/g, ' ')
    .trim();
  return Object.hasOwn(EXACT, base) ? EXACT[base] : undefined;
}

/**
 * SQL Server echoes a filtered index's predicate (and a CHECK or computed column) as it stores it: identifiers
 * in brackets (`[active]`), every constant in parentheses (`(1)`), nvarchar literals with their `N` prefix
 * (`N'a'`). Those spellings are taken out, and the schema's `true` / `false` become the bit values 1 / 0 the
 * emitter writes (`toTsql`). Receives lower-cased text.
 */
export function normalizeExpression(expr: string): string {
  let s = expr
    .replace(/\[((?:[^\]]|\]\])*)\]/g, (_m, name: string) => (/^[a-z_][a-z0-9_]*$/.test(name) ? name : `"${name.replace(/]]/g, ']')}"`))
    .replace(/(^|[^\w'])n'/g, "$1'")
    .replace(/\btrue\b/g, '1')
    .replace(/\bfalse\b/g, '0');
  // `((1))` -> `1`, `(N'a')` -> `'a'`: constants the catalog wraps.
  for (let prev = ''; prev !== s; ) {
    prev = s;
    s = s.replace(/\((\s*(?:-?\d+(?:\.\d+)?|'(?:[^']|'')*'|null)\s*)\)/g, '$1');
  }
  return s;
}

export const mssqlFacts: DialectFacts = {
  categoryOf,
  normalizeExpression,
  // One statement (no `;`), the same name whoever spells it later.
  ledgerDdl: (table) =>
    `IF OBJECT_ID(N'[${table.replace(/]/g, ']]').replace(/'/g, "''")}]', N'U') IS NULL CREATE TABLE [${table.replace(/]/g, ']]')}] (name NVARCHAR(255) NOT NULL PRIMARY KEY, applied_at NVARCHAR(64))`,
  // forge creates no full-text object on SQL Server (capabilities.fullTextSearch is false).
  searchObjectNames: () => ({ relations: [], columns: [] }),
  // The primary key's index carries the key constraint's name, in the table's own index namespace.
  impliedRelationNames: (table) => [objectName(table.name, 'pk')],
  // Index names are unique per table (DROP INDEX ix ON t); constraint names are per schema, but forge's
  // (keys, defaults, checks) carry their table's name.
  indexNamespace: 'table',
  // Identifiers compare under the database's collation: case-insensitive in the default ones.
  identifierKey: (name) => name.toLowerCase(),
  identifierProblem,
};

/** What SQL Server refuses even in brackets: an empty name, one longer than 128 characters (sysname), NUL. */
function identifierProblem(name: string): string | undefined {
  if (name.length === 0) return 'a name cannot be empty';
  if (name.length > MAX_IDENTIFIER) return `SQL Server names are at most ${MAX_IDENTIFIER} characters`;
  if (name.includes('\u0000')) return 'SQL Server refuses the NUL character in names';
  return undefined;
}
