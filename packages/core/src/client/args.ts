import { ValidationError } from '../errors.js';

/**
 * The one rule for reading a caller's argument objects (where, data, orderBy, select, include, cursor, ...):
 * only own enumerable keys are ever read, and an object whose enumerable keys are not all its own is refused
 * before any SQL. Such an object (`Object.create({ email })`, or `Object.assign({}, JSON.parse('{"__proto__":
 * ...}'))`, which sets the prototype) shows one filter to `obj[key]` and another to `Object.entries`: a unique
 * `where` could pass its check on an inherited key and then compile with no WHERE at all. Non-enumerable own
 * keys are invisible to every reader alike. Dates and binary values are leaves and are not walked.
 */
const MAX_ARG_DEPTH = 128;
const hasOwn = Object.prototype.hasOwnProperty;

export function checkArgs(model: string, op: string, args: unknown): void {
  if (args === undefined || args === null || typeof args !== 'object') return;
  // With nothing enumerable on Object.prototype (checked here, once per call), a plain object's for-in sees
  // its own keys only, so the walk can skip the per-key ownership check on the common shape.
  for (const k in PLAIN) throw new ValidationError(`Object.prototype carries the enumerable key '${k}' (prototype pollution): forge refuses to read arguments until it is removed`);
  walk(args, `${model}.${op}()`, 'arguments', 0);
}

const PLAIN: object = {};

function walk(v: object, call: string, path: string, depth: number): void {
  // Argument structure is never this deep; what lies below is a JSON value, which checkValue bounds at 100 levels.
  if (depth > MAX_ARG_DEPTH) return;
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) {
      const x = v[i];
      if (x !== null && typeof x === 'object') walk(x, call, `${path}[${i}]`, depth + 1);
    }
    return;
  }
  const proto = Object.getPrototypeOf(v);
  if (proto === Object.prototype || proto === null) {
    for (const k in v) {
      const x = (v as Record<string, unknown>)[k];
      if (x !== null && typeof x === 'object') walk(x, call, depth === 0 ? k : `${path}.${k}`, depth + 1);
    }
    return;
  }
  if (v instanceof Date || ArrayBuffer.isView(v)) return;
  for (const k in v) {
    if (!hasOwn.call(v, k)) {
      throw new ValidationError(
        `${call}: ${path} inherits the key '${k}' from its prototype. forge reads only an argument's own keys, so an inherited key ` +
          `can never change what a call matches: pass a plain object that holds '${k}' itself ({ ...value } copies own keys only)`,
      );
    }
    const x = (v as Record<string, unknown>)[k];
    if (x !== null && typeof x === 'object') walk(x, call, depth === 0 ? k : `${path}.${k}`, depth + 1);
  }
}

/** `obj[key]` for an own enumerable key only; inherited and non-enumerable keys read as absent. */
export function own(obj: object, key: string): unknown {
  return Object.prototype.propertyIsEnumerable.call(obj, key) ? (obj as Record<string, unknown>)[key] : undefined;
}
