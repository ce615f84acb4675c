import type { Expr, InsertNode, SqlBuilder } from '@forge/core';
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
   */
  constructor(readonly postgis = false) {
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
    this.expr(b, e.expr);
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

function qualify(e: Expr, table: string): Expr {
  if (e.t === 'col') return e.table ? e : { ...e, table };
  if (e.t === 'arith') return { ...e, left: qualify(e.left, table), right: qualify(e.right, table) };
  return e;
}
