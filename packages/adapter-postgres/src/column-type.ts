import type { ColumnIR, DdlEnv, TableIR } from '@forge/core';
import { SchemaError } from '@forge/core';
import { arrayLiteral } from './wire.js';

export const hasExtension = (env: DdlEnv | undefined, name: string): boolean => env?.extensions.includes(name) ?? false;

/** The column's own native type, from its kind (the seed's Postgres column), before FK resolution. */
export function nativeType(c: ColumnIR, env?: DdlEnv): string {
  if (c.dbType) return c.dbType;
  // `f.enumOf(values, { type })`: the enum type, always quoted (Prisma's are named in mixed case, `"Role"`).
  if (c.kind === 'enum' && c.enumType && c.enumValues?.length) return quoteName(c.enumType);
  switch (c.kind) {
    case 'id':
      switch (c.idStrategy ?? 'auto') {
        case 'int':
          return 'integer';
        case 'bigserial':
          return 'bigint';
        case 'string':
          return 'text';
        default:
          return 'uuid';
      }
    case 'objectId':
    case 'string':
    case 'text':
    case 'enum':
      return 'text';
    case 'int':
      return 'integer';
    case 'bigint':
      return 'bigint';
    case 'float':
      return 'double precision';
    case 'decimal':
      return c.precision !== undefined ? `numeric(${c.precision},${c.scale ?? 0})` : 'numeric';
    case 'bool':
      return 'boolean';
    case 'dateTime':
      return 'timestamptz';
    case 'uuid':
      return 'uuid';
    case 'json':
    case 'embed':
    case 'embedMany':
      return 'jsonb';
    case 'stringArray':
      return 'text[]';
    case 'intArray':
      return 'integer[]';
    case 'bytes':
      return 'bytea';
    case 'vector':
      return hasExtension(env, 'vector') ? `vector(${c.dims})` : 'double precision[]';
    case 'geoPoint':
      if (hasExtension(env, 'postgis')) return `geography(Point, ${c.srid ?? 4326})`;
      if (c.geoFallback === 'error') {
        throw new SchemaError(
          `Field '${c.field}' is f.geoPoint({ fallback: 'error' }) and PostGIS is not installed. ` +
            `Install it (apt-get install postgresql-<version>-postgis-3), then run forge push --enable-extensions.`,
        );
      }
      return 'text';
  }
}

/** Where a column points, from `.refs()` on the column or from a relation-derived FK of its table. */
function referenceOf(c: ColumnIR, table: TableIR | undefined): { table: string; column: string } | undefined {
  if (c.references) return c.references;
  const fk = table?.foreignKeys.find((f) => f.columns.length === 1 && f.columns[0] === c.name);
  return fk ? { table: fk.refTable, column: fk.refColumns[0] } : undefined;
}

/**
 * The type a column is created with. A foreign-key column takes the referenced column's type (a string field
 * pointing at a uuid id must be uuid, or Postgres refuses the constraint), found through `env.tables`.
 * An explicit `.dbType()` always wins.
 */
export function columnType(c: ColumnIR, env?: DdlEnv, table?: TableIR): string {
  if (c.dbType) return c.dbType;
  const ref = referenceOf(c, table ?? env?.tables?.find((t) => t.columns.includes(c)));
  const target = ref && env?.tables?.find((t) => t.name === ref.table)?.columns.find((rc) => rc.name === ref.column);
  return nativeType(target ?? c, env);
}

/** An identifier in double quotes, `"` doubled. */
export const quoteName = (name: string): string => `"${name.replace(/"/g, '""')}"`;

/** A string literal that reads the same whatever `standard_conforming_strings` says. */
export function quoteString(s: string): string {
  const body = s.replace(/'/g, "''");
  return s.includes('\\') ? `E'${body.replace(/\\/g, '\\\\')}'` : `'${body}'`;
}

function finite(n: number, c: ColumnIR): string {
  if (!Number.isFinite(n)) throw new SchemaError(`Field '${c.field}' has a default of ${n}, which Postgres cannot store in ${c.kind}`);
  return String(n);
}

/** A default value as a SQL literal of the column's type. Values come from schema code, but are quoted all the same. */
export function defaultLiteral(value: unknown, c: ColumnIR, type: string): string {
  if (value === null) return 'NULL';
  switch (c.kind) {
    case 'json':
    case 'embed':
    case 'embedMany':
      return `${quoteString(JSON.stringify(value))}::jsonb`;
    case 'stringArray':
    case 'intArray':
      if (!Array.isArray(value)) break;
      return `${quoteString(arrayLiteral(value))}::${type}`;
    case 'vector':
      if (!Array.isArray(value)) break;
      return type.startsWith('vector') ? quoteString(`[${value.join(',')}]`) : quoteString(`{${value.join(',')}}`);
    case 'geoPoint': {
      const p = value as { lng: number; lat: number };
      return type.startsWith('geography')
        ? quoteString(`SRID=${c.srid ?? 4326};POINT(${finite(p.lng, c)} ${finite(p.lat, c)})`)
        : quoteString(JSON.stringify({ lng: p.lng, lat: p.lat }));
    }
    case 'bytes':
      if (value instanceof Uint8Array) return `decode('${Buffer.from(value).toString('hex')}', 'hex')`;
      break;
    case 'dateTime':
      if (value instanceof Date) return `${quoteString(value.toISOString())}::timestamptz`;
      break;
  }
  if (typeof value === 'boolean') return value ? 'TRUE' : 'FALSE';
  if (typeof value === 'number') return finite(value, c);
  if (typeof value === 'bigint') return value.toString();
  if (typeof value === 'string') return quoteString(value);
  throw new SchemaError(`Field '${c.field}' has a default (${JSON.stringify(value)}) that does not fit f.${c.kind}()`);
}
