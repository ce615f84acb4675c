import type { Capabilities, ValueCodec } from '../adapter.js';
import { ValidationError } from '../errors.js';
import type { Expr, SelectNode } from '../query/ast.js';
import type { ColumnIR } from '../schema/ir.js';
import type { ModelMeta } from './meta.js';
import { checkValue, LONE_SURROGATE } from './validate.js';

export interface WhereContext {
  codec: ValueCodec;
  /** Filters a dialect lacks (full-text search, JSON paths) are refused up front, naming the flag. */
  caps: Capabilities;
  /** Unknown keys throw (always for writes; for reads only in strict mode). */
  strict: boolean;
  nextAlias: () => string;
}

const SCALAR_OPS = new Set(['equals', 'not', 'in', 'notIn', 'lt', 'lte', 'gt', 'gte', 'contains', 'startsWith', 'endsWith', 'mode', 'search']);
const ARRAY_OPS = new Set(['has', 'hasSome', 'hasEvery', 'equals', 'isEmpty']);
const JSON_OPS = new Set(['path', 'equals', 'not', 'string_contains', 'string_starts_with', 'string_ends_with', 'gt', 'gte', 'lt', 'lte']);
const GEO_OPS = new Set(['near', 'withinPolygon', 'not']);
const LOGICAL = new Set(['AND', 'OR', 'NOT']);
/** The most vertices a withinPolygon ring may have: each edge is a few bound values in the statement. */
export const MAX_POLYGON_VERTICES = 1000;

export const isPlainObject = (v: unknown): v is Record<string, unknown> =>
  !!v && typeof v === 'object' && !Array.isArray(v) && !(v instanceof Date) && !(v instanceof Uint8Array);

function unknownOperator(meta: ModelMeta, field: string, op: string, known: Set<string>): never {
  const hint = op.startsWith('$') ? ` ('${op}' looks like a query-document operator; forge filters use ${[...known].slice(0, 6).join(', ')}, ...)` : '';
  throw new ValidationError(`Unknown filter operator '${op}' on ${meta.key}.${field}. Known: ${[...known].join(', ')}${hint}`, { model: meta.key, field, operator: op });
}

/** Bind a value for a column after checking its type. */
export function bindValue(ctx: WhereContext, meta: ModelMeta, col: ColumnIR, v: unknown): Expr {
  checkValue(meta.key, col, v, ctx.caps.maxJsonDepth);
  return { t: 'param', value: ctx.codec.encode(v, col) };
}

/** Turn a `where` object into an expression over the table alias `alias`. */
export function buildWhere(ctx: WhereContext, meta: ModelMeta, alias: string, where: unknown): Expr | undefined {
  if (where === undefined || where === null) return undefined;
  if (!isPlainObject(where)) throw new ValidationError(`'where' on ${meta.key} must be an object, got ${Array.isArray(where) ? 'an array' : typeof where}`);
  const parts: Expr[] = [];
  for (const [key, value] of Object.entries(where)) {
    if (value === undefined) {
      throw new ValidationError(
        `where.${key} on ${meta.key} is undefined. forge refuses to widen a filter silently: remove the key, or pass null to match NULL`,
        { model: meta.key, field: key },
      );
    }
    if (LOGICAL.has(key)) {
      parts.push(logical(ctx, meta, alias, key as 'AND' | 'OR' | 'NOT', value));
      continue;
    }
    const col = meta.fields.get(key);
    if (col) {
      parts.push(fieldFilter(ctx, meta, alias, col, value));
      continue;
    }
    const rel = meta.relations.get(key);
    if (rel) {
      parts.push(relationFilter(ctx, meta, alias, key, value));
      continue;
    }
    if (ctx.strict) {
      throw new ValidationError(`Unknown field '${key}' in where on ${meta.key}. Fields: ${meta.fieldNames.join(', ')}`, { model: meta.key, field: key });
    }
  }
  return parts.length === 0 ? undefined : parts.length === 1 ? parts[0] : { t: 'and', items: parts };
}

/**
 * AND / OR / NOT take one filter object or an array of them. Each element must be a filter object: `undefined`
 * or `null` in the list is refused (it would otherwise drop out and widen the filter). Empty lists follow
 * Prisma's documented semantics: `AND: []` and `NOT: []` constrain nothing (every row), `OR: []` matches no row.
 * `NOT: [a, b]` means none of them holds: NOT a AND NOT b.
 */
