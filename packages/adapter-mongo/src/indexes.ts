import { isWildcardKey, type IndexIR, type IndexKeyToken, type SnapshotIndex } from '@forge/core';
import type { Document } from 'mongodb';
import { columnOf, pathOf } from './names.js';

/** One entry of a `createIndexes` command's `indexes` array (MongoDB's index specification document). */
export interface MongoIndexSpec {
  key: Record<string, IndexKeyToken>;
  name: string;
  unique?: true;
  partialFilterExpression?: Record<string, unknown>;
  collation?: Record<string, unknown>;
  wildcardProjection?: Record<string, unknown>;
  expireAfterSeconds?: number;
}

/** Why MongoDB cannot hold `ix` as declared (SQL-only options), or undefined when it can. */
export function unsupportedIndex(ix: IndexIR): string | undefined {
  const sqlOnly = [ix.method && ix.method !== 'btree' ? `method '${ix.method}'` : '', ix.where ? 'where' : '', ix.include?.length ? 'include' : '', ix.expression ? 'expression' : '', ix.parser ? 'parser' : ''].filter(Boolean);
  if (sqlOnly.length) return `MongoDB indexes take no ${sqlOnly.join(', ')} (SQL-only); use keys with 1 / -1 / 'text' / '2dsphere' / '2d' / 'hashed' and partialFilterExpression`;
  if (ix.columns.length === 0) return 'a MongoDB index needs at least one key';
  if (ix.expireAfterSeconds !== undefined) {
    if (!Number.isInteger(ix.expireAfterSeconds) || ix.expireAfterSeconds < 0) return `expireAfterSeconds must be a whole number of seconds ≥ 0, got ${ix.expireAfterSeconds}`;
    if (ix.columns.length !== 1) return 'a TTL index (expireAfterSeconds) has exactly one key: the date field documents expire by';
  }
  const wild = ix.columns.findIndex(isWildcardKey);
  if (ix.wildcardProjection && (wild < 0 || ix.columns[wild] !== '$**')) {
    return `wildcardProjection goes with the key '$**' (all fields), not ${wild < 0 ? 'an index without a wildcard key' : `'${ix.columns[wild]}'`}: use keys: { '$**': 1 }`;
  }
  if (wild >= 0) {
    const key = ix.columns[wild];
    const dir = ix.directions[wild] ?? 1;
    // `{ '$**': 'text' }` is MongoDB's wildcard text index (every string field); other wildcard keys are 1 / -1.
    const text = key === '$**' && dir === 'text';
    if (dir !== 1 && dir !== -1 && !text) return `the wildcard key '${key}' takes 1 or -1${key === '$**' ? " (or 'text', for a text index over every string field)" : ''}, not '${dir}' (MongoDB has no ${dir} wildcard index)`;
    if (text && ix.wildcardProjection) return "a wildcard text index ({ '$**': 'text' }) takes no wildcardProjection";
    if (ix.expireAfterSeconds !== undefined) return `a wildcard index ('${key}') cannot be a TTL index (expireAfterSeconds): index the date field by name`;
    if (!text && ix.columns.some((c, i) => i !== wild && ix.directions[i] !== 1 && ix.directions[i] !== -1)) return `a compound wildcard index ('${key}' with other keys) takes 1 / -1 keys only`;
  }
  const hashed = ix.directions.filter((d) => d === 'hashed').length;
  if (hashed > 1) return 'a MongoDB index holds at most one hashed key';
  if (hashed && ix.unique) return 'MongoDB cannot make a hashed index unique';
  return undefined;
}

