import type { Capabilities, DialectFacts } from '../adapter.js';
import type { IndexIR, SnapshotIndex } from '../schema/ir.js';

/** Words after which `(` opens a group, not a call's argument list. */
const KEYWORDS = new Set(['and', 'or', 'not', 'in', 'is', 'between', 'like', 'when', 'then', 'else', 'case', 'exists', 'any', 'all', 'select', 'where', 'on', 'as']);

/**
 * Replace grouping parentheses with spaces and keep call parentheses (`lower(`). Databases echo
 * predicates fully parenthesised (`((a = 1) AND (b IS NULL))`), so grouping carries no signal here; a
 * rare precedence-only difference is missed, which the "don't cry wolf" rule accepts.
 */
function dropGroupingParens(s: string): string {
  const out = s.split('');
  const open: boolean[] = [];
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    // A string literal or a quoted identifier: the parentheses and quotes inside it are text.
    if (c === "'" || c === '"') {
      const end = closingQuote(s, i);
      if (end === -1) break;
      i = end;
    } else if (c === '(') {
      const word = /([a-z_][\w$.]*)\s*$/.exec(s.slice(0, i))?.[1];
      const grouping = !word || KEYWORDS.has(word);
      open.push(grouping);
      if (grouping) out[i] = ' ';
    } else if (c === ')' && open.pop()) {
      out[i] = ' ';
    }
  }
  return out.join('');
}

/** Index of the quote closing the one at `open`; a doubled quote inside is an escaped one. -1 when it never closes. */
function closingQuote(s: string, open: number): number {
  for (let i = open + 1; i < s.length; i++) {
    if (s[i] !== s[open]) continue;
    if (s[i + 1] !== s[open]) return i;
    i++;
  }
  return -1;
}

/** What the comparison of index shapes reads of an adapter. */
export interface ShapeContext {
  facts: Pick<DialectFacts, 'normalizeExpression'>;
  capabilities: Pick<Capabilities, 'partialIndexes'>;
}

/**
 * Normalise a `where` predicate or index expression so the database's echo-back form compares equal to
 * what the schema wrote: lower-cased, the dialect's own spellings taken out (`facts.normalizeExpression`:
 * casts, identifier quotes), grouping parentheses removed, whitespace collapsed and dropped around
 * punctuation. Used only for comparison.
 */
