import type { Connection, MaybePromise, PreparedQuery } from '../adapter.js';
import { DbKnownError, ValidationError } from '../errors.js';
import { paramRows, type DeleteNode, type Expr, type InsertNode, type UpdateNode } from '../query/ast.js';
import type { ModelMeta } from './meta.js';
import { assertUniqueWhere, finish, readRows, readSpec, whereContext, type Args } from './read.js';
import { attachRelations } from './relations.js';
import { chain, type CallInfo, type Runtime } from './runtime.js';
import { own } from './args.js';
import { resolveBelongsTo, writeBelongsTo, writeChildren } from './nested.js';
import { allColumns, writtenRows } from './returning.js';
import { compileCached } from './text-cache.js';
import { encode, insertRows, insertValues, isPlainObject, setClause, splitData, type InsertRows } from './values.js';
import { buildWhere } from './where.js';

/**
 * The write statements: create, update, upsert, delete and their many-variants, and the compile* forms that
 * build a statement without running it. Values come from `values.ts`, nested relation writes from
 * `nested.ts`; the written row is read back by `returning.ts` and shaped like a read.
 */


/** Shape a full row the way the call's select/include/omit asks. */
function shape(rt: Runtime, conn: Connection, meta: ModelMeta, row: Record<string, unknown>, args: Args, info: CallInfo): MaybePromise<Record<string, unknown>> {
  if (!args.select && !args.include && !args.omit) return row;
  const spec = readSpec(meta, args);
  const out: Record<string, unknown> = {};
  for (const c of spec.columns) out[c.field] = row[c.field];
  if (spec.relations.length === 0) return finish([out], spec)[0];
  return attachRelations(rt, conn, meta, [out], spec.relations, info).then(() => finish([out], spec)[0]);
}

export function uniqueWhereExpr(rt: Runtime, meta: ModelMeta, op: string, where: unknown, alias: string): Expr {
  assertUniqueWhere(meta, op, where);
  return buildWhere(whereContext(rt, true), meta, alias, where)!;
}

export function compileCreate(rt: Runtime, meta: ModelMeta, data: unknown): PreparedQuery {
  const { scalars } = splitData(meta, 'create', data);
  const { columns, values } = insertValues(rt, meta, scalars);
  return rt.prepare({ t: 'insert', table: meta.table.name, columns, rows: [values], returning: allColumns(meta) });
}

export function create(rt: Runtime, conn: Connection, meta: ModelMeta, args: Args, info: CallInfo): MaybePromise<Record<string, unknown>> {
  const { scalars, nested } = splitData(meta, 'create', args.data);
  const insert = (c: Connection) => {
    const { columns, values } = insertValues(rt, meta, scalars);
    return chain(writtenRows(rt, c, meta, info, { t: 'insert', table: meta.table.name, columns, rows: [values] }), (rows) => rows[0]);
  };
  if (nested.length === 0) return chain(insert(conn), (row) => shape(rt, conn, meta, row, args, info));
  return rt.atomically(conn, async (c) => {
    // Belongs-to relations are resolved first: their key goes into this row.
    for (const { rel, ops } of nested) {
      if (rel.belongsTo) scalars.set(meta.fields.get(rel.localField)!, await resolveBelongsTo(rt, c, rel, ops, info));
    }
    const row = await insert(c);
    for (const { rel, ops } of nested) if (!rel.belongsTo) await writeChildren(rt, c, meta, row, rel, ops, info);
    return shape(rt, c, meta, row, args, info);
  });
}

export function updateNode(meta: ModelMeta, set: Array<[string, Expr]>, where: Expr, returning?: string[]): UpdateNode {
  return { t: 'update', table: meta.table.name, alias: meta.table.name, set, where, returning };
}

export function compileUpdate(rt: Runtime, meta: ModelMeta, args: Args): PreparedQuery {
  const alias = meta.table.name;
  const { scalars } = splitData(meta, 'update', args.data);
  return rt.prepare(updateNode(meta, setClause(rt, meta, alias, scalars), uniqueWhereExpr(rt, meta, 'update', args.where, alias), allColumns(meta)));
}

