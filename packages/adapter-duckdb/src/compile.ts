import { SqlCompiler, type Expr, type OrderItem, type SqlBuilder } from '@forge/core';

/** The current time: the transaction's start, as a TIMESTAMPTZ (forge stores dateTime as TIMESTAMPTZ). */
export const DUCKDB_NOW = 'current_timestamp';

/**
 * A JSON path for json_extract, built from keys as a JSON Pointer (RFC 6901: `/a/b`, `~` written `~0` and `/`
 * written `~1`). DuckDB reads a pointer's keys literally, where its `$."key"` form stops at a backslash or a
 * quote and does not decode `\n`-style escapes, so a key holding a line break or a quote found nothing. A numeric
 * key indexes an array and names the key of an object, as the pointer rules say. Bound as one parameter, never
 * SQL text.
 */
export function jsonPathOf(keys: readonly string[]): string {
  if (keys.length === 0) return '$';
  return keys.map((key) => `/${key.replace(/~/g, '~0').replace(/\//g, '~1')}`).join('');
}

/**
 * SQL for DuckDB: `?` placeholders, double-quoted identifiers, `ON CONFLICT ... DO UPDATE` upserts and RETURNING
 * (as Postgres), ILIKE for `mode: 'insensitive'` (it lower-cases letter by letter, Unicode included, and
 * nothing more: `ß` is not `ss`), the json extension's json_extract for JSON paths, and LIST functions for
 * array filters.
 */
/** The text of a GEOMETRY point, `POINT (lng lat)`: group 1 is lng, group 2 lat. */
const POINT_TEXT = '^POINT \\(([^ ]+) ([^ )]+)\\)$';

export class DuckdbCompiler extends SqlCompiler {
  readonly dialect = 'duckdb';

  placeholder(): string {
    return '?';
  }

  protected override expr(b: SqlBuilder, e: Expr): void {
    if (e.t === 'now') {
      b.push(DUCKDB_NOW);
      return;
    }
    super.expr(b, e);
  }

  /** DuckDB takes OFFSET without LIMIT (the base's `LIMIT -1` is an error here). */
  protected override limitOffset(b: SqlBuilder, limit: number | undefined, offset: number | undefined): void {
    if (limit !== undefined) this.limit(b, limit);
    if (offset !== undefined && offset > 0) b.push(' OFFSET ').bind(offset);
  }

  /** LIKE is case-sensitive in DuckDB; ILIKE folds case per character. Both escape with `\` explicitly (DuckDB has no default escape). */
  protected override like(b: SqlBuilder, e: Extract<Expr, { t: 'like' }>): void {
    this.expr(b, e.expr);
    b.push(e.insensitive ? (e.negate ? ' NOT ILIKE ' : ' ILIKE ') : e.negate ? ' NOT LIKE ' : ' LIKE ');
    this.expr(b, e.pattern);
    b.push(` ESCAPE '\\'`);
  }

  /**
   * json_extract with the path bound as text. 'text' reads the value as text (json_extract_string: a JSON string
   * unquoted, null as NULL); 'number' casts that text to DOUBLE (TRY_CAST: a non-number compares as NULL, so a
   * number stored as a JSON string still compares numerically); 'json' is the JSON value itself.
   */
  protected jsonPath(b: SqlBuilder, e: Extract<Expr, { t: 'jsonPath' }>): void {
    const [open, close] =
      e.as === 'number' ? ['TRY_CAST(json_extract_string(', ') AS DOUBLE)'] : e.as === 'text' ? ['json_extract_string(', ')'] : ['json_extract(', ')'];
    b.push(open);
    this.expr(b, e.expr);
    b.push(', ').bind(jsonPathOf(e.path)).push(close);
  }

