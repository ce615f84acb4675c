import { ValidationError, type ColumnIR, type FieldKind, type ValueCodec } from '@forge/core';

/**
 * Values per field kind for mssql (tedious), on a pool with `useUTC: true` (the default):
 * - dateTime: datetime2(3) holding UTC, written as a Date (bound as datetime2) and read as a Date;
 * - bigint (and bigserial ids): BIGINT, written as a bigint, read (tedious gives a string) as a bigint;
 * - decimal: DECIMAL written as a string (converted exactly by the server), read as a string with the column's
 *   scale (`120.50` stays `120.50`). tedious reads DECIMAL as a JS number: exact up to 15 significant digits (a
 *   DECIMAL(p,s) with p <= 15 always is), beyond that the nearest double's digits (see the README);
 * - bool: BIT, a boolean both ways;
 * - uuid and uuid ids: UNIQUEIDENTIFIER, read in lower case whatever the pool's `lowerCaseGuids`;
 * - json / embed / embedMany / stringArray / intArray / vector: JSON text in nvarchar(max) (a VECTOR column reads
 *   and writes as its JSON array text too), parsed on read;
 * - geoPoint: GEOGRAPHY, written as WKT `POINT(lng lat)` (the server converts it with SRID 4326), read from
 *   mssql's parsed geography as `{ lng, lat }`;
 * - bytes: a Buffer both ways.
 */

/** The scale a decimal column was created with: `.dbType('decimal(18,4)')`, the field's own, or DECIMAL(38,10)'s 10. */
export function decimalScale(column: ColumnIR): number | undefined {
  if (column.dbType) {
    const m = /^\s*(?:decimal|numeric|dec)\s*\(\s*\d+\s*(?:,\s*(\d+)\s*)?\)\s*$/i.exec(column.dbType);
    if (m) return Number(m[1] ?? 0);
    return /^\s*(?:small)?money\s*$/i.test(column.dbType) ? 4 : undefined;
  }
  return column.precision !== undefined ? (column.scale ?? 0) : 10;
}

/**
 * A DECIMAL as tedious hands it over (a JS number, computed from the wire's exact integer and scale) as decimal
 * text with the column's scale. While the value has at most 15 significant digits the double is the decimal's
 * nearest and toFixed gives the decimal back exactly.
 */
export function decodeDecimal(value: unknown, column: ColumnIR): unknown {
  if (typeof value === 'string') return value;
  if (typeof value !== 'number' || !Number.isFinite(value)) return String(value);
  const scale = decimalScale(column);
  if (scale === undefined || scale > 100 || Math.abs(value) >= 1e21) return String(value);
  return value.toFixed(scale);
}

const JSON_KINDS: ReadonlySet<FieldKind> = new Set(['json', 'embed', 'embedMany', 'stringArray', 'intArray', 'vector']);
const IDENTITY_KINDS: ReadonlySet<FieldKind> = new Set(['string', 'text', 'float', 'enum', 'objectId']);

const DECIMAL = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;
/** datetime2's range: 0001-01-01 to 9999-12-31 (Date.UTC reads years 0-99 as 1900-1999, hence setUTCFullYear). */
const MIN_DATETIME2 = new Date(0).setUTCFullYear(1, 0, 1);
const MAX_DATETIME = Date.UTC(9999, 11, 31, 23, 59, 59, 999);

function fail(column: ColumnIR, message: string): ValidationError {
  return new ValidationError(`field '${column.field}' (${column.kind}) ${message}`, { field: column.field, kind: column.kind });
}

function encodeDateTime(value: unknown, column: ColumnIR): Date {
  const date = value instanceof Date ? value : typeof value === 'string' ? new Date(value) : undefined;
  if (!date) throw fail(column, `takes a Date or an ISO-8601 string, got ${typeof value}`);
  const t = date.getTime();
  if (Number.isNaN(t)) throw fail(column, `got an invalid date${typeof value === 'string' ? ` '${value}'` : ''}: use an ISO-8601 string such as 2024-05-01T12:00:00.000Z`);
  if (t < MIN_DATETIME2 || t > MAX_DATETIME) throw fail(column, `got ${date.toISOString()}, outside datetime2's range (years 1 to 9999)`);
  return date;
}

function encodeDecimal(value: unknown, column: ColumnIR): string {
  if (typeof value === 'bigint') return value.toString();
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  if (typeof value === 'string' && DECIMAL.test(value.trim())) return value.trim();
  throw fail(column, `takes a decimal string or a finite number, got ${JSON.stringify(String(value))}`);
}

function encodeBigint(value: unknown, column: ColumnIR): bigint {
  if (typeof value === 'bigint') return value;
  if (typeof value === 'number' && Number.isSafeInteger(value)) return BigInt(value);
  if (typeof value === 'string' && /^[+-]?\d+$/.test(value.trim())) return BigInt(value.trim());
  throw fail(column, `takes a bigint or a safe integer, got ${JSON.stringify(String(value))}`);
}

function encodeBool(value: unknown, column: ColumnIR): boolean {
  if (typeof value === 'boolean') return value;
  if (value === 0 || value === 1) return value === 1;
  throw fail(column, `takes true or false, got ${JSON.stringify(value)}`);
}

function encodeBytes(value: unknown, column: ColumnIR): Buffer {
  if (value instanceof Uint8Array) return Buffer.isBuffer(value) ? value : Buffer.from(value.buffer, value.byteOffset, value.byteLength);
  throw fail(column, 'takes a Uint8Array or Buffer');
}

