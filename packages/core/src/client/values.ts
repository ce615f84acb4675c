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
  return { t: 'param', value: encodeValue(rt, meta, col, v) };
}

/** A value checked against its column and encoded for the driver (what `encode` wraps as a parameter). */
function encodeValue(rt: Runtime, meta: ModelMeta, col: ColumnIR, v: unknown): unknown {
  if (v === null) {
    if (!col.nullable) throw new ValidationError(`${meta.key}.${col.field} is required and cannot be null (declare it .optional() to allow NULL)`, { model: meta.key, field: col.field });
    return null;
  }
  checkValue(meta.key, col, v, rt.adapter.capabilities.maxJsonDepth);
  return rt.adapter.codec.encode(v, col);
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

/** Left out of an INSERT: the database fills the column (a serial key) or it is NULL by omission. */
const SKIP: unique symbol = Symbol('skip');

/**
 * One column's INSERT value, encoded: the caller's `v`, else a generated id, the row's 'now' (`clock`, one
 * timestamp per row and only where a column takes it), updatedAt or the declared default; SKIP where it is left out.
 */
function insertValue(rt: Runtime, meta: ModelMeta, col: ColumnIR, v: unknown, clock: () => Date, op: string): unknown {
  if (v === undefined) {
    const d = col.default;
    if (d?.kind === 'generated') {
      if (d.strategy === 'int' || d.strategy === 'bigserial') return SKIP;
      v = randomUUID();
    } else if (d?.kind === 'now' || col.updatedAt) {
      v = clock();
    } else if (d?.kind === 'value') {
      v = d.value;
    } else if (col.nullable) {
      return SKIP;
    } else {
      throw new ValidationError(`${meta.key}.${op}(): missing required field '${col.field}'`, { model: meta.key, field: col.field });
    }
  }
  return encodeValue(rt, meta, col, v);
}

/** Values for an INSERT: the caller's data plus generated ids, 'now' defaults, updatedAt and declared defaults. */
export function insertValues(rt: Runtime, meta: ModelMeta, scalars: Map<ColumnIR, unknown>): { columns: string[]; values: Expr[] } {
  const cols = meta.table.columns;
  const values: Expr[] = [];
  let now: Date | undefined;
  const clock = () => (now ??= new Date());
  // Which columns the row sets, '1' or '0' each: the key of one shared column list per set (read-only, so the
  // write text cache can key it by identity instead of joining the names on every call).
  let mask = '';
  for (const col of cols) {
    const v = insertValue(rt, meta, col, scalars.get(col), clock, 'create');
    if (v === SKIP) {
      mask += '0';
      continue;
    }
    mask += '1';
    values.push({ t: 'param', value: v });
  }
  return { columns: columnsFor(meta, mask), values };
}

const columnLists = new WeakMap<ModelMeta, Map<string, string[]>>();

/** The column names a mask selects, one array per model and mask. */
function columnsFor(meta: ModelMeta, mask: string): string[] {
  let byMask = columnLists.get(meta);
  if (!byMask) columnLists.set(meta, (byMask = new Map()));
  let list = byMask.get(mask);
  if (!list) byMask.set(mask, (list = meta.table.columns.filter((_, i) => mask[i] === '1').map((c) => c.name)));
  return list;
}

/** Rows of a createMany that set the same columns: their values in one flat, row-major array. */
export interface InsertRows {
  columns: string[];
  values: unknown[];
  rows: number;
}

const fieldIndexes = new WeakMap<ModelMeta, Map<string, number>>();

/**
 * createMany's `data`, checked and encoded row by row as `insertValues` does, grouped by the columns each row
 * sets, without a Map or a parameter node per value (a 100k-row batch is 100k rows × columns values).
 */
export function insertRows(rt: Runtime, meta: ModelMeta, data: readonly unknown[]): InsertRows[] {
  const cols = meta.table.columns;
  let index = fieldIndexes.get(meta);
  if (!index) fieldIndexes.set(meta, (index = new Map([...meta.fields].map(([k, col]) => [k, cols.indexOf(col)]))));
  const given: unknown[] = new Array(cols.length);
  const row: unknown[] = new Array(cols.length);
  const groups = new Map<string, InsertRows>();
  let last: InsertRows | undefined;
  let lastMask: string | undefined;
  for (const d of data) {
    if (!isPlainObject(d)) throw new ValidationError(`${meta.key}.createMany() needs data: { ... } as an object`);
    given.fill(undefined);
    let relation = false;
    for (const k of Object.keys(d)) {
      const v = d[k];
      const i = index.get(k);
      if (i !== undefined) {
        given[i] = v;
        continue;
      }
      if (meta.relations.has(k)) {
        if (v === undefined) continue;
        if (!isPlainObject(v)) throw new ValidationError(`${meta.key}.createMany(): data.${k} is a relation; use { create }, { connect }, ...`);
        relation = true;
        continue;
      }
      throw new ValidationError(`${meta.key}.createMany(): unknown field '${k}' in data. Fields: ${meta.fieldNames.join(', ')}`, { model: meta.key, field: k });
    }
    if (relation) throw new ValidationError(`${meta.key}.createMany() cannot write relations; use create() for nested writes`);
    let now: Date | undefined;
    const clock = () => (now ??= new Date());
    // Which columns the row sets: '1' or '0' per column, the key of its group.
    let mask = '';
    let n = 0;
    for (let i = 0; i < cols.length; i++) {
      const v = insertValue(rt, meta, cols[i], given[i], clock, 'createMany');
      if (v === SKIP) {
        mask += '0';
        continue;
      }
      mask += '1';
      row[n++] = v;
    }
    let g = mask === lastMask ? last : groups.get(mask);
    if (!g) groups.set(mask, (g = { columns: cols.filter((_, i) => mask[i] === '1').map((c) => c.name), values: [], rows: 0 }));
    for (let j = 0; j < n; j++) g.values.push(row[j]);
    g.rows++;
    last = g;
    lastMask = mask;
  }
  return [...groups.values()];
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