function logical(ctx: WhereContext, meta: ModelMeta, alias: string, op: 'AND' | 'OR' | 'NOT', value: unknown): Expr {
  if (op === 'OR' && !Array.isArray(value)) throw new ValidationError(`where.OR on ${meta.key} takes an array of filters`, { model: meta.key });
  const list = Array.isArray(value) ? value : [value];
  const exprs = list.map((w, i) => {
    const at = Array.isArray(value) ? `where.${op}[${i}]` : `where.${op}`;
    if (!isPlainObject(w)) {
      throw new ValidationError(
        `${at} on ${meta.key} is ${w === undefined ? 'undefined' : w === null ? 'null' : Array.isArray(w) ? 'an array' : typeof w}: each ${op} element must be a filter object. ` +
          `forge refuses to drop it and widen the filter: remove it from the list${op === 'OR' ? ' (an empty OR matches no row)' : ''}`,
        { model: meta.key },
      );
    }
    return buildWhere(ctx, meta, alias, w) ?? MATCH_ALL;
  });
  if (op === 'AND') return { t: 'and', items: exprs };
  if (op === 'OR') return { t: 'or', items: exprs };
  return { t: 'and', items: exprs.map((e) => ({ t: 'not', expr: e }) as Expr) };
}

/** An empty AND: the compiler renders it as `1 = 1` in every dialect. */
const MATCH_ALL: Expr = { t: 'and', items: [] };

/** The operators of one filter kind, for messages; `besides` is a modifier that is not an operator on its own. */
const operatorList = (ops: Set<string>, besides?: string): string => [...ops].filter((o) => o !== besides).join(', ');

/** An operator object that names no operator would be an empty AND, matching every row: refuse it instead. */
function emptyFilter(meta: ModelMeta, field: string, what: string, known: string): never {
  throw new ValidationError(
    `where.${field} on ${meta.key} is ${what}: it names no operator and would match every row. Give one of ${known}, or remove the key (where: {} means every row)`,
    { model: meta.key, field },
  );
}

function colExpr(alias: string, col: ColumnIR): Expr {
  return { t: 'col', table: alias, name: col.name };
}

