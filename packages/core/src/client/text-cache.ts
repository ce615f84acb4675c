import type { CompiledQuery, Expr, QueryNode } from '../query/ast.js';
import type { ModelMeta } from './meta.js';
import type { Runtime } from './runtime.js';

/**
 * Compiled SQL text per statement shape, for writes. The shape key spells out the node's structure (names,
 * operators, where each value goes) and `params` lists the bound values in the order of that spelling. The
 * first call of a shape compiles for real and checks the compiler bound exactly those values in that order;
 * a shape whose order differs is never cached, so a dialect that reorders parameters just compiles every time.
 */
const texts = new WeakMap<ModelMeta, Map<string, string | null>>();
const MAX_SHAPES = 256;

export function compileCached(rt: Runtime, meta: ModelMeta, node: QueryNode): CompiledQuery {
  const params: unknown[] = [];
  const key = nodeShape(node, params);
  if (key === undefined) return rt.adapter.compiler.compile(node);
  let byShape = texts.get(meta);
  if (!byShape) texts.set(meta, (byShape = new Map()));
  const sql = byShape.get(key);
  if (sql) return { sql, params };
  if (sql === null) return rt.adapter.compiler.compile(node);
  const q = rt.adapter.compiler.compile(node);
  const same = q.params.length === params.length && q.params.every((p, i) => Object.is(p, params[i]));
  if (byShape.size >= MAX_SHAPES) byShape.clear();
  byShape.set(key, same ? q.sql : null);
  return q;
}

/** The shape of an expression; values go to `params`. Undefined for node kinds this cache does not cover. */
function exprShape(e: Expr, params: unknown[]): string | undefined {
  switch (e.t) {
    case 'param':
      params.push(e.value);
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

function listShape(entries: Array<[string, Expr]>, params: unknown[]): string | undefined {
  let out = '';
  for (const [c, e] of entries) {
    const s = exprShape(e, params);
    if (s === undefined) return undefined;
    out += `${c}=${s};`;
  }
  return out;
}

function nodeShape(node: QueryNode, params: unknown[]): string | undefined {
  if (node.t === 'update') {
    const set = listShape(node.set, params);
    const where = node.where ? exprShape(node.where, params) : '';
    if (set === undefined || where === undefined) return undefined;
    return `U|${node.alias}|${set}|${where}|${node.returning?.join(',') ?? ''}`;
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
    return `I|${node.columns.join(',')}|${values}|${conflict}|${node.returning?.join(',') ?? ''}`;
  }
  return undefined;
}
