/**
 * What the page sends is text from an input (or null); the studio turns it into the value a column of that
 * kind takes, and collects a problem per field instead of stopping at the first. Nothing here builds SQL:
 * the values go to the typed client, which binds them.
 */
import type { ColumnIR, TableIR } from '@forge/core';

export type FieldErrors = Record<string, string>;

export class StudioInputError extends Error {
  override readonly name = 'StudioInputError';
  constructor(
    message: string,
    readonly fields: FieldErrors = {},
    readonly status = 400,
  ) {
    super(message);
  }
}

const INT = /^[+-]?\d+$/;

function intKind(col: ColumnIR): boolean {
  if (col.kind === 'int' || col.kind === 'bigint') return true;
  return col.kind === 'id' && (col.idStrategy === 'int' || col.idStrategy === 'bigserial');
}

/** The column's kind as the page shows and filters it. */
export function uiKind(col: ColumnIR): 'text' | 'int' | 'number' | 'bool' | 'date' | 'json' | 'enum' | 'array' | 'other' {
  if (intKind(col)) return 'int';
  switch (col.kind) {
    case 'id':
    case 'objectId':
    case 'string':
    case 'text':
    case 'uuid':
      return 'text';
    case 'float':
    case 'decimal':
      return 'number';
    case 'bool':
      return 'bool';
    case 'dateTime':
      return 'date';
    case 'json':
    case 'embed':
    case 'embedMany':
      return 'json';
    case 'enum':
      return 'enum';
    case 'stringArray':
    case 'intArray':
      return 'array';
    default:
      return 'other';
  }
}

/** One value for `col`, from what the page sent; throws a message about this field only. */
export function coerce(col: ColumnIR, input: unknown): unknown {
  if (input === null) {
    if (!col.nullable) throw new Error(`${col.field} cannot be empty (it is required)`);
    return null;
  }
  const kind = uiKind(col);
  if (typeof input !== 'string') {
    // Typed values (from JSON export, the console, tests) are passed on for the client to check.
    if (kind === 'date' && typeof input === 'number') return new Date(input);
    return input;
  }
  const s = input;
  switch (kind) {
    case 'text':
      return s;
    case 'int': {
      const t = s.trim();
      if (!INT.test(t)) throw new Error(`${col.field} takes a whole number, not '${s}'`);
      const n = Number(t);
      if (col.kind === 'bigint' && !Number.isSafeInteger(n)) return BigInt(t);
      if (!Number.isSafeInteger(n)) throw new Error(`${col.field}: ${t} is too large for a whole number here`);
      return n;
    }
    case 'number': {
      const t = s.trim();
      if (t === '' || !Number.isFinite(Number(t))) throw new Error(`${col.field} takes a number, not '${s}'`);
      return col.kind === 'decimal' ? t : Number(t);
    }
    case 'bool': {
      const t = s.trim().toLowerCase();
      if (t === 'true' || t === '1') return true;
      if (t === 'false' || t === '0') return false;
      throw new Error(`${col.field} takes true or false, not '${s}'`);
    }
    case 'date': {
      const d = new Date(s.trim());
      if (s.trim() === '' || Number.isNaN(d.getTime())) throw new Error(`${col.field} takes a date and time (e.g. 2026-01-31T12:00:00Z), not '${s}'`);
      return d;
    }
    case 'json':
    case 'array': {
      let v: unknown;
      try {
        v = JSON.parse(s);
      } catch (e) {
        throw new Error(`${col.field} takes JSON: ${(e as Error).message}`);
      }
      if (kind === 'array' && !Array.isArray(v)) throw new Error(`${col.field} takes a JSON array, e.g. ["a","b"]`);
      return v;
    }
    case 'enum': {
      const values = col.enumValues ?? [];
      if (!values.includes(s)) throw new Error(`${col.field} takes one of ${values.join(', ')}, not '${s}'`);
      return s;
    }
    default:
      return s;
  }
}

function column(table: TableIR, field: string): ColumnIR {
  const col = table.columns.find((c) => c.field === field);
  if (!col) throw new StudioInputError(`${table.name} has no field '${field}'`, { [field]: `unknown field; fields: ${table.columns.map((c) => c.field).join(', ')}` });
  return col;
}

/** The data of an insert or update: every field coerced, every problem reported at once. */
export function coerceData(table: TableIR, data: unknown): Record<string, unknown> {
  if (!data || typeof data !== 'object' || Array.isArray(data)) throw new StudioInputError('data must be an object of field: value');
  const out: Record<string, unknown> = {};
  const errors: FieldErrors = {};
  for (const [field, value] of Object.entries(data as Record<string, unknown>)) {
    const col = table.columns.find((c) => c.field === field);
    if (!col) {
      errors[field] = `unknown field; fields: ${table.columns.map((c) => c.field).join(', ')}`;
      continue;
    }
    try {
      out[field] = coerce(col, value);
    } catch (e) {
      errors[field] = (e as Error).message;
    }
  }
  if (Object.keys(errors).length) throw new StudioInputError(`${Object.keys(errors).length} field(s) are not valid`, errors);
  return out;
}

