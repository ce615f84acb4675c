import type { Connection, MaybePromise } from '../adapter.js';
import { DbKnownError } from '../errors.js';
import type { DeleteNode, Expr, InsertNode, SelectNode, UpdateNode } from '../query/ast.js';
import type { ModelMeta } from './meta.js';
import { mapperFor, SAFE_INTEGERS } from './read.js';
import { chain, type CallInfo, type Runtime } from './runtime.js';
import { compileCached } from './text-cache.js';

/**
 * The row a single-row write produced, whatever the dialect can say about it. With `capabilities.returning`
 * (or the statement listed in `capabilities.returningStatements`) the statement itself returns it (`RETURNING`). Without, the row is found by its primary key: from the
 * values the client inserted (generated ids are made client-side), from the driver's insert id
 * (`ExecResult.lastInsertId`) for an auto-increment key, or, for UPDATE and DELETE, by reading the key of
 * the row `where` names first; the read, the write and the read back share one transaction.
 */
export function writtenRows(
  rt: Runtime,
  conn: Connection,
  meta: ModelMeta,
  info: CallInfo,
  node: InsertNode | UpdateNode | DeleteNode,
  /** For an upsert: the unique key the row is found by after ON CONFLICT chose between insert and update. */
  lookup?: () => Expr,
): MaybePromise<Record<string, unknown>[]> {
  const caps = rt.adapter.capabilities;
  if (caps.returning || (node.t !== 'update' && caps.returningStatements?.includes(node.t))) {
    const q = compileCached(rt, meta, { ...node, returning: allColumns(meta) });
    return chain(rt.arrays(conn, info, q, meta.hasBigint ? SAFE_INTEGERS : undefined), (raw) => raw.map(mapperFor(rt, meta, meta.table.columns)));
  }
  const plain = { ...node, returning: undefined };
  return rt.atomically(conn, async (c) => {
    if (plain.t === 'insert') {
      const res = await rt.run(c, info, compileCached(rt, meta, plain));
      return readBack(rt, c, meta, info, lookup ? lookup() : insertedKey(meta, plain, res.lastInsertId));
    }
    const before = await readBack(rt, c, meta, info, plain.where);
    if (before.length === 0) return [];
    const key = keyOf(meta, before[0]);
    if (plain.t === 'delete') {
      await rt.exec(c, info, rt.prepare({ ...plain, where: key }));
      return before;
    }
    await rt.exec(c, info, compileCached(rt, meta, { ...plain, where: key }));
    return readBack(rt, c, meta, info, keyAfterUpdate(meta, plain, before[0]) ?? key);
  });
}

/** Every column of the model's table, in table order: what RETURNING asks for. */
export const allColumns = (meta: ModelMeta): string[] => {
  let list = columnNames.get(meta);
  if (!list) columnNames.set(meta, (list = meta.table.columns.map((c) => c.name)));
  return list;
};
/** One array per model (never mutated), so the text cache's shape key reuses its joined names. */
const columnNames = new WeakMap<ModelMeta, string[]>();

/** Rows read back carry their raw driver values under this key (not enumerable) so their key can be bound again. */
const RAW = Symbol('raw');
type ReadRow = Record<string, unknown> & { [RAW]: unknown[] };

function pkColumns(meta: ModelMeta) {
  return meta.table.primaryKey.map((name) => meta.table.columns.find((c) => c.name === name)!);
}

function keyEquals(meta: ModelMeta, values: Expr[]): Expr {
  const alias = meta.table.name;
  const parts: Expr[] = pkColumns(meta).map((c, i) => ({ t: 'cmp', op: '=', left: { t: 'col', table: alias, name: c.name }, right: values[i] }));
  return parts.length === 1 ? parts[0] : { t: 'and', items: parts };
}

/** The inserted row's key: the values the INSERT carried for the key columns, else the driver's insert id. */
function insertedKey(meta: ModelMeta, node: InsertNode, lastInsertId: number | bigint | undefined): Expr {
  const pk = pkColumns(meta);
  const given = pk.map((c) => node.columns.indexOf(c.name));
  if (given.every((i) => i >= 0)) return keyEquals(meta, given.map((i) => node.rows[0][i]));
  if (pk.length === 1 && lastInsertId !== undefined) return keyEquals(meta, [{ t: 'param', value: lastInsertId }]);
  throw new DbKnownError(
    'NOT_FOUND',
    `${meta.key}: this database returns no rows from INSERT and its driver reported no generated key, so the new row cannot be read back. Give the primary key a client-side default (f.id() does)`,
    { model: meta.key },
  );
}

/** The raw key values of a row read back (as stored, so binding them again matches exactly). */
function keyOf(meta: ModelMeta, raw: ReadRow): Expr {
  return keyEquals(meta, pkColumns(meta).map((c) => ({ t: 'param', value: raw[RAW][meta.table.columns.indexOf(c)] })));
}

/** When the UPDATE assigns the key columns themselves, the row is found by the new values afterwards. */
function keyAfterUpdate(meta: ModelMeta, node: UpdateNode, before: ReadRow): Expr | undefined {
  const pk = pkColumns(meta);
  const set = new Map(node.set);
  if (!pk.some((c) => set.has(c.name))) return undefined;
  const values = pk.map((c) => set.get(c.name) ?? ({ t: 'param', value: before[RAW][meta.table.columns.indexOf(c)] } as Expr));
  return values.every((v) => v.t === 'param') ? keyEquals(meta, values) : undefined;
}

async function readBack(rt: Runtime, c: Connection, meta: ModelMeta, info: CallInfo, where: Expr | undefined): Promise<ReadRow[]> {
  const alias = meta.table.name;
  const node: SelectNode = {
    t: 'select',
    from: { table: meta.table.name, alias },
    columns: meta.table.columns.map((col) => ({ expr: { t: 'col', table: alias, name: col.name }, alias: col.field })),
    where,
    limit: 1,
  };
  const raw = await rt.arrays(c, info, rt.prepare(node), meta.hasBigint ? SAFE_INTEGERS : undefined);
  const map = mapperFor(rt, meta, meta.table.columns);
  return raw.map((r) => Object.defineProperty(map(r), RAW, { value: r, enumerable: false }) as ReadRow);
}
