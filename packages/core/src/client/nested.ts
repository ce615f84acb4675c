import type { Connection } from '../adapter.js';
import { DbKnownError, ValidationError } from '../errors.js';
import type { Expr } from '../query/ast.js';
import type { ModelMeta, ResolvedRelation } from './meta.js';
import { assertUniqueWhere, readRows, whereContext, type Args } from './read.js';
import type { CallInfo, Runtime } from './runtime.js';
import { own } from './args.js';
import { isPlainObject, setClause, splitData } from './values.js';
import { buildWhere } from './where.js';
import { create, uniqueWhereExpr, updateNode } from './write.js';

/**
 * Nested writes inside create / update: belongs-to relations resolved to the key this row stores (connect,
 * create, connectOrCreate), and writes on the rows of has-one / has-many relations and on the row a
 * belongs-to points at. The single-row statements they issue come from `write.ts`.
 */

/** Values on the target row that a relation links through, read when the caller did not pass them. */
async function linkValue(rt: Runtime, conn: Connection, target: ModelMeta, where: Args, field: string, info: CallInfo): Promise<unknown> {
  const given = own(where, field);
  if (given !== undefined && !isPlainObject(given)) return given;
  const rows = await readRows(rt, conn, target, { where, select: { [field]: true }, take: 1 }, { ...info, model: target.key });
  if (!rows.length) throw new DbKnownError('NOT_FOUND', `No ${target.key} record matches ${JSON.stringify(where)} to connect`, { model: target.key });
  return rows[0][field];
}

export async function resolveBelongsTo(rt: Runtime, conn: Connection, rel: ResolvedRelation, ops: Args, info: CallInfo): Promise<unknown> {
  const keys = Object.keys(ops);
  if (keys.length !== 1) throw new ValidationError(`${rel.name}: pass exactly one of create, connect, connectOrCreate`);
  const [op] = keys;
  const target = rel.target;
  if (op === 'connect') {
    assertUniqueWhere(target, 'connect', ops.connect);
    return linkValue(rt, conn, target, ops.connect, rel.remoteField, info);
  }
  if (op === 'create') {
    const created = await create(rt, conn, target, { data: ops.create }, { ...info, model: target.key });
    return created[rel.remoteField];
  }
  if (op === 'connectOrCreate') {
    const { where, create: data } = ops.connectOrCreate ?? {};
    assertUniqueWhere(target, 'connectOrCreate', where);
    const found = await readRows(rt, conn, target, { where, take: 1 }, { ...info, model: target.key });
    if (found.length) return found[0][rel.remoteField];
    return (await create(rt, conn, target, { data }, { ...info, model: target.key }))[rel.remoteField];
  }
  throw new ValidationError(`${rel.name}: unknown nested write '${op}' on create (use create, connect, connectOrCreate)`);
}

