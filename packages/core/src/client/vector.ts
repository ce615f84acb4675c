import type { Capabilities } from '../adapter.js';
import { ValidationError } from '../errors.js';
import type { OrderItem, VectorMetric } from '../query/ast.js';
import type { ColumnIR } from '../schema/ir.js';
import type { ModelMeta } from './meta.js';

const METRICS: ReadonlySet<string> = new Set<VectorMetric>(['cosine', 'l2', 'ip']);
const KEYS: ReadonlySet<string> = new Set(['nearTo', 'metric', 'sort']);

/**
 * `orderBy: { embedding: { nearTo: [...], metric?, sort? } }` on an `f.vector(n)` field: nearest first (`sort:
 * 'desc'` for farthest), rows without a vector last. `metric` defaults to the field's declared one. The query
 * vector is checked here (n finite numbers) and travels in the node as numbers, which compilers only bind.
 */
export function vectorOrder(meta: ModelMeta, alias: string, col: ColumnIR, v: Record<string, unknown>, caps?: Capabilities): OrderItem {
  const at = `${meta.key}: orderBy.${col.field}`;
  const info = { model: meta.key, field: col.field };
  if (col.kind !== 'vector') {
    throw new ValidationError(`${at} { nearTo } orders f.vector() and f.geoPoint() fields; '${col.field}' is f.${col.kind}(): order it with 'asc' or 'desc'`, info);
  }
  const extra = Object.keys(v).find((k) => !KEYS.has(k));
  if (extra) throw new ValidationError(`${at} takes { nearTo: number[], metric?: 'cosine' | 'l2' | 'ip', sort?: 'asc' | 'desc' }, not '${extra}'`, info);
  if (caps?.vectorQueries === false) {
    throw new ValidationError(`${at}: ${caps.dialect} cannot rank vectors in a query here (capabilities.vectorQueries is false); read the vectors and rank them in code`, info);
  }
  const dims = col.dims ?? 0;
  const vector = queryVector(v.nearTo);
  if (!vector || vector.length !== dims) {
    throw new ValidationError(`${at}.nearTo takes an array of ${dims} finite numbers (the field is f.vector(${dims})), got ${describe(v.nearTo)}`, info);
  }
  const metric = v.metric === undefined ? ((col.metric as VectorMetric | undefined) ?? 'cosine') : v.metric;
  if (typeof metric !== 'string' || !METRICS.has(metric)) {
    throw new ValidationError(`${at}.metric must be 'cosine', 'l2' or 'ip', got ${describe(v.metric)}`, info);
  }
  if (metric === 'cosine' && vector.every((x) => x === 0)) {
    throw new ValidationError(`${at}.nearTo is the zero vector, which has no cosine distance to anything: give a non-zero vector or metric 'l2'`, info);
  }
  if (v.sort !== undefined && v.sort !== 'asc' && v.sort !== 'desc') throw new ValidationError(`${at}.sort must be 'asc' or 'desc'`, info);
  return {
    expr: { t: 'vectorDistance', expr: { t: 'col', table: alias, name: col.name }, vector, metric: metric as VectorMetric },
    dir: v.sort === 'desc' ? 'desc' : 'asc',
    nulls: 'last',
  };
}

/** A plain array or a Float32Array / Float64Array of finite numbers, copied and frozen; undefined otherwise. */
function queryVector(v: unknown): readonly number[] | undefined {
  const list = Array.isArray(v) ? (v as unknown[]) : v instanceof Float32Array || v instanceof Float64Array ? Array.from(v) : undefined;
  if (!list) return undefined;
  const out: number[] = new Array(list.length);
  for (let i = 0; i < list.length; i++) {
    const x = list[i];
    if (typeof x !== 'number' || !Number.isFinite(x)) return undefined;
    // -0 and 0 are the same distance; one spelling keeps the bound text the same.
    out[i] = x === 0 ? 0 : x;
  }
  return Object.freeze(out);
}

function describe(v: unknown): string {
  if (Array.isArray(v)) return `an array of ${v.length} (${JSON.stringify(v.slice(0, 4)).slice(0, 60)}${v.length > 4 ? ', ...' : ''})`;
  if (typeof v === 'string') return JSON.stringify(v.slice(0, 40));
  return typeof v === 'object' && v !== null ? (JSON.stringify(v) ?? String(v)).slice(0, 60) : String(v);
}
