import type { Connection, MaybePromise } from '../adapter.js';
import { ValidationError } from '../errors.js';
import type { Expr, OrderItem, SelectColumn, SelectNode } from '../query/ast.js';
import type { ColumnIR } from '../schema/ir.js';
import { compileRowMapper, fieldOf, type ModelMeta, type ResolvedRelation } from './meta.js';
import { chain, type CallInfo, type Runtime } from './runtime.js';
import { own } from './args.js';
import { attachRelations, countColumns, countOrder, readCounts, type CountSpec } from './relations.js';
import { buildWhere, geoCoordinates, type WhereContext } from './where.js';
import { vectorOrder } from './vector.js';

/**
 * Read specs and row reads: the argument checks every read shares, `select` / `include` / `omit` resolved to
 * columns and relations, ORDER BY / take / skip / cursor, the SELECT a findMany-shaped call runs, and the
 * rows it returns (`distinct` applied, join-only columns dropped). Relations are attached by `relations.ts`,
 * aggregates and counts live in `aggregate.ts`.
 */

export type Args = Record<string, any>;

const READ_KEYS = new Set(['where', 'orderBy', 'take', 'skip', 'cursor', 'distinct', 'select', 'include', 'omit', 'chunkSize']);

export function whereContext(rt: Runtime, strict = rt.strict): WhereContext {
  let n = 0;
  return { codec: rt.adapter.codec, caps: rt.adapter.capabilities, strict, nextAlias: () => `r${++n}` };
}

export function checkArgKeys(meta: ModelMeta, op: string, args: Args | undefined, allowed: Set<string>): void {
  if (args === undefined) return;
  if (!args || typeof args !== 'object' || Array.isArray(args)) throw new ValidationError(`${meta.key}.${op}() takes an object of arguments`);
  for (const k of Object.keys(args)) {
    if (!allowed.has(k)) throw new ValidationError(`${meta.key}.${op}() got an unknown argument '${k}'. Allowed: ${[...allowed].join(', ')}`);
  }
}

export interface RelSpec {
  rel: ResolvedRelation;
  args: Args;
}

/** Which columns to read and which relations to attach, from `select` / `include` / `omit`. */
export interface ReadSpec {
  columns: ColumnIR[];
  /** Fields the caller asked for; the rest of `columns` are read only to join relations. */
  visible: string[];
  relations: RelSpec[];
  /** Relation counts (`_count: { select: { posts: true } }`), read as correlated subqueries after `columns`. */
  counts: CountSpec[];
}

function relArgs(meta: ModelMeta, name: string, v: unknown): Args {
  if (v === true) return {};
  if (v && typeof v === 'object') return v as Args;
  throw new ValidationError(`${meta.key}: include/select.${name} takes true or an object of arguments`);
}

export function readSpec(meta: ModelMeta, args: Args | undefined): ReadSpec {
  const relations: RelSpec[] = [];
  let counts: CountSpec[] = [];
  let visible: string[];
  if (args?.select && args?.include) throw new ValidationError(`${meta.key}: use either select or include, not both (select can name relations too)`);
  if (args?.select) {
    visible = [];
    for (const [k, v] of Object.entries(args.select as Args)) {
      if (v === false || v === undefined) continue;
      if (k === '_count' && !meta.fields.has(k) && !meta.relations.has(k)) {
        counts = readCounts(meta, 'select', v);
      } else if (meta.fields.has(k)) {
        if (v !== true) throw new ValidationError(`${meta.key}: select.${k} takes true or false`);
        visible.push(k);
      } else if (meta.relations.has(k)) {
        relations.push({ rel: meta.relations.get(k)!, args: relArgs(meta, k, v) });
      } else {
        throw new ValidationError(`${meta.key}: select names unknown field '${k}'. Fields: ${meta.fieldNames.join(', ')}`);
      }
    }
  } else {
    const omit = (args?.omit ?? {}) as Args;
    for (const k of Object.keys(omit)) if (!meta.fields.has(k)) throw new ValidationError(`${meta.key}: omit names unknown field '${k}'`);
    visible = meta.fieldNames.filter((f) => omit[f] !== true);
    for (const [k, v] of Object.entries((args?.include ?? {}) as Args)) {
      if (v === false || v === undefined) continue;
      if (k === '_count' && !meta.relations.has(k)) {
        counts = readCounts(meta, 'include', v);
        continue;
      }
      const rel = meta.relations.get(k);
      if (!rel) throw new ValidationError(`${meta.key}: include names unknown relation '${k}'. Relations: ${[...meta.relations.keys()].join(', ') || '(none)'}`);
      relations.push({ rel, args: relArgs(meta, k, v) });
    }
  }
  const needed = new Set(visible);
  for (const r of relations) needed.add(r.rel.localField);
  const columns = meta.table.columns.filter((c) => needed.has(c.field));
  return { columns, visible, relations, counts };
}

