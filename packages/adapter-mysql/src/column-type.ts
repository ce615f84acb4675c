import type { ColumnIR, DdlEnv, TableIR } from '@forge/core';
import { SchemaError } from '@forge/core';

/**
 * What the live server offers, as `DdlEnv.extensions` carries it (MySQL has no extensions: the introspector
 * reports these feature names in `Snapshot.extensions` instead, from `serverFeatures`).
 * - `srid`: the `SRID n` column attribute (MySQL 8; MariaDB has none).
 * - `spatial`: geo points are stored as POINT (the codec reads and writes geometry). Without it a geo point
 *   is the TEXT fallback, holding `{ lng, lat }` JSON, as on Postgres without PostGIS.
 * - `functional-indexes`: functional key parts, `CREATE INDEX n ON t ((expr))` (MySQL 8.0.13+; MariaDB has none).
 * - `instant-add-column`: `ALTER TABLE … ADD COLUMN …, ALGORITHM=INSTANT` (MySQL 8.0.12+, MariaDB 10.3.2+).
 */
export const MYSQL_ENV = {
  srid: 'srid',
  spatial: 'spatial',
  functionalIndexes: 'functional-indexes',
  instantAddColumn: 'instant-add-column',
} as const;

export const hasFeature = (env: DdlEnv | undefined, name: string): boolean => env?.extensions.includes(name) ?? false;

/** `` `name` `` with embedded backticks doubled. */
export const quoteIdent = (name: string): string => `\`${name.replace(/`/g, '``')}\``;

/**
 * A string literal for the server's default sql_mode, where `\` is an escape character inside quotes:
 * quotes and backslashes are doubled. (Under NO_BACKSLASH_ESCAPES a backslash would come out doubled.)
 */
export const quoteString = (s: string): string => `'${s.replace(/\\/g, '\\\\').replace(/'/g, "''")}'`;

/**
 * The longest VARCHAR an index takes whole on every row format: 191 utf8mb4 characters are 764 bytes, under
 * the 767-byte key-part limit of COMPACT/REDUNDANT (DYNAMIC, the default, allows 3072). Used for keys forge
 * chooses itself (string ids, enums) and as the prefix length of an index over TEXT/BLOB columns.
 */
export const INDEX_PREFIX = 191;

/** The column's own native type, from its kind (seed 004, MySQL column), before FK resolution. */
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
          return `VARCHAR(${INDEX_PREFIX})`;
        default:
          return 'CHAR(36)';
      }
    case 'objectId':
    case 'string':
      return 'VARCHAR(255)';
    case 'text':
      // TEXT holds 64 KiB only; Postgres text is unbounded. An index over it takes a prefix (see ddl.ts).
      return 'LONGTEXT';
    case 'enum':
      // Not ENUM(...): changing the value list would be an ALTER of the type, and ENUM sorts by position.
      // 191 keeps it indexable whole on every row format; values are checked by the client.
      return `VARCHAR(${INDEX_PREFIX})`;
    case 'int':
      return 'INT';
    case 'bigint':
      return 'BIGINT';
    case 'float':
      return 'DOUBLE';
    case 'decimal':
      // Postgres' bare numeric is unbounded; bare DECIMAL here is DECIMAL(10,0), so the widest one instead.
      return c.precision !== undefined ? `DECIMAL(${c.precision},${c.scale ?? 0})` : 'DECIMAL(65,30)';
    case 'bool':
      return 'TINYINT(1)';
    case 'dateTime':
      return 'DATETIME(3)';
    case 'uuid':
      return 'CHAR(36)';
    case 'json':
    case 'embed':
    case 'embedMany':
    case 'stringArray':
    case 'intArray':
    case 'vector':
      // MariaDB makes JSON a LONGTEXT with a json_valid() check itself.
      return 'JSON';
    case 'bytes':
      return 'LONGBLOB';
    case 'geoPoint':
      if (hasFeature(env, MYSQL_ENV.spatial)) return hasFeature(env, MYSQL_ENV.srid) ? `POINT SRID ${c.srid ?? 4326}` : 'POINT';
      if (c.geoFallback === 'error') {
        throw new SchemaError(
          `Field '${c.field}' is f.geoPoint({ fallback: 'error' }) and this MySQL/MariaDB adapter stores geo points as TEXT ` +
            `(spatial POINT columns are not enabled). Use the default fallback, or store the point in two f.float() fields.`,
        );
      }
      return 'TEXT';
  }
}

