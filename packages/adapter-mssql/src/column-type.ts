import { createHash } from 'node:crypto';
import type { ColumnIR, DdlEnv, TableIR } from '@forge/core';
import { SchemaError } from '@forge/core';

/**
 * What the live server offers, as `DdlEnv.extensions` carries it (SQL Server has no extensions: the introspector
 * reports these feature names in `Snapshot.extensions`):
 * - `vector`: the VECTOR(n) type (SQL Server 2025, Azure SQL). Without it a vector is a JSON array in nvarchar(max).
 */
export const MSSQL_ENV = { vector: 'vector' } as const;

export const hasFeature = (env: DdlEnv | undefined, name: string): boolean => env?.extensions.includes(name) ?? false;

/** `[name]` with `]` doubled. */
export const quoteIdent = (name: string): string => `[${name.replace(/]/g, ']]')}]`;

/** An nvarchar literal: `N'...'` with quotes doubled (T-SQL has no backslash escapes). */
export const quoteString = (s: string): string => `N'${s.replace(/'/g, "''")}'`;

/** SQL Server's identifier limit (sysname). */
export const MAX_IDENTIFIER = 128;

/**
 * The name forge gives an object it creates on a table: `forge_<table>_<kind>_<columns>` (the convention of
 * core's generatedName), for the kinds core does not name: the primary key (`pk`), a column's default (`df`)
 * and its JSON check (`ck`). Named, so that a later drop finds them; hashed when longer than 128 characters.
 */
export function objectName(table: string, kind: 'pk' | 'df' | 'ck', columns: string[] = []): string {
  const text = ['forge', table, kind, ...columns].join('_');
  if (text.length <= MAX_IDENTIFIER) return text;
  const hash = createHash('sha1').update(`${table}\0${kind}\0${columns.join('\0')}`).digest('hex').slice(0, 8);
  return `${text.slice(0, MAX_IDENTIFIER - 9)}_${hash}`;
}

/** Kinds stored as JSON text in nvarchar(max) with an ISJSON check (introspection reports them as `json`). */
export const JSON_CHECKED_KINDS = new Set<ColumnIR['kind']>(['json', 'embed', 'embedMany']);

/** The column's own native type, from its kind (seed 004, MSSQL column), before FK resolution. */
export function nativeType(c: ColumnIR, env?: DdlEnv): string {
  if (c.dbType) return c.dbType;
  switch (c.kind) {
    case 'id':
      switch (c.idStrategy ?? 'auto') {
        case 'int':
          return 'INT';
        case 'bigserial':
          return 'BIGINT';
        case 'string':
          return 'NVARCHAR(255)';
        default:
          return 'UNIQUEIDENTIFIER';
      }
    case 'uuid':
      return 'UNIQUEIDENTIFIER';
    case 'objectId':
    case 'string':
    case 'enum':
      // 255 characters are 510 bytes: a key under the 900-byte (clustered) and 1700-byte (nonclustered) limits.
      return 'NVARCHAR(255)';
    case 'text':
      // nvarchar(max) and text are one category (seed 004); nvarchar(max) cannot be an index key.
      return 'NVARCHAR(MAX)';
    case 'int':
      return 'INT';
    case 'bigint':
      return 'BIGINT';
    case 'float':
      return 'FLOAT';
    case 'decimal':
      // Bare numeric is unbounded on Postgres; 38 digits is SQL Server's most.
      return c.precision !== undefined ? `DECIMAL(${c.precision},${c.scale ?? 0})` : 'DECIMAL(38,10)';
    case 'bool':
      return 'BIT';
    case 'dateTime':
      return 'DATETIME2(3)';
    case 'json':
    case 'embed':
    case 'embedMany':
    case 'stringArray':
    case 'intArray':
      return 'NVARCHAR(MAX)';
    case 'vector':
      if (hasFeature(env, MSSQL_ENV.vector)) {
        if (!c.dims || c.dims < 1 || c.dims > 1998) throw new SchemaError(`Field '${c.field}' is f.vector(${String(c.dims)}): SQL Server's VECTOR takes 1 to 1998 dimensions`);
        return `VECTOR(${c.dims})`;
      }
      return 'NVARCHAR(MAX)';
    case 'bytes':
      return 'VARBINARY(MAX)';
    case 'geoPoint':
      // Built in (seed 004): no extension, no fallback needed.
      return 'GEOGRAPHY';
  }
}