const mapperCache = new WeakMap<ModelMeta, Map<string, (r: unknown[]) => Record<string, unknown>>>();

/** The full-row mapper of each model (a write's `meta.table.columns`), found without a key string per call. */
const fullRowMappers = new WeakMap<ModelMeta, (r: unknown[]) => Record<string, unknown>>();

export function mapperFor(rt: Runtime, meta: ModelMeta, columns: ColumnIR[]): (r: unknown[]) => Record<string, unknown> {
  if (columns !== meta.table.columns) return mapperByKey(rt, meta, columns);
  let m = fullRowMappers.get(meta);
  if (!m) fullRowMappers.set(meta, (m = mapperByKey(rt, meta, columns)));
  return m;
}

function mapperByKey(rt: Runtime, meta: ModelMeta, columns: ColumnIR[]): (r: unknown[]) => Record<string, unknown> {
  let byKey = mapperCache.get(meta);
  if (!byKey) mapperCache.set(meta, (byKey = new Map()));
  const key = columns.map((c) => c.field).join('\0');
  let m = byKey.get(key);
  if (!m) byKey.set(key, (m = compileRowMapper(columns, rt.adapter.codec)));
  return m;
}

export function buildOrderBy(meta: ModelMeta, alias: string, orderBy: unknown, caps?: WhereContext['caps']): OrderItem[] | undefined {
  if (orderBy === undefined) return undefined;
  const list = Array.isArray(orderBy) ? orderBy : [orderBy];
  const items: OrderItem[] = [];
  for (const o of list) {
    if (!o || typeof o !== 'object') throw new ValidationError(`${meta.key}: orderBy takes { field: 'asc' | 'desc' } or an array of them`);
    for (const [k, v] of Object.entries(o as Args)) {
      if (!meta.fields.has(k) && meta.relations.has(k)) {
        items.push(countOrder(meta, alias, meta.relations.get(k)!, v));
        continue;
      }
      const col = fieldOf(meta, k);
      if (col.kind === 'geoPoint' && v && typeof v === 'object' && 'nearTo' in v) {
        items.push(nearToOrder(meta, alias, col, v as Args));
        continue;
      }
      if (v && typeof v === 'object' && 'nearTo' in v) {
        items.push(vectorOrder(meta, alias, col, v as Args, caps));
        continue;
      }
      const spec = sortSpec(meta, `orderBy.${k}`, v);
      items.push({ expr: { t: 'col', table: alias, name: col.name }, dir: spec.sort, nulls: spec.nulls });
    }
  }
  return items;
}

/** `orderBy: { location: { nearTo: { lng, lat } } }`: nearest first (`sort: 'desc'` for farthest), rows without a point last. */
function nearToOrder(meta: ModelMeta, alias: string, col: ColumnIR, v: Args): OrderItem {
  const extra = Object.keys(v).find((k) => k !== 'nearTo' && k !== 'sort');
  if (extra) throw new ValidationError(`${meta.key}: orderBy.${col.field} takes { nearTo: { lng, lat }, sort? }, not '${extra}'`, { model: meta.key, field: col.field });
  if (v.sort !== undefined && v.sort !== 'asc' && v.sort !== 'desc') throw new ValidationError(`${meta.key}: orderBy.${col.field}.sort must be 'asc' or 'desc'`, { model: meta.key, field: col.field });
  const p = geoCoordinates(meta, col.field, 'nearTo', v.nearTo);
  return { expr: { t: 'geoDistance', expr: { t: 'col', table: alias, name: col.name }, lng: p.lng, lat: p.lat }, dir: v.sort === 'desc' ? 'desc' : 'asc', nulls: 'last' };
}

/** `'asc'`, `'desc'` or `{ sort, nulls }`, checked; `at` names the key for messages. */
export function sortSpec(meta: ModelMeta, at: string, v: unknown): { sort: 'asc' | 'desc'; nulls?: 'first' | 'last' } {
  const spec = typeof v === 'string' ? { sort: v } : (v as Args);
  if (!spec || typeof spec !== 'object' || (spec.sort !== 'asc' && spec.sort !== 'desc')) throw new ValidationError(`${meta.key}: ${at} must be 'asc' or 'desc' (or { sort, nulls })`);
  if (spec.nulls !== undefined && spec.nulls !== 'first' && spec.nulls !== 'last') throw new ValidationError(`${meta.key}: ${at}.nulls must be 'first' or 'last'`);
  return { sort: spec.sort, nulls: spec.nulls };
}