/** The `createIndexes` spec for an index of the schema: the whole IndexDef, keys in declared order. */
export function indexSpec(ix: IndexIR): MongoIndexSpec {
  const key: Record<string, IndexKeyToken> = {};
  ix.columns.forEach((c, i) => (key[pathOf(c)] = ix.directions[i] ?? 1));
  const spec: MongoIndexSpec = { key, name: ix.name };
  if (ix.unique) spec.unique = true;
  if (ix.partialFilterExpression) spec.partialFilterExpression = ix.partialFilterExpression;
  if (ix.collation) spec.collation = ix.collation;
  if (ix.wildcardProjection) spec.wildcardProjection = ix.wildcardProjection;
  if (ix.expireAfterSeconds !== undefined) spec.expireAfterSeconds = ix.expireAfterSeconds;
  return spec;
}

const TOKENS = new Set<unknown>([1, -1, 'text', '2dsphere', '2d', 'hashed']);

/** A key's direction token as the IR spells it: numbers as 1 / -1 (servers may echo 1.0 or Long), names as they are. */
function token(v: unknown): IndexKeyToken {
  if (typeof v === 'number' || typeof v === 'bigint' || (v && typeof v === 'object' && 'toNumber' in v)) {
    const n = Number(typeof v === 'object' ? (v as { toNumber(): number }).toNumber() : v);
    return n < 0 ? -1 : 1;
  }
  return (TOKENS.has(v) ? v : String(v)) as IndexKeyToken;
}

/**
 * One row of `listIndexes` as a snapshot index. A text index comes back as `{ _fts: 'text', _ftsx: 1 }` with the
 * indexed fields under `weights`: those are read back as `'text'` keys (other keys of a compound text index keep
 * their place before them). `_id_` is the primary key's own index.
 */
export function snapshotIndex(row: Document): SnapshotIndex {
  const columns: string[] = [];
  const directions: IndexKeyToken[] = [];
  let textDone = false;
  for (const [path, v] of Object.entries((row.key ?? {}) as Record<string, unknown>)) {
    if (path === '_fts' || path === '_ftsx') {
      if (textDone) continue;
      textDone = true;
      for (const f of Object.keys((row.weights ?? {}) as Record<string, unknown>)) {
        columns.push(columnOf(f));
        directions.push('text');
      }
      continue;
    }
    columns.push(columnOf(path));
    directions.push(token(v));
  }
  const out: SnapshotIndex = { name: String(row.name), columns, directions, unique: row.unique === true, primary: row.name === '_id_' };
  if (row.partialFilterExpression) out.partialFilterExpression = row.partialFilterExpression as Record<string, unknown>;
  if (row.collation) out.collation = row.collation as Record<string, unknown>;
  if (row.wildcardProjection) out.wildcardProjection = submittedProjection(row.wildcardProjection as Record<string, unknown>);
  if (row.expireAfterSeconds !== undefined && row.expireAfterSeconds !== null) out.expireAfterSeconds = Number(row.expireAfterSeconds);
  return out;
}

/**
 * A wildcardProjection as it was submitted. MongoDB 6.3, 6.0.5, 5.0.16 and later store it so; earlier servers
 * report a normalised form (`{ author: { name: true }, _id: false }` for `{ 'author.name': 1 }`), recognised by
 * its boolean leaves and the `_id: false` it adds, and read back here as dotted paths with 1 / 0 without that
 * `_id`, so an index declared with dotted paths is not seen as drifted (and recreated on every push) there.
 */
export function submittedProjection(p: Record<string, unknown>): Record<string, unknown> {
  const booleans = (v: unknown): boolean => typeof v === 'boolean' || (!!v && typeof v === 'object' && !Array.isArray(v) && Object.values(v).every(booleans));
  if (p._id !== false || !booleans(p)) return p;
  const out: Record<string, unknown> = {};
  const walk = (o: Record<string, unknown>, prefix: string) => {
    for (const [k, v] of Object.entries(o)) {
      const path = prefix ? `${prefix}.${k}` : k;
      if (v && typeof v === 'object') walk(v as Record<string, unknown>, path);
      else if (path !== '_id') out[path] = v ? 1 : 0;
    }
  };
  walk(p, '');
  return out;
}
