import { ValidationError, type ColumnIR, type FieldKind, type ValueCodec } from '@forge/core';

/**
 * Values per field kind for @duckdb/node-api (read through `readValue`, see values.ts):
 * - dateTime: TIMESTAMPTZ, written as ISO-8601 text in UTC (DuckDB casts it), read as a Date;
 * - bigint (and bigserial ids): BIGINT, a bigint both ways; int: INTEGER, a number (a HUGEINT SUM reads as one too);
 * - decimal: DECIMAL, written and read as exact text;
 * - json / embed / embedMany: JSON, written as JSON text, read parsed;
 * - stringArray / intArray: VARCHAR[] / INTEGER[] LISTs, arrays both ways; vector: FLOAT[n], an array of numbers;
 * - geoPoint: GEOMETRY (built into DuckDB 1.5), written as WKT `POINT (lng lat)`, read from its WKB as { lng, lat };
 * - bytes: BLOB, a Buffer (Uint8Array accepted on write).
 */

const JSON_KINDS: ReadonlySet<FieldKind> = new Set(['json', 'embed', 'embedMany']);
const IDENTITY_KINDS: ReadonlySet<FieldKind> = new Set(['string', 'text', 'uuid', 'enum', 'objectId', 'stringArray']);
const DECIMAL = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;

function fail(column: ColumnIR, message: string): ValidationError {
  return new ValidationError(`field '${column.field}' (${column.kind}) ${message}`, { field: column.field, kind: column.kind });
}

function isBigintColumn(c: ColumnIR): boolean {
  return c.kind === 'bigint' || (c.kind === 'id' && c.idStrategy === 'bigserial');
}

function encodeDateTime(value: unknown, column: ColumnIR): string {
  const date = value instanceof Date ? value : typeof value === 'string' ? new Date(value) : undefined;
  if (!date) throw fail(column, `takes a Date or an ISO-8601 string, got ${typeof value}`);
  if (Number.isNaN(date.getTime())) {
    throw fail(column, `got an invalid date${typeof value === 'string' ? ` '${value}'` : ''}: use an ISO-8601 string such as 2024-05-01T12:00:00.000Z`);
  }
  return date.toISOString();
}

function encodeBigint(value: unknown, column: ColumnIR): bigint {
  if (typeof value === 'bigint') return value;
  if (typeof value === 'number' && Number.isSafeInteger(value)) return BigInt(value);
  if (typeof value === 'string' && /^[+-]?\d+$/.test(value.trim())) return BigInt(value.trim());
  throw fail(column, `takes a bigint or a safe integer, got ${JSON.stringify(String(value))}`);
}

function encodeDecimal(value: unknown, column: ColumnIR): string {
  if (typeof value === 'bigint') return value.toString();
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  if (typeof value === 'string' && DECIMAL.test(value.trim())) return value.trim();
  throw fail(column, `takes a decimal string or a finite number, got ${JSON.stringify(String(value))}`);
}

function encodeGeo(value: unknown, column: ColumnIR): string {
  const p = value as { lng?: unknown; lat?: unknown } | null;
  const lng = p && typeof p === 'object' ? p.lng : undefined;
  const lat = p && typeof p === 'object' ? p.lat : undefined;
  if (typeof lng !== 'number' || typeof lat !== 'number' || !Number.isFinite(lng) || !Number.isFinite(lat) || Math.abs(lng) > 180 || Math.abs(lat) > 90) {
    throw fail(column, 'takes { lng, lat } with -180 <= lng <= 180 and -90 <= lat <= 90');
  }
  return `POINT (${lng} ${lat})`;
}

/** A WKB point (what DuckDB's GEOMETRY reads as) as { lng, lat }. */
export function pointFromWkb(bytes: Uint8Array): { lng: number; lat: number } {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const little = view.getUint8(0) === 1;
  const type = view.getUint32(1, little) & 0xffff;
  // 1 is a 2D point; 1001 / 2001 / 3001 its Z / M / ZM forms (ISO WKB): x and y come first in every one.
  if (type % 1000 !== 1 || bytes.byteLength < 21) throw new Error(`A geo point column holds a geometry that is not a point (WKB type ${type})`);
  return { lng: view.getFloat64(5, little), lat: view.getFloat64(13, little) };
}

function encodeArray(value: unknown, column: ColumnIR): unknown[] {
  if (!Array.isArray(value)) throw fail(column, `takes an array, got ${typeof value}`);
  if (column.kind === 'vector' && column.dims !== undefined && value.length !== column.dims) {
    throw fail(column, `takes ${column.dims} numbers, got ${value.length}`);
  }
  return value;
}

function decodeJson(value: unknown): unknown {
  if (typeof value !== 'string') return value;
  try {
    return JSON.parse(value);
  } catch {
    return value;
  }
}

export const duckdbCodec: ValueCodec = {
  encode(value, column) {
    if (value === null || value === undefined) return value;
    if (isBigintColumn(column)) return encodeBigint(value, column);
    switch (column.kind) {
      case 'dateTime':
        return encodeDateTime(value, column);
      case 'decimal':
        return encodeDecimal(value, column);
      case 'geoPoint':
        return encodeGeo(value, column);
      case 'stringArray':
      case 'intArray':
      case 'vector':
        return encodeArray(value, column);
      case 'bytes':
        if (!(value instanceof Uint8Array)) throw fail(column, 'takes a Uint8Array or Buffer');
        return value;
    }
    if (JSON_KINDS.has(column.kind)) {
      const text = JSON.stringify(value);
      if (text === undefined) throw fail(column, `takes a JSON value, got ${typeof value}`);
      return text;
    }
    return value;
  },

  decode(value, column) {
    if (value === null || value === undefined) return value;
    if (isBigintColumn(column)) return typeof value === 'bigint' ? value : BigInt(value as string | number);
    switch (column.kind) {
      case 'int':
      case 'float':
        return typeof value === 'bigint' || typeof value === 'string' ? Number(value) : value;
      case 'id':
        return column.idStrategy === 'int' && (typeof value === 'bigint' || typeof value === 'string') ? Number(value) : value;
      case 'decimal':
        return typeof value === 'string' ? value : String(value);
      case 'dateTime':
        return value instanceof Date ? value : new Date(String(value));
      case 'bool':
        return typeof value === 'boolean' ? value : Boolean(value);
      case 'bytes':
        return value instanceof Uint8Array && !Buffer.isBuffer(value) ? Buffer.from(value.buffer, value.byteOffset, value.byteLength) : value;
      case 'geoPoint':
        return value instanceof Uint8Array ? pointFromWkb(value) : decodeJson(value);
      case 'intArray':
      case 'vector':
        return Array.isArray(value) ? value.map((v) => (typeof v === 'bigint' ? Number(v) : v)) : value;
    }
    if (JSON_KINDS.has(column.kind)) return decodeJson(value);
    return value;
  },

  passthrough(column) {
    if (isBigintColumn(column)) return false;
    if (column.kind === 'id') return column.idStrategy !== 'int';
    return IDENTITY_KINDS.has(column.kind) && column.dbType === undefined;
  },
};