/** Where a column points, from `.refs()` on the column or from a relation-derived FK of its table. */
function referenceOf(c: ColumnIR, table: TableIR | undefined): { table: string; column: string } | undefined {
  if (c.references) return c.references;
  const fk = table?.foreignKeys.find((f) => f.columns.length === 1 && f.columns[0] === c.name);
  return fk ? { table: fk.refTable, column: fk.refColumns[0] } : undefined;
}

/**
 * The type a column is created with. A foreign-key column takes the referenced column's type (InnoDB refuses
 * a key between VARCHAR(255) and CHAR(36), or INT and BIGINT), found through `env.tables`. `.dbType()` wins.
 */
export function columnType(c: ColumnIR, env?: DdlEnv, table?: TableIR): string {
  if (c.dbType) return c.dbType;
  const ref = referenceOf(c, table ?? env?.tables?.find((t) => t.columns.includes(c)));
  const target = ref && env?.tables?.find((t) => t.name === ref.table)?.columns.find((rc) => rc.name === ref.column);
  return nativeType(target ?? c, env);
}

/** TEXT and BLOB families: an index over them needs a prefix length. */
export const isTextOrBlob = (type: string): boolean => /^\s*(tiny|medium|long)?(text|blob)\b/i.test(type);

/** JSON: no index at all (only through a generated column or a functional key part). */
export const isJson = (type: string): boolean => /^\s*json\b/i.test(type);

/**
 * Types that take a default only as a parenthesised expression on MySQL 8.0.13+ (`DEFAULT ('[]')`); a literal
 * DEFAULT is refused there. MariaDB takes both forms.
 */
export const needsExpressionDefault = (type: string): boolean => isTextOrBlob(type) || isJson(type) || /^\s*(geometry|point)\b/i.test(type);

function finite(n: number, c: ColumnIR): string {
  if (!Number.isFinite(n)) throw new SchemaError(`Field '${c.field}' has a default of ${n}, which MySQL cannot store in ${c.kind}`);
  return String(n);
}

const pad = (n: number, w = 2) => String(n).padStart(w, '0');

/** A Date as DATETIME(3) text in UTC, the form forge stores dateTime in. */
function datetimeText(d: Date): string {
  return (
    `${pad(d.getUTCFullYear(), 4)}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ` +
    `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}.${pad(d.getUTCMilliseconds(), 3)}`
  );
}

const DECIMAL = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;

/**
 * A default value as a SQL literal of the column's type (without the parentheses an expression default
 * needs: see `needsExpressionDefault`). Values come from schema code, but are quoted all the same.
 */
export function defaultLiteral(value: unknown, c: ColumnIR, type: string): string {
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
      if (/^\s*point\b/i.test(type)) {
        const wkt = quoteString(`POINT(${finite(p.lng, c)} ${finite(p.lat, c)})`);
        // An SRID-aware geographic column reads WKT as lat-long unless told otherwise.
        return /\bsrid\b/i.test(type) ? `ST_GeomFromText(${wkt}, ${c.srid ?? 4326}, 'axis-order=long-lat')` : `ST_GeomFromText(${wkt})`;
      }
      return quoteString(JSON.stringify({ lng: p.lng, lat: p.lat }));
    }
    case 'bytes':
      if (value instanceof Uint8Array) return `X'${Buffer.from(value).toString('hex')}'`;
      break;
    case 'dateTime':
      if (value instanceof Date) return quoteString(datetimeText(value));
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
