import type { Connection } from '../adapter.js';
import type { Expr } from '../query/ast.js';
import type { ModelMeta } from './meta.js';
import { checkArgKeys, finish, keyOf, mapperFor, READ_KEYS, readSpec, SAFE_INTEGERS, selectFor, type Args, type RelSpec } from './read.js';
import type { CallInfo, Runtime } from './runtime.js';

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
        const children = raw.map(mapperFor(rt, rel.target, spec.columns));
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
