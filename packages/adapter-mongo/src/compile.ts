import { ValidationError, type DeleteNode, type Expr, type InsertNode, type OrderItem, type QueryNode, type SelectNode, type UpdateNode } from '@forge/core';
import type { Document } from 'mongodb';
import { checkPath, checkValue } from './guard.js';
import { pathOf } from './names.js';

/** How the documents a command returns become rows (arrays in the node's column order). */
export interface RowShape {
  /** Per output column, the document key it is read from (a dotted path for `_id.k0`). */
  keys: string[];
  /** An aggregate without GROUP BY: one row even when no document matched (COUNT 0, the rest null). */
  single?: Array<'count' | 'null'>;
  /** createMany's skipDuplicates: rows whose key exists are left out, not an error. */
  skipDuplicates?: boolean;
}

export interface CompiledCommand {
  command: Document;
  shape: RowShape;
}

const unsupported = (what: string): never => {
  throw new ValidationError(`${what} is not compiled for MongoDB yet; express it with the fields of one model, or use db.$runCommandRaw({ aggregate: ... })`);
};

const bound = (e: Expr, where: string): unknown => {
  if (e.t !== 'param') return unsupported(`a ${e.t} expression in a value position (${where})`);
  checkValue(e.value, where);
  return e.value;
};

const colPathIn = (e: Expr, scope?: Scope): string | undefined => {
  if (e.t !== 'col') return undefined;
  if (scope && e.table !== undefined && e.table !== scope.alias) {
    return unsupported(`a reference to ${e.table}.${e.name} from a filter on ${scope.alias} (only a relation's join key links two collections)`);
  }
  return checkPath(pathOf(e.name));
};

const colPath = (e: Expr): string | undefined => colPathIn(e);

/**
 * Where a filter is compiled: `alias` is the query alias whose columns are fields of the documents at hand, and
 * `lookups` collects the `$lookup` stages the filter's relation filters need (run before the `$match` that reads
 * them). Without a scope (the filter of an update or delete command) a relation filter is refused.
 */
export interface Scope {
  alias: string;
  lookups: Document[];
  /** Names of the fields `$lookup` writes and of its `let` variables, unique within one command. */
  next: (kind: 'r' | 'c' | 'k') => string;
}

export function newScope(alias: string): Scope {
  const counts = { r: 0, c: 0, k: 0 };
  return { alias, lookups: [], next: (kind) => (kind === 'k' ? `k${counts.k++}` : `__forge_${kind}${counts[kind]++}`) };
}

const childScope = (scope: Scope, alias: string): Scope => ({ alias, lookups: [], next: scope.next });

/** SQL LIKE pattern (`%`, `_`, `\` escapes) to an anchored regular expression source. */
export function likeToRegex(pattern: string): string {
  let out = '^';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === '\\' && i + 1 < pattern.length) out += escapeRegex(pattern[++i]);
    else if (c === '%') out += '[\\s\\S]*';
    else if (c === '_') out += '[\\s\\S]';
    else out += escapeRegex(c);
  }
  return `${out}$`;
}

export const escapeRegex = (s: string): string => s.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&');

const OPS: Record<string, string> = { '=': '$eq', '<>': '$ne', '<': '$lt', '<=': '$lte', '>': '$gt', '>=': '$gte' };
const FLIP: Record<string, '=' | '<>' | '<' | '<=' | '>' | '>='> = { '=': '=', '<>': '<>', '<': '>', '<=': '>=', '>': '<', '>=': '<=' };
const NEGATE: Record<string, '=' | '<>' | '<' | '<=' | '>' | '>='> = { '=': '<>', '<>': '=', '<': '>=', '<=': '>', '>': '<=', '>=': '<' };

/** Matches no document (every document has an `_id`). */
const NOTHING: Document = { _id: { $exists: false } };

