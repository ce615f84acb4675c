import type { CompiledQuery, DeleteNode, Expr, InsertNode, OrderItem, QueryNode, SelectNode, UpdateNode } from './ast.js';

/** Accumulates SQL text and bound parameters while a node is compiled. */
export class SqlBuilder {
  sql = '';
  readonly params: unknown[] = [];
  constructor(private readonly placeholder: (index: number) => string) {}
  push(text: string): this {
    this.sql += text;
    return this;
  }
  bind(value: unknown): this {
    this.params.push(value);
    this.sql += this.placeholder(this.params.length);
    return this;
  }
}

/**
 * The generic SQL compiler. Dialects subclass it and override the small hooks (quoting, placeholders, LIKE
 * case-insensitivity, JSON paths, arrays, search). Everything else is shared.
 */
export abstract class SqlCompiler {
  abstract readonly dialect: string;
  abstract placeholder(index: number): string;
  /**
   * Render LIMIT as a literal integer instead of a bound parameter, for a dialect that cannot specialise a
   * plan whose LIMIT is bound (measured on the embedded one: +5 µs on every primary-key lookup); the value is
   * always a validated safe integer, never user text.
   */
  readonly inlineLimit: boolean = false;

  private readonly quoted = new Map<string, string>();

  /** `"name"` with embedded quotes doubled. Memoised: identifiers come from the schema, so the set is small. */
  quoteIdent(name: string): string {
    let q = this.quoted.get(name);
    if (q === undefined) {
      q = `"${name.replace(/"/g, '""')}"`;
      if (this.quoted.size < 10_000) this.quoted.set(name, q);
    }
    return q;
  }

  compile(node: QueryNode): CompiledQuery {
    const b = new SqlBuilder((i) => this.placeholder(i));
    switch (node.t) {
      case 'select':
        this.select(b, node);
        break;
      case 'insert':
        this.insert(b, node);
        break;
      case 'update':
        this.update(b, node);
        break;
      case 'delete':
        this.delete(b, node);
        break;
    }
    return { sql: b.sql, params: b.params };
  }

  /** Compile one expression on its own (used for raw fragments and tests). */
  compileExpr(e: Expr): CompiledQuery {
    const b = new SqlBuilder((i) => this.placeholder(i));
    this.expr(b, e);
    return { sql: b.sql, params: b.params };
  }

  protected select(b: SqlBuilder, n: SelectNode): void {
    b.push(n.distinct ? 'SELECT DISTINCT ' : 'SELECT ');
    this.selectPrefix(b, n);
    n.columns.forEach((c, i) => {
      if (i) b.push(', ');
      this.expr(b, c.expr);
      if (!(c.expr.t === 'col' && c.expr.name === c.alias)) b.push(' AS ').push(this.quoteIdent(c.alias));
    });
    b.push(' FROM ').push(this.quoteIdent(n.from.table));
    if (n.from.alias !== n.from.table) b.push(' AS ').push(this.quoteIdent(n.from.alias));
    if (n.where) {
      b.push(' WHERE ');
      this.expr(b, n.where);
    }
    if (n.groupBy?.length) {
      b.push(' GROUP BY ');
      n.groupBy.forEach((g, i) => {
        if (i) b.push(', ');
        this.expr(b, g);
      });
    }
    if (n.having) {
      b.push(' HAVING ');
      this.expr(b, n.having);
    }
    if (n.orderBy?.length) this.orderBy(b, n.orderBy);
    this.limitOffset(b, n.limit, n.offset, !!n.orderBy?.length);
  }

  /** Written after `SELECT ` / `SELECT DISTINCT `, before the columns: a dialect's row limit there (T-SQL's `TOP (n)`). */
  protected selectPrefix(_b: SqlBuilder, _n: SelectNode): void {}

  protected orderBy(b: SqlBuilder, items: OrderItem[]): void {
    b.push(' ORDER BY ');
    items.forEach((o, i) => {
      if (i) b.push(', ');
      this.expr(b, o.expr);
      b.push(o.dir === 'desc' ? ' DESC' : ' ASC');
      if (o.nulls) b.push(o.nulls === 'first' ? ' NULLS FIRST' : ' NULLS LAST');
    });
  }

