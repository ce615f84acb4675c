import { ValidationError } from '../errors.js';
import type { ColumnIR } from '../schema/ir.js';

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const DECIMAL_RE = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;
const ISO_DATE_RE = /^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/;

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  if (v instanceof Date) return 'a Date';
  if (typeof v === 'string') return `the string ${JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v)}`;
  if (typeof v === 'object') return 'an object';
  return `${typeof v} ${String(v)}`;
}

function fail(model: string, col: ColumnIR, expected: string, got: unknown): never {
  throw new ValidationError(`${model}.${col.field} expects ${expected}, got ${describe(got)}`, { model, field: col.field, kind: col.kind });
}

/** Significant digits before and after the point of a decimal literal (`-0012.3400e1` has 3 and 3), exponent applied. */
function decimalDigits(text: string): { whole: number; fraction: number } {
  const [mantissa, exp = '0'] = text.replace(/^[+-]/, '').toLowerCase().split('e');
  const [intPart, fracPart = ''] = mantissa.split('.');
  const digits = intPart + fracPart;
  const point = intPart.length + Number(exp);
  const first = digits.search(/[1-9]/);
  if (first < 0) return { whole: 0, fraction: 0 };
  const last = digits.length - 1 - [...digits].reverse().join('').search(/[1-9]/);
  return { whole: Math.max(0, point - first), fraction: Math.max(0, last + 1 - point) };
}

/**
 * Deeper JSON is refused: serialising it recurses once per level, and no real document nests this far. An
 * adapter whose server takes less says so in `capabilities.maxJsonDepth` (MariaDB's JSON_VALID stops at 31).
 */
export const MAX_JSON_DEPTH = 100;

/** `f.int()` is a 32-bit integer: the server dialects store it as a 32-bit INTEGER/INT and refuse more. */
const isInt32 = (v: unknown): boolean => Number.isSafeInteger(v) && (v as number) >= -(2 ** 31) && (v as number) < 2 ** 31;

/** `f.bigint()` is a signed 64-bit integer in every dialect; drivers refuse wider values with their own errors. */
const isInt64 = (v: unknown): boolean => Number.isSafeInteger(v) || (typeof v === 'bigint' && v >= -(2n ** 63n) && v < 2n ** 63n);

/** A lone UTF-16 surrogate has no UTF-8 form: databases would store U+FFFD in its place. */
export const LONE_SURROGATE = /\p{Cs}/u;

/** True for values a JSON column can store faithfully. */
function isJsonSafe(v: unknown, max: number, depth = 0): boolean {
  if (depth > max) return false;
  if (v === null || typeof v === 'string' || typeof v === 'boolean') return true;
  if (typeof v === 'number') return Number.isFinite(v);
  if (Array.isArray(v)) return v.every((x) => isJsonSafe(x, max, depth + 1));
  if (typeof v === 'object') {
    if (v instanceof Date) return true;
    const proto = Object.getPrototypeOf(v);
    if (proto !== Object.prototype && proto !== null) return false;
    return Object.values(v as object).every((x) => x === undefined || isJsonSafe(x, max, depth + 1));
  }
  return false;
}

/**
 * Check one non-null value against its field's kind before it reaches the database, so a wrong type is a
 * clear ValidationError naming the model and field instead of a driver error or a silently coerced value.
 */