/**
 * A filter from a where expression, with SQL's meaning kept: a comparison never matches a missing or null field
 * (`<>` and negations add `$ne: null`, where MongoDB alone would match them), so a filter never widens. Values come
 * only from parameters, each checked by `checkValue`; paths only from the schema. With a `scope`, relation filters
 * (core's `exists`) become `$lookup` stages collected in it and a `$match` on the size of what they found.
 */
export function compileFilter(e: Expr | undefined, negate = false, scope?: Scope): Document {
  if (!e) return negate ? NOTHING : {};
  const colPath = (x: Expr) => colPathIn(x, scope);
  switch (e.t) {
    case 'and':
    case 'or': {
      const isAnd = (e.t === 'and') !== negate;
      const op = isAnd ? '$and' : '$or';
      // Nested groups of the same kind read as one: { $and: [{ $and: [a, b] }, c] } is { $and: [a, b, c] }.
      const items = e.items.map((x) => compileFilter(x, negate, scope)).flatMap((f) => (Object.keys(f).length === 1 && Array.isArray(f[op]) ? (f[op] as Document[]) : [f]));
      if (items.length === 0) return isAnd ? {} : NOTHING;
      return items.length === 1 ? items[0] : { [op]: items };
    }
    case 'not':
      return compileFilter(e.expr, !negate, scope);
    case 'lit':
      if (e.sql === 'TRUE' || e.sql === '1') return negate ? NOTHING : {};
      if (e.sql === 'FALSE' || e.sql === 'NULL') return negate ? {} : NOTHING;
      return unsupported(`the literal ${e.sql} as a filter`);
    case 'cmp': {
      let op = e.op;
      let left = e.left;
      let right = e.right;
      if (left.t !== 'col' && right.t === 'col') {
        [left, right] = [right, left];
        op = FLIP[op];
      }
      const path = colPath(left);
      if (!path) return unsupported('a comparison without a field');
      if (negate) op = NEGATE[op];
      if (right.t === 'col') {
        // Two fields of one document: an aggregation expression, still never matching null on either side.
        const other = colPath(right)!;
        return { $and: [{ [path]: { $ne: null } }, { [other]: { $ne: null } }, { $expr: { [OPS[op]]: [`$${path}`, `$${other}`] } }] };
      }
      const v = bound(right, path);
      if (v === null || v === undefined) return NOTHING;
      // SQL: a NULL field makes the comparison unknown, so `<>` (and every negation) leaves it out.
      return op === '<>' ? { [path]: { $nin: [v, null] } } : { [path]: { [OPS[op]]: v } };
    }
    case 'isNull': {
      const path = colPath(e.expr) ?? unsupported('IS NULL on an expression');
      return e.negate !== negate ? { [path]: { $ne: null } } : { [path]: null };
    }
    case 'in': {
      const path = colPath(e.expr) ?? unsupported('IN on an expression');
      const all = e.values.map((v, i) => bound(v, `${path}[${i}]`));
      const values = all.filter((v) => v !== null && v !== undefined);
      if (e.negate !== negate) {
        // SQL: NOT IN () holds for every row (NULL ones too); NOT IN (..., NULL) holds for none (x <> NULL is
        // unknown); otherwise a NULL field is left out, as NULL NOT IN (...) is unknown.
        if (all.length === 0) return {};
        if (values.length < all.length) return NOTHING;
        return { [path]: { $nin: [...values, null] } };
      }
      return values.length ? { [path]: { $in: values } } : NOTHING;
    }
    case 'like': {
      const path = colPath(e.expr) ?? unsupported('LIKE on an expression');
      const pattern = bound(e.pattern, path);
      if (typeof pattern !== 'string') throw new ValidationError(`${path}: a LIKE pattern is text`);
      const re = new RegExp(likeToRegex(pattern), e.insensitive ? 'i' : '');
      return e.negate !== negate ? { [path]: { $not: re, $ne: null } } : { [path]: re };
    }
    case 'textMatch': {
      const path = colPath(e.expr) ?? unsupported('text matching on an expression');
      const text = escapeRegex(e.value);
      const source = e.mode === 'contains' ? text : e.mode === 'startsWith' ? `^${text}` : e.mode === 'endsWith' ? `${text}$` : `^${text}$`;
      const re = new RegExp(source, e.insensitive ? 'i' : '');
      return e.negate !== negate ? { [path]: { $not: re, $ne: null } } : { [path]: re };
    }
    case 'arrayHas': {
      const path = colPath(e.expr) ?? unsupported('array filters on an expression');
      e.values.forEach((v, i) => checkValue(v, `${path}[${i}]`));
      // hasEvery of no values holds for every array that is set (SQL: tags @> '{}'); MongoDB's `$all: []` matches nothing.
      const f = e.mode === 'has' ? { [path]: e.values[0] } : e.mode === 'hasSome' ? { [path]: { $in: e.values } } : e.values.length ? { [path]: { $all: e.values } } : { [path]: { $ne: null } };
      // A NULL array makes the test unknown on SQL, so its negation leaves the document out too.
      return negate ? { $and: [{ [path]: { $ne: null } }, { $nor: [f] }] } : f;
    }
    case 'exists': {
      if (!scope) {
        throw new ValidationError(
          "A relation filter (some / none / every / is / isNot) in an update or delete is not compiled for MongoDB: its update and delete commands take no $lookup. Read the ids first (findMany({ where, select: { id: true } })) and write by id: { in: ids }",
        );
      }
      // EXISTS is never unknown, so its negation is plain: no related document ($size 0) or some ($size not 0).
      const as = scope.next('r');
      scope.lookups.push(lookupStage(e.query, as, scope, 'exists'));
      return e.negate !== negate ? { [as]: { $size: 0 } } : { [as]: { $not: { $size: 0 } } };
    }
    case 'raw':
      throw new ValidationError('raw`...` SQL fragments do not run on MongoDB: use db.$runCommandRaw({ ... }) for a raw command');
    default:
      return unsupported(`a ${e.t} expression as a filter`);
  }
}

