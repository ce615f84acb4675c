import { ValidationError, type ColumnIR, type FieldKind, type ValueCodec } from '@forge/core';

/**
 * Values per field kind for mysql2, read with `{ dateStrings: true, supportBigNumbers: true, bigNumberStrings: true,
 * decimalNumbers: false, timezone: 'Z' }` (see connection.ts):
 * - dateTime: DATETIME(3) in UTC, written and read as `'YYYY-MM-DD HH:MM:SS.mmm'` (no zone: the text is UTC);
 * - bigint (and bigserial ids): BIGINT read as a string, returned as a bigint; written as a decimal string
 *   (mysql2's `execute` cannot send a JS bigint, and a string is converted exactly where a DOUBLE would round);
 * - decimal: DECIMAL read and written as a string, as on Postgres;
 * - bool: TINYINT(1), written 1/0, read as a boolean;
 * - json / embed / embedMany / stringArray / intArray / vector: written as JSON text; read back parsed by mysql2 on
 *   MySQL 8 (a JSON column) or as text on MariaDB (JSON is LONGTEXT there), parsed here;
 * - geoPoint: for now a `{ lng, lat }` JSON text column (no POINT / SRID handling);
 * - bytes: a Buffer both ways (Uint8Array accepted on write).
 */

/** Kinds stored as JSON (a JSON column on MySQL 8, LONGTEXT with a JSON_VALID check on MariaDB). */
const JSON_KINDS: ReadonlySet<FieldKind> = new Set(['json', 'embed', 'embedMany', 'stringArray', 'intArray', 'vector', 'geoPoint']);

/** Kinds whose driver value is already what the user reads. */
const IDENTITY_KINDS: ReadonlySet<FieldKind> = new Set(['string', 'text', 'float', 'uuid', 'enum', 'objectId']);

const DECIMAL = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;
/** What DATETIME reads as with dateStrings: `YYYY-MM-DD HH:MM:SS[.ffffff]`, here always UTC. */
const MYSQL_DATETIME = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,6}))?$/;
/** DATETIME's range: '1000-01-01 00:00:00.000' to '9999-12-31 23:59:59.999'. */
const MIN_DATETIME = Date.UTC(1000, 0, 1);
const MAX_DATETIME = Date.UTC(9999, 11, 31, 23, 59, 59, 999);

function label(column: ColumnIR): string {
  return `field '${column.field}' (${column.kind})`;
}

function fail(column: ColumnIR, message: string): ValidationError {
  return new ValidationError(`${label(column)} ${message}`, { field: column.field, kind: column.kind });
}

const pad = (n: number, w = 2) => String(n).padStart(w, '0');

/** A Date as DATETIME(3) text in UTC: `2024-05-01 12:00:00.000`. */
export function formatDateTime(d: Date): string {
  return (
    `${pad(d.getUTCFullYear(), 4)}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ` +
    `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}.${pad(d.getUTCMilliseconds(), 3)}`
  );
}

/** DATETIME text (UTC, no zone) as a Date; undefined when it is not that form, an invalid Date for a zero date. */
export function parseDateTime(s: string): Date | undefined {
  const m = MYSQL_DATETIME.exec(s);
  if (!m) return undefined;
  const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])];
  // A zero date ('0000-00-00', what a non-strict server stores for a bad value) or a zero month/day is no date.
  if (month < 1 || month > 12 || day < 1 || day > 31) return new Date(NaN);
  const ms = m[7] ? Number(m[7].slice(0, 3).padEnd(3, '0')) : 0;
  const d = new Date(Date.UTC(2000, month - 1, day, Number(m[4]), Number(m[5]), Number(m[6]), ms));
  d.setUTCFullYear(year, month - 1, day); // Date.UTC reads years 0-99 as 1900-1999
  return d;
}

function encodeDateTime(value: unknown, column: ColumnIR): string {
  const date = value instanceof Date ? value : typeof value === 'string' ? new Date(value) : undefined;
  if (!date) throw fail(column, `takes a Date or an ISO-8601 string, got ${typeof value}`);
  const t = date.getTime();
  if (Number.isNaN(t)) {
    throw fail(column, `got an invalid date${typeof value === 'string' ? ` '${value}'` : ''}: use an ISO-8601 string such as 2024-05-01T12:00:00.000Z`);
  }
  if (t < MIN_DATETIME || t > MAX_DATETIME) throw fail(column, `got ${date.toISOString()}, outside MySQL DATETIME's range (years 1000 to 9999)`);
  return formatDateTime(date);
}

function encodeDecimal(value: unknown, column: ColumnIR): string {
  if (typeof value === 'bigint') return value.toString();
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  if (typeof value === 'string' && DECIMAL.test(value.trim())) return value.trim();
  throw fail(column, `takes a decimal string or a finite number, got ${JSON.stringify(String(value))}`);
}