/** Nested writes on relations whose key lives on the other side (has-one / has-many). */
export async function writeChildren(rt: Runtime, conn: Connection, meta: ModelMeta, parent: Record<string, unknown>, rel: ResolvedRelation, ops: Args, info: CallInfo): Promise<void> {
  const target = rel.target;
  const link = parent[rel.localField];
  const tInfo = { ...info, model: target.key };
  const alias = target.table.name;
  const fkCol = target.fields.get(rel.remoteField)!;
  const owned = (where: unknown): Expr => {
    const w = buildWhere(whereContext(rt, true), target, alias, where);
    const own: Expr = { t: 'cmp', op: '=', left: { t: 'col', table: alias, name: fkCol.name }, right: { t: 'param', value: rt.adapter.codec.encode(link, fkCol) } };
    return w ? { t: 'and', items: [own, w] } : own;
  };
  const list = (v: unknown) => (Array.isArray(v) ? v : [v]);
  for (const [op, v] of Object.entries(ops)) {
    if (v === undefined) continue;
    switch (op) {
      case 'create':
        for (const d of list(v)) await create(rt, conn, target, { data: { ...d, [rel.remoteField]: link } }, tInfo);
        break;
      case 'connect':
        for (const w of list(v)) {
          const n = await rt.exec(conn, tInfo, rt.prepare(updateNode(target, [[fkCol.name, { t: 'param', value: rt.adapter.codec.encode(link, fkCol) }]], uniqueWhereExpr(rt, target, 'connect', w, alias))));
          if (n === 0) throw new DbKnownError('NOT_FOUND', `No ${target.key} record matches ${JSON.stringify(w)} to connect`, { model: target.key });
        }
        break;
      case 'connectOrCreate':
        for (const item of list(v)) {
          const found = await readRows(rt, conn, target, { where: item.where, take: 1 }, tInfo);
          if (found.length) {
            await rt.exec(conn, tInfo, rt.prepare(updateNode(target, [[fkCol.name, { t: 'param', value: rt.adapter.codec.encode(link, fkCol) }]], uniqueWhereExpr(rt, target, 'connectOrCreate', item.where, alias))));
          } else {
            await create(rt, conn, target, { data: { ...item.create, [rel.remoteField]: link } }, tInfo);
          }
        }
        break;
      case 'disconnect':
        if (!fkCol.nullable) throw new ValidationError(`${meta.key}.${rel.name}: cannot disconnect, ${target.key}.${fkCol.field} is required (delete the rows instead)`);
        for (const w of rel.kind === 'one' ? [{}] : list(v)) {
          await rt.exec(conn, tInfo, rt.prepare(updateNode(target, [[fkCol.name, { t: 'param', value: null }]], owned(w))));
        }
        break;
      case 'delete':
        for (const w of rel.kind === 'one' ? [{}] : list(v)) {
          await rt.exec(conn, tInfo, rt.prepare({ t: 'delete', table: target.table.name, alias, where: owned(w) }));
        }
        break;
      case 'deleteMany':
        await rt.exec(conn, tInfo, rt.prepare({ t: 'delete', table: target.table.name, alias, where: owned(v) }));
        break;
      case 'update':
        for (const item of rel.kind === 'one' ? [{ where: {}, data: v }] : list(v)) {
          const { scalars } = splitData(target, 'update', item.data);
          await rt.exec(conn, tInfo, rt.prepare(updateNode(target, setClause(rt, target, alias, scalars), owned(item.where))));
        }
        break;
      case 'updateMany': {
        const { scalars } = splitData(target, 'updateMany', v.data);
        await rt.exec(conn, tInfo, rt.prepare(updateNode(target, setClause(rt, target, alias, scalars), owned(v.where))));
        break;
      }
      default:
        throw new ValidationError(`${meta.key}.${rel.name}: unknown nested write '${op}'`);
    }
  }
}

/** Nested update/delete of the row a belongs-to relation points at. */
export async function writeBelongsTo(rt: Runtime, c: Connection, row: Record<string, unknown>, rel: ResolvedRelation, ops: Args, info: CallInfo): Promise<void> {
  const targetKey = row[rel.localField];
  if (targetKey === null || !(ops.update || ops.delete)) return;
  const target = rel.target;
  const tAlias = target.table.name;
  const remote = target.fields.get(rel.remoteField)!;
  const tWhere: Expr = { t: 'cmp', op: '=', left: { t: 'col', table: tAlias, name: remote.name }, right: { t: 'param', value: rt.adapter.codec.encode(targetKey, remote) } };
  const tInfo = { ...info, model: target.key };
  if (ops.update) {
    const { scalars } = splitData(target, 'update', ops.update);
    await rt.exec(c, tInfo, rt.prepare(updateNode(target, setClause(rt, target, tAlias, scalars), tWhere)));
  }
  if (ops.delete === true) await rt.exec(c, tInfo, rt.prepare({ t: 'delete', table: target.table.name, alias: tAlias, where: tWhere }));
}