function fieldFilter(ctx: WhereContext, meta: ModelMeta, alias: string, col: ColumnIR, value: unknown): Expr {
  const c = colExpr(alias, col);
  if (value === null) return { t: 'isNull', expr: c, negate: false };
  if (col.kind === 'stringArray' || col.kind === 'intArray') return arrayFilter(ctx, meta, alias, col, value);
  if (col.kind === 'json' || col.kind === 'embed' || col.kind === 'embedMany') return jsonFilter(ctx, meta, alias, col, value);
  if (col.kind === 'geoPoint') return geoFilter(ctx, meta, alias, col, value);
  if (!isPlainObject(value)) return { t: 'cmp', op: '=', left: c, right: bindValue(ctx, meta, col, value) };

  const insensitive = value.mode === 'insensitive';
  if (value.mode !== undefined && value.mode !== 'insensitive' && value.mode !== 'default') {
    throw new ValidationError(`${meta.key}.${col.field}: mode must be 'insensitive' or 'default'`);
  }
  const parts: Expr[] = [];
  const ops = Object.entries(value);
  if (ops.every(([op]) => op === 'mode')) emptyFilter(meta, col.field, ops.length ? `{ mode } alone` : 'an empty object {}', operatorList(SCALAR_OPS, 'mode'));
  for (const [op, v] of ops) {
    if (!SCALAR_OPS.has(op)) unknownOperator(meta, col.field, op, SCALAR_OPS);
    if (op === 'mode') continue;
    if (v === undefined) {
      throw new ValidationError(`${meta.key}.${col.field}.${op} is undefined: remove the operator or give it a value`, { model: meta.key, field: col.field });
    }
    switch (op) {
      case 'equals':
        if (v === null) parts.push({ t: 'isNull', expr: c, negate: false });
        else if (insensitive) parts.push(textExpr(ctx, meta, col, c, v, 'equals', true, false));
        else parts.push({ t: 'cmp', op: '=', left: c, right: bindValue(ctx, meta, col, v) });
        break;
      case 'not':
        if (v === null) parts.push({ t: 'isNull', expr: c, negate: true });
        else if (isPlainObject(v)) parts.push({ t: 'not', expr: fieldFilter(ctx, meta, alias, col, v) });
        else if (insensitive) parts.push(textExpr(ctx, meta, col, c, v, 'equals', true, true));
        else parts.push({ t: 'cmp', op: '<>', left: c, right: bindValue(ctx, meta, col, v) });
        break;
      case 'in':
      case 'notIn': {
        if (!Array.isArray(v)) throw new ValidationError(`${meta.key}.${col.field}.${op} takes an array`, { model: meta.key, field: col.field });
        parts.push({ t: 'in', expr: c, values: v.map((x) => bindValue(ctx, meta, col, x)), negate: op === 'notIn' });
        break;
      }
      case 'lt':
      case 'lte':
      case 'gt':
      case 'gte': {
        const sqlOp = op === 'lt' ? '<' : op === 'lte' ? '<=' : op === 'gt' ? '>' : '>=';
        parts.push({ t: 'cmp', op: sqlOp, left: c, right: bindValue(ctx, meta, col, v) });
        break;
      }
      case 'contains':
      case 'startsWith':
      case 'endsWith':
        parts.push(textExpr(ctx, meta, col, c, v, op, insensitive, false));
        break;
      case 'search': {
        if (typeof v !== 'string') throw new ValidationError(`${meta.key}.${col.field}.search takes a string`);
        if (v.includes('\0') || LONE_SURROGATE.test(v)) {
          throw new ValidationError(`${meta.key}.${col.field}.search takes words: this string holds a NUL character or a lone UTF-16 surrogate, which no search index stores`, { model: meta.key, field: col.field });
        }
        if (!ctx.caps.fullTextSearch) {
          throw new ValidationError(`${meta.key}.${col.field}.search: ${ctx.caps.dialect} has no full-text search here (capabilities.fullTextSearch is false); filter with contains instead`, { model: meta.key, field: col.field });
        }
        if (!col.searchable) {
          throw new ValidationError(`${meta.key}.${col.field} is not searchable: declare it with .searchable() and run forge push`, { model: meta.key, field: col.field });
        }
        parts.push({
          t: 'search',
          table: meta.table.name,
          alias,
          columns: meta.searchable.map((s) => s.name),
          pk: meta.table.primaryKey[0],
          query: v,
        });
        break;
      }
    }
  }
  return parts.length === 1 ? parts[0] : { t: 'and', items: parts };
}

function textExpr(
  ctx: WhereContext,
  meta: ModelMeta,
  col: ColumnIR,
  c: Expr,
  v: unknown,
  mode: 'contains' | 'startsWith' | 'endsWith' | 'equals',
  insensitive: boolean,
  negate: boolean,
): Expr {
  if (typeof v !== 'string') throw new ValidationError(`${meta.key}.${col.field}: text operators take a string, got ${typeof v}`, { model: meta.key, field: col.field });
  if (col.kind !== 'string' && col.kind !== 'text' && col.kind !== 'id' && col.kind !== 'uuid' && col.kind !== 'enum' && col.kind !== 'objectId') {
    throw new ValidationError(`${meta.key}.${col.field} is f.${col.kind}(): contains/startsWith/endsWith/mode apply to text fields`);
  }
  const e: Extract<Expr, { t: 'textMatch' }> = { t: 'textMatch', expr: c, mode, value: v, insensitive, negate };
  // A column of an enum type is matched as its text (Postgres has no LIKE on an enum).
  if (ctx.caps.enumTypes && col.kind === 'enum' && col.enumType) e.asText = true;
  return e;
}