function sortOf(order: OrderItem[] | undefined, keyOf: (e: Expr) => string): Document | undefined {
  if (!order?.length) return undefined;
  const sort: Document = {};
  for (const o of order) sort[keyOf(o.expr)] = o.dir === 'desc' ? -1 : 1;
  return sort;
}

/** A relation count (`_count`): core's correlated COUNT subquery, as a column or as an order. */
const isCount = (e: Expr): e is Extract<Expr, { t: 'subquery' }> => e.t === 'subquery';

const isAggregate = (node: SelectNode) => !!node.groupBy?.length || !!node.distinct || node.columns.some((c) => c.expr.t !== 'col' && !isCount(c.expr));

/** The join of a relation subquery: `sub.fk = outer.key` (either way round), the columns split by side. */
function linkOf(e: Expr, sub: string): { inner: string; outer: Expr } | undefined {
  if (e.t !== 'cmp' || e.op !== '=' || e.left.t !== 'col' || e.right.t !== 'col') return undefined;
  if (e.left.table === sub && e.right.table !== sub) return { inner: checkPath(pathOf(e.left.name)), outer: e.right };
  if (e.right.table === sub && e.left.table !== sub) return { inner: checkPath(pathOf(e.right.name)), outer: e.left };
  return undefined;
}

/**
 * The `$lookup` of a relation subquery (core's EXISTS of a relation filter, or a relation `_count`): the pipeline
 * form, the parent's join key passed by `let` and matched with `$expr` (`$eq`, which can use an index on the
 * foreign field), then the nested filter (itself with its own `$lookup`s when it filters on relations again).
 * SQL's join never matches a NULL key, while `$eq` in an expression would match null to null and the
 * localField / foreignField form matches a missing key to missing ones: `$gt: [key, null]` holds only for a key
 * that is set (BSON orders missing before null before every value), so a parent without a key has no related
 * documents, as on SQL. An existence test keeps one `_id` (`$limit: 1`); a count ends in `$count`.
 */
