import type { Connection } from '../adapter.js';
import { ValidationError } from '../errors.js';
import type { Expr, OrderItem, SelectColumn } from '../query/ast.js';
import type { ModelMeta, ResolvedRelation } from './meta.js';
import { checkArgKeys, finish, keyOf, mapRows, READ_KEYS, readSpec, SAFE_INTEGERS, selectFor, sortSpec, whereContext, type Args, type RelSpec } from './read.js';
import type { CallInfo, Runtime } from './runtime.js';
import { buildWhere, isPlainObject } from './where.js';

/**
 * Relations on rows already read (`include`, or a relation named in `select`): one query per relation and
 * chunk of keys, never one per row, nested includes attached the same way, then each parent row gets its
 * child row (to-one) or its list of children (to-many, with the relation's own take / skip).
 */

const IN_CHUNK = 5000;

export async function attachRelations(
  rt: Runtime,
  conn: Connection,
  meta: ModelMeta,
  rows: Record<string, unknown>[],
  relations: RelSpec[],
  info: CallInfo,
): Promise<void> {
  for (const { rel, args } of relations) {
    checkArgKeys(rel.target, `include.${rel.name}`, args, READ_KEYS);
    const keys = [...new Set(rows.map((r) => r[rel.localField]).filter((v) => v !== null && v !== undefined))];
    const groups = new Map<unknown, Record<string, unknown>[]>();
    if (keys.length) {
      const remoteCol = rel.target.fields.get(rel.remoteField)!;
      const childSpecArgs: Args = { ...args, take: undefined, skip: undefined };
      // The join key must be read even when the nested select leaves it out.
      const spec = readSpec(rel.target, childSpecArgs);
      const forced = !spec.columns.some((c) => c.field === rel.remoteField);
      if (forced) spec.columns = rel.target.table.columns.filter((c) => c.field === rel.remoteField || spec.columns.includes(c));
      const alias = rel.target.table.name;
      for (let i = 0; i < keys.length; i += IN_CHUNK) {
        const chunk = keys.slice(i, i + IN_CHUNK);
        const inExpr: Expr = {
          t: 'in',
          expr: { t: 'col', table: alias, name: remoteCol.name },
          values: chunk.map((k) => ({ t: 'param', value: rt.adapter.codec.encode(k, remoteCol) })),
          negate: false,
        };
        const node = selectFor(rt, rel.target, childSpecArgs, spec, inExpr);
        const childInfo: CallInfo = { op: info.op, semanticOp: 'select', model: rel.target.key };
        const raw = await rt.arrays(conn, childInfo, rt.prepare(node), rel.target.hasBigint ? SAFE_INTEGERS : undefined);
        const children = mapRows(rt, rel.target, spec, raw);
        await attachRelations(rt, conn, rel.target, children, spec.relations, childInfo);
        for (const child of children) {
          const k = keyOf(child[rel.remoteField]);
          let g = groups.get(k);
          if (!g) groups.set(k, (g = []));
          g.push(child);
        }
      }
      for (const g of groups.values()) finish(g, spec);
    }
    const skip = args.skip ?? 0;
    for (const r of rows) {
      const g = groups.get(keyOf(r[rel.localField])) ?? [];
      if (rel.kind === 'one') r[rel.name] = g[0] ?? null;
      else r[rel.name] = args.take !== undefined || skip ? g.slice(skip, args.take === undefined ? undefined : skip + args.take) : g;
    }
  }
}

// ---------- relation counts ----------

/** One to-many relation counted per row: `_count: { select: { posts: true } }` or `{ posts: { where } }`. */
export interface CountSpec {
  rel: ResolvedRelation;
  where?: Args;
}

const manyRelations = (meta: ModelMeta): string => [...meta.relations.values()].filter((r) => r.kind === 'many').map((r) => r.name).join(', ') || '(none)';

/** Read `_count` from `include` or `select`: `true` counts every to-many relation, `{ select: { rel: true | { where } } }` the ones named. */
export function readCounts(meta: ModelMeta, from: 'include' | 'select', v: unknown): CountSpec[] {
  const at = `${meta.key}: ${from}._count`;
  if (v === true) return [...meta.relations.values()].filter((r) => r.kind === 'many').map((rel) => ({ rel }));
  if (!isPlainObject(v) || Object.keys(v).some((k) => k !== 'select') || !isPlainObject(v.select)) {
    throw new ValidationError(`${at} takes true or { select: { relation: true } } (to-many relations: ${manyRelations(meta)})`, { model: meta.key });
  }
  const out: CountSpec[] = [];
  for (const [name, on] of Object.entries(v.select)) {
    if (on === false || on === undefined) continue;
    const rel = meta.relations.get(name);
    if (!rel || rel.kind !== 'many') {
      throw new ValidationError(`${at}.select.${name}: ${rel ? `'${name}' is a to-one relation, which has no count` : `unknown relation '${name}'`}. To-many relations: ${manyRelations(meta)}`, { model: meta.key });
    }
    if (on === true) out.push({ rel });
    else if (isPlainObject(on) && Object.keys(on).every((k) => k === 'where')) out.push({ rel, where: on.where as Args | undefined });
    else throw new ValidationError(`${at}.select.${name} takes true or { where: { ... } }`, { model: meta.key });
  }
  if (out.length === 0) throw new ValidationError(`${at}.select names no relation to count. To-many relations: ${manyRelations(meta)}`, { model: meta.key });
  return out;
}

/**
 * `(SELECT COUNT(*) FROM target AS c WHERE c.fk = parent.key [AND where])`: a correlated subquery per counted
 * relation, so counts come back in the parent's own query (never one query per row).
 */
function countExpr(rt: Runtime | undefined, meta: ModelMeta, alias: string, rel: ResolvedRelation, where?: Args): Expr {
  const sub = `${rel.name}__count`;
  const target = rel.target;
  const link: Expr = {
    t: 'cmp',
    op: '=',
    left: { t: 'col', table: sub, name: target.fields.get(rel.remoteField)!.name },
    right: { t: 'col', table: alias, name: meta.fields.get(rel.localField)!.name },
  };
  const filter = where === undefined ? undefined : buildWhere(whereContext(rt!, true), target, sub, where);
  return {
    t: 'subquery',
    query: {
      t: 'select',
      from: { table: target.table.name, alias: sub },
      columns: [{ expr: { t: 'agg', fn: 'count', expr: null }, alias: 'n' }],
      where: filter ? { t: 'and', items: [link, filter] } : link,
    },
  };
}

export function countColumns(rt: Runtime, meta: ModelMeta, alias: string, counts: CountSpec[]): SelectColumn[] {
  return counts.map((c) => ({ expr: countExpr(rt, meta, alias, c.rel, c.where), alias: `_count__${c.rel.name}` }));
}

/** `orderBy: { posts: { _count: 'desc' } }`: rows ordered by how many related rows each has. */
export function countOrder(meta: ModelMeta, alias: string, rel: ResolvedRelation, v: unknown): OrderItem {
  if (rel.kind !== 'many' || !isPlainObject(v) || Object.keys(v).length !== 1 || !('_count' in v)) {
    throw new ValidationError(
      `${meta.key}: orderBy.${rel.name} orders by a relation's row count: { ${rel.name}: { _count: 'asc' | 'desc' } }, on a to-many relation (${manyRelations(meta)})`,
      { model: meta.key },
    );
  }
  const spec = sortSpec(meta, `orderBy.${rel.name}._count`, v._count);
  return { expr: countExpr(undefined, meta, alias, rel), dir: spec.sort, nulls: spec.nulls };
}