function arrayFilter(ctx: WhereContext, meta: ModelMeta, alias: string, col: ColumnIR, value: unknown): Expr {
  const c = colExpr(alias, col);
  if (!isPlainObject(value)) throw new ValidationError(`${meta.key}.${col.field} is an array field: filter it with { has }, { hasSome }, { hasEvery }, { equals } or { isEmpty }`);
  const elementKind = col.kind === 'intArray' ? 'int' : 'string';
  const checkEl = (x: unknown) => {
    const ok = elementKind === 'int' ? Number.isSafeInteger(x) : typeof x === 'string';
    if (!ok) throw new ValidationError(`${meta.key}.${col.field} holds ${elementKind === 'int' ? 'integers' : 'strings'}, got ${typeof x}`);
  };
  const parts: Expr[] = [];
  const ops = Object.entries(value);
  if (ops.length === 0) emptyFilter(meta, col.field, 'an empty object {}', operatorList(ARRAY_OPS));
  for (const [op, v] of ops) {
    if (!ARRAY_OPS.has(op)) unknownOperator(meta, col.field, op, ARRAY_OPS);
    if (v === undefined) throw new ValidationError(`${meta.key}.${col.field}.${op} is undefined`);
    if (op === 'has') {
      checkEl(v);
      parts.push({ t: 'arrayHas', expr: c, mode: 'has', values: [v], elementKind });
    } else if (op === 'hasSome' || op === 'hasEvery') {
      if (!Array.isArray(v)) throw new ValidationError(`${meta.key}.${col.field}.${op} takes an array`);
      v.forEach(checkEl);
      parts.push({ t: 'arrayHas', expr: c, mode: op, values: v, elementKind });
    } else if (op === 'equals') {
      if (v === null) parts.push({ t: 'isNull', expr: c, negate: false });
      else parts.push({ t: 'cmp', op: '=', left: c, right: bindValue(ctx, meta, col, v) });
    } else if (op === 'isEmpty') {
      parts.push({ t: 'cmp', op: v ? '=' : '<>', left: c, right: bindValue(ctx, meta, col, []) });
    }
  }
  return parts.length === 1 ? parts[0] : { t: 'and', items: parts };
}

function jsonFilter(ctx: WhereContext, meta: ModelMeta, alias: string, col: ColumnIR, value: unknown): Expr {
  const c = colExpr(alias, col);
  if (!isPlainObject(value) || !Object.keys(value).every((k) => JSON_OPS.has(k))) {
    if (isPlainObject(value)) {
      const bad = Object.keys(value).find((k) => !JSON_OPS.has(k))!;
      unknownOperator(meta, col.field, bad, JSON_OPS);
    }
    return { t: 'cmp', op: '=', left: c, right: bindValue(ctx, meta, col, value) };
  }
  const ops = Object.keys(value);
  if (ops.every((op) => op === 'path')) {
    emptyFilter(meta, col.field, ops.length ? '{ path } alone' : 'an empty JSON filter {}', `${operatorList(JSON_OPS, 'path')} (with path), or { equals: {} } to compare with an empty object`);
  }
  const path = value.path ?? [];
  if (!Array.isArray(path) || !path.every((p) => typeof p === 'string' || Number.isInteger(p))) {
    throw new ValidationError(`${meta.key}.${col.field}.path must be an array of keys, e.g. ['address', 'city']`);
  }
  const keys = path.map(String);
  if (keys.length > 0 && !ctx.caps.jsonPath) {
    throw new ValidationError(`${meta.key}.${col.field}: ${ctx.caps.dialect} cannot filter inside JSON documents (capabilities.jsonPath is false); compare the whole value with { equals }`, { model: meta.key, field: col.field });
  }
  const parts: Expr[] = [];
  for (const [op, v] of Object.entries(value)) {
    if (op === 'path') continue;
    if (v === undefined) throw new ValidationError(`${meta.key}.${col.field}.${op} is undefined`);
    if (keys.length === 0 && (op === 'equals' || op === 'not')) {
      const cmp: Expr = v === null ? { t: 'isNull', expr: c, negate: op === 'not' } : { t: 'cmp', op: op === 'equals' ? '=' : '<>', left: c, right: bindValue(ctx, meta, col, v) };
      parts.push(cmp);
      continue;
    }
    if (op === 'equals' || op === 'not') {
      if (v === null) {
        parts.push({ t: 'isNull', expr: { t: 'jsonPath', expr: c, path: keys, as: 'text' }, negate: op === 'not' });
      } else if (typeof v === 'number') {
        parts.push({ t: 'cmp', op: op === 'equals' ? '=' : '<>', left: { t: 'jsonPath', expr: c, path: keys, as: 'number' }, right: { t: 'param', value: v } });
      } else if (typeof v === 'string' || typeof v === 'boolean') {
        parts.push({ t: 'cmp', op: op === 'equals' ? '=' : '<>', left: { t: 'jsonPath', expr: c, path: keys, as: 'text' }, right: { t: 'param', value: typeof v === 'boolean' ? String(v) : v } });
      } else {
        throw new ValidationError(`${meta.key}.${col.field}: JSON path equals takes a string, number, boolean or null`);
      }
    } else if (op === 'gt' || op === 'gte' || op === 'lt' || op === 'lte') {
      if (typeof v !== 'number' || !Number.isFinite(v)) throw new ValidationError(`${meta.key}.${col.field}.${op} takes a number`);
      const sqlOp = op === 'lt' ? '<' : op === 'lte' ? '<=' : op === 'gt' ? '>' : '>=';
      parts.push({ t: 'cmp', op: sqlOp, left: { t: 'jsonPath', expr: c, path: keys, as: 'number' }, right: { t: 'param', value: v } });
    } else {
      if (typeof v !== 'string') throw new ValidationError(`${meta.key}.${col.field}.${op} takes a string`);
      const mode = op === 'string_contains' ? 'contains' : op === 'string_starts_with' ? 'startsWith' : 'endsWith';
      parts.push({ t: 'textMatch', expr: { t: 'jsonPath', expr: c, path: keys, as: 'text' }, mode, value: v, insensitive: false, negate: false });
    }
  }
  return parts.length === 1 ? parts[0] : { t: 'and', items: parts };
}