function lookupStage(q: SelectNode, as: string, scope: Scope, mode: 'exists' | 'count'): Document {
  const sub = q.from.alias;
  const items = !q.where ? [] : q.where.t === 'and' ? q.where.items : [q.where];
  const vars: Document = {};
  const joins: Document[] = [];
  const rest: Expr[] = [];
  for (const item of items) {
    const link = linkOf(item, sub);
    if (!link) {
      rest.push(item);
      continue;
    }
    const outer = colPathIn(link.outer, scope)!;
    const k = scope.next('k');
    vars[k] = `$${outer}`;
    joins.push({ $eq: [`$${link.inner}`, `$$${k}`] }, { $gt: [`$$${k}`, null] });
  }
  if (!joins.length) return unsupported('A relation subquery without its join key');
  const pipeline: Document[] = [{ $match: { $expr: { $and: joins } } }, ...pipelineFilter(rest.length === 0 ? undefined : { t: 'and', items: rest }, childScope(scope, sub))];
  if (mode === 'exists') pipeline.push({ $limit: 1 }, { $project: { _id: 1 } });
  else pipeline.push({ $count: 'n' });
  return { $lookup: { from: q.from.table, let: vars, pipeline, as } };
}

/**
 * A filter with relation filters, split for the pipeline: the parts that need no `$lookup` first (so the lookups
 * run on the documents that pass them), then the lookups, then the parts that read them.
 */
function pipelineFilter(where: Expr | undefined, scope: Scope): Document[] {
  const items: Expr[] = [];
  const flat = (e: Expr): void => (e.t === 'and' ? e.items.forEach(flat) : void items.push(e));
  if (where) flat(where);
  const before: Document[] = [];
  const lookups: Document[] = [];
  const after: Document[] = [];
  for (const item of items) {
    const own = childScope(scope, scope.alias);
    const f = compileFilter(item, false, own);
    if (own.lookups.length === 0) before.push(f);
    else {
      lookups.push(...own.lookups);
      after.push(f);
    }
  }
  const match = (fs: Document[]): Document[] => {
    const parts = fs.filter((f) => Object.keys(f).length).flatMap((f) => (Object.keys(f).length === 1 && Array.isArray(f.$and) ? (f.$and as Document[]) : [f]));
    return parts.length === 0 ? [] : [{ $match: parts.length === 1 ? parts[0] : { $and: parts } }];
  };
  return [...match(before), ...lookups, ...match(after)];
}

const needsLookup = (where: Expr | undefined): boolean => {
  const seen = (e: Expr): boolean => e.t === 'exists' || ((e.t === 'and' || e.t === 'or') && e.items.some(seen)) || (e.t === 'not' && seen(e.expr));
  return !!where && seen(where);
};

/**
 * A read: `find` for plain field lists, `aggregate` for counts, sums, groups and distinct rows, and for reads
 * with relation filters or relation counts (`$lookup`, one command: no query per row).
 */
export function compileSelect(node: SelectNode): CompiledCommand {
  const scope = newScope(node.from.alias);
  const relational = needsLookup(node.where);
  if (isAggregate(node)) return compileAggregate(node, relational ? pipelineFilter(node.where, scope) : matchStage(compileFilter(node.where, false, scope)));
  const counted = node.columns.some((c) => isCount(c.expr)) || !!node.orderBy?.some((o) => isCount(o.expr));
  if (!relational && !counted) {
    const filter = compileFilter(node.where, false, scope);
    const projection: Document = {};
    const keys = node.columns.map((c) => colPath(c.expr)!);
    for (const k of keys) projection[k] = 1;
    if (!keys.includes('_id')) projection._id = 0;
    const command: Document = { find: node.from.table, filter, projection };
    const sort = sortOf(node.orderBy, (e) => colPath(e) ?? unsupported('ordering by an expression'));
    if (sort) command.sort = sort;
    if (node.offset) command.skip = node.offset;
    if (node.limit !== undefined) command.limit = node.limit;
    return { command, shape: { keys } };
  }
  return compileRelational(node, scope);
}

