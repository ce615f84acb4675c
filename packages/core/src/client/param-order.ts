import type { PreparedQuery } from '../adapter.js';
import type { Expr, QueryNode } from '../query/ast.js';
import type { Runtime } from './runtime.js';

/**
 * Both client caches (the read plan cache and the write text cache) keep SQL text per call shape and bind a
 * new call's values into it in an order they work out themselves. That is only right if the compiler binds
 * parameters in that same order, which a dialect may not (`OFFSET @p ROWS FETCH NEXT @p`, `TOP (@p1)`).
 * Checking by count, or by comparing values, cannot tell two equal values apart, so a swap could pass once
 * and then bind every later call wrongly. The check here compiles the shape once more with every bound value
 * replaced by a unique marker and reads back where each marker landed: a shape is cached only when the
 * compiler's order is exactly the cache's.
 */

/** A marker no caller can pass: one object per position the cache fills. */
export class Slot {
  constructor(readonly index: number) {}
}

type ParamExpr = Extract<Expr, { t: 'param' }>;

/**
 * Compile a copy of `node` whose `param` values are replaced by `markerFor(param, parent)` and check the
 * compiler bound exactly `expected`, position by position. Returns the SQL text when it did (markers change
 * only the bound values, never the text, so it is the shape's text), undefined otherwise: `markerFor`
 * returning undefined (a value the cache does not know where to put) fails the check, and so does a compiler
 * error, a non-text query, or any mismatch. The shape is then not cached.
 */
export function provenText(
  rt: Runtime,
  node: QueryNode,
  markerFor: (param: ParamExpr, parent: Record<string, unknown> | undefined) => unknown,
  expected: readonly unknown[],
): string | undefined {
  let unknownParam = false;
  const copy = (v: unknown, parent: Record<string, unknown> | undefined): unknown => {
    if (Array.isArray(v)) return v.map((x) => copy(x, parent));
    if (!v || typeof v !== 'object') return v;
    const n = v as Record<string, unknown>;
    if (n.t === 'param') {
      const m = markerFor(n as ParamExpr, parent);
      if (m === undefined) unknownParam = true;
      return { t: 'param', value: m };
    }
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(n)) out[k] = copy(n[k], n);
    return out;
  };
  const probe = copy(node, undefined) as QueryNode;
  if (unknownParam) return undefined;
  let q: PreparedQuery;
  try {
    q = rt.prepare(probe);
  } catch {
    return undefined;
  }
  if (typeof q.sql !== 'string' || q.params.length !== expected.length) return undefined;
  for (let i = 0; i < expected.length; i++) if (!Object.is(q.params[i], expected[i])) return undefined;
  return q.sql;
}
