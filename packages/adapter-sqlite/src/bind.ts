import { ValidationError } from '@forge/core';

function describe(v: object): string {
  if (Array.isArray(v)) return 'an array';
  const name = Object.getPrototypeOf(v)?.constructor?.name;
  return name && name !== 'Object' ? `a ${name}` : 'a plain object';
}

function bindValue(v: unknown, i: number): unknown {
  switch (typeof v) {
    case 'string':
    case 'number':
    case 'bigint':
      return v;
    case 'boolean':
      return v ? 1 : 0;
    case 'undefined':
      throw new ValidationError(`Query parameter ${i + 1} is undefined: pass null for SQL NULL, or leave the value out`, { index: i });
    case 'object': {
      if (v === null || v instanceof Uint8Array) return v;
      if (v instanceof Date) {
        if (Number.isNaN(v.getTime())) throw new ValidationError(`Query parameter ${i + 1} is an invalid Date`, { index: i });
        return v.toISOString();
      }
      // better-sqlite3 would read a plain object as named parameters; nothing is stringified behind the caller's back.
      throw new ValidationError(
        `Query parameter ${i + 1} is ${describe(v)}: SQLite binds strings, numbers, bigints, booleans, Dates, bytes and null; encode it first (JSON.stringify for a JSON column)`,
        { index: i },
      );
    }
    default:
      throw new ValidationError(`Query parameter ${i + 1} is a ${typeof v}, which cannot be bound`, { index: i });
  }
}

/** Parameters as better-sqlite3 accepts them. The input array is reused when no value needs converting. */
export function bindParams(params: readonly unknown[]): readonly unknown[] {
  let out: unknown[] | undefined;
  for (let i = 0; i < params.length; i++) {
    const v = params[i];
    const bound = bindValue(v, i);
    if (bound !== v) {
      out ??= params.slice();
      out[i] = bound;
    }
  }
  return out ?? params;
}