const matchStage = (filter: Document): Document[] => (Object.keys(filter).length ? [{ $match: filter }] : []);

/**
 * A read that needs other collections: the filter (relation filters as `$lookup` + `$match` on `$size`), the
 * relation counts as `$lookup`s ending in `$count`, set as fields, then sort / skip / limit and the projection
 * of the node's columns. Counts that no order reads are looked up after the page is cut (one lookup per
 * returned document, not per matched one).
 */
function compileRelational(node: SelectNode, scope: Scope): CompiledCommand {
  const pipeline = pipelineFilter(node.where, scope);
  const counts = new Map<string, { as: string; q: SelectNode }>();
  const countField = (e: Extract<Expr, { t: 'subquery' }>): string => {
    const id = JSON.stringify(e.query);
    let c = counts.get(id);
    if (!c) counts.set(id, (c = { as: scope.next('c'), q: e.query }));
    return c.as;
  };
  const keyOf = (e: Expr): string => (isCount(e) ? countField(e) : (colPath(e) ?? unsupported(`ordering by a ${e.t} expression`)));
  const keys = node.columns.map((c) => keyOf(c.expr));
  const sort = sortOf(node.orderBy, keyOf);
  const countStages = (list: Array<{ as: string; q: SelectNode }>): Document[] => {
    if (!list.length) return [];
    const lookups = list.map((c) => lookupStage(c.q, c.as, scope, 'count'));
    return [...lookups, { $set: Object.fromEntries(list.map((c) => [c.as, { $ifNull: [{ $arrayElemAt: [`$${c.as}.n`, 0] }, 0] }])) }];
  };
  const sortedBy = new Set(node.orderBy?.filter((o) => isCount(o.expr)).map((o) => keyOf(o.expr)) ?? []);
  const all = [...counts.values()];
  pipeline.push(...countStages(all.filter((c) => sortedBy.has(c.as))));
  if (sort) pipeline.push({ $sort: sort });
  if (node.offset) pipeline.push({ $skip: node.offset });
  if (node.limit !== undefined) pipeline.push({ $limit: node.limit });
  pipeline.push(...countStages(all.filter((c) => !sortedBy.has(c.as))));
  const projection: Document = {};
  for (const k of keys) projection[k] = 1;
  if (!keys.includes('_id')) projection._id = 0;
  pipeline.push({ $project: projection });
  return { command: { aggregate: node.from.table, pipeline, cursor: {} }, shape: { keys } };
}

function accumulator(e: Extract<Expr, { t: 'agg' }>): Document {
  const path = e.expr ? colPath(e.expr) ?? unsupported(`${e.fn} of an expression`) : undefined;
  if (e.fn === 'count') {
    if (!path) return { $sum: 1 };
    if (e.distinct) return { $addToSet: `$${path}` };
    return { $sum: { $cond: [{ $eq: [{ $ifNull: [`$${path}`, null] }, null] }, 0, 1] } };
  }
  if (!path) return unsupported(`${e.fn}(*)`);
  return { [`$${e.fn}`]: `$${path}` };
}

