import type { Expr, InsertNode, OrderItem, SqlBuilder } from '@forge/core';
import { SqlCompiler } from '@forge/core';

/** The column `createSearch` adds: a stored tsvector over the searchable fields. */
export const FTS_COLUMN = 'forge_fts';
/** FTS uses the 'simple' configuration so matching does not depend on the server's default language. */
export const FTS_CONFIG = 'simple';

export class PostgresCompiler extends SqlCompiler {
  readonly dialect = 'postgres';

  /**
   * `postgis`: geo points are `geography` columns (push creates them so where PostGIS is installed), and geo
   * filters use its functions and indexes. Without it they are JSON text, read by the base compiler's formulas.
   * `pgvector`: vectors are `vector(n)` columns and vector ordering uses its distance operators (and so its HNSW /
   * IVFFlat indexes); without it they are `double precision[]`, measured element by element.
   */
  constructor(
    readonly postgis = false,
    readonly pgvector = false,
  ) {
    super();
  }

  placeholder(index: number): string {
    return `$${index}`;
  }

  /**
   * In `ON CONFLICT DO UPDATE SET n = n + 1` Postgres finds a bare `n` ambiguous (the target row or EXCLUDED),
   * so bare column references in the SET list are qualified with the target table.
   */
  protected override insert(b: SqlBuilder, n: InsertNode): void {
    const action = n.onConflict?.action;
    if (!action || action === 'nothing') {
      super.insert(b, n);
      return;
    }
    const set = action.set.map(([c, e]): [string, Expr] => [c, qualify(e, n.table)]);
    super.insert(b, { ...n, onConflict: { ...n.onConflict!, action: { set } } });
  }

  /** Native ILIKE for `mode: 'insensitive'`, so an index on the column (pg_trgm) can still serve it. */
  protected override like(b: SqlBuilder, e: Extract<Expr, { t: 'like' }>): void {
    if (!e.insensitive) {
      super.like(b, e);
      return;
    }
    this.textOperand(b, e);
    b.push(e.negate ? ' NOT ILIKE ' : ' ILIKE ');
    this.expr(b, e.pattern);
    b.push(` ESCAPE '\\'`);
  }

  /** Postgres accepts OFFSET without LIMIT (and has no `LIMIT -1`). */
  protected override limitOffset(b: SqlBuilder, limit: number | undefined, offset: number | undefined): void {
    if (limit !== undefined) this.limit(b, limit);
    if (offset !== undefined && offset > 0) b.push(' OFFSET ').bind(offset);
  }

  /** `#>>` (text) or `#>` (jsonb) with the path bound as one text[] parameter: keys never enter the SQL text. */
  protected jsonPath(b: SqlBuilder, e: Extract<Expr, { t: 'jsonPath' }>): void {
    b.push('(');
    if (e.as === 'number') b.push('(');
    this.expr(b, e.expr);
    b.push(e.as === 'json' ? ' #> ' : ' #>> ').bind([...e.path]).push('::text[])');
    if (e.as === 'number') b.push('::numeric)');
  }

  /** The JSON text fallback of a geo point (no PostGIS): the column is TEXT, so it is read as jsonb first. */
  protected override geoCoord(b: SqlBuilder, point: Expr, axis: 'lng' | 'lat'): void {
    b.push('((');
    this.expr(b, point);
    b.push(')::jsonb ->> ').bind(axis).push('::text)::float8');
  }

  /** PostGIS: the spheroid distance in metres (ST_Distance on geography). */
  protected override geoDistance(b: SqlBuilder, e: Extract<Expr, { t: 'geoDistance' }>): void {
    if (!this.postgis) return super.geoDistance(b, e);
    b.push('ST_Distance(');
    this.expr(b, e.expr);
    b.push(', ');
    this.geography(b, e.lng, e.lat);
    b.push(')');
  }

  /** PostGIS: ST_DWithin, which a GiST index on the column serves. */
  protected override geoNear(b: SqlBuilder, e: Extract<Expr, { t: 'geoNear' }>): void {
    if (!this.postgis) return super.geoNear(b, e);
    b.push('ST_DWithin(');
    this.expr(b, e.expr);
    b.push(', ');
    this.geography(b, e.lng, e.lat);
    b.push(', ').bind(e.maxMeters).push('::float8)');
  }