  protected limit(b: SqlBuilder, limit: number): void {
    if (!this.inlineLimit) {
      b.push(' LIMIT ').bind(limit);
      return;
    }
    if (!Number.isSafeInteger(limit) || limit < 0) throw new RangeError(`LIMIT must be a non-negative integer, got ${String(limit)}`);
    b.push(` LIMIT ${limit}`);
  }

  protected limitOffset(b: SqlBuilder, limit: number | undefined, offset: number | undefined, _ordered: boolean): void {
    if (limit !== undefined) this.limit(b, limit);
    if (offset !== undefined && offset > 0) {
      if (limit === undefined) b.push(' LIMIT -1');
      b.push(' OFFSET ').bind(offset);
    }
  }

  protected returning(b: SqlBuilder, cols: string[] | undefined): void {
    if (!cols?.length) return;
    b.push(' RETURNING ');
    b.push(cols.map((c) => this.quoteIdent(c)).join(', '));
  }

  protected insert(b: SqlBuilder, n: InsertNode): void {
    b.push('INSERT INTO ').push(this.quoteIdent(n.table));
    if (n.columns.length === 0) {
      b.push(' DEFAULT VALUES');
    } else {
      b.push(' (').push(n.columns.map((c) => this.quoteIdent(c)).join(', ')).push(') VALUES ');
      n.rows.forEach((row, r) => {
        if (r) b.push(', ');
        b.push('(');
        row.forEach((v, i) => {
          if (i) b.push(', ');
          this.expr(b, v);
        });
        b.push(')');
      });
    }
    if (n.onConflict) this.onConflict(b, n.onConflict);
    this.returning(b, n.returning);
  }

  protected onConflict(b: SqlBuilder, oc: NonNullable<InsertNode['onConflict']>): void {
    b.push(' ON CONFLICT');
    if (oc.target.length) b.push(' (').push(oc.target.map((c) => this.quoteIdent(c)).join(', ')).push(')');
    if (oc.action === 'nothing' || oc.action.set.length === 0) {
      b.push(' DO NOTHING');
      return;
    }
    b.push(' DO UPDATE SET ');
    oc.action.set.forEach(([c, v], i) => {
      if (i) b.push(', ');
      b.push(this.quoteIdent(c)).push(' = ');
      this.expr(b, v);
    });
  }

  protected update(b: SqlBuilder, n: UpdateNode): void {
    b.push('UPDATE ').push(this.quoteIdent(n.table));
    if (n.alias !== n.table) b.push(' AS ').push(this.quoteIdent(n.alias));
    b.push(' SET ');
    n.set.forEach(([c, v], i) => {
      if (i) b.push(', ');
      b.push(this.quoteIdent(c)).push(' = ');
      this.expr(b, v);
    });
    if (n.where) {
      b.push(' WHERE ');
      this.expr(b, n.where);
    }
    this.returning(b, n.returning);
  }

  protected delete(b: SqlBuilder, n: DeleteNode): void {
    b.push('DELETE FROM ').push(this.quoteIdent(n.table));
    if (n.alias !== n.table) b.push(' AS ').push(this.quoteIdent(n.alias));
    if (n.where) {
      b.push(' WHERE ');
      this.expr(b, n.where);
    }
    this.returning(b, n.returning);
  }