function compileAggregate(node: SelectNode, prefix: Document[]): CompiledCommand {
  const group: Document = {};
  const groupKeys = new Map<string, string>();
  const grouping = node.distinct ? node.columns.map((c) => c.expr) : (node.groupBy ?? []);
  grouping.forEach((g, i) => {
    const path = colPath(g) ?? unsupported('grouping by an expression');
    groupKeys.set(path, `_id.k${i}`);
  });
  const id: Document | null = grouping.length ? Object.fromEntries([...groupKeys].map(([path, key]) => [key.slice(4), `$${path}`])) : null;
  const accs: Array<{ name: string; e: Extract<Expr, { t: 'agg' }> }> = [];
  const accFor = (e: Extract<Expr, { t: 'agg' }>): string => {
    const same = accs.find((a) => JSON.stringify(a.e) === JSON.stringify(e));
    if (same) return same.name;
    const name = `a${accs.length}`;
    accs.push({ name, e });
    group[name] = accumulator(e);
    return name;
  };
  const keyOf = (e: Expr): string => {
    if (e.t === 'agg') return accFor(e);
    const path = colPath(e);
    if (path && groupKeys.has(path)) return groupKeys.get(path)!;
    if (e.t === 'subquery') return unsupported('A relation count (_count)');
    return unsupported(`selecting ${path ?? `a ${e.t} expression`} outside the groupBy fields`);
  };
  const keys = node.columns.map((c) => keyOf(c.expr));
  const sortKeys = sortOf(node.orderBy, keyOf);
  const having = node.having ? compileHaving(node.having, keyOf) : undefined;
  const pipeline: Document[] = [...prefix];
  pipeline.push({ $group: { _id: id, ...group } });
  // COUNT(DISTINCT x): the set of values, counted after the group.
  const sizes = accs.filter((a) => a.e.fn === 'count' && a.e.distinct);
  if (sizes.length) pipeline.push({ $set: Object.fromEntries(sizes.map((a) => [a.name, { $size: { $filter: { input: `$${a.name}`, cond: { $ne: ['$$this', null] } } } }])) });
  if (having) pipeline.push({ $match: having });
  if (sortKeys) pipeline.push({ $sort: sortKeys });
  if (node.offset) pipeline.push({ $skip: node.offset });
  if (node.limit !== undefined) pipeline.push({ $limit: node.limit });
  const shape: RowShape = { keys };
  if (!grouping.length) shape.single = node.columns.map((c) => (c.expr.t === 'agg' && c.expr.fn === 'count' ? 'count' : 'null'));
  return { command: { aggregate: node.from.table, pipeline, cursor: {} }, shape };
}

/** HAVING over computed fields: comparisons of an aggregate (or group key) with a value, combined with AND / OR / NOT. */
function compileHaving(e: Expr, keyOf: (e: Expr) => string, negate = false): Document {
  switch (e.t) {
    case 'and':
    case 'or': {
      const isAnd = (e.t === 'and') !== negate;
      return { [isAnd ? '$and' : '$or']: e.items.map((x) => compileHaving(x, keyOf, negate)) };
    }
    case 'not':
      return compileHaving(e.expr, keyOf, !negate);
    case 'cmp': {
      let { op, left, right } = e;
      if (left.t === 'param') [left, right, op] = [right, left, FLIP[op]];
      if (negate) op = NEGATE[op];
      const key = keyOf(left);
      const v = bound(right, key);
      return op === '<>' ? { [key]: { $nin: [v, null] } } : { [key]: { [OPS[op]]: v } };
    }
    case 'isNull': {
      const key = keyOf(e.expr);
      return e.negate !== negate ? { [key]: { $ne: null } } : { [key]: null };
    }
    default:
      return unsupported(`a ${e.t} expression in having`);
  }
}

/** Documents from an INSERT's rows; a column left out of a row is absent from its document. */
function documentsOf(node: InsertNode): Document[] {
  const paths = node.columns.map((c) => checkPath(pathOf(c)));
  return node.rows.map((row) => {
    const doc: Document = {};
    row.forEach((e, i) => {
      const v = bound(e, paths[i]);
      if (v !== undefined) doc[paths[i]] = v;
    });
    return doc;
  });
}

function returningKeys(cols: string[] | undefined): string[] {
  return (cols ?? []).map((c) => checkPath(pathOf(c)));
}