export function checkValue(model: string, col: ColumnIR, v: unknown, maxJsonDepth = MAX_JSON_DEPTH): void {
  if (v === undefined) {
    throw new ValidationError(`${model}.${col.field} is undefined: omit the key, or pass null to store NULL`, { model, field: col.field });
  }
  switch (col.kind) {
    case 'id':
      if (col.idStrategy === 'int') {
        if (!isInt32(v)) fail(model, col, 'an integer id (32-bit)', v);
      } else if (col.idStrategy === 'bigserial') {
        if (!isInt64(v)) fail(model, col, 'a bigint id within the signed 64-bit range', v);
      } else if (typeof v !== 'string') {
        fail(model, col, 'a string id', v);
      }
      return;
    case 'string':
    case 'text':
    case 'objectId':
      if (typeof v !== 'string') fail(model, col, 'a string', v);
      if ((v as string).includes('\0') && col.kind !== 'text') fail(model, col, 'a string without NUL characters', v);
      if (LONE_SURROGATE.test(v as string)) fail(model, col, 'well-formed Unicode text (this string has a lone UTF-16 surrogate)', v);
      return;
    case 'uuid':
      if (typeof v !== 'string' || !UUID_RE.test(v)) fail(model, col, 'a UUID string', v);
      return;
    case 'enum':
      if (typeof v !== 'string' || !col.enumValues?.includes(v)) fail(model, col, `one of ${col.enumValues?.map((x) => JSON.stringify(x)).join(', ')}`, v);
      return;
    case 'int':
      if (!isInt32(v)) fail(model, col, 'an integer (32-bit: use f.bigint() for wider values)', v);
      return;
    case 'bigint':
      if (!isInt64(v)) fail(model, col, 'a bigint (or a safe integer number) within the signed 64-bit range', v);
      return;
    case 'float':
      if (typeof v !== 'number' || !Number.isFinite(v)) fail(model, col, 'a finite number', v);
      return;
    case 'decimal': {
      if (typeof v === 'number' ? !Number.isFinite(v) : typeof v !== 'string' || !DECIMAL_RE.test(v)) fail(model, col, 'a decimal string like "12.50" (or a finite number)', v);
      if (col.precision === undefined) return;
      const scale = col.scale ?? 0;
      const { whole, fraction } = decimalDigits(typeof v === 'number' ? String(v) : (v as string));
      // Beyond the declared digits one database would round or refuse, another would keep them all: refuse here.
      if (whole > col.precision - scale || fraction > scale) {
        fail(model, col, `a decimal with at most ${col.precision - scale} digits before the point and ${scale} after (decimal(${col.precision}, ${scale}))`, v);
      }
      return;
    }
    case 'bool':
      if (typeof v !== 'boolean') fail(model, col, 'a boolean', v);
      return;
    case 'dateTime':
      if (v instanceof Date) {
        if (Number.isNaN(v.getTime())) fail(model, col, 'a valid Date', v);
      } else if (typeof v !== 'string' || !ISO_DATE_RE.test(v) || Number.isNaN(Date.parse(v))) {
        fail(model, col, 'a Date or an ISO-8601 string', v);
      }
      return;
    case 'json':
      if (!isJsonSafe(v, maxJsonDepth)) {
        const why = maxJsonDepth < MAX_JSON_DEPTH ? ` (the most this database takes: capabilities.maxJsonDepth)` : '';
        fail(model, col, `a JSON value (plain objects, arrays, strings, finite numbers, booleans, null) nested at most ${maxJsonDepth} deep${why}`, v);
      }
      return;
    case 'embed':
      if (typeof v !== 'object' || Array.isArray(v) || !isJsonSafe(v, maxJsonDepth)) fail(model, col, 'a plain object', v);
      return;
    case 'embedMany':
      if (!Array.isArray(v) || !v.every((x) => x && typeof x === 'object' && !Array.isArray(x)) || !isJsonSafe(v, maxJsonDepth)) fail(model, col, 'an array of plain objects', v);
      return;
    case 'stringArray':
      if (!Array.isArray(v) || !v.every((x) => typeof x === 'string')) fail(model, col, 'an array of strings', v);
      return;
    case 'intArray':
      if (!Array.isArray(v) || !v.every(isInt32)) fail(model, col, 'an array of integers (32-bit)', v);
      return;
    case 'geoPoint': {
      const p = v as { lng?: unknown; lat?: unknown };
      const ok =
        !!p && typeof p === 'object' && typeof p.lng === 'number' && typeof p.lat === 'number' && Math.abs(p.lng) <= 180 && Math.abs(p.lat) <= 90;
      if (!ok) fail(model, col, '{ lng, lat } with lng in [-180, 180] and lat in [-90, 90]', v);
      return;
    }
    case 'vector':
      if (!Array.isArray(v) || v.length !== col.dims || !v.every((x) => typeof x === 'number' && Number.isFinite(x))) {
        fail(model, col, `an array of ${col.dims} finite numbers`, v);
      }
      return;
    case 'bytes':
      if (!(v instanceof Uint8Array)) fail(model, col, 'a Uint8Array or Buffer', v);
      return;
  }
}