function referenceOf(c: ColumnIR, table: TableIR | undefined): { table: string; column: string } | undefined {
  if (c.references) return c.references;
  const fk = table?.foreignKeys.find((f) => f.columns.length === 1 && f.columns[0] === c.name);
  return fk ? { table: fk.refTable, column: fk.refColumns[0] } : undefined;
}

/**
 * The type a column is created with. A foreign-key column takes the referenced column's type (a string key
 * pointing at a UNIQUEIDENTIFIER id is a UNIQUEIDENTIFIER too), found through `env.tables`; an IDENTITY key is
 * referenced by a plain INT / BIGINT. `.dbType()` wins.
 */
export function columnType(c: ColumnIR, env?: DdlEnv, table?: TableIR): string {
  if (c.dbType) return c.dbType;
  const ref = referenceOf(c, table ?? env?.tables?.find((t) => t.columns.includes(c)));
  const target = ref && env?.tables?.find((t) => t.name === ref.table)?.columns.find((rc) => rc.name === ref.column);
  return nativeType(target ?? c, env);
}

/** Identity (auto-increment) keys: `INT IDENTITY(1,1)` / `BIGINT IDENTITY(1,1)`. */
export const isIdentity = (c: ColumnIR): boolean => c.default?.kind === 'generated' && (c.default.strategy === 'int' || c.default.strategy === 'bigserial');

/** Types that cannot be an index key column (nvarchar(max), varbinary(max), xml, geography, ...). */
export const isUnindexable = (type: string): boolean => /\(\s*max\s*\)|^\s*(n?text|image|xml|geography|geometry|vector)\b/i.test(type);

function finite(n: number, c: ColumnIR): string {
  if (!Number.isFinite(n)) throw new SchemaError(`Field '${c.field}' has a default of ${n}, which SQL Server cannot store in ${c.kind}`);
  return String(n);
}

const DECIMAL = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;

/** A default value as a T-SQL literal of the column's type. Values come from schema code, but are quoted all the same. */
export function defaultLiteral(value: unknown, c: ColumnIR): string {
  if (value === null) return 'NULL';
  switch (c.kind) {
    case 'json':
    case 'embed':
    case 'embedMany':
      return quoteString(JSON.stringify(value));
    case 'stringArray':
    case 'intArray':
    case 'vector':
      if (!Array.isArray(value)) break;
      return quoteString(JSON.stringify(value));
    case 'geoPoint': {
      const p = value as { lng: number; lat: number };
      return `geography::Point(${finite(p.lat, c)}, ${finite(p.lng, c)}, ${c.srid ?? 4326})`;
    }
    case 'bytes':
      if (value instanceof Uint8Array) return `0x${Buffer.from(value).toString('hex')}`;
      break;
    case 'dateTime':
      if (value instanceof Date) return `'${value.toISOString().replace('T', ' ').replace('Z', '')}'`;
      break;
    case 'decimal':
      if (typeof value === 'string' && DECIMAL.test(value)) return value;
      break;
  }
  if (typeof value === 'boolean') return value ? '1' : '0';
  if (typeof value === 'number') return finite(value, c);
  if (typeof value === 'bigint') return value.toString();
  if (typeof value === 'string') return quoteString(value);
  throw new SchemaError(`Field '${c.field}' has a default (${JSON.stringify(value)}) that does not fit f.${c.kind}()`);
}
