import type { Connection, MaybePromise } from '../adapter.js';
import { ValidationError } from '../errors.js';
import type { Expr, OrderItem, SelectColumn, SelectNode } from '../query/ast.js';
import type { ColumnIR } from '../schema/ir.js';
import { fieldOf, type ModelMeta } from './meta.js';
import { baseSelect, checkArgKeys, checkCount, mapperFor, sortSpec, whereContext, type Args } from './read.js';
import { chain, type CallInfo, type Runtime } from './runtime.js';
import { bindValue, buildWhere, isPlainObject, type WhereContext } from './where.js';

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
      if ((fn === '_sum' || fn === '_avg') && !NUMERIC_KINDS.includes(col.kind)) {
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
  const { node, byCols, aggs } = groupByNode(rt, meta, args);
  const map = mapperFor(rt, meta, byCols);
  return chain(rt.arrays(conn, info, rt.prepare(node)), (rows) =>
    rows.map((r) => ({ ...map(r.slice(0, byCols.length)), ...shapeAgg(rt, aggs, r, byCols.length) })),
  );
}

const GROUP_BY_KEYS = new Set(['by', 'where', 'having', 'orderBy', 'take', 'skip', ...AGG_FNS]);

export function groupByNode(rt: Runtime, meta: ModelMeta, args: Args): { node: SelectNode; byCols: ColumnIR[]; aggs: ReturnType<typeof aggColumns> } {
  const alias = meta.table.name;
  checkArgKeys(meta, 'groupBy', args, GROUP_BY_KEYS);
  if (!Array.isArray(args.by) || args.by.length === 0) throw new ValidationError(`${meta.key}.groupBy() needs by: ['field', ...]`);
  const byCols = (args.by as string[]).map((f) => fieldOf(meta, f));
  const aggs = aggColumns(meta, alias, args);
  const columns: SelectColumn[] = [...byCols.map((c) => ({ expr: { t: 'col', table: alias, name: c.name } as Expr, alias: c.field })), ...aggs];
  const node = baseSelect(rt, meta, alias, { where: args.where, take: args.take, skip: args.skip }, columns);
  node.groupBy = byCols.map((c) => ({ t: 'col', table: alias, name: c.name }));
  node.orderBy = groupOrderBy(meta, alias, args.orderBy, byCols, aggs);
  if (args.having !== undefined) node.having = havingExpr(whereContext(rt, true), meta, alias, args.having, byCols, 'having');
  return { node, byCols, aggs };
}

/**
 * groupBy's ORDER BY: a field of `by`, or an aggregate the call returns (`{ _sum: { total: 'desc' } }`,
 * `{ _count: { _all: 'asc' } }`), in the order given; an array of such objects sorts by each in turn.
 */
function groupOrderBy(meta: ModelMeta, alias: string, orderBy: unknown, byCols: ColumnIR[], aggs: ReturnType<typeof aggColumns>): OrderItem[] | undefined {
  if (orderBy === undefined) return undefined;
  const list = Array.isArray(orderBy) ? orderBy : [orderBy];
  const by = byCols.map((c) => c.field).join(', ');
  const items: OrderItem[] = [];
  for (const o of list) {
    if (!isPlainObject(o)) throw new ValidationError(`${meta.key}.groupBy orderBy takes { field: 'asc' | 'desc' }, { _sum: { field: 'desc' } }, or an array of them`, { model: meta.key });
    for (const [k, v] of Object.entries(o)) {
      if ((AGG_FNS as readonly string[]).includes(k)) {
        if (!isPlainObject(v) || Object.keys(v).length === 0) {
          throw new ValidationError(`${meta.key}.groupBy orderBy.${k} takes { field: 'asc' | 'desc' }`, { model: meta.key });
        }
        for (const [field, dir] of Object.entries(v)) {
          const a = aggs.find((x) => x.fn === k && (x.field === field || (k === '_count' && field === '_all' && x.alias === '_count')));
          if (!a) {
            if (field !== '_all') fieldOf(meta, field);
            throw new ValidationError(
              `${meta.key}.groupBy orderBy.${k}.${field}: order by an aggregate the call returns; add ${k}: { ${field}: true } to the groupBy`,
              { model: meta.key, field },
            );
          }
          const spec = sortSpec(meta, `groupBy orderBy.${k}.${field}`, dir);
          items.push({ expr: a.expr, dir: spec.sort, nulls: spec.nulls });
        }
        continue;
      }
      const col = byCols.find((c) => c.field === k);
      if (!col) {
        throw new ValidationError(
          `${meta.key}.groupBy orderBy.${k}: order groups by a field of by (${by}) or by an aggregate (${AGG_FNS.join(', ')})`,
          { model: meta.key, field: k },
        );
      }
      const spec = sortSpec(meta, `groupBy orderBy.${k}`, v);
      items.push({ expr: { t: 'col', table: alias, name: col.name }, dir: spec.sort, nulls: spec.nulls });
    }
  }
  return items;
}

