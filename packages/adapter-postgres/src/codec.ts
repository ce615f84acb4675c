import type { ColumnIR, ValueCodec } from '@forge/core';
import { ValidationError } from '@forge/core';
import { pointFromHexEwkb, pointFromJson, pointFromObject, pointFromWkt } from './geo.js';
import { GeoPointParam, JsonParam, VectorParam } from './wire.js';

const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
const JSON_TYPE = /^jsonb?$/i;

function invalid(column: ColumnIR, expected: string, value: unknown): ValidationError {
  const shown =
    typeof value === 'string'
      ? JSON.stringify(value.slice(0, 60))
      : typeof value === 'bigint'
        ? `${value}n`
        : value !== null && typeof value === 'object' && !(value instanceof Date)
          ? (JSON.stringify(value) ?? String(value)).slice(0, 80)
          : String(value);
  return new ValidationError(`Field '${column.field}' expects ${expected}, got ${shown}`, { field: column.field, kind: column.kind });
}

/** Postgres text cannot hold NUL: the server would answer 22021 after the round trip. f.bytes() can. */
function refuseNul(value: unknown, column: ColumnIR): void {
  const nul = typeof value === 'string' ? value.includes('\0') : Array.isArray(value) && value.some((v) => typeof v === 'string' && v.includes('\0'));
  if (nul) throw invalid(column, 'text without NUL characters (Postgres text cannot store them; use f.bytes() for binary data)', value);
}

function encodeDate(value: unknown, column: ColumnIR): Date {
  const d = value instanceof Date ? value : typeof value === 'string' ? new Date(value) : undefined;
  if (!d || Number.isNaN(d.getTime())) throw invalid(column, 'a Date or an ISO-8601 string', value);
  return d;
}

function encodeBigint(value: unknown, column: ColumnIR): bigint {
  if (typeof value === 'bigint') return value;
  if (typeof value === 'number' && Number.isSafeInteger(value)) return BigInt(value);
  if (typeof value === 'string' && /^[+-]?\d+$/.test(value)) return BigInt(value);
  throw invalid(column, 'a bigint or a safe integer', value);
}

function encodeDecimal(value: unknown, column: ColumnIR): string {
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  if (typeof value === 'string' && DECIMAL.test(value.trim())) return value.trim();
  if (typeof value === 'bigint') return value.toString();
  throw invalid(column, 'a decimal string or a finite number', value);
}

function encodeGeo(value: unknown, column: ColumnIR): GeoPointParam {
  const p = pointFromObject(value);
  if (!p || !Number.isFinite(p.lng) || !Number.isFinite(p.lat) || Math.abs(p.lng) > 180 || Math.abs(p.lat) > 90) {
    throw invalid(column, '{ lng, lat } with -180 <= lng <= 180 and -90 <= lat <= 90', value);
  }
  return new GeoPointParam(p.lng, p.lat, column.srid ?? 4326);
}

function encodeVector(value: unknown, column: ColumnIR): VectorParam {
  if (!Array.isArray(value) || value.some((n) => typeof n !== 'number' || !Number.isFinite(n))) {
    throw invalid(column, 'an array of finite numbers', value);
  }
  if (column.dims !== undefined && value.length !== column.dims) {
    throw invalid(column, `${column.dims} numbers`, value.length);
  }
  return new VectorParam(value as number[]);
}

function decodeGeo(value: unknown, column: ColumnIR): unknown {
  if (typeof value !== 'string') return pointFromObject(value) ?? value;
  const text = value.trim();
  const p = text.startsWith('{') ? pointFromJson(text) : /^[0-9a-f]+$/i.test(text) ? pointFromHexEwkb(text) : pointFromWkt(text);
  if (!p) throw new Error(`Column '${column.name}' holds ${JSON.stringify(text.slice(0, 60))}, which is not a point forge can read.`);
  return p;
}

function decodeVector(value: unknown): unknown {
  // pgvector reads back as '[1,2,3]' (also valid JSON); the float8[] fallback arrives already parsed.
  return typeof value === 'string' ? (JSON.parse(value) as number[]) : value;
}

/** A `.dbType()` that stores JSON outside json/jsonb reads back as text and is parsed here. */
const jsonAsText = (c: ColumnIR) => c.dbType !== undefined && !JSON_TYPE.test(c.dbType.trim());

function isBigintColumn(c: ColumnIR): boolean {
  return c.kind === 'bigint' || (c.kind === 'id' && c.idStrategy === 'bigserial');
}

/** Values per field kind for pg and postgres.js: what the drivers already do natively is left to them. */
export const postgresCodec: ValueCodec = {
  encode(value, column) {
    if (value === null || value === undefined) return value;
    if (isBigintColumn(column)) return encodeBigint(value, column);
    switch (column.kind) {
      case 'dateTime':
        return encodeDate(value, column);
      case 'decimal':
        return encodeDecimal(value, column);
      case 'json':
      case 'embed':
      case 'embedMany':
        // Never a bare JS value: pg would turn an array into a Postgres array literal.
        return jsonAsText(column) ? JSON.stringify(value) : new JsonParam(value);
      case 'geoPoint':
        return encodeGeo(value, column);
      case 'vector':
        return encodeVector(value, column);
      case 'stringArray':
      case 'intArray':
        if (!Array.isArray(value)) throw invalid(column, 'an array', value);
        refuseNul(value, column);
        return value;
      case 'text':
        refuseNul(value, column);
        return value;
      default:
        return value;
    }
  },

  decode(value, column) {
    if (value === null || value === undefined) return value;
    if (isBigintColumn(column)) return typeof value === 'bigint' ? value : BigInt(value as string | number);
    switch (column.kind) {
      case 'int':
      case 'float':
        return typeof value === 'string' ? Number(value) : value;
      case 'dateTime':
        return value instanceof Date ? value : new Date(value as string);
      case 'json':
      case 'embed':
      case 'embedMany':
        return jsonAsText(column) && typeof value === 'string' ? JSON.parse(value) : value;
      case 'geoPoint':
        return decodeGeo(value, column);
      case 'vector':
        return decodeVector(value);
      default:
        return value;
    }
  },

  passthrough(column) {
    if (isBigintColumn(column) || column.kind === 'geoPoint' || column.kind === 'vector') return false;
    switch (column.kind) {
      case 'int':
      case 'float':
      case 'dateTime':
        return column.dbType === undefined;
      case 'json':
      case 'embed':
      case 'embedMany':
        return !jsonAsText(column);
      default:
        return true;
    }
  },
};