  protected expr(b: SqlBuilder, e: Expr): void {
    switch (e.t) {
      case 'col':
        if (e.table) b.push(this.quoteIdent(e.table)).push('.');
        b.push(this.quoteIdent(e.name));
        return;
      case 'param':
        b.bind(e.value);
        return;
      case 'lit':
        b.push(e.sql);
        return;
      case 'now':
        b.push('CURRENT_TIMESTAMP');
        return;
      case 'cmp':
        this.expr(b, e.left);
        b.push(` ${e.op} `);
        this.expr(b, e.right);
        return;
      case 'isNull':
        this.expr(b, e.expr);
        b.push(e.negate ? ' IS NOT NULL' : ' IS NULL');
        return;
      case 'in':
        if (e.values.length === 0) {
          b.push(e.negate ? '1 = 1' : '1 = 0');
          return;
        }
        this.expr(b, e.expr);
        b.push(e.negate ? ' NOT IN (' : ' IN (');
        e.values.forEach((v, i) => {
          if (i) b.push(', ');
          this.expr(b, v);
        });
        b.push(')');
        return;
      case 'like':
        this.like(b, e);
        return;
      case 'textMatch':
        this.textMatch(b, e);
        return;
      case 'and':
      case 'or': {
        if (e.items.length === 0) {
          b.push(e.t === 'and' ? '1 = 1' : '1 = 0');
          return;
        }
        b.push('(');
        e.items.forEach((item, i) => {
          if (i) b.push(e.t === 'and' ? ' AND ' : ' OR ');
          this.expr(b, item);
        });
        b.push(')');
        return;
      }
      case 'not':
        b.push('NOT (');
        this.expr(b, e.expr);
        b.push(')');
        return;
      case 'exists':
        b.push(e.negate ? 'NOT EXISTS (' : 'EXISTS (');
        this.select(b, e.query);
        b.push(')');
        return;
      case 'subquery':
        b.push('(');
        this.select(b, e.query);
        b.push(')');
        return;
      case 'agg':
        b.push(e.fn.toUpperCase()).push('(');
        if (e.distinct) b.push('DISTINCT ');
        if (e.expr) this.expr(b, e.expr);
        else b.push('*');
        b.push(')');
        return;
      case 'arith':
        b.push('(');
        this.expr(b, e.left);
        b.push(` ${e.op} `);
        this.expr(b, e.right);
        b.push(')');
        return;
      case 'jsonPath':
        this.jsonPath(b, e);
        return;
      case 'arrayHas':
        this.arrayHas(b, e);
        return;
      case 'search':
        this.search(b, e);
        return;
      case 'geoDistance':
        this.geoDistance(b, e);
        return;
      case 'geoNear':
        this.geoNear(b, e);
        return;
      case 'geoWithin':
        this.geoWithin(b, e);
        return;
      case 'vectorDistance':
        this.vectorDistance(b, e);
        return;
      case 'raw':
        e.strings.forEach((s, i) => {
          b.push(s);
          if (i < e.values.length) {
            const v = e.values[i];
            if (isRawFragment(v)) this.expr(b, v.node);
            else b.bind(v);
          }
        });
        return;
    }
  }

  /** Case-insensitive LIKE: `lower(x) LIKE lower(?)` unless the dialect has ILIKE. Escapes with backslash. */
  protected like(b: SqlBuilder, e: Extract<Expr, { t: 'like' }>): void {
    if (e.insensitive) {
      b.push('lower(');
      this.textOperand(b, e);
      b.push(e.negate ? ') NOT LIKE lower(' : ') LIKE lower(');
      this.expr(b, e.pattern);
      b.push(`) ESCAPE '\\'`);
    } else {
      this.textOperand(b, e);
      b.push(e.negate ? ' NOT LIKE ' : ' LIKE ');
      this.expr(b, e.pattern);
      b.push(` ESCAPE '\\'`);
    }
  }

  /** The operand of a LIKE, cast to text where it is not text (`asText`: a Postgres enum type). */
  protected textOperand(b: SqlBuilder, e: { expr: Expr; asText?: boolean }): void {
    if (!e.asText) {
      this.expr(b, e.expr);
      return;
    }
    b.push('CAST(');
    this.expr(b, e.expr);
    b.push(' AS TEXT)');
  }

  /** Text matching through LIKE with the value escaped; dialects whose LIKE ignores case override this. */
  protected textMatch(b: SqlBuilder, e: Extract<Expr, { t: 'textMatch' }>): void {
    const v = escapeLike(e.value);
    const pattern = e.mode === 'contains' ? `%${v}%` : e.mode === 'startsWith' ? `${v}%` : e.mode === 'endsWith' ? `%${v}` : v;
    const like: Extract<Expr, { t: 'like' }> = { t: 'like', expr: e.expr, pattern: { t: 'param', value: pattern }, insensitive: e.insensitive, negate: e.negate };
    if (e.asText) like.asText = true;
    this.like(b, like);
  }

