import { ValidationError } from '@forge/core';

/** Objects the driver serialises as BSON values, not documents (ObjectId, Decimal128, Long, Binary, ...). */
const isBsonValue = (v: object): boolean => typeof (v as { _bsontype?: unknown })._bsontype === 'string';

/**
 * Operator injection refused by construction: a value bound into a command is data, so an object with a key that
 * starts with `$` (`{ $ne: '' }`, `{ $where: ... }`, `{ $function: ... }`, `{ $expr: ... }`), at any depth of
 * objects and arrays, is a ValidationError before anything is sent. Dates, buffers and BSON values are values.
 * This is the check Mongoose's CVE-2025-23061 lacked inside `$and` / `$or`: here no value is ever trusted, wherever
 * it sits in the filter.
 */
export function checkValue(value: unknown, where: string, seen = new Set<object>()): void {
  if (value === null || typeof value !== 'object') return;
  if (value instanceof Date || value instanceof RegExp || ArrayBuffer.isView(value) || value instanceof ArrayBuffer || isBsonValue(value)) return;
  if (seen.has(value)) return;
  seen.add(value);
  if (Array.isArray(value)) {
    value.forEach((v, i) => checkValue(v, `${where}[${i}]`, seen));
    return;
  }
  for (const key of Object.keys(value)) {
    if (key.startsWith('$')) {
      throw new ValidationError(
        `${where}: the value holds the key '${key}', which MongoDB would read as an operator; values are data, so it is refused. ` +
          "Pass a plain value, or use forge's own operators (where: { field: { not: ... } }); a JSON value may not have keys that start with '$'",
        { key, path: where },
      );
    }
    checkValue((value as Record<string, unknown>)[key], `${where}.${key}`, seen);
  }
}

/** A field path from the schema: never an operator, never empty. */
export function checkPath(path: string): string {
  if (path === '' || path.startsWith('$') || path.includes('\0')) throw new ValidationError(`'${path}' is not a field path MongoDB takes as a field (empty, or starts with '$')`);
  return path;
}