export function update(rt: Runtime, conn: Connection, meta: ModelMeta, args: Args, info: CallInfo): MaybePromise<Record<string, unknown>> {
  const alias = meta.table.name;
  const where = uniqueWhereExpr(rt, meta, 'update', args.where, alias);
  const { scalars, nested } = splitData(meta, 'update', args.data);
  const missing = () => rt.reject(info, new DbKnownError('NOT_FOUND', `No ${meta.key} record matches ${safeJson(args.where)}; update needs an existing row`, { model: meta.key, where: args.where }));
  const write = (c: Connection): MaybePromise<Record<string, unknown> | undefined> => {
    const set = setClause(rt, meta, alias, scalars);
    if (set.length === 0) return chain(readRows(rt, c, meta, { where: args.where, take: 1 }, info), (rows) => rows[0]);
    return chain(writtenRows(rt, c, meta, info, updateNode(meta, set, where)), (rows) => rows[0]);
  };
  if (nested.length === 0) return chain(write(conn), (row) => (row ? shape(rt, conn, meta, row, args, info) : missing()));
  return rt.atomically(conn, async (c) => {
    for (const { rel, ops } of nested) {
      if (!rel.belongsTo) continue;
      const col = meta.fields.get(rel.localField)!;
      if (ops.disconnect === true) {
        if (!col.nullable) throw new ValidationError(`${meta.key}.${rel.name}: cannot disconnect, ${meta.key}.${col.field} is required`);
        scalars.set(col, null);
      } else if (ops.connect || ops.create || ops.connectOrCreate) {
        scalars.set(col, await resolveBelongsTo(rt, c, rel, ops, info));
      }
    }
    const row = await write(c);
    if (!row) return missing();
    for (const { rel, ops } of nested) {
      if (rel.belongsTo) await writeBelongsTo(rt, c, row, rel, ops, info);
      else await writeChildren(rt, c, meta, row, rel, ops, info);
    }
    return shape(rt, c, meta, row, args, info);
  });
}

function manyWhere(rt: Runtime, meta: ModelMeta, op: string, args: Args | undefined, alias: string): Expr | undefined {
  // `{ where: undefined }` (an absent request filter passed through) must not mean "every row".
  if (!args || args.where === undefined || args.where === null) {
    throw new ValidationError(`${meta.key}.${op}() needs an explicit where: pass { where: {} } to affect every row on purpose`, { model: meta.key });
  }
  return buildWhere(whereContext(rt, true), meta, alias, args.where);
}

export function compileUpdateMany(rt: Runtime, meta: ModelMeta, args: Args): PreparedQuery | null {
  const alias = meta.table.name;
  const where = manyWhere(rt, meta, 'updateMany', args, alias);
  const { scalars, nested } = splitData(meta, 'updateMany', args.data);
  if (nested.length) throw new ValidationError(`${meta.key}.updateMany() cannot write relations; use update() per row or $transaction`);
  const set = setClause(rt, meta, alias, scalars);
  // Nothing to change: no statement at all (an empty SET is not SQL).
  if (set.length === 0) return null;
  return rt.prepare({ t: 'update', table: meta.table.name, alias, set, where });
}

export function updateMany(rt: Runtime, conn: Connection, meta: ModelMeta, args: Args, info: CallInfo): MaybePromise<{ count: number }> {
  const q = compileUpdateMany(rt, meta, args);
  return q ? chain(rt.exec(conn, info, q), (count) => ({ count })) : { count: 0 };
}

function deleteNode(rt: Runtime, meta: ModelMeta, args: Args): DeleteNode {
  const alias = meta.table.name;
  return { t: 'delete', table: meta.table.name, alias, where: uniqueWhereExpr(rt, meta, 'delete', args.where, alias) };
}