/** A coordinate pair, checked: finite, lng in [-180, 180], lat in [-90, 90]. `at` names it for messages. */
export function geoCoordinates(meta: ModelMeta, field: string, at: string, v: unknown): { lng: number; lat: number } {
  const pair = Array.isArray(v) ? { lng: v[0], lat: v[1] } : isPlainObject(v) ? { lng: v.lng, lat: v.lat } : undefined;
  const ok = (x: unknown, limit: number) => typeof x === 'number' && Number.isFinite(x) && Math.abs(x) <= limit;
  if (!pair || (Array.isArray(v) && v.length !== 2) || !ok(pair.lng, 180) || !ok(pair.lat, 90)) {
    throw new ValidationError(
      `${meta.key}.${field}.${at} takes a point { lng, lat } (or [lng, lat]) with lng in -180..180 and lat in -90..90, got ${JSON.stringify(v) ?? String(v)}`,
      { model: meta.key, field },
    );
  }
  return pair as { lng: number; lat: number };
}

function geoFilter(ctx: WhereContext, meta: ModelMeta, alias: string, col: ColumnIR, value: unknown): Expr {
  const c = colExpr(alias, col);
  if (!isPlainObject(value)) {
    throw new ValidationError(`${meta.key}.${col.field} is a geo point: filter it with { near: { lng, lat, maxMeters } }, { withinPolygon: [[lng, lat], ...] }, or null`, { model: meta.key, field: col.field });
  }
  const ops = Object.entries(value);
  if (ops.length === 0) emptyFilter(meta, col.field, 'an empty object {}', operatorList(GEO_OPS));
  if (ctx.caps.geoQueries === false) {
    throw new ValidationError(`${meta.key}.${col.field}: ${ctx.caps.dialect} cannot filter geo points here (capabilities.geoQueries is false); read the rows and filter them in code`, { model: meta.key, field: col.field });
  }
  const parts: Expr[] = [];
  for (const [op, v] of ops) {
    if (!GEO_OPS.has(op)) unknownOperator(meta, col.field, op, GEO_OPS);
    if (v === undefined) throw new ValidationError(`${meta.key}.${col.field}.${op} is undefined: remove the operator or give it a value`, { model: meta.key, field: col.field });
    if (op === 'not') {
      if (v !== null) throw new ValidationError(`${meta.key}.${col.field}.not takes null (a point that is set); negate a geo filter with NOT: { ${col.field}: { near: ... } }`, { model: meta.key, field: col.field });
      parts.push({ t: 'isNull', expr: c, negate: true });
    } else if (op === 'near') {
      const p = geoCoordinates(meta, col.field, 'near', v);
      const max = isPlainObject(v) ? v.maxMeters : undefined;
      if (typeof max !== 'number' || !Number.isFinite(max) || max < 0) {
        throw new ValidationError(`${meta.key}.${col.field}.near needs maxMeters, a finite number of metres >= 0, got ${String(max)}`, { model: meta.key, field: col.field });
      }
      const extra = Object.keys(v as object).find((k) => k !== 'lng' && k !== 'lat' && k !== 'maxMeters');
      if (extra) throw new ValidationError(`${meta.key}.${col.field}.near takes lng, lat and maxMeters, not '${extra}'`, { model: meta.key, field: col.field });
      parts.push({ t: 'geoNear', expr: c, lng: p.lng, lat: p.lat, maxMeters: max });
    } else {
      if (!Array.isArray(v)) throw new ValidationError(`${meta.key}.${col.field}.withinPolygon takes an array of points [[lng, lat], ...] (3 or more)`, { model: meta.key, field: col.field });
      const ring = v.map((p, i) => geoCoordinates(meta, col.field, `withinPolygon[${i}]`, p));
      const last = ring[ring.length - 1];
      if (ring.length > 1 && last.lng === ring[0].lng && last.lat === ring[0].lat) ring.pop();
      if (ring.length < 3) throw new ValidationError(`${meta.key}.${col.field}.withinPolygon needs 3 or more distinct vertices, got ${ring.length}`, { model: meta.key, field: col.field });
      if (ring.length > MAX_POLYGON_VERTICES) {
        throw new ValidationError(`${meta.key}.${col.field}.withinPolygon takes at most ${MAX_POLYGON_VERTICES} vertices, got ${ring.length}: simplify the polygon`, { model: meta.key, field: col.field });
      }
      parts.push({ t: 'geoWithin', expr: c, ring: ring.map((p) => [p.lng, p.lat] as const) });
    }
  }
  return parts.length === 1 ? parts[0] : { t: 'and', items: parts };
}

