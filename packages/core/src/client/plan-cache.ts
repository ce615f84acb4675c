import type { Connection, MaybePromise } from '../adapter.js';
import type { ColumnIR } from '../schema/ir.js';
import type { ModelMeta } from './meta.js';
import { mapperFor, readSpec, selectFor, type Args } from './read.js';
import { chain, type CallInfo, type Runtime } from './runtime.js';
import { provenText, Slot } from './param-order.js';
import { checkValue } from './validate.js';

/** A compiled read for one call shape: the SQL never changes, only the bound values do. */
interface ReadPlan {
  sql: string;
  /** The where fields whose values are bound, in SQL parameter order. */
  fields: ColumnIR[];
  map: (r: unknown[]) => Record<string, unknown>;
}

const MAX_PLANS_PER_MODEL = 256;
const SAFE_INTEGERS = { safeIntegers: true } as const;
const FIRST = { firstOnly: true } as const;
const FIRST_SAFE = { firstOnly: true, safeIntegers: true } as const;
const plans = new WeakMap<ModelMeta, Map<string, ReadPlan | null>>();

/**
 * Invariants of this cache:
 * - The key spells every part of the call that changes the SQL text: where field names in call order, the
 *   select/omit field list, one orderBy object, whether LIMIT / OFFSET appear (and LIMIT's value where the
 *   dialect inlines it). Two calls with one key compile to one text.
 * - Bound values are where values in key order, then LIMIT, then OFFSET. `buildPlan` caches a shape only after
 *   checking, position by position with markers, that the compiler binds exactly that sequence.
 * - Values are checked (`checkValue`) and encoded on every call; only compiling is skipped.
 */

/**
 * The fast path for the common read shapes: `where` with plain values on fields (no operators, no null),
 * `select`/`omit` with `true`, `orderBy` of one object, `take`, `skip`. Anything else returns undefined and
 * takes the general path. Values are still checked and encoded on every call; only compiling is skipped.
 */
export function cachedRead(
  rt: Runtime,
  conn: Connection,
  meta: ModelMeta,
  args: Args | undefined,
  info: CallInfo,
  /** findFirst / findUnique read one row: passed here instead of copying the caller's args. */
  firstOnly = false,
): MaybePromise<Record<string, unknown>[]> | undefined {
  // Cached text needs an executor that runs SQL text.
  const compiler = rt.adapter.executor.compiler;
  if (!compiler) return undefined;
  let key = '';
  let values: unknown[] | undefined;
  let take: number | undefined;
  let skip: number | undefined;
  if (args) {
    for (const k in args) {
      const v = args[k];
      if (v === undefined) continue;
      switch (k) {
        case 'where':
          if (typeof v !== 'object' || v === null) return undefined;
          for (const f in v) {
            const x = v[f];
            if (x === null || x === undefined || (typeof x === 'object' && !(x instanceof Date))) return undefined;
            key += `w${f}\0`;
            (values ??= []).push(x);
          }
          break;
        case 'take':
          if (!Number.isSafeInteger(v) || v < 0) return undefined;
          take = v;
          break;
        case 'skip':
          if (!Number.isSafeInteger(v) || v < 0) return undefined;
          skip = v;
          break;
        case 'select':
        case 'omit':
          if (typeof v !== 'object' || v === null) return undefined;
          key += k === 'select' ? 's' : 'x';
          for (const f in v) {
            if (v[f] !== true) return undefined;
            key += `${f}\0`;
          }
          break;
        case 'orderBy':
          if (typeof v !== 'object' || v === null || Array.isArray(v)) return undefined;
          for (const f in v) {
            if (v[f] !== 'asc' && v[f] !== 'desc') return undefined;
            key += `o${f}${v[f]}\0`;
          }
          break;
        default:
          return undefined;
      }
    }
  }
  if (firstOnly) take = 1;
  // Whether LIMIT and OFFSET appear changes the SQL; so does LIMIT's value where the dialect inlines it.
  const inline = compiler.inlineLimit;
  if (take !== undefined) key += inline ? `t${take}` : 't';
  if (skip !== undefined && skip > 0) key += 'k';

  let byShape = plans.get(meta);
  if (!byShape) plans.set(meta, (byShape = new Map()));
  let plan = byShape.get(key);
  if (plan === undefined) {
    plan = buildPlan(rt, meta, firstOnly ? { ...args, take: 1 } : args, take, skip, inline);
    if (byShape.size >= MAX_PLANS_PER_MODEL) byShape.clear();
    byShape.set(key, plan);
  }
  if (plan === null) return undefined;

  const params: unknown[] = [];
  if (values) {
    const codec = rt.adapter.codec;
    const depth = rt.adapter.capabilities.maxJsonDepth;
    for (let i = 0; i < values.length; i++) {
      const col = plan.fields[i];
      checkValue(meta.key, col, values[i], depth);
      params.push(codec.encode(values[i], col));
    }
  }
  if (take !== undefined && !inline) params.push(take);
  if (skip !== undefined && skip > 0) params.push(skip);
  const map = plan.map;
  const opts = firstOnly ? (meta.hasBigint ? FIRST_SAFE : FIRST) : meta.hasBigint ? SAFE_INTEGERS : undefined;
  return chain(rt.arrays(conn, info, { sql: plan.sql, params }, opts), (raw) => raw.map(map));
}

/** LIMIT and OFFSET values in the order probe: no real call takes this many rows. */
const LIMIT_PROBE = 2_147_480_001;
const OFFSET_PROBE = 2_147_480_002;

/**
 * Compile the shape once through the general path and keep its text only if the compiler binds the where
 * values, then LIMIT, then OFFSET, in exactly the order `cachedRead` pushes them (checked with markers by
 * `provenText`, so equal values cannot hide a swap). An unknown key ignored in non-strict mode, or a where
 * value that compiles to something other than `column = ?`, leaves a value unplaced and the shape uncached.
 */
function buildPlan(rt: Runtime, meta: ModelMeta, args: Args | undefined, take: number | undefined, skip: number | undefined, inline: boolean): ReadPlan | null {
  const fields: ColumnIR[] = [];
  for (const f in args?.where ?? {}) {
    const col = meta.fields.get(f);
    if (!col) return null;
    fields.push(col);
  }
  const spec = readSpec(meta, args);
  if (spec.relations.length || spec.counts.length || spec.columns.length !== spec.visible.length) return null;
  const node = selectFor(rt, meta, args, spec);
  const slots = new Map(fields.map((c, i) => [c.name, new Slot(i)]));
  const expected: unknown[] = [...slots.values()];
  const probe = { ...node };
  if (take !== undefined && !inline) {
    probe.limit = LIMIT_PROBE;
    expected.push(LIMIT_PROBE);
  }
  if (skip !== undefined && skip > 0) {
    probe.offset = OFFSET_PROBE;
    expected.push(OFFSET_PROBE);
  }
  const placed = (param: unknown, parent: Record<string, unknown> | undefined) => {
    const left = parent?.t === 'cmp' && parent.op === '=' && parent.right === param ? (parent.left as { t?: string; name?: string }) : undefined;
    return left?.t === 'col' ? slots.get(left.name!) : undefined;
  };
  // The probe differs from the call only in bound values (LIMIT is a literal only where it is inlined, and then
  // the probe keeps the call's value), so its text is this shape's text.
  const sql = provenText(rt, probe, placed, expected);
  return sql === undefined ? null : { sql, fields, map: mapperFor(rt, meta, spec.columns) };
}