const NUMERIC_KINDS = ['int', 'bigint', 'float', 'decimal'];
const HAVING_OPS = { equals: '=', not: '<>', lt: '<', lte: '<=', gt: '>', gte: '>=' } as const;

/**
 * `having: { total: { _sum: { gt: 100 } }, country: { equals: 'NL' } }` (Prisma's shape), with AND / OR / NOT:
 * aggregate filters on any field, plain filters on the fields of `by`. Like `where`, nothing here may widen:
 * an empty operator object or an undefined value is refused, never dropped.
 */
function havingExpr(ctx: WhereContext, meta: ModelMeta, alias: string, having: unknown, byCols: ColumnIR[], at: string): Expr {
  if (!isPlainObject(having)) throw new ValidationError(`${meta.key}.groupBy ${at} takes an object such as { total: { _sum: { gt: 100 } } }`, { model: meta.key });
  const parts: Expr[] = [];
  for (const [key, spec] of Object.entries(having)) {
    const here = `${at}.${key}`;
    if (spec === undefined) throw new ValidationError(`${meta.key}.groupBy ${here} is undefined: remove the key or give it a filter`, { model: meta.key });
    if (key === 'AND' || key === 'OR' || key === 'NOT') {
      const list = Array.isArray(spec) ? spec : key === 'OR' ? null : [spec];
      if (!list) throw new ValidationError(`${meta.key}.groupBy ${here} takes an array of filters`, { model: meta.key });
      const exprs = list.map((h, i) => {
        if (!isPlainObject(h)) throw new ValidationError(`${meta.key}.groupBy ${here}[${i}] must be a filter object; forge refuses to drop it and widen the filter`, { model: meta.key });
        return havingExpr(ctx, meta, alias, h, byCols, `${here}[${i}]`);
      });
      parts.push(key === 'AND' ? { t: 'and', items: exprs } : key === 'OR' ? { t: 'or', items: exprs } : { t: 'and', items: exprs.map((e) => ({ t: 'not', expr: e }) as Expr) });
      continue;
    }
    const col = meta.fields.get(key);
    if (!col) throw new ValidationError(`${meta.key}.groupBy ${at} names unknown field '${key}'. Fields: ${meta.fieldNames.join(', ')}`, { model: meta.key, field: key });
    if (!isPlainObject(spec) || Object.keys(spec).length === 0) {
      throw new ValidationError(`${meta.key}.groupBy ${here} takes aggregate filters such as { _sum: { gt: 100 } }${isPlainObject(spec) ? ': an empty object would match every group' : ''}`, { model: meta.key, field: key });
    }
    const plain: Args = {};
    for (const [fn, filter] of Object.entries(spec)) {
      if (!(AGG_FNS as readonly string[]).includes(fn)) {
        plain[fn] = filter;
        continue;
      }
      if ((fn === '_sum' || fn === '_avg') && !NUMERIC_KINDS.includes(col.kind)) {
        throw new ValidationError(`${meta.key}.groupBy ${here}.${fn} needs a numeric field, ${key} is f.${col.kind}(); use _count, _min or _max`, { model: meta.key, field: key });
      }
      const agg: Expr = { t: 'agg', fn: fn.slice(1) as 'count', expr: { t: 'col', table: alias, name: col.name } };
      parts.push(aggFilter(ctx, meta, col, agg, fn, filter, `${here}.${fn}`));
    }
    if (Object.keys(plain).length) {
      if (!byCols.includes(col)) {
        throw new ValidationError(
          `${meta.key}.groupBy ${here}: ${Object.keys(plain).map((k) => `'${k}'`).join(', ')} is not an aggregate (${AGG_FNS.join(', ')}); a plain filter in having applies to fields of by only (${byCols.map((c) => c.field).join(', ')})`,
          { model: meta.key, field: key },
        );
      }
      parts.push(buildWhere(ctx, meta, alias, { [key]: plain })!);
    }
  }
  return parts.length === 1 ? parts[0] : { t: 'and', items: parts };
}