export function checkCount(meta: ModelMeta, name: string, v: unknown): number | undefined {
  if (v === undefined) return undefined;
  if (!Number.isSafeInteger(v) || (v as number) < 0) {
    throw new ValidationError(`${meta.key}: ${name} must be a non-negative integer, got ${String(v)}${name === 'take' && typeof v === 'number' && v < 0 ? ' (reverse orderBy to page backwards)' : ''}`);
  }
  return v as number;
}

/** Is `where` pinned to one row: does it give every field of some unique set a plain value? */
export function assertUniqueWhere(meta: ModelMeta, op: string, where: unknown): void {
  if (!where || typeof where !== 'object') throw new ValidationError(`${meta.key}.${op}() needs where with a unique field (${meta.uniqueSets.map((s) => s.join('+')).join(', ')})`);
  const pinned = (f: string) => {
    const v = own(where, f);
    if (v === undefined || v === null) return false;
    if (typeof v === 'object' && !(v instanceof Date) && !(v instanceof Uint8Array)) {
      const keys = Object.keys(v);
      return keys.length === 1 && keys[0] === 'equals' && own(v, 'equals') !== null && own(v, 'equals') !== undefined;
    }
    return true;
  };
  if (!meta.uniqueSets.some((set) => set.length > 0 && set.every(pinned))) {
    throw new ValidationError(`${meta.key}.${op}() needs where to name a unique field with a value: one of ${meta.uniqueSets.map((s) => s.join(' + ')).join(', ')}`, { model: meta.key });
  }
}

export function baseSelect(rt: Runtime, meta: ModelMeta, alias: string, args: Args | undefined, columns: SelectColumn[], extraWhere?: Expr): SelectNode {
  const wctx = whereContext(rt);
  const where = buildWhere(wctx, meta, alias, args?.where);
  const conds = [extraWhere, where].filter(Boolean) as Expr[];
  return {
    t: 'select',
    from: { table: meta.table.name, alias },
    columns,
    where: conds.length === 0 ? undefined : conds.length === 1 ? conds[0] : { t: 'and', items: conds },
    orderBy: buildOrderBy(meta, alias, args?.orderBy, wctx.caps),
    limit: checkCount(meta, 'take', args?.take),
    offset: checkCount(meta, 'skip', args?.skip),
  };
}

/** Build the SELECT for a findMany-shaped call without a cursor (without running it). */
export function selectFor(rt: Runtime, meta: ModelMeta, args: Args | undefined, spec: ReadSpec, extraWhere?: Expr): SelectNode {
  const alias = meta.table.name;
  const columns: SelectColumn[] = spec.columns.map((c) => ({ expr: { t: 'col', table: alias, name: c.name } as Expr, alias: c.field }));
  if (spec.counts.length) columns.push(...countColumns(rt, meta, alias, spec.counts));
  const node = baseSelect(rt, meta, alias, args, columns, extraWhere);
  if (args?.distinct) {
    // DISTINCT over some fields is applied in memory after the read (as Prisma does), so paging happens there too.
    node.limit = undefined;
    node.offset = undefined;
  }
  return node;
}

/** The same with cursor pagination, which reads the cursor row first; null when the cursor row does not exist. */
export async function planRead(
  rt: Runtime,
  conn: Connection,
  meta: ModelMeta,
  args: Args | undefined,
  spec: ReadSpec,
  extraWhere: Expr | undefined,
  info: CallInfo,
): Promise<SelectNode | null> {
  const node = selectFor(rt, meta, args, spec, extraWhere);
  if (args?.cursor === undefined) return node;
  const alias = meta.table.name;
  const cw = await cursorWhere(rt, conn, meta, alias, args, info);
  if (cw === null) return null;
  node.where = node.where ? { t: 'and', items: [node.where, cw] } : cw;
  const pk = meta.pkFields.map((f) => meta.fields.get(f)!);
  node.orderBy = [...(node.orderBy ?? [])];
  for (const c of pk) if (!node.orderBy.some((o) => o.expr.t === 'col' && o.expr.name === c.name)) node.orderBy.push({ expr: { t: 'col', table: alias, name: c.name }, dir: 'asc' });
  return node;
}