  /**
   * One coordinate of a stored geo point, as a double. The default reads the JSON text fallback (`{ lng, lat }`)
   * through the dialect's JSON path; a dialect with a geometry type overrides it (or the three geo hooks).
   */
  protected geoCoord(b: SqlBuilder, point: Expr, axis: 'lng' | 'lat'): void {
    this.jsonPath(b, { t: 'jsonPath', expr: point, path: [axis], as: 'number' });
  }

  /**
   * Great-circle distance in metres by the haversine formula on a sphere of the mean Earth radius (6,371,008.8
   * m), from the point's coordinates. The target's radians and cosine are computed here and bound; the column's
   * are computed in SQL. Against the WGS84 spheroid the error is under 0.5%.
   */
  protected geoDistance(b: SqlBuilder, e: Extract<Expr, { t: 'geoDistance' }>): void {
    const rad = Math.PI / 180;
    /** The column's coordinate in radians. */
    const radians = (axis: 'lng' | 'lat') => () => {
      b.push('(');
      this.geoCoord(b, e.expr, axis);
      b.push(` * ${rad})`);
    };
    const lat = radians('lat');
    const lng = radians('lng');
    // sin((φ2 - φ1) / 2)², written as a product so no POWER() is needed.
    const halfSinSq = (target: number, col: () => void) => {
      for (let i = 0; i < 2; i++) {
        if (i) b.push(' * ');
        b.push('SIN((').bind(target).push(' - ');
        col();
        b.push(') / 2)');
      }
    };
    const root = () => {
      b.push('SQRT(');
      halfSinSq(e.lat * rad, lat);
      b.push(' + ').bind(Math.cos(e.lat * rad)).push(' * COS(');
      lat();
      b.push(') * ');
      halfSinSq(e.lng * rad, lng);
      b.push(')');
    };
    // ASIN's argument clamped to 1 against rounding, as (x + 1 - |x - 1|) / 2: plain arithmetic, so a NULL point
    // stays NULL (LEAST ignores NULLs on Postgres and DuckDB) and no dialect needs LEAST or a two-argument MIN.
    b.push(`(${2 * EARTH_RADIUS_M} * ASIN((`);
    root();
    b.push(' + 1 - ABS(');
    root();
    b.push(' - 1)) / 2))');
  }

  protected geoNear(b: SqlBuilder, e: Extract<Expr, { t: 'geoNear' }>): void {
    this.geoDistance(b, { t: 'geoDistance', expr: e.expr, lng: e.lng, lat: e.lat });
    b.push(' <= ').bind(e.maxMeters);
  }

  /**
   * Point in polygon by ray casting on the coordinates (planar in lng/lat): the number of ring edges a ray from
   * the point crosses is odd. Each edge's bounds and slope are computed here and bound; horizontal edges never
   * cross. A point exactly on an edge may fall either side.
   */
  protected geoWithin(b: SqlBuilder, e: Extract<Expr, { t: 'geoWithin' }>): void {
    const x = () => this.geoCoord(b, e.expr, 'lng');
    const y = () => this.geoCoord(b, e.expr, 'lat');
    b.push('((0');
    for (let i = 0; i < e.ring.length; i++) {
      const [xi, yi] = e.ring[i];
      const [xj, yj] = e.ring[(i + 1) % e.ring.length];
      if (yi === yj) continue;
      const k = (xj - xi) / (yj - yi);
      // (yi > y) <> (yj > y), and x < xi + (y - yi) * k
      b.push(' + CASE WHEN ');
      y();
      b.push(' >= ').bind(Math.min(yi, yj)).push(' AND ');
      y();
      b.push(' < ').bind(Math.max(yi, yj)).push(' AND ');
      x();
      b.push(' < ').bind(xi).push(' + (');
      y();
      b.push(' - ').bind(yi).push(') * ').bind(k).push(' THEN 1 ELSE 0 END');
    }
    b.push(') % 2 = 1)');
  }

