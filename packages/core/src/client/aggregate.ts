import type { Connection, MaybePromise } from '../adapter.js';
import { ValidationError } from '../errors.js';
import type { Expr, SelectColumn, SelectNode } from '../query/ast.js';
import type { ColumnIR } from '../schema/ir.js';
import { fieldOf, type ModelMeta } from './meta.js';
import { baseSelect, checkCount, mapperFor, whereContext, type Args } from './read.js';
import { chain, type CallInfo, type Runtime } from './runtime.js';
import { bindValue } from './where.js';

/**
 * Aggregates: `aggregate` (_count / _sum / _avg / _min / _max), `groupBy` with its `having` filters, and
 * `count`; each one SELECT, with results decoded to the shapes the client returns.
 */

// ---------- aggregates ----------

const AGG_FNS = ['_count', '_sum', '_avg', '_min', '_max'] as const;

function aggColumns(meta: ModelMeta, alias: string, args: Args): Array<SelectColumn & { fn: string; field?: string; col?: ColumnIR }> {
  const out: Array<SelectColumn & { fn: string; field?: string; col?: ColumnIR }> = [];
  for (const fn of AGG_FNS) {
    const spec = args[fn];
    if (spec === undefined || spec === false) continue;
    if (fn === '_count' && spec === true) {
      out.push({ expr: { t: 'agg', fn: 'count', expr: null }, alias: '_count', fn });
      continue;
    }
    if (!spec || typeof spec !== 'object') throw new ValidationError(`${meta.key}: ${fn} takes { field: true }`);
    for (const [field, on] of Object.entries(spec as Args)) {
      if (!on) continue;
      if (fn === '_count' && field === '_all') {
        out.push({ expr: { t: 'agg', fn: 'count', expr: null }, alias: '_count___all', fn, field: '_all' });
        continue;
      }
      const col = fieldOf(meta, field);
      if ((fn === '_sum' || fn === '_avg') && !['int', 'bigint', 'float', 'decimal'].includes(col.kind)) {
        throw new ValidationError(`${meta.key}: ${fn}.${field} needs a numeric field, ${field} is f.${col.kind}()`);
      }
      const sqlFn = fn.slice(1) as 'count' | 'sum' | 'avg' | 'min' | 'max';
      out.push({ expr: { t: 'agg', fn: sqlFn, expr: { t: 'col', table: alias, name: col.name } }, alias: `${fn}__${field}`, fn, field, col });
    }
  }
  return out;
}

function decodeAgg(rt: Runtime, a: { fn: string; col?: ColumnIR }, v: unknown): unknown {
  if (v === null || v === undefined) return a.fn === '_count' ? 0 : null;
  if (a.fn === '_count') return Number(v);
  if (a.fn === '_avg') return Number(v);
  if (a.fn === '_sum') return a.col?.kind === 'decimal' ? String(v) : a.col?.kind === 'bigint' ? BigInt(typeof v === 'number' ? Math.trunc(v) : (v as string)) : Number(v);
  return a.col ? rt.adapter.codec.decode(v, a.col) : v;
}

function shapeAgg(rt: Runtime, aggs: ReturnType<typeof aggColumns>, row: unknown[], offset: number): Args {
  const out: Args = {};
  aggs.forEach((a, i) => {
    const v = decodeAgg(rt, a, row[offset + i]);
    if (a.alias === '_count') out._count = v;
    else (out[a.fn] ??= {})[a.field!] = v;
  });
  return out;
}

export function aggregateNode(rt: Runtime, meta: ModelMeta, args: Args): { node: SelectNode; aggs: ReturnType<typeof aggColumns> } {
  const alias = meta.table.name;
  const aggs = aggColumns(meta, alias, args);
  if (aggs.length === 0) throw new ValidationError(`${meta.key}.aggregate() needs at least one of _count, _sum, _avg, _min, _max`);
  return { node: baseSelect(rt, meta, alias, { where: args.where }, aggs), aggs };
}