export function normalizeSqlExpr(expr: string | null | undefined, facts?: Pick<DialectFacts, 'normalizeExpression'>): string | undefined {
  if (expr == null) return undefined;
  const lower = expr.toLowerCase();
  const s = dropGroupingParens(facts ? facts.normalizeExpression(lower) : lower)
    .replace(/\s+/g, ' ')
    .replace(/\s*([^\w\s'$])\s*/g, '$1')
    .trim();
  return s === '' ? undefined : s;
}

type SignatureInput = { unique: boolean; columns: readonly string[]; expression?: string; where?: string };

/**
 * The identity drift uses for "is this index there": uniqueness plus the column set (order-free) plus
 * the normalised expression, plus the normalised predicate where the dialect has partial indexes (a
 * partial unique index does not make the columns unique). Rendered as `u:email` / `i:a,b` /
 * `i:lower(email)` / `u:email where active=true`. `withWhere: false` leaves the predicate out.
 */
export function indexSignature(ix: SignatureInput, ctx?: ShapeContext, withWhere = true): string {
  const parts = [...ix.columns].sort();
  const expr = normalizeSqlExpr(ix.expression, ctx?.facts);
  if (expr) parts.push(expr);
  const base = `${ix.unique ? 'u' : 'i'}:${parts.join(',')}`;
  const where = withWhere && (ctx?.capabilities.partialIndexes ?? true) ? normalizeSqlExpr(ix.where, ctx?.facts) : undefined;
  return where ? `${base} where ${where}` : base;
}

/**
 * Whether the live indexes hold schema index `ix`: one of the same identity (`indexSignature`, predicate included: a
 * partial unique index does not make the columns unique), or, for a named index, the index of that name on the same
 * keys, whose other properties drift compares one by one.
 */
export function metByLiveIndex(ix: IndexIR, live: readonly SnapshotIndex[], ctx?: ShapeContext): boolean {
  const want = indexSignature(ix, ctx);
  if (live.some((l) => indexSignature(l, ctx) === want)) return true;
  const same = ix.named ? live.find((l) => l.name === ix.name) : undefined;
  return same !== undefined && indexSignature(same, ctx, false) === indexSignature(ix, ctx, false);
}

/** JSON with object keys sorted, so key order never counts as a difference. */
export function stableJson(value: unknown): string {
  if (value === undefined) return 'null';
  return JSON.stringify(value, (_k, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : v,
  );
}

export interface IndexPropertyDiff {
  property: string;
  schema: unknown;
  db: unknown;
}

/** Index methods that catalogs report under another name (pgvector's access methods for `vector`). */
const METHOD_ALIASES: Record<string, readonly string[]> = { vector: ['hnsw', 'ivfflat'] };

function sameMethod(schema: string, db: string): boolean {
  return schema === db || (METHOD_ALIASES[schema]?.includes(db) ?? false);
}

function project(obj: Record<string, unknown> | undefined, keys: string[]): Record<string, unknown> {
  return Object.fromEntries(keys.map((k) => [k, obj?.[k] ?? null]));
}

/**
 * The deep comparison of a user-named index with the database index of the same name. A property is
 * compared only where the database can hold it and the adapter reports it, so a dialect that cannot
 * express e.g. INCLUDE never reports permanent drift for it.
 */
export function compareIndexShape(s: IndexIR, d: SnapshotIndex, caps: Capabilities, facts?: Pick<DialectFacts, 'normalizeExpression' | 'documentIndexOptions'>): IndexPropertyDiff[] {
  const out: IndexPropertyDiff[] = [];
  const add = (property: string, schema: unknown, db: unknown) => out.push({ property, schema: schema ?? null, db: db ?? null });

  if (d.method !== undefined) {
    const sm = s.method ?? 'btree';
    if (!sameMethod(sm, d.method.toLowerCase())) add('method', sm, d.method.toLowerCase());
  }
  if (caps.partialIndexes && normalizeSqlExpr(s.where, facts) !== normalizeSqlExpr(d.where, facts)) add('where', s.where, d.where);
  if (caps.coveringIndexes) {
    const si = [...(s.include ?? [])].sort();
    const di = [...(d.include ?? [])].sort();
    if (si.join('\0') !== di.join('\0')) add('include', s.include, d.include);
  }
  if (caps.expressionIndexes && normalizeSqlExpr(s.expression, facts) !== normalizeSqlExpr(d.expression, facts)) {
    add('expression', s.expression, d.expression);
  }
  // Document-store options: SQL emitters ignore them, so comparing them elsewhere would be permanent noise.
  const options = new Set(facts?.documentIndexOptions ?? []);
  if (options.has('partialFilterExpression') && stableJson(s.partialFilterExpression) !== stableJson(d.partialFilterExpression)) {
    add('partialFilterExpression', s.partialFilterExpression, d.partialFilterExpression);
  }
  if (options.has('collation') && s.collation) {
    // The server echoes every collation default; only the keys the user declared are meaningful.
    const keys = Object.keys(s.collation);
    if (stableJson(project(s.collation, keys)) !== stableJson(project(d.collation, keys))) add('collation', s.collation, d.collation);
  }
  if (options.has('wildcardProjection') && stableJson(s.wildcardProjection) !== stableJson(d.wildcardProjection)) {
    add('wildcardProjection', s.wildcardProjection, d.wildcardProjection);
  }
  if (options.has('expireAfterSeconds') && (s.expireAfterSeconds ?? null) !== (d.expireAfterSeconds ?? null)) {
    add('expireAfterSeconds', s.expireAfterSeconds, d.expireAfterSeconds);
  }
  // A pure expression index has no keys to compare; the expression check above covers it.
  if (s.columns.length > 0 && d.directions !== undefined && stableJson(s.directions) !== stableJson(d.directions)) add('directions', s.directions, d.directions);
  return out;
}

/** How a property value reads in a drift detail: `∅` for absent, strings as written, JSON otherwise. */
export function showValue(v: unknown): string {
  if (v === null || v === undefined) return '∅';
  return typeof v === 'string' ? v : stableJson(v);
}