/** Rows at or after the cursor row in the requested order (the primary key breaks ties). */
async function cursorWhere(rt: Runtime, conn: Connection, meta: ModelMeta, alias: string, args: Args, info: CallInfo): Promise<Expr | null> {
  assertUniqueWhere(meta, 'findMany cursor', args.cursor);
  const order = buildOrderBy(meta, alias, args.orderBy) ?? [];
  if (order.some((o) => o.expr.t !== 'col')) {
    throw new ValidationError(`${meta.key}.findMany: cursor pagination orders by fields only; order by a relation's _count with take / skip instead`, { model: meta.key });
  }
  const pkCols = meta.pkFields.map((f) => meta.fields.get(f)!);
  for (const c of pkCols) if (!order.some((o) => (o.expr as { name: string }).name === c.name)) order.push({ expr: { t: 'col', table: alias, name: c.name }, dir: 'asc' });
  const cols = order.map((o) => (o.expr as { name: string }).name);
  const q = baseSelect(rt, meta, alias, { where: args.cursor }, cols.map((name) => ({ expr: { t: 'col', table: alias, name }, alias: name })));
  q.limit = 1;
  const rows = await rt.arrays(conn, info, rt.prepare(q));
  if (rows.length === 0) return null;
  const values = rows[0];
  // (a > va) OR (a = va AND b > vb) OR ... OR (all equal): lexicographic "at or after".
  const ors: Expr[] = [];
  for (let i = 0; i <= order.length; i++) {
    const ands: Expr[] = [];
    for (let j = 0; j < i; j++) ands.push({ t: 'cmp', op: '=', left: order[j].expr, right: { t: 'param', value: values[j] } });
    if (i < order.length) ands.push({ t: 'cmp', op: order[i].dir === 'desc' ? '<' : '>', left: order[i].expr, right: { t: 'param', value: values[i] } });
    ors.push(ands.length === 1 ? ands[0] : { t: 'and', items: ands });
  }
  return { t: 'or', items: ors };
}

export const keyOf = (v: unknown): unknown => (v instanceof Date ? v.getTime() : typeof v === 'object' && v !== null ? String(v) : v);

export const SAFE_INTEGERS = { safeIntegers: true } as const;

/**
 * Read rows for a findMany-shaped call, attaching relations with one query per relation (never per row).
 * Synchronous end to end on synchronous drivers unless relations or a cursor need more round trips.
 */
export function readRows(
  rt: Runtime,
  conn: Connection,
  meta: ModelMeta,
  args: Args | undefined,
  info: CallInfo,
  extraWhere?: Expr,
): MaybePromise<Record<string, unknown>[]> {
  const spec = readSpec(meta, args);
  if (args?.cursor !== undefined) {
    return planRead(rt, conn, meta, args, spec, extraWhere, info).then((node) => (node ? fetchRows(rt, conn, meta, args, spec, node, info) : []));
  }
  return fetchRows(rt, conn, meta, args, spec, selectFor(rt, meta, args, spec, extraWhere), info);
}

function fetchRows(
  rt: Runtime,
  conn: Connection,
  meta: ModelMeta,
  args: Args | undefined,
  spec: ReadSpec,
  node: SelectNode,
  info: CallInfo,
): MaybePromise<Record<string, unknown>[]> {
  const q = rt.prepare(node);
  return chain(rt.arrays(conn, info, q, meta.hasBigint ? SAFE_INTEGERS : undefined), (raw) => {
    let rows = mapRows(rt, meta, spec, raw);
    if (args?.distinct) rows = applyDistinct(meta, rows, args);
    if (spec.relations.length === 0) return finish(rows, spec);
    return attachRelations(rt, conn, meta, rows, spec.relations, info).then(() => finish(rows, spec));
  });
}

/** Array rows to objects: the spec's columns through the model's mapper, then the relation counts after them. */
export function mapRows(rt: Runtime, meta: ModelMeta, spec: ReadSpec, raw: unknown[][]): Record<string, unknown>[] {
  const rows = raw.map(mapperFor(rt, meta, spec.columns));
  if (spec.counts.length) {
    const at = spec.columns.length;
    raw.forEach((r, i) => {
      const c: Record<string, number> = {};
      spec.counts.forEach((s, j) => (c[s.rel.name] = Number(r[at + j] ?? 0)));
      rows[i]._count = c;
    });
  }
  return rows;
}

function applyDistinct(meta: ModelMeta, rows: Record<string, unknown>[], args: Args): Record<string, unknown>[] {
  const fields = args.distinct as string[];
  if (!Array.isArray(fields) || fields.length === 0) throw new ValidationError(`${meta.key}: distinct takes a non-empty array of field names`);
  fields.forEach((f) => fieldOf(meta, f));
  const seen = new Set<string>();
  const out = rows.filter((r) => {
    const k = JSON.stringify(fields.map((f) => keyOf(r[f])));
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
  const skip = args.skip ?? 0;
  return out.slice(skip, args.take === undefined ? undefined : skip + args.take);
}

/** Drop the columns that were read only to join relations. */
export function finish(rows: Record<string, unknown>[], spec: ReadSpec): Record<string, unknown>[] {
  if (spec.columns.length === spec.visible.length) return rows;
  const hidden = spec.columns.filter((c) => !spec.visible.includes(c.field)).map((c) => c.field);
  for (const r of rows) for (const h of hidden) delete r[h];
  return rows;
}

export { READ_KEYS };