function aggFilter(ctx: WhereContext, meta: ModelMeta, col: ColumnIR, agg: Expr, fn: string, filter: unknown, at: string): Expr {
  if (!isPlainObject(filter)) {
    if (filter === null || typeof filter !== 'object') return { t: 'cmp', op: '=', left: agg, right: aggValue(ctx, meta, col, fn, filter, at) };
    throw new ValidationError(`${meta.key}.groupBy ${at} takes { gt: 10 } style filters`, { model: meta.key, field: col.field });
  }
  const ops = Object.entries(filter);
  if (ops.length === 0) throw new ValidationError(`${meta.key}.groupBy ${at} is an empty object: it names no operator and would match every group. Give one of equals, not, in, notIn, lt, lte, gt, gte`, { model: meta.key, field: col.field });
  const parts: Expr[] = [];
  for (const [op, v] of ops) {
    if (v === undefined) throw new ValidationError(`${meta.key}.groupBy ${at}.${op} is undefined: remove the operator or give it a value`, { model: meta.key, field: col.field });
    if (op === 'in' || op === 'notIn') {
      if (!Array.isArray(v)) throw new ValidationError(`${meta.key}.groupBy ${at}.${op} takes an array`, { model: meta.key, field: col.field });
      parts.push({ t: 'in', expr: agg, values: v.map((x) => aggValue(ctx, meta, col, fn, x, `${at}.${op}`)), negate: op === 'notIn' });
      continue;
    }
    const sqlOp = HAVING_OPS[op as keyof typeof HAVING_OPS];
    if (!sqlOp) throw new ValidationError(`${meta.key}.groupBy ${at}: unknown operator '${op}' (use equals, not, in, notIn, lt, lte, gt, gte)`, { model: meta.key, field: col.field });
    if (v === null && (op === 'equals' || op === 'not')) parts.push({ t: 'isNull', expr: agg, negate: op === 'not' });
    else parts.push({ t: 'cmp', op: sqlOp, left: agg, right: aggValue(ctx, meta, col, fn, v, `${at}.${op}`) });
  }
  return parts.length === 1 ? parts[0] : { t: 'and', items: parts };
}

/**
 * The bound value an aggregate is compared with. A count, and a sum of whole numbers, is an integer (a bound
 * 3.5 would not even parse as Postgres' bigint); an average any finite number; a decimal sum a number or decimal
 * string; _min / _max a value of the field itself (a Date for a dateTime), encoded as the column stores it.
 */
function aggValue(ctx: WhereContext, meta: ModelMeta, col: ColumnIR, fn: string, v: unknown, at: string): Expr {
  const refuse = (what: string): never => {
    throw new ValidationError(`${meta.key}.groupBy ${at} takes ${what}, got ${typeof v === 'object' ? JSON.stringify(v) : String(v)}`, { model: meta.key, field: col.field });
  };
  if (fn === '_min' || fn === '_max') return bindValue(ctx, meta, col, v);
  if (fn === '_count') return Number.isSafeInteger(v) ? { t: 'param', value: v } : refuse('an integer (a count)');
  if (fn === '_avg') return typeof v === 'number' && Number.isFinite(v) ? { t: 'param', value: v } : refuse('a number');
  if (col.kind === 'decimal') return bindValue(ctx, meta, col, v);
  if (col.kind === 'float') return typeof v === 'number' && Number.isFinite(v) ? { t: 'param', value: v } : refuse('a number');
  if (col.kind === 'bigint') return typeof v === 'bigint' || Number.isSafeInteger(v) ? { t: 'param', value: ctx.codec.encode(v, col) } : refuse('an integer or bigint (a sum of bigints)');
  return Number.isSafeInteger(v) ? { t: 'param', value: v } : refuse('an integer (a sum of whole numbers)');
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