/**
 * Writes: `insert` (ordered: false with skipDuplicates), an upsert as one `findAndModify` with `upsert: true`
 * ($setOnInsert for the new document, $set for the update: atomic on the server), `update` / `delete` for many
 * documents, and `findAndModify` (new: true, or remove: true) where the client wants the one written document back.
 */
export function compileWrite(node: InsertNode | UpdateNode | DeleteNode): CompiledCommand {
  const keys = returningKeys(node.returning);
  if (node.t === 'insert') {
    const documents = documentsOf(node);
    if (!node.onConflict) return { command: { insert: node.table, documents, ordered: true }, shape: { keys } };
    if (node.onConflict.action === 'nothing') {
      return { command: { insert: node.table, documents, ordered: false }, shape: { keys, skipDuplicates: true } };
    }
    if (documents.length !== 1) return unsupported('An upsert of several rows in one statement');
    const doc = documents[0];
    const target = node.onConflict.target.map((c) => pathOf(c));
    const query: Document = {};
    for (const t of target) query[t] = doc[t];
    const $set: Document = {};
    for (const [c, e] of node.onConflict.action.set) {
      const path = checkPath(pathOf(c));
      // `excluded.<col>`: the value the insert would have written.
      $set[path] = e.t === 'col' && e.table === 'excluded' ? doc[pathOf(e.name)] : bound(e, path);
    }
    const $setOnInsert: Document = {};
    for (const [k, v] of Object.entries(doc)) if (!(k in $set) && !(k in query)) $setOnInsert[k] = v;
    const update: Document = {};
    if (Object.keys($set).length) update.$set = $set;
    if (Object.keys($setOnInsert).length) update.$setOnInsert = $setOnInsert;
    if (!Object.keys(update).length) update.$setOnInsert = {};
    return { command: { findAndModify: node.table, query, update, upsert: true, new: true }, shape: { keys } };
  }
  const query = compileFilter(node.where);
  if (node.t === 'delete') {
    if (node.returning) return { command: { findAndModify: node.table, query, remove: true }, shape: { keys } };
    return { command: { delete: node.table, deletes: [{ q: query, limit: 0 }] }, shape: { keys } };
  }
  const update = updateDocument(node);
  if (node.returning) return { command: { findAndModify: node.table, query, update, new: true }, shape: { keys } };
  return { command: { update: node.table, updates: [{ q: query, u: update, multi: true }] }, shape: { keys } };
}

function updateDocument(node: UpdateNode): Document {
  const $set: Document = {};
  const $inc: Document = {};
  const $mul: Document = {};
  const $currentDate: Document = {};
  for (const [c, e] of node.set) {
    const path = checkPath(pathOf(c));
    if (e.t === 'param') $set[path] = bound(e, path);
    else if (e.t === 'now') $currentDate[path] = true;
    else if (e.t === 'arith' && colPath(e.left) === path && e.right.t === 'param') {
      const v = bound(e.right, path);
      if (typeof v !== 'number' && typeof v !== 'bigint') throw new ValidationError(`${path}: an arithmetic update takes a number`);
      if (e.op === '+') $inc[path] = v;
      else if (e.op === '-') $inc[path] = typeof v === 'bigint' ? -v : -v;
      else if (e.op === '*') $mul[path] = v;
      else if (typeof v === 'number' && v !== 0) $mul[path] = 1 / v;
      else throw new ValidationError(`${path}: division by zero`);
    } else if (e.t === 'lit' && e.sql === 'NULL') $set[path] = null;
    else unsupported(`an update of ${path} to a ${e.t} expression`);
  }
  const u: Document = {};
  if (Object.keys($set).length) u.$set = $set;
  if (Object.keys($inc).length) u.$inc = $inc;
  if (Object.keys($mul).length) u.$mul = $mul;
  if (Object.keys($currentDate).length) u.$currentDate = $currentDate;
  return u;
}

export function compileNode(node: QueryNode): CompiledCommand {
  return node.t === 'select' ? compileSelect(node) : compileWrite(node);
}