/** The filters each kind offers: the client's own `where` operators, plus the null tests. */
export const OPERATORS: Record<ReturnType<typeof uiKind>, string[]> = {
  text: ['equals', 'not', 'contains', 'startsWith', 'endsWith', 'in', 'notIn', 'isNull', 'notNull'],
  int: ['equals', 'not', 'lt', 'lte', 'gt', 'gte', 'in', 'notIn', 'isNull', 'notNull'],
  number: ['equals', 'not', 'lt', 'lte', 'gt', 'gte', 'isNull', 'notNull'],
  bool: ['equals', 'not', 'isNull', 'notNull'],
  date: ['equals', 'lt', 'lte', 'gt', 'gte', 'isNull', 'notNull'],
  enum: ['equals', 'not', 'in', 'notIn', 'isNull', 'notNull'],
  json: ['isNull', 'notNull'],
  array: ['isNull', 'notNull'],
  other: ['isNull', 'notNull'],
};

export interface Filter {
  field: string;
  op: string;
  value?: unknown;
}

/** The page's filters as one `where` (AND of all), each operator checked against the column's kind. */
export function buildWhere(table: TableIR, filters: unknown, search: unknown): Record<string, unknown> {
  const and: Array<Record<string, unknown>> = [];
  const errors: FieldErrors = {};
  if (filters !== undefined && !Array.isArray(filters)) throw new StudioInputError('filters must be an array of { field, op, value }');
  for (const raw of (filters as Filter[] | undefined) ?? []) {
    if (!raw || typeof raw !== 'object' || typeof raw.field !== 'string' || typeof raw.op !== 'string') {
      throw new StudioInputError('each filter is { field, op, value }');
    }
    const col = column(table, raw.field);
    const ops = OPERATORS[uiKind(col)];
    if (!ops.includes(raw.op)) {
      errors[raw.field] = `operator '${raw.op}' does not apply to a ${col.kind} column; use one of ${ops.join(', ')}`;
      continue;
    }
    try {
      if (raw.op === 'isNull') and.push({ [col.field]: { equals: null } });
      else if (raw.op === 'notNull') and.push({ [col.field]: { not: null } });
      else if (raw.op === 'in' || raw.op === 'notIn') {
        const list = Array.isArray(raw.value) ? raw.value : String(raw.value ?? '').split(',').map((s) => s.trim()).filter((s) => s !== '');
        if (list.length === 0) throw new Error(`${col.field} ${raw.op} needs at least one value (comma-separated)`);
        and.push({ [col.field]: { [raw.op]: list.map((v) => coerce({ ...col, nullable: false }, v)) } });
      } else {
        if (raw.value === undefined || raw.value === null || raw.value === '') {
          if (uiKind(col) !== 'text' || raw.value !== '') throw new Error(`${col.field} ${raw.op} needs a value`);
        }
        const value = coerce({ ...col, nullable: false }, raw.value ?? '');
        and.push({ [col.field]: { [raw.op]: value } });
      }
    } catch (e) {
      errors[raw.field] = (e as Error).message;
    }
  }
  if (Object.keys(errors).length) throw new StudioInputError('a filter is not valid', errors);
  if (typeof search === 'string' && search.trim() !== '') {
    const searchable = table.columns.find((c) => c.searchable);
    if (!searchable) throw new StudioInputError(`${table.name} has no .searchable() field, so there is no full-text search; filter a field with contains instead`);
    and.push({ [searchable.field]: { search: search.trim() } });
  }
  return and.length === 0 ? {} : and.length === 1 ? and[0] : { AND: and };
}

/** The primary key of one row as a `where`, from the values the page holds. */
export function keyWhere(table: TableIR, key: unknown): Record<string, unknown> {
  if (!key || typeof key !== 'object' || Array.isArray(key)) throw new StudioInputError(`key must name ${table.name}'s primary key: { ${table.primaryKey.join(', ')} }`);
  const pkCols = table.columns.filter((c) => c.primaryKey);
  if (pkCols.length === 0) throw new StudioInputError(`${table.name} has no primary key, so a row cannot be picked out to edit or delete`);
  const where: Record<string, unknown> = {};
  for (const col of pkCols) {
    const v = (key as Record<string, unknown>)[col.field];
    if (v === undefined || v === null) throw new StudioInputError(`key is missing ${col.field} (the primary key is ${pkCols.map((c) => c.field).join(', ')})`);
    where[col.field] = coerce({ ...col, nullable: false }, typeof v === 'number' || typeof v === 'boolean' ? v : String(v));
  }
  return where;
}

/** JSON for the page: bigints as text, dates as ISO, bytes as hex, so nothing is lost or thrown. */
export function toJsonValue(v: unknown): unknown {
  if (typeof v === 'bigint') return v.toString();
  if (v instanceof Date) return Number.isNaN(v.getTime()) ? null : v.toISOString();
  if (v instanceof Uint8Array) return `\\x${Buffer.from(v).toString('hex')}`;
  return v;
}

export function jsonText(body: unknown): string {
  return JSON.stringify(body, (_k, v) => (typeof v === 'bigint' ? v.toString() : v instanceof Uint8Array ? toJsonValue(v) : v));
}