export function compileDelete(rt: Runtime, meta: ModelMeta, args: Args, returning = true): PreparedQuery {
  const node = deleteNode(rt, meta, args);
  return rt.prepare(returning ? { ...node, returning: allColumns(meta) } : node);
}

export function remove(rt: Runtime, conn: Connection, meta: ModelMeta, args: Args, info: CallInfo): MaybePromise<Record<string, unknown>> {
  const spec = readSpec(meta, args);
  if (spec.relations.length) {
    // Related rows must be read before the row they hang off disappears.
    const run = async (c: Connection) => {
      const [before] = await readRows(rt, c, meta, { where: args.where, select: args.select, include: args.include, omit: args.omit, take: 1 }, info);
      if (!before) return rt.reject(info, new DbKnownError('NOT_FOUND', `No ${meta.key} record matches ${safeJson(args.where)}; delete needs an existing row`, { model: meta.key }));
      await rt.exec(c, info, compileDelete(rt, meta, args, false));
      return before;
    };
    return rt.atomically(conn, run);
  }
  return chain(writtenRows(rt, conn, meta, info, deleteNode(rt, meta, args)), ([row]) =>
    row ? shape(rt, conn, meta, row, args, info) : rt.reject(info, new DbKnownError('NOT_FOUND', `No ${meta.key} record matches ${safeJson(args.where)}; delete needs an existing row`, { model: meta.key, where: args.where })),
  );
}

export function compileDeleteMany(rt: Runtime, meta: ModelMeta, args: Args): PreparedQuery {
  const alias = meta.table.name;
  return rt.prepare({ t: 'delete', table: meta.table.name, alias, where: manyWhere(rt, meta, 'deleteMany', args, alias) });
}

export function deleteMany(rt: Runtime, conn: Connection, meta: ModelMeta, args: Args, info: CallInfo): MaybePromise<{ count: number }> {
  return chain(rt.exec(conn, info, compileDeleteMany(rt, meta, args)), (count) => ({ count }));
}

const CREATE_MANY_CHUNK = 1000;

export function createMany(rt: Runtime, conn: Connection, meta: ModelMeta, args: Args, info: CallInfo): MaybePromise<{ count: number }> {
  if (!Array.isArray(args?.data)) throw new ValidationError(`${meta.key}.createMany() needs data: [ ... ] as an array`);
  if (args.data.length === 0) return { count: 0 };
  // Every row is checked before anything is written; rows that set different optional columns go in separate INSERTs.
  const groups = insertRows(rt, meta, args.data as unknown[]);
  const caps = rt.adapter.capabilities;
  const executor = rt.adapter.executor;
  const table = meta.table.name;
  // Rows per INSERT: bounded by the statement's bind parameters, or the executor's bulk path where it has one.
  const chunkFor = (columns: number) =>
    caps.bulkInsertRows ?? Math.max(1, Math.min(CREATE_MANY_CHUNK, Math.floor((caps.maxBindParams ?? 30000) / Math.max(1, columns))));
  const statement = (g: InsertRows, from: number, to: number): PreparedQuery => {
    const width = g.columns.length;
    // An executor with a bulk path (DuckDB's Appender) takes the flat values as they are.
    if (executor.prepareInsertRows && !args.skipDuplicates) {
      const values = from === 0 && to === g.rows ? g.values : g.values.slice(from * width, to * width);
      const bulk = executor.prepareInsertRows(table, g.columns, values, to - from);
      if (bulk) return bulk;
    }
    const node: InsertNode = { t: 'insert', table, columns: g.columns, rows: paramRows(g.values, width, from, to) };
    if (args.skipDuplicates) node.onConflict = { target: [], action: 'nothing' };
    return rt.prepare(node);
  };
  const run = async (c: Connection) => {
    let count = 0;
    for (const g of groups) {
      const perChunk = chunkFor(g.columns.length);
      for (let i = 0; i < g.rows; i += perChunk) count += await rt.exec(c, info, statement(g, i, Math.min(g.rows, i + perChunk)));
    }
    return { count };
  };
  const statements = groups.reduce((n, g) => n + Math.ceil(g.rows / chunkFor(g.columns.length)), 0);
  return statements > 1 ? rt.atomically(conn, run) : run(conn);
}

