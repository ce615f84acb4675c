import { ValidationError, type ColumnIR, type FieldKind, type ValueCodec } from '@forge/core';

/** Kinds stored as JSON text: SQLite has no array, document or geometry types of its own. */
const JSON_KINDS: ReadonlySet<FieldKind> = new Set(['json', 'embed', 'embedMany', 'stringArray', 'intArray', 'vector', 'geoPoint']);

/** Kinds whose stored value is already what the user reads. */
const IDENTITY_KINDS: ReadonlySet<FieldKind> = new Set(['string', 'text', 'float', 'uuid', 'enum', 'objectId']);

const DECIMAL = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;
/** `YYYY-MM-DD HH:MM:SS[.fff]` without a zone: what CURRENT_TIMESTAMP writes, always UTC. */
const SQLITE_TIMESTAMP = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}(:\d{2}(\.\d+)?)?$/;

function label(column: ColumnIR): string {
  return `field '${column.field}' (${column.kind})`;
}

function encodeDateTime(value: unknown, column: ColumnIR): string {
  const date = value instanceof Date ? value : typeof value === 'string' ? new Date(value) : undefined;
  if (!date) throw new ValidationError(`${label(column)} takes a Date or an ISO-8601 string, got ${typeof value}`, { field: column.field });
  if (Number.isNaN(date.getTime())) {
    throw new ValidationError(`${label(column)} got an invalid date${typeof value === 'string' ? ` '${value}'` : ''}: use an ISO-8601 string such as 2024-05-01T12:00:00.000Z`, {
      field: column.field,
    });
  }
  return date.toISOString();
}

function encodeDecimal(value: unknown, column: ColumnIR): string {
  if (typeof value === 'bigint') return value.toString();
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  if (typeof value === 'string' && DECIMAL.test(value.trim())) return value.trim();
  throw new ValidationError(`${label(column)} takes a decimal string or a finite number, got ${JSON.stringify(String(value))}`, { field: column.field });
}

function encodeInteger(value: unknown, column: ColumnIR): bigint | number {
  if (typeof value === 'bigint') return value;
  if (typeof value === 'number' && Number.isInteger(value)) return value;
  if (typeof value === 'string' && /^-?\d+$/.test(value)) return BigInt(value);
  throw new ValidationError(`${label(column)} takes an integer (bigint or number), got ${JSON.stringify(String(value))}`, { field: column.field });
}

function encodeBool(value: unknown, column: ColumnIR): number {
  if (typeof value === 'boolean') return value ? 1 : 0;
  if (value === 0 || value === 1) return value;
  throw new ValidationError(`${label(column)} takes true or false, got ${JSON.stringify(value)}`, { field: column.field });
}

function encodeBytes(value: unknown, column: ColumnIR): Buffer {
  if (value instanceof Uint8Array) return Buffer.isBuffer(value) ? value : Buffer.from(value.buffer, value.byteOffset, value.byteLength);
  throw new ValidationError(`${label(column)} takes a Uint8Array or Buffer`, { field: column.field });
}

function decodeDateTime(value: unknown): unknown {
  if (typeof value === 'string') {
    // forge writes ISO-8601 UTC ('...Z'): parse it directly; only other forms (CURRENT_TIMESTAMP's) need the regex.
    if (value.charCodeAt(value.length - 1) === 90 /* Z */) return new Date(value);
    return new Date(SQLITE_TIMESTAMP.test(value) ? `${value.replace(' ', 'T')}Z` : value);
  }
  if (typeof value === 'number') return new Date(value);
  return value;
}

function decodeJson(value: unknown, column: ColumnIR): unknown {
  if (typeof value !== 'string') return value;
  try {
    return JSON.parse(value);
  } catch {
    throw new ValidationError(`${label(column)} holds text that is not JSON (${JSON.stringify(value.slice(0, 40))}); fix the stored value or declare the field as f.text()`, {
      field: column.field,
    });
  }
}

/** Whether an id column is an integer key the database assigns (rowid alias). */
function integerId(column: ColumnIR): boolean {
  return column.kind === 'id' && (column.idStrategy === 'int' || column.idStrategy === 'bigserial');
}

/** How each field kind is stored in SQLite, and read back. */
export const sqliteCodec: ValueCodec = {
  encode(value, column) {
    if (value === null || value === undefined) return value;
    switch (column.kind) {
      case 'bool':
        return encodeBool(value, column);
      case 'dateTime':
        return encodeDateTime(value, column);
      case 'decimal':
        return encodeDecimal(value, column);
      case 'bigint':
        return encodeInteger(value, column);
      case 'bytes':
        return encodeBytes(value, column);
      case 'id':
        return column.idStrategy === 'bigserial' ? encodeInteger(value, column) : value;
    }
    if (JSON_KINDS.has(column.kind)) return JSON.stringify(value);
    return value;
  },

  decode(value, column) {
    if (value === null || value === undefined) return value;
    switch (column.kind) {
      case 'bool':
        return typeof value === 'number' || typeof value === 'bigint' ? value !== 0 && value !== 0n : value;
      case 'dateTime':
        return decodeDateTime(value);
      case 'decimal':
        return typeof value === 'string' ? value : String(value);
      case 'bigint':
        return typeof value === 'number' || typeof value === 'string' ? BigInt(value) : value;
      case 'int':
        // With safeIntegers on (a bigint column is in the same row) every INTEGER arrives as a bigint.
        return typeof value === 'bigint' ? Number(value) : value;
      case 'bytes':
        return Buffer.isBuffer(value) ? new Uint8Array(value.buffer, value.byteOffset, value.byteLength) : value;
      case 'id':
        if (column.idStrategy === 'bigserial') return typeof value === 'number' ? BigInt(value) : value;
        return typeof value === 'bigint' && column.idStrategy === 'int' ? Number(value) : value;
    }
    if (JSON_KINDS.has(column.kind)) return decodeJson(value, column);
    return value;
  },

  passthrough(column) {
    if (column.kind === 'id') return !integerId(column);
    return IDENTITY_KINDS.has(column.kind);
  },
};