/** `POINT(lng lat)`: WKT is x y, longitude first; the server reads it as geography with SRID 4326. */
function encodeGeo(value: unknown, column: ColumnIR): string {
  const p = value as { lng?: unknown; lat?: unknown } | null;
  const lng = p && typeof p === 'object' ? p.lng : undefined;
  const lat = p && typeof p === 'object' ? p.lat : undefined;
  if (typeof lng !== 'number' || typeof lat !== 'number' || !Number.isFinite(lng) || !Number.isFinite(lat) || Math.abs(lng) > 180 || Math.abs(lat) > 90) {
    throw fail(column, 'takes { lng, lat } with -180 <= lng <= 180 and -90 <= lat <= 90');
  }
  return `POINT(${lng} ${lat})`;
}

function encodeJsonKind(value: unknown, column: ColumnIR): string {
  if ((column.kind === 'stringArray' || column.kind === 'intArray' || column.kind === 'vector') && !Array.isArray(value)) {
    throw fail(column, `takes an array, got ${typeof value}`);
  }
  const text = JSON.stringify(value);
  if (text === undefined) throw fail(column, `takes a JSON value, got ${typeof value}`);
  return text;
}

function decodeJson(value: unknown): unknown {
  if (typeof value !== 'string') return Buffer.isBuffer(value) ? decodeJson(value.toString('utf8')) : value;
  try {
    return JSON.parse(value);
  } catch {
    return value;
  }
}

/** mssql parses geography into `{ srid, points: [{ lat, lng, x, y }] }`; WKT text (a cast in raw SQL) is read too. */
function decodeGeo(value: unknown): unknown {
  if (value && typeof value === 'object' && Array.isArray((value as { points?: unknown }).points)) {
    const pt = (value as { points: Array<{ lat?: number; lng?: number }> }).points[0];
    if (pt && typeof pt.lat === 'number' && typeof pt.lng === 'number') return { lng: pt.lng, lat: pt.lat };
  }
  if (typeof value === 'string') {
    const m = /^\s*POINT\s*\(\s*(-?[\d.eE+-]+)\s+(-?[\d.eE+-]+)\s*\)\s*$/i.exec(value);
    if (m) return { lng: Number(m[1]), lat: Number(m[2]) };
  }
  return value;
}

function decodeDateTime(value: unknown, column: ColumnIR): unknown {
  if (value instanceof Date) return value;
  if (typeof value === 'string') {
    // datetime2 text without a zone (a CAST in raw SQL) is UTC, as forge stores it.
    const d = new Date(/[zZ]|[+-]\d\d:?\d\d$/.test(value) ? value : `${value.replace(' ', 'T')}Z`);
    if (Number.isNaN(d.getTime())) throw new Error(`Column '${column.name}' holds ${JSON.stringify(value)}, which is not a date forge can read.`);
    return d;
  }
  return value;
}

function decodeBool(value: unknown): unknown {
  if (typeof value === 'boolean') return value;
  if (typeof value === 'number') return value !== 0;
  if (typeof value === 'string') return value !== '0' && value !== '';
  return value;
}

function isBigintColumn(c: ColumnIR): boolean {
  return c.kind === 'bigint' || (c.kind === 'id' && c.idStrategy === 'bigserial');
}

function isGuidColumn(c: ColumnIR): boolean {
  return !c.dbType && (c.kind === 'uuid' || (c.kind === 'id' && (c.idStrategy === undefined || c.idStrategy === 'auto' || c.idStrategy === 'uuid')));
}

export const mssqlCodec: ValueCodec = {
  encode(value, column) {
    if (value === null || value === undefined) return value;
    if (isBigintColumn(column)) return encodeBigint(value, column);
    switch (column.kind) {
      case 'bool':
        return encodeBool(value, column);
      case 'dateTime':
        return encodeDateTime(value, column);
      case 'decimal':
        return encodeDecimal(value, column);
      case 'bytes':
        return encodeBytes(value, column);
      case 'geoPoint':
        return encodeGeo(value, column);
    }
    if (JSON_KINDS.has(column.kind)) return encodeJsonKind(value, column);
    return value;
  },

  decode(value, column) {
    if (value === null || value === undefined) return value;
    if (isBigintColumn(column)) return typeof value === 'bigint' ? value : BigInt(value as string | number);
    if (isGuidColumn(column)) return typeof value === 'string' ? value.toLowerCase() : value;
    switch (column.kind) {
      case 'bool':
        return decodeBool(value);
      case 'dateTime':
        return decodeDateTime(value, column);
      case 'decimal':
        return decodeDecimal(value, column);
      case 'int':
        return typeof value === 'string' || typeof value === 'bigint' ? Number(value) : value;
      case 'id':
        return column.idStrategy === 'int' && (typeof value === 'string' || typeof value === 'bigint') ? Number(value) : value;
      case 'geoPoint':
        return decodeGeo(value);
      case 'bytes':
        return value;
    }
    if (JSON_KINDS.has(column.kind)) return decodeJson(value);
    return value;
  },

  passthrough(column) {
    if (isBigintColumn(column) || isGuidColumn(column)) return false;
    switch (column.kind) {
      case 'int':
        return column.dbType === undefined;
      case 'id':
        return column.idStrategy !== 'int';
      case 'bytes':
        return true;
    }
    return IDENTITY_KINDS.has(column.kind);
  },
};
