import type { PreparedQuery } from '../adapter.js';
import type { Expr, QueryNode } from '../query/ast.js';
import type { ModelMeta } from './meta.js';
import { provenText, Slot } from './param-order.js';
import type { Runtime } from './runtime.js';

/**
 * Compiled SQL text per statement shape, for writes.
 *
 * Invariants:
 * - The shape key spells out everything that changes the SQL text (node kind, names, operators, where each
 *   value goes, RETURNING); two nodes with one key compile to one text.
 * - `params` lists the node's bound values in the order the key spells them. A shape is cached only after
 *   `provenText` proved, with a unique marker per value, that the compiler binds them in exactly that order
 *   (`param-order.ts`); otherwise the shape is remembered as uncacheable and compiles every time.
 * - Only executors that run SQL text (those with a `compiler`) are cached; any other prepares every call.
 */
const texts = new WeakMap<ModelMeta, Map<string, string | null>>();
const MAX_SHAPES = 256;

export function compileCached(rt: Runtime, meta: ModelMeta, node: QueryNode): PreparedQuery {
  if (!rt.adapter.executor.compiler) return rt.prepare(node);
  const params: Expr[] = [];
  const key = nodeShape(node, params);
  if (key === undefined) return rt.prepare(node);
  let byShape = texts.get(meta);
  if (!byShape) texts.set(meta, (byShape = new Map()));
  let sql = byShape.get(key);
  if (sql === undefined) {
    const slots = new Map(params.map((p, i) => [p, new Slot(i)]));
    sql = provenText(rt, node, (p) => slots.get(p), [...slots.values()]) ?? null;
    if (byShape.size >= MAX_SHAPES) byShape.clear();
    byShape.set(key, sql);
  }
  if (sql === null) return rt.prepare(node);
  return { sql, params: params.map((p) => (p as Extract<Expr, { t: 'param' }>).value) };
}

/** The shape of an expression; its param nodes go to `params`. Undefined for node kinds this cache does not cover. */
function exprShape(e: Expr, params: Expr[]): string | undefined {
  switch (e.t) {
    case 'param':
      params.push(e);
      return '?';
    case 'col':
      return `c${e.table ?? ''}.${e.name}`;
    case 'lit':
      return `l${e.sql}`;
    case 'now':
      return 'n';
    case 'isNull':
      return `${exprShape(e.expr, params)}${e.negate ? '!N' : 'N'}`;
    case 'cmp':
    case 'arith': {
      const l = exprShape(e.left, params);
      const r = l === undefined ? undefined : exprShape(e.right, params);
      return r === undefined ? undefined : `(${l}${e.op}${r})`;
    }
    case 'and':
    case 'or': {
      const parts: string[] = [];
      for (const item of e.items) {
        const s = exprShape(item, params);
        if (s === undefined) return undefined;
        parts.push(s);
      }
      return `${e.t}(${parts.join(',')})`;
    }
    default:
      return undefined;
  }
}

function listShape(entries: Array<[string, Expr]>, params: Expr[]): string | undefined {
  let out = '';
  for (const [c, e] of entries) {
    const s = exprShape(e, params);
    if (s === undefined) return undefined;
    out += `${c}=${s};`;
  }
  return out;
}

/**
 * Names joined for a shape key, remembered per array: the client hands the same read-only column lists to every
 * call of one shape (`allColumns`, `insertValues`), so this joins each once instead of on every write.
 */
const joins = new WeakMap<readonly string[], string>();
function joined(names: readonly string[] | undefined): string {
  if (!names) return '';
  let s = joins.get(names);
  if (s === undefined) joins.set(names, (s = names.join(',')));
  return s;
}

function nodeShape(node: QueryNode, params: Expr[]): string | undefined {
  if (node.t === 'update') {
    const set = listShape(node.set, params);
    const where = node.where ? exprShape(node.where, params) : '';
    if (set === undefined || where === undefined) return undefined;
    return `U|${node.alias}|${set}|${where}|${joined(node.returning)}`;
  }
  if (node.t === 'insert' && node.rows.length === 1) {
    let values = '';
    for (const v of node.rows[0]) {
      const s = exprShape(v, params);
      if (s === undefined) return undefined;
      values += `${s},`;
    }
    let conflict = '';
    if (node.onConflict) {
      const action = node.onConflict.action === 'nothing' ? 'nothing' : listShape(node.onConflict.action.set, params);
      if (action === undefined) return undefined;
      conflict = `${node.onConflict.target.join(',')}:${action}`;
    }
    return `I|${joined(node.columns)}|${values}|${conflict}|${joined(node.returning)}`;
  }
  return undefined;
}