export function compileUpsert(rt: Runtime, meta: ModelMeta, args: Args): PreparedQuery {
  return compileCached(rt, meta, { ...upsertNode(rt, meta, args).node, returning: allColumns(meta) });
}

/** The INSERT ... ON CONFLICT of an upsert, and the unique key its row is found by afterwards. */
function upsertNode(rt: Runtime, meta: ModelMeta, args: Args): { node: InsertNode; lookup: () => Expr } {
  assertUniqueWhere(meta, 'upsert', args.where);
  const set = meta.uniqueSets.find((s) => s.length && s.every((f) => own(args.where, f) !== undefined && own(args.where, f) !== null))!;
  const { scalars, nested } = splitData(meta, 'upsert', args.create);
  const up = splitData(meta, 'upsert', args.update);
  if (nested.length || up.nested.length) throw new ValidationError(`${meta.key}.upsert() cannot write relations; use $transaction with findUnique + create/update`);
  for (const f of set) {
    const col = meta.fields.get(f)!;
    const w = own(args.where, f);
    const key = isPlainObject(w) ? own(w, 'equals') : w;
    // ON CONFLICT fires on the inserted value: another one would insert a second row and leave `where`'s row untouched.
    if (scalars.has(col) && !sameKey(scalars.get(col), key)) {
      throw new ValidationError(
        `${meta.key}.upsert(): create.${f} differs from where.${f}, so the row where names would never be updated; give create the same ${f} (or leave it out)`,
        { model: meta.key, field: f },
      );
    }
    if (!scalars.has(col)) scalars.set(col, key);
  }
  const { columns, values } = insertValues(rt, meta, scalars);
  const target = set.map((f) => meta.fields.get(f)!.name);
  let setList = setClause(rt, meta, null, up.scalars).map(([c, e]) => [c, stripAlias(e)] as [string, Expr]);
  if (setList.length === 0) setList = [[target[0], { t: 'col', name: target[0] }]];
  const alias = meta.table.name;
  // Built only where the row must be found again (a dialect without RETURNING).
  const lookup = (): Expr => {
    const parts: Expr[] = set.map((f) => {
      const col = meta.fields.get(f)!;
      return { t: 'cmp', op: '=', left: { t: 'col', table: alias, name: col.name }, right: encode(rt, meta, col, scalars.get(col)) };
    });
    return parts.length === 1 ? parts[0] : { t: 'and', items: parts };
  };
  return { node: { t: 'insert', table: meta.table.name, columns, rows: [values], onConflict: { target, action: { set: setList } } }, lookup };
}

/** One key value given two ways (a Date or an ISO string, a bigint or a number). */
function sameKey(a: unknown, b: unknown): boolean {
  if (a instanceof Date || b instanceof Date) return new Date(a as string).getTime() === new Date(b as string).getTime();
  if (typeof a === 'bigint' || typeof b === 'bigint') return String(a) === String(b);
  return a === b;
}

/** In ON CONFLICT DO UPDATE the target table is referenced by its own name, so increments use bare columns. */
function stripAlias(e: Expr): Expr {
  if (e.t === 'col') return { t: 'col', name: e.name };
  if (e.t === 'arith') return { ...e, left: stripAlias(e.left), right: stripAlias(e.right) };
  return e;
}

export function upsert(rt: Runtime, conn: Connection, meta: ModelMeta, args: Args, info: CallInfo): MaybePromise<Record<string, unknown>> {
  const { node, lookup } = upsertNode(rt, meta, args);
  return chain(writtenRows(rt, conn, meta, info, node, lookup), ([row]) => shape(rt, conn, meta, row, args, info));
}

function safeJson(v: unknown): string {
  try {
    return JSON.stringify(v, (_k, x) => (typeof x === 'bigint' ? x.toString() : x));
  } catch {
    return String(v);
  }
}
