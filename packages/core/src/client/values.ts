import { randomUUID } from 'node:crypto';
import { ValidationError } from '../errors.js';
import type { Expr } from '../query/ast.js';
import type { ColumnIR } from '../schema/ir.js';
import type { ModelMeta, ResolvedRelation } from './meta.js';
import type { Args } from './read.js';
import type { Runtime } from './runtime.js';
import { checkValue } from './validate.js';

/**
 * Values for writes: a call's `data` split into scalar columns and nested relation writes, each value checked
 * and encoded as a parameter, the column list of an INSERT (generated ids and defaults filled in) and the SET
 * list of an UPDATE (numeric operators, updatedAt).
 */

const NUMERIC_OPS = new Set(['set', 'increment', 'decrement', 'multiply', 'divide']);

export function isPlainObject(v: unknown): v is Args {
  return !!v && typeof v === 'object' && !Array.isArray(v) && !(v instanceof Date) && !(v instanceof Uint8Array);
}

export function encode(rt: Runtime, meta: ModelMeta, col: ColumnIR, v: unknown): Expr {
  if (v === null) {
    if (!col.nullable) throw new ValidationError(`${meta.key}.${col.field} is required and cannot be null (declare it .optional() to allow NULL)`, { model: meta.key, field: col.field });
    return { t: 'param', value: null };
  }
  checkValue(meta.key, col, v, rt.adapter.capabilities.maxJsonDepth);
  return { t: 'param', value: rt.adapter.codec.encode(v, col) };
}

interface SplitData {
  scalars: Map<ColumnIR, unknown>;
  nested: Array<{ rel: ResolvedRelation; ops: Args }>;
}

export function splitData(meta: ModelMeta, op: string, data: unknown): SplitData {
  if (!isPlainObject(data)) throw new ValidationError(`${meta.key}.${op}() needs data: { ... } as an object`);
  const scalars = new Map<ColumnIR, unknown>();
  const nested: SplitData['nested'] = [];
  for (const [k, v] of Object.entries(data)) {
    const col = meta.fields.get(k);
    if (col) {
      if (v === undefined) continue;
      scalars.set(col, v);
      continue;
    }
    const rel = meta.relations.get(k);
    if (rel) {
      if (v === undefined) continue;
      if (!isPlainObject(v)) throw new ValidationError(`${meta.key}.${op}(): data.${k} is a relation; use { create }, { connect }, ...`);
      nested.push({ rel, ops: v });
      continue;
    }
    throw new ValidationError(`${meta.key}.${op}(): unknown field '${k}' in data. Fields: ${meta.fieldNames.join(', ')}`, { model: meta.key, field: k });
  }
  return { scalars, nested };
}

/** Values for an INSERT: the caller's data plus generated ids, 'now' defaults, updatedAt and declared defaults. */
export function insertValues(rt: Runtime, meta: ModelMeta, scalars: Map<ColumnIR, unknown>): { columns: string[]; values: Expr[] } {
  const columns: string[] = [];
  const values: Expr[] = [];
  // One timestamp per row, made only where a column takes it (a createMany of 100k rows allocates less).
  let now: Date | undefined;
  for (const col of meta.table.columns) {
    let v = scalars.has(col) ? scalars.get(col) : undefined;
    if (v === undefined) {
      const d = col.default;
      if (d?.kind === 'generated') {
        if (d.strategy === 'int' || d.strategy === 'bigserial') continue;
        v = randomUUID();
      } else if (d?.kind === 'now' || col.updatedAt) {
        v = now ??= new Date();
      } else if (d?.kind === 'value') {
        v = d.value;
      } else if (col.nullable) {
        continue;
      } else {
        throw new ValidationError(`${meta.key}.create(): missing required field '${col.field}'`, { model: meta.key, field: col.field });
      }
    }
    columns.push(col.name);
    values.push(encode(rt, meta, col, v));
  }
  return { columns, values };
}

export function setClause(rt: Runtime, meta: ModelMeta, alias: string | null, scalars: Map<ColumnIR, unknown>): Array<[string, Expr]> {
  const set: Array<[string, Expr]> = [];
  for (const [col, v] of scalars) {
    if (isPlainObject(v) && !['json', 'embed', 'geoPoint'].includes(col.kind)) {
      const ops = Object.entries(v);
      if (ops.length !== 1 || !NUMERIC_OPS.has(ops[0][0])) {
        throw new ValidationError(`${meta.key}.${col.field}: update takes a value or one of { set }, { increment }, { decrement }, { multiply }, { divide }`);
      }
      const [op, operand] = ops[0];
      if (op === 'set') {
        set.push([col.name, encode(rt, meta, col, operand)]);
        continue;
      }
      if (!['int', 'bigint', 'float', 'decimal'].includes(col.kind)) throw new ValidationError(`${meta.key}.${col.field}: ${op} needs a numeric field`);
      const arith = { increment: '+', decrement: '-', multiply: '*', divide: '/' }[op] as '+' | '-' | '*' | '/';
      if (op === 'divide' && (operand === 0 || operand === 0n)) throw new ValidationError(`${meta.key}.${col.field}: divide by zero`);
      set.push([col.name, { t: 'arith', op: arith, left: { t: 'col', table: alias ?? undefined, name: col.name }, right: encode(rt, meta, col, operand) }]);
      continue;
    }
    set.push([col.name, encode(rt, meta, col, v)]);
  }
  const now = new Date();
  for (const col of meta.table.columns) {
    if (col.updatedAt && !scalars.has(col)) set.push([col.name, encode(rt, meta, col, now)]);
  }
  return set;
}