  /** PostGIS: ST_Covers of the polygon (geodesic edges; the boundary counts as inside), bound as EWKT text. */
  protected override geoWithin(b: SqlBuilder, e: Extract<Expr, { t: 'geoWithin' }>): void {
    if (!this.postgis) return super.geoWithin(b, e);
    const ring = [...e.ring, e.ring[0]].map(([lng, lat]) => `${lng} ${lat}`).join(', ');
    b.push('ST_Covers(ST_GeogFromText(').bind(`SRID=4326;POLYGON((${ring}))`).push('::text), ');
    this.expr(b, e.expr);
    b.push(')');
  }

  private geography(b: SqlBuilder, lng: number, lat: number): void {
    b.push('ST_SetSRID(ST_MakePoint(').bind(lng).push('::float8, ').bind(lat).push('::float8), 4326)::geography');
  }

  /**
   * pgvector: `<=>` cosine distance, `<->` Euclidean, `<#>` negative inner product, the query vector bound as its
   * text form and cast `::vector`, the exact `ORDER BY col <op> $1` an HNSW / IVFFlat index serves.
   */
  protected override vectorDistance(b: SqlBuilder, e: Extract<Expr, { t: 'vectorDistance' }>): void {
    if (!this.pgvector) return super.vectorDistance(b, e);
    b.push('(');
    this.expr(b, e.expr);
    b.push(e.metric === 'cosine' ? ' <=> ' : e.metric === 'l2' ? ' <-> ' : ' <#> ').bind(`[${e.vector.join(',')}]`).push('::vector)');
  }

  /**
   * pgvector's cosine distance of a zero vector is NaN, which sorts above every number: descending, it would come
   * first. There NaN is read as NULL, so the row goes last like everywhere else (ascending, NaN already sorts after
   * every distance; left bare there so an index can serve the order).
   */
  protected override orderBy(b: SqlBuilder, items: OrderItem[]): void {
    if (!this.pgvector || !items.some(isNanFirst)) return super.orderBy(b, items);
    b.push(' ORDER BY ');
    items.forEach((o, i) => {
      if (i) b.push(', ');
      if (isNanFirst(o)) b.push('NULLIF(');
      this.expr(b, o.expr);
      if (isNanFirst(o)) b.push(", 'NaN'::float8)");
      b.push(o.dir === 'desc' ? ' DESC' : ' ASC');
      if (o.nulls) b.push(o.nulls === 'first' ? ' NULLS FIRST' : ' NULLS LAST');
    });
  }

  /**
   * Without pgvector vectors are `double precision[]`: `unnest` of the stored array and the bound query array
   * side by side gives the element pairs (a NULL array gives NULL elements, so the distance stays NULL).
   */
  protected override vectorPairs(b: SqlBuilder, stored: Expr, query: readonly number[]): void {
    b.push('unnest(');
    this.expr(b, stored);
    b.push(', ').bind([...query]).push('::float8[]) AS forge_v(a, q)');
  }

  protected override vectorElements(): { stored: string; query: string } {
    return { stored: 'forge_v.a', query: 'forge_v.q' };
  }

  /** Native arrays: `= ANY`, overlap `&&`, containment `@>`; array values bound with an explicit cast. */
  protected arrayHas(b: SqlBuilder, e: Extract<Expr, { t: 'arrayHas' }>): void {
    const cast = e.elementKind === 'int' ? '::int[]' : '::text[]';
    if (e.mode === 'has') {
      b.bind(e.values[0]).push(' = ANY(');
      this.expr(b, e.expr);
      b.push(')');
      return;
    }
    this.expr(b, e.expr);
    b.push(e.mode === 'hasSome' ? ' && ' : ' @> ').bind([...e.values]).push(cast);
  }

  /**
   * `plainto_tsquery`: the input is words, every one must match, and nothing in it is an operator, the rule
   * SQLite's quoted FTS5 terms follow too (`websearch_to_tsquery` would read `OR` and `-` as operators here only).
   */
  protected search(b: SqlBuilder, e: Extract<Expr, { t: 'search' }>): void {
    b.push(`${this.quoteIdent(e.alias)}.${this.quoteIdent(FTS_COLUMN)} @@ plainto_tsquery('${FTS_CONFIG}', `).bind(e.query).push(')');
  }
}

/** A descending order by cosine distance, where pgvector's NaN (a zero vector) would sort first. */
const isNanFirst = (o: OrderItem): boolean => o.dir === 'desc' && o.expr.t === 'vectorDistance' && o.expr.metric === 'cosine';

function qualify(e: Expr, table: string): Expr {
  if (e.t === 'col') return e.table ? e : { ...e, table };
  if (e.t === 'arith') return { ...e, left: qualify(e.left, table), right: qualify(e.right, table) };
  return e;
}
