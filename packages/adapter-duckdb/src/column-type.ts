import type { ColumnIR, DdlEnv, TableIR } from '@forge/core';
import { SchemaError } from '@forge/core';

/** `"name"` with embedded quotes doubled. */
export const quoteIdent = (name: string): string => `"${name.replace(/"/g, '""')}"`;

/** A string literal: quotes doubled (DuckDB reads no backslash escapes in standard strings). */
export const quoteString = (s: string): string => `'${s.replace(/'/g, "''")}'`;

/**
 * A bare `f.decimal()`: Postgres' numeric is unbounded, DuckDB's DECIMAL stops at 38 digits (and bare DECIMAL
 * is DECIMAL(18,3)), so the widest there is, with room for fractions.
 */
export const DEFAULT_DECIMAL = 'DECIMAL(38,10)';

/** The column's own native type, from its kind, before foreign-key resolution. */
export function nativeType(c: ColumnIR): string {
  if (c.dbType) return c.dbType;
  switch (c.kind) {
    case 'id':
      switch (c.idStrategy ?? 'auto') {
        case 'int':
          return 'INTEGER';
        case 'bigserial':
          return 'BIGINT';
        default:
          // Text, not UUID: ids made by the client are compared with strings, matched with LIKE, referenced by strings.
          return 'VARCHAR';
      }
    case 'objectId':
    case 'string':
    case 'text':
    case 'enum':
      return 'VARCHAR';
    case 'int':
      return 'INTEGER';
    case 'bigint':
      return 'BIGINT';
    case 'float':
      return 'DOUBLE';
    case 'decimal':
      if (c.precision !== undefined) {
        if (c.precision > 38) throw new SchemaError(`Field '${c.field}' is f.decimal({ precision: ${c.precision} }): DuckDB's DECIMAL holds at most 38 digits`);
        return `DECIMAL(${c.precision},${c.scale ?? 0})`;
      }
      return DEFAULT_DECIMAL;
    case 'bool':
      return 'BOOLEAN';
    case 'dateTime':
      // An instant: a JS Date is one, and TIMESTAMPTZ compares and returns it whatever the session's TimeZone.
      return 'TIMESTAMPTZ';
    case 'uuid':
      return 'UUID';
    case 'json':
    case 'embed':
    case 'embedMany':
      return 'JSON';
    case 'stringArray':
      return 'VARCHAR[]';
    case 'intArray':
      return 'INTEGER[]';
    case 'vector':
      // A fixed-size array: array_distance / array_cosine_distance are built in; only an HNSW index needs vss.
      return `FLOAT[${c.dims ?? 1}]`;
    case 'bytes':
      return 'BLOB';
    case 'geoPoint':
      // GEOMETRY is part of DuckDB itself since 1.5 (WKT in, WKB out); the spatial extension adds only functions.
      return 'GEOMETRY';
  }
}

/** Where a column points, from `.refs()` or from a relation-derived key of its table. */
function referenceOf(c: ColumnIR, table: TableIR | undefined): { table: string; column: string } | undefined {
  if (c.references) return c.references;
  const fk = table?.foreignKeys.find((f) => f.columns.length === 1 && f.columns[0] === c.name);
  return fk ? { table: fk.refTable, column: fk.refColumns[0] } : undefined;
}

/** The type a column is created with: a foreign-key column takes the referenced column's (DuckDB wants them equal). */
export function columnType(c: ColumnIR, env?: DdlEnv, table?: TableIR): string {
  if (c.dbType) return c.dbType;
  const ref = referenceOf(c, table ?? env?.tables?.find((t) => t.columns.includes(c)));
  const target = ref && env?.tables?.find((t) => t.name === ref.table)?.columns.find((rc) => rc.name === ref.column);
  return nativeType(target && target !== c ? target : c);
}

function finite(n: number, c: ColumnIR): string {
  if (!Number.isFinite(n)) throw new SchemaError(`Field '${c.field}' has a default of ${n}, which DuckDB cannot store in ${c.kind}`);
  return String(n);
}

const DECIMAL = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;

/** A default value as a SQL literal of the column's type. Values come from schema code, but are quoted all the same. */
export function defaultLiteral(value: unknown, c: ColumnIR, type: string): string {
  if (value === null) return 'NULL';
  switch (c.kind) {
    case 'json':
    case 'embed':
    case 'embedMany':
      return `${quoteString(JSON.stringify(value))}::JSON`;
    case 'stringArray':
    case 'intArray':
    case 'vector':
      if (!Array.isArray(value)) break;
      return `${quoteString(JSON.stringify(value))}::${type}`;
    case 'geoPoint': {
      const p = value as { lng: number; lat: number };
      return `${quoteString(`POINT (${finite(p.lng, c)} ${finite(p.lat, c)})`)}::GEOMETRY`;
    }
    case 'bytes':
      if (value instanceof Uint8Array) return `from_hex(${quoteString(Buffer.from(value).toString('hex'))})`;
      break;
    case 'dateTime':
      if (value instanceof Date) return `${quoteString(value.toISOString())}::TIMESTAMPTZ`;
      break;
    case 'decimal':
      if (typeof value === 'string' && DECIMAL.test(value)) return value;
      break;
  }
  if (typeof value === 'boolean') return value ? 'TRUE' : 'FALSE';
  if (typeof value === 'number') return finite(value, c);
  if (typeof value === 'bigint') return value.toString();
  if (typeof value === 'string') return quoteString(value);
  throw new SchemaError(`Field '${c.field}' has a default (${JSON.stringify(value)}) that does not fit f.${c.kind}()`);
}