/** A BIGINT as decimal text: exact, where mysql2 would send a number as a DOUBLE and cannot send a bigint. */
function encodeBigint(value: unknown, column: ColumnIR): string {
  if (typeof value === 'bigint') return value.toString();
  if (typeof value === 'number' && Number.isSafeInteger(value)) return String(value);
  if (typeof value === 'string' && /^[+-]?\d+$/.test(value.trim())) return BigInt(value.trim()).toString();
  throw fail(column, `takes a bigint or a safe integer, got ${JSON.stringify(String(value))}`);
}

function encodeBool(value: unknown, column: ColumnIR): number {
  if (typeof value === 'boolean') return value ? 1 : 0;
  if (value === 0 || value === 1) return value;
  throw fail(column, `takes true or false, got ${JSON.stringify(value)}`);
}

/** mysql2 sends only a Buffer as bytes: a plain Uint8Array would be written as text. */
function encodeBytes(value: unknown, column: ColumnIR): Buffer {
  if (value instanceof Uint8Array) return Buffer.isBuffer(value) ? value : Buffer.from(value.buffer, value.byteOffset, value.byteLength);
  throw fail(column, 'takes a Uint8Array or Buffer');
}

function encodeGeo(value: unknown, column: ColumnIR): string {
  const p = value as { lng?: unknown; lat?: unknown } | null;
  const lng = p && typeof p === 'object' ? p.lng : undefined;
  const lat = p && typeof p === 'object' ? p.lat : undefined;
  if (typeof lng !== 'number' || typeof lat !== 'number' || !Number.isFinite(lng) || !Number.isFinite(lat) || Math.abs(lng) > 180 || Math.abs(lat) > 90) {
    throw fail(column, 'takes { lng, lat } with -180 <= lng <= 180 and -90 <= lat <= 90');
  }
  return JSON.stringify({ lng, lat });
}

function encodeJsonKind(value: unknown, column: ColumnIR): string {
  switch (column.kind) {
    case 'geoPoint':
      return encodeGeo(value, column);
    case 'stringArray':
    case 'intArray':
    case 'vector':
      if (!Array.isArray(value)) throw fail(column, `takes an array, got ${typeof value}`);
      return JSON.stringify(value);
    default: {
      const text = JSON.stringify(value);
      if (text === undefined) throw fail(column, `takes a JSON value, got ${typeof value}`);
      return text;
    }
  }
}

/**
 * JSON as mysql2 hands it over: already parsed on MySQL 8 (a JSON column), text on MariaDB (LONGTEXT). Text is
 * parsed; text that is not JSON can only be a top-level JSON string MySQL 8 already parsed, kept as it is.
 * (Ambiguous on MySQL 8 only for a top-level JSON string that itself looks like JSON, e.g. "123": a pool opened
 * with mysql2's `jsonStrings: true` removes that case, every JSON value then arrives as text.)
 */
function decodeJson(value: unknown): unknown {
  if (typeof value !== 'string') return Buffer.isBuffer(value) ? decodeJson(value.toString('utf8')) : value;
  try {
    return JSON.parse(value);
  } catch {
    return value;
  }
}

function decodeDateTime(value: unknown, column: ColumnIR): unknown {
  if (value instanceof Date) return value;
  if (typeof value === 'string') {
    const d = parseDateTime(value) ?? new Date(value);
    // Invalid: a zero date, or text that is no date at all.
    if (Number.isNaN(d.getTime())) throw new Error(`Column '${column.name}' holds ${JSON.stringify(value)}, which is not a date forge can read (a zero date?).`);
    return d;
  }
  return value;
}

function decodeBool(value: unknown): unknown {
  if (typeof value === 'number') return value !== 0;
  if (typeof value === 'bigint') return value !== 0n;
  if (typeof value === 'string') return value !== '0' && value !== '';
  if (Buffer.isBuffer(value)) return value.some((x) => x !== 0); // BIT(1)
  return value;
}

function isBigintColumn(c: ColumnIR): boolean {
  return c.kind === 'bigint' || (c.kind === 'id' && c.idStrategy === 'bigserial');
}

export const mysqlCodec: ValueCodec = {
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
    }
    if (JSON_KINDS.has(column.kind)) return encodeJsonKind(value, column);
    return value;
  },

  decode(value, column) {
    if (value === null || value === undefined) return value;
    if (isBigintColumn(column)) return typeof value === 'bigint' ? value : BigInt(value as string | number);
    switch (column.kind) {
      case 'bool':
        return decodeBool(value);
      case 'dateTime':
        return decodeDateTime(value, column);
      case 'decimal':
        return typeof value === 'string' ? value : String(value);
      case 'int':
        // INT reads as a number; an int field given a BIGINT `.dbType()` reads as a string.
        return typeof value === 'string' || typeof value === 'bigint' ? Number(value) : value;
      case 'id':
        return column.idStrategy === 'int' && (typeof value === 'string' || typeof value === 'bigint') ? Number(value) : value;
      case 'bytes':
        return value;
    }
    if (JSON_KINDS.has(column.kind)) return decodeJson(value);
    return value;
  },

  passthrough(column) {
    if (isBigintColumn(column)) return false;
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