export function aggregate(rt: Runtime, conn: Connection, meta: ModelMeta, args: Args, info: CallInfo): MaybePromise<Args> {
  const { node, aggs } = aggregateNode(rt, meta, args);
  return chain(rt.arrays(conn, info, rt.prepare(node)), (rows) => shapeAgg(rt, aggs, rows[0] ?? [], 0));
}

export function groupBy(rt: Runtime, conn: Connection, meta: ModelMeta, args: Args, info: CallInfo): MaybePromise<Args[]> {
  const alias = meta.table.name;
  if (!Array.isArray(args.by) || args.by.length === 0) throw new ValidationError(`${meta.key}.groupBy() needs by: ['field', ...]`);
  const byCols = (args.by as string[]).map((f) => fieldOf(meta, f));
  const aggs = aggColumns(meta, alias, args);
  const columns: SelectColumn[] = [...byCols.map((c) => ({ expr: { t: 'col', table: alias, name: c.name } as Expr, alias: c.field })), ...aggs];
  const node = baseSelect(rt, meta, alias, { where: args.where, orderBy: args.orderBy, take: args.take, skip: args.skip }, columns);
  node.groupBy = byCols.map((c) => ({ t: 'col', table: alias, name: c.name }));
  if (args.having) node.having = havingExpr(rt, meta, alias, args.having);
  const map = mapperFor(rt, meta, byCols);
  return chain(rt.arrays(conn, info, rt.prepare(node)), (rows) =>
    rows.map((r) => ({ ...map(r.slice(0, byCols.length)), ...shapeAgg(rt, aggs, r, byCols.length) })),
  );
}

function havingExpr(rt: Runtime, meta: ModelMeta, alias: string, having: Args): Expr {
  const parts: Expr[] = [];
  const wctx = whereContext(rt, true);
  for (const [field, spec] of Object.entries(having)) {
    const col = fieldOf(meta, field);
    if (!spec || typeof spec !== 'object') throw new ValidationError(`${meta.key}.groupBy having.${field} takes { _sum: { gt: 10 } } style filters`);
    for (const [fn, filter] of Object.entries(spec as Args)) {
      if (!AGG_FNS.includes(fn as (typeof AGG_FNS)[number])) throw new ValidationError(`${meta.key}.groupBy having.${field}.${fn}: use _count, _sum, _avg, _min or _max`);
      const agg: Expr = { t: 'agg', fn: fn.slice(1) as 'count', expr: { t: 'col', table: alias, name: col.name } };
      for (const [op, v] of Object.entries(filter as Args)) {
        const sqlOp = ({ equals: '=', not: '<>', lt: '<', lte: '<=', gt: '>', gte: '>=' } as const)[op as 'lt'];
        if (!sqlOp) throw new ValidationError(`${meta.key}.groupBy having: unknown operator '${op}' (use equals, not, lt, lte, gt, gte)`);
        const right = fn === '_count' || fn === '_avg' || fn === '_sum' ? numberParam(meta, field, v) : bindValue(wctx, meta, col, v);
        parts.push({ t: 'cmp', op: sqlOp, left: agg, right });
      }
    }
  }
  return parts.length === 1 ? parts[0] : { t: 'and', items: parts };
}

function numberParam(meta: ModelMeta, field: string, v: unknown): Expr {
  if (typeof v !== 'number' || !Number.isFinite(v)) throw new ValidationError(`${meta.key}.groupBy having.${field}: aggregate filters take a number`);
  return { t: 'param', value: v };
}

export function count(rt: Runtime, conn: Connection, meta: ModelMeta, args: Args | undefined, info: CallInfo): MaybePromise<number> {
  const alias = meta.table.name;
  const node = baseSelect(rt, meta, alias, { where: args?.where }, [{ expr: { t: 'agg', fn: 'count', expr: null }, alias: 'count' }]);
  const skip = checkCount(meta, 'skip', args?.skip) ?? 0;
  const take = checkCount(meta, 'take', args?.take);
  return chain(rt.arrays(conn, info, rt.prepare(node)), (rows) => {
    const after = Math.max(0, Number(rows[0]?.[0] ?? 0) - skip);
    return take === undefined ? after : Math.min(after, take);
  });
}