  /** Arrays are LISTs: list_contains for one value, list_has_any / list_has_all against a list of bound values. */
  protected arrayHas(b: SqlBuilder, e: Extract<Expr, { t: 'arrayHas' }>): void {
    const values = [...new Set(e.values)];
    if (values.length === 0) {
      // Every element of nothing is trivially present; some element of nothing never is.
      b.push(e.mode === 'hasEvery' ? '1 = 1' : '1 = 0');
      return;
    }
    if (e.mode === 'has' || values.length === 1) {
      b.push('list_contains(');
      this.expr(b, e.expr);
      b.push(', ').bind(values[0]).push(')');
      return;
    }
    b.push(e.mode === 'hasEvery' ? 'list_has_all(' : 'list_has_any(');
    this.expr(b, e.expr);
    b.push(', [');
    values.forEach((v, i) => {
      if (i) b.push(', ');
      b.bind(v);
    });
    b.push('])');
  }

  /** Never reached through the client (capabilities.fullTextSearch is false); here for a direct compile. */
  /**
   * A coordinate of a GEOMETRY point without the spatial extension (ST_X / ST_Y live there): the point's text is
   * `POINT (lng lat)`, so the number is read from it. The pattern is bound, like every value.
   */
  protected override geoCoord(b: SqlBuilder, point: Expr, axis: 'lng' | 'lat'): void {
    b.push('CAST(regexp_extract(CAST(');
    this.expr(b, point);
    b.push(' AS VARCHAR), ').bind(POINT_TEXT).push(`, ${axis === 'lng' ? 1 : 2}) AS DOUBLE)`);
  }

  /**
   * Vectors are FLOAT[n] arrays: array_cosine_distance, array_distance (l2) and array_negative_inner_product, the
   * query vector bound as a list and cast to the column's FLOAT[n] (n is the checked length, a type parameter).
   * These are the calls an HNSW index (vss) serves.
   */
  protected override vectorDistance(b: SqlBuilder, e: Extract<Expr, { t: 'vectorDistance' }>): void {
    const fn = e.metric === 'cosine' ? 'array_cosine_distance' : e.metric === 'l2' ? 'array_distance' : 'array_negative_inner_product';
    b.push(`${fn}(`);
    this.expr(b, e.expr);
    b.push(', ').bind([...e.vector]).push(`::FLOAT[${e.vector.length}])`);
  }

  /**
   * DuckDB gives a stored zero vector a cosine distance of 2, the largest there is: ascending it sorts after every
   * vector with a direction (the order an index serves, left as it is), but descending it would come first. There
   * a zero vector's distance is NULL, so it goes last with the rows that have no vector.
   */
  protected override orderBy(b: SqlBuilder, items: OrderItem[]): void {
    if (!items.some(isZeroFirst)) return super.orderBy(b, items);
    b.push(' ORDER BY ');
    items.forEach((o, i) => {
      if (i) b.push(', ');
      if (isZeroFirst(o)) {
        const v = o.expr as Extract<Expr, { t: 'vectorDistance' }>;
        b.push('CASE WHEN array_inner_product(');
        this.expr(b, v.expr);
        b.push(', ');
        this.expr(b, v.expr);
        b.push(') = 0 THEN NULL ELSE ');
        this.expr(b, v);
        b.push(' END');
      } else {
        this.expr(b, o.expr);
      }
      b.push(o.dir === 'desc' ? ' DESC' : ' ASC');
      if (o.nulls) b.push(o.nulls === 'first' ? ' NULLS FIRST' : ' NULLS LAST');
    });
  }

  protected search(_b: SqlBuilder, e: Extract<Expr, { t: 'search' }>): void {
    throw new Error(`search on ${e.table}: forge offers no full-text search on DuckDB (capabilities.fullTextSearch is false); filter with contains instead`);
  }
}

/** A descending order by cosine distance, where DuckDB's 2 for a zero vector would sort first. */
const isZeroFirst = (o: OrderItem): boolean => o.dir === 'desc' && o.expr.t === 'vectorDistance' && o.expr.metric === 'cosine';