function relationFilter(ctx: WhereContext, meta: ModelMeta, alias: string, name: string, value: unknown): Expr {
  const rel = meta.relations.get(name)!;
  const target = rel.target;
  const sub = ctx.nextAlias();
  const link: Expr = {
    t: 'cmp',
    op: '=',
    left: { t: 'col', table: sub, name: target.fields.get(rel.remoteField)!.name },
    right: { t: 'col', table: alias, name: meta.fields.get(rel.localField)!.name },
  };
  const exists = (inner: Expr | undefined, negate: boolean): Expr => {
    const q: SelectNode = {
      t: 'select',
      from: { table: target.table.name, alias: sub },
      columns: [{ expr: { t: 'lit', sql: '1' }, alias: 'one' }],
      where: inner ? { t: 'and', items: [link, inner] } : link,
    };
    return { t: 'exists', query: q, negate };
  };
  if (rel.kind === 'one') {
    if (value === null) return exists(undefined, true);
    if (!isPlainObject(value)) throw new ValidationError(`where.${name} on ${meta.key} takes { is } or { isNot }`);
    const keys = Object.keys(value);
    if (keys.length === 0) emptyFilter(meta, name, 'an empty relation filter {}', '{ is: { ... } }, { isNot: { ... } }, or null for no related row');
    if (keys.some((k) => k !== 'is' && k !== 'isNot')) {
      // Shorthand: a plain filter on the related row means `is`.
      return exists(buildWhere(ctx, target, sub, value), false);
    }
    const parts: Expr[] = [];
    for (const k of keys) {
      const w = value[k];
      if (w === undefined) throw new ValidationError(`where.${name}.${k} on ${meta.key} is undefined: remove it, or pass null for no related row`, { model: meta.key });
      if (k === 'is') parts.push(w === null ? exists(undefined, true) : exists(buildWhere(ctx, target, sub, w), false));
      else parts.push(w === null ? exists(undefined, false) : exists(buildWhere(ctx, target, sub, w), true));
    }
    return parts.length === 1 ? parts[0] : { t: 'and', items: parts };
  }
  if (!isPlainObject(value)) throw new ValidationError(`where.${name} on ${meta.key} takes { some }, { every } or { none }`);
  const parts: Expr[] = [];
  const ops = Object.entries(value);
  if (ops.length === 0) emptyFilter(meta, name, 'an empty relation filter {}', '{ some: { ... } }, { every: { ... } }, { none: { ... } }');
  for (const [op, w] of ops) {
    if (w === undefined || w === null) throw new ValidationError(`where.${name}.${op} on ${meta.key} is ${w}: give a filter object ({} means any related row)`, { model: meta.key });
    if (op === 'some') parts.push(exists(buildWhere(ctx, target, sub, w), false));
    else if (op === 'none') parts.push(exists(buildWhere(ctx, target, sub, w), true));
    else if (op === 'every') {
      const inner = buildWhere(ctx, target, sub, w);
      parts.push(inner ? exists({ t: 'not', expr: inner }, true) : MATCH_ALL);
    } else {
      throw new ValidationError(`Unknown relation filter '${op}' on ${meta.key}.${name}. Known: some, every, none`);
    }
  }
  return parts.length === 1 ? parts[0] : { t: 'and', items: parts };
}