  /**
   * Vector distance where vectors are stored as arrays without a vector type (JSON text, float8[]): one scalar
   * subquery over the pairs of elements (stored, query) that `vectorPairs` lists, index by index, so NULL stays
   * NULL (no pairs, SUM of nothing). The query vector is bound whole by `vectorPairs`; for cosine its norm is
   * computed here and bound, and a stored zero vector (no direction) gives NULL, ordered with the NULLs.
   * A dialect with native vector functions overrides this.
   */
  protected vectorDistance(b: SqlBuilder, e: Extract<Expr, { t: 'vectorDistance' }>): void {
    const { stored: a, query: q } = this.vectorElements();
    switch (e.metric) {
      case 'ip':
        b.push(`(SELECT -SUM(${a} * ${q})`);
        break;
      case 'l2':
        b.push(`(SELECT SQRT(SUM((${a} - ${q}) * (${a} - ${q})))`);
        break;
      case 'cosine':
        b.push(`(SELECT 1 - SUM(${a} * ${q}) / NULLIF(SQRT(SUM(${a} * ${a})) * `)
          .bind(vectorNorm(e.vector))
          .push(', 0)');
        break;
    }
    b.push(' FROM ');
    this.vectorPairs(b, e.expr, e.vector);
    b.push(')');
  }

  /**
   * The FROM clause of `vectorDistance`'s subquery: one row per index of the stored vector `stored` joined with
   * the same index of `query` (bound as one parameter), readable through `vectorElements()`. The default refuses:
   * a dialect that stores vectors opts in by overriding both (or `vectorDistance` itself).
   */
  protected vectorPairs(_b: SqlBuilder, _stored: Expr, _query: readonly number[]): void {
    throw new Error(`${this.dialect}: this compiler has no vector distance (orderBy nearTo on f.vector()); capabilities.vectorQueries should be false here`);
  }

  /** SQL for one element of the stored vector and of the query vector, as doubles, inside `vectorPairs`' FROM. */
  protected vectorElements(): { stored: string; query: string } {
    return { stored: 'forge_va.value', query: 'forge_vq.value' };
  }

  protected abstract jsonPath(b: SqlBuilder, e: Extract<Expr, { t: 'jsonPath' }>): void;
  protected abstract arrayHas(b: SqlBuilder, e: Extract<Expr, { t: 'arrayHas' }>): void;
  protected abstract search(b: SqlBuilder, e: Extract<Expr, { t: 'search' }>): void;
}

/**
 * The brand of a raw`...` fragment. A symbol, so no data can carry it: JSON.parse, structured clone and
 * spread-from-JSON produce only string keys. `Symbol.for` (not a module-private symbol) because an app can
 * hold two copies of core (its ESM import and an adapter's CJS one) and a fragment made by one is compiled by
 * the other. Anything interpolated that lacks the brand is a bound value, whatever its shape.
 */
const RAW_BRAND: unique symbol = Symbol.for('forge.rawFragment') as never;

/** A raw`...` fragment: text pieces and values, composable inside other raw fragments. */
export interface RawFragment {
  readonly [RAW_BRAND]: true;
  readonly node: Extract<Expr, { t: 'raw' }>;
}

/** Make a fragment from a template's own text pieces; only `raw` and the `$queryRaw` family call this. */
export function rawFragment(strings: readonly string[], values: readonly unknown[]): RawFragment {
  const node = Object.freeze({ t: 'raw' as const, strings: Object.freeze([...strings]) as string[], values: Object.freeze([...values]) as unknown[] });
  const frag = { node } as unknown as RawFragment;
  Object.defineProperty(frag, RAW_BRAND, { value: true, enumerable: false });
  return Object.freeze(frag);
}

export function isRawFragment(v: unknown): v is RawFragment {
  return !!v && typeof v === 'object' && (v as Record<symbol, unknown>)[RAW_BRAND] === true && Object.prototype.hasOwnProperty.call(v, RAW_BRAND);
}

/** The Euclidean norm of a vector (the cosine fallback binds the query vector's). */
export function vectorNorm(v: readonly number[]): number {
  let sum = 0;
  for (const x of v) sum += x * x;
  return Math.sqrt(sum);
}

/** The mean Earth radius (IUGG), metres: the sphere the haversine fallback measures on. */
export const EARTH_RADIUS_M = 6_371_008.8;

/** Escape `%`, `_` and `\` so a user's string matches literally inside LIKE. */
export function escapeLike(s: string): string {
  return s.replace(/[\\%_]/g, (c) => `\\${c}`);
}
