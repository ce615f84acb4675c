import { SqlCompiler, type DeleteNode, type Expr, type InsertNode, type OrderItem, type SelectNode, type SqlBuilder, type UpdateNode } from '@forge/core';

/**
 * The collation every text comparison forge writes runs under: code point by code point, so matching is
 * case- and accent-sensitive whatever the column's (or the database's) collation is, and `mode: 'insensitive'`
 * compares the LOWER() of both sides under it (LOWER maps case by the column's own collation).
 */
export const BINARY_COLLATION = 'Latin1_General_100_BIN2';

/** SQL Server takes at most 2100 parameters in one request (sp_executesql), and 1000 rows in one VALUES list. */
export const MAX_PARAMS = 2100;
export const MAX_VALUES_ROWS = 1000;

/** Unique-key violations: a UNIQUE / PRIMARY KEY constraint (2627) and a unique index (2601). */
const DUPLICATE_KEY_ERRORS = '2601, 2627';

/** `%`, `_`, `[` and the escape character `\` escaped, so a user's string matches literally inside LIKE. */
export function escapeLikeMssql(s: string): string {
  return s.replace(/[\\%_[]/g, (c) => `\\${c}`);
}

/**
 * A LIKE pattern in core's convention (`\` escapes the next character) made safe for SQL Server, whose LIKE
 * also reads `[...]` as a character class: a bare `[` is escaped, everything else stays as written.
 */
export function likePatternToMssql(pattern: string): string {
  let out = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === '\\' && i + 1 < pattern.length) out += c + pattern[++i];
    else if (c === '[') out += '\\[';
    else out += c;
  }
  return out;
}

/**
 * A JSON path for JSON_VALUE / JSON_QUERY / OPENJSON, from keys: object keys double-quoted (`$."a"."b"`, with
 * the JSON string escapes), so dots, spaces or `$` in a key stay part of it; an all-digit key is an array index.
 * Bound as one parameter (SQL Server 2017+ takes a path in a variable), never SQL text.
 */
export function jsonPathOf(keys: readonly string[]): string {
  let path = '$';
  for (const key of keys) path += /^\d+$/.test(key) ? `[${Number(key)}]` : `.${JSON.stringify(key)}`;
  return path;
}

const VALID_INT = (n: unknown): n is number => typeof n === 'number' && Number.isSafeInteger(n) && n >= 0;

function checkedInt(what: string, n: unknown): number {
  if (!VALID_INT(n)) throw new RangeError(`${what} must be a non-negative integer, got ${String(n)}`);
  return n;
}

/** The name the source row of an upsert's MERGE takes (what ON CONFLICT calls `excluded`). */
const SOURCE = 'excluded';

/**
 * T-SQL for SQL Server 2017+ (2022 is the reference): `@p1` parameters, `[bracketed]` identifiers with `]`
 * doubled, `TOP (n)` and `OFFSET ... ROWS FETCH NEXT ... ROWS ONLY` (with an ORDER BY always present),
 * `OUTPUT INSERTED.*` / `DELETED.*` for the written rows, upserts as `MERGE ... WITH (UPDLOCK, HOLDLOCK)`,
 * JSON through JSON_VALUE / JSON_QUERY / OPENJSON with bound paths.
 */
export class MssqlCompiler extends SqlCompiler {
  readonly dialect = 'mssql';
  /**
   * The server has the VECTOR type (SQL Server 2025, Azure SQL), so f.vector() columns are VECTOR(n) and vector
   * ordering is VECTOR_DISTANCE. Without it they are JSON text in NVARCHAR(MAX), measured through OPENJSON.
   */
  readonly vectorType: boolean;

  constructor(opts: { vectorType?: boolean } = {}) {
    super();
    this.vectorType = opts.vectorType ?? false;
  }
  /**
   * TOP, OFFSET and FETCH are validated integer literals: bound, they would come before the WHERE values in
   * TOP's case, and the client caches bind in AST order (see client/param-order.ts).
   */
  override readonly inlineLimit = true;
  private readonly bracketed = new Map<string, string>();

  placeholder(index: number): string {
    return `@p${index}`;
  }

  /** `[name]` with `]` doubled. Memoised like the base: identifiers come from the schema. */
  override quoteIdent(name: string): string {
    let q = this.bracketed.get(name);
    if (q === undefined) {
      q = `[${name.replace(/]/g, ']]')}]`;
      if (this.bracketed.size < 10_000) this.bracketed.set(name, q);
    }
    return q;
  }

  override compile(node: Parameters<SqlCompiler['compile']>[0]): ReturnType<SqlCompiler['compile']> {
    const out = super.compile(node);
    if (out.params.length > MAX_PARAMS) {
      throw new RangeError(
        `This ${node.t} binds ${out.params.length} values, and SQL Server takes at most ${MAX_PARAMS} parameters in one statement: split it (fewer rows per createMany call, a shorter 'in' list).`,
      );
    }
    return out;
  }

  /**
   * The row limit: `TOP (n)` when there is no offset (or nothing to fetch: OFFSET/FETCH cannot fetch 0 rows, TOP
   * (0) can, and then the offset does not matter); otherwise `OFFSET ... ROWS FETCH NEXT ... ROWS ONLY` after an
   * ORDER BY, which T-SQL requires there (`ORDER BY (SELECT NULL)` when the query has none).
   */
  private static page(limit: number | undefined, offset: number | undefined): { top?: number; offset: number; fetch?: number } {
    const skip = offset === undefined ? 0 : checkedInt('OFFSET', offset);
    const take = limit === undefined ? undefined : checkedInt('LIMIT', limit);
    if (take !== undefined && (skip === 0 || take === 0)) return { top: take, offset: 0 };
    return { offset: skip, fetch: take };
  }

  protected override selectPrefix(b: SqlBuilder, n: SelectNode): void {
    const { top } = MssqlCompiler.page(n.limit, n.offset);
    if (top !== undefined) b.push(`TOP (${top}) `);
  }

  protected override limitOffset(b: SqlBuilder, limit: number | undefined, offset: number | undefined, ordered: boolean): void {
    const page = MssqlCompiler.page(limit, offset);
    if (page.top !== undefined || page.offset === 0) return;
    if (!ordered) b.push(' ORDER BY (SELECT NULL)');
    b.push(` OFFSET ${page.offset} ROWS`);
    if (page.fetch !== undefined) b.push(` FETCH NEXT ${page.fetch} ROWS ONLY`);
  }

  /** T-SQL has no `NULLS FIRST / LAST` (NULL sorts lowest): a `CASE WHEN x IS NULL` key in front orders them. */
  protected override orderBy(b: SqlBuilder, items: OrderItem[]): void {
    b.push(' ORDER BY ');
    items.forEach((o, i) => {
      if (i) b.push(', ');
      if (o.nulls) {
        b.push('CASE WHEN ');
        this.expr(b, o.expr);
        b.push(o.nulls === 'first' ? ' IS NULL THEN 0 ELSE 1 END, ' : ' IS NULL THEN 1 ELSE 0 END, ');
      }
      this.expr(b, o.expr);
      b.push(o.dir === 'desc' ? ' DESC' : ' ASC');
    });
  }

  /** `OUTPUT INSERTED.[a], INSERTED.[b]` (or DELETED.), in the order asked: the client reads rows by position. */
  protected output(b: SqlBuilder, cols: string[] | undefined, side: 'INSERTED' | 'DELETED'): void {
    if (!cols?.length) return;
    b.push(' OUTPUT ').push(cols.map((c) => `${side}.${this.quoteIdent(c)}`).join(', '));
  }

  protected override returning(): void {
    throw new Error('MssqlCompiler renders OUTPUT in place of RETURNING');
  }

  protected override expr(b: SqlBuilder, e: Expr): void {
    switch (e.t) {
      case 'now':
        // forge stores dateTime as datetime2 in UTC.
        b.push('SYSUTCDATETIME()');
        return;
      case 'lit':
        // No boolean literals in T-SQL: a bit value.
        b.push(e.sql === 'TRUE' ? '1' : e.sql === 'FALSE' ? '0' : e.sql);
        return;
      case 'agg':
        // AVG of an int column is an int in T-SQL (truncated): average as float, as the other dialects do.
        if (e.fn === 'avg' && e.expr) {
          b.push(e.distinct ? 'AVG(DISTINCT CAST(' : 'AVG(CAST(');
          this.expr(b, e.expr);
          b.push(' AS float))');
          return;
        }
        break;
      case 'exists':
        // ORDER BY is refused in a subquery without TOP / OFFSET, and means nothing in EXISTS.
        b.push(e.negate ? 'NOT EXISTS (' : 'EXISTS (');
        this.select(b, e.query.limit === undefined && !e.query.offset ? { ...e.query, orderBy: undefined } : e.query);
        b.push(')');
        return;
      case 'subquery':
        b.push('(');
        this.select(b, e.query.limit === undefined && !e.query.offset ? { ...e.query, orderBy: undefined } : e.query);
        b.push(')');
        return;
      case 'isNull':
        // JSON_VALUE is NULL for a JSON null, a missing key and an object or array; JSON_QUERY is NULL for scalars.
        if (e.expr.t === 'jsonPath') {
          const path = jsonPathOf(e.expr.path);
          b.push(e.negate ? 'NOT (' : '(').push('JSON_VALUE(');
          this.expr(b, e.expr.expr);
          b.push(', ').bind(path).push(') IS NULL AND JSON_QUERY(');
          this.expr(b, e.expr.expr);
          b.push(', ').bind(path).push(') IS NULL)');
          return;
        }
        break;
    }
    super.expr(b, e);
  }

  protected override insert(b: SqlBuilder, n: InsertNode): void {
    if (n.rows.length > MAX_VALUES_ROWS) {
      throw new RangeError(`SQL Server takes at most ${MAX_VALUES_ROWS} rows in one INSERT ... VALUES; this one has ${n.rows.length}: split it`);
    }
    if (n.onConflict) {
      if (n.onConflict.target.length === 0) this.insertSkippingDuplicates(b, n);
      else this.merge(b, n);
      return;
    }
    this.plainInsert(b, n);
  }

  private plainInsert(b: SqlBuilder, n: InsertNode): void {
    b.push('INSERT INTO ').push(this.quoteIdent(n.table));
    if (n.columns.length === 0) {
      this.output(b, n.returning, 'INSERTED');
      b.push(' DEFAULT VALUES');
      // One row per statement: DEFAULT VALUES has no row list.
      for (let r = 1; r < n.rows.length; r++) b.push('; INSERT INTO ').push(this.quoteIdent(n.table)).push(' DEFAULT VALUES');
      return;
    }
    b.push(' (').push(n.columns.map((c) => this.quoteIdent(c)).join(', ')).push(')');
    this.output(b, n.returning, 'INSERTED');
    b.push(' VALUES ');
    this.rows(b, n.rows);
  }

  private rows(b: SqlBuilder, rows: Expr[][]): void {
    rows.forEach((row, r) => {
      if (r) b.push(', ');
      b.push('(');
      row.forEach((v, i) => {
        if (i) b.push(', ');
        this.expr(b, v);
      });
      b.push(')');
    });
  }

  /**
   * An upsert: `MERGE` on the conflict target with `WITH (UPDLOCK, HOLDLOCK)` on the target table. Without the
   * hints two concurrent MERGEs under READ COMMITTED can both find no row and both insert (a duplicate-key error
   * for the second); HOLDLOCK keeps the key range locked from the match to the insert, UPDLOCK avoids the
   * deadlock of two shared range locks upgrading. The proposed row is the source `excluded` (ON CONFLICT's
   * name), so `excluded.col` in the SET list means the same here; a bare column in it is the existing row's.
   */
  protected merge(b: SqlBuilder, n: InsertNode): void {
    const oc = n.onConflict!;
    const t = this.quoteIdent(n.table);
    const src = this.quoteIdent(n.table === SOURCE ? `${SOURCE}_row` : SOURCE);
    const cols = n.columns.map((c) => this.quoteIdent(c));
    b.push(`MERGE INTO ${t} WITH (UPDLOCK, HOLDLOCK) USING (VALUES `);
    this.rows(b, n.rows);
    b.push(`) AS ${src} (${cols.join(', ')}) ON `);
    b.push(oc.target.map((c) => `${t}.${this.quoteIdent(c)} = ${src}.${this.quoteIdent(c)}`).join(' AND '));
    if (oc.action !== 'nothing' && oc.action.set.length > 0) {
      b.push(' WHEN MATCHED THEN UPDATE SET ');
      oc.action.set.forEach(([c, v], i) => {
        if (i) b.push(', ');
        b.push(this.quoteIdent(c)).push(' = ');
        this.expr(b, qualify(v, n.table, src.slice(1, -1).replace(/]]/g, ']')));
      });
    }
    b.push(` WHEN NOT MATCHED THEN INSERT (${cols.join(', ')}) VALUES (${n.columns.map((c) => `${src}.${this.quoteIdent(c)}`).join(', ')})`);
    this.output(b, n.returning, 'INSERTED');
    // MERGE is the one statement T-SQL requires to end with a semicolon.
    b.push(';');
  }

  /**
   * `createMany({ skipDuplicates })` (ON CONFLICT DO NOTHING with no target: any unique key). MERGE needs the
   * key to match on, which the statement does not name, so each row is its own INSERT whose duplicate-key error
   * (2601, 2627) is caught and skipped; any other error rolls back the rows of this call (a savepoint inside a
   * transaction) and is raised again. The row count is the INSERTs that succeeded.
   */
  protected insertSkippingDuplicates(b: SqlBuilder, n: InsertNode): void {
    const t = this.quoteIdent(n.table);
    const cols = n.columns.length ? ` (${n.columns.map((c) => this.quoteIdent(c)).join(', ')})` : '';
    b.push('DECLARE @forge_tc INT = @@TRANCOUNT; IF @forge_tc = 0 BEGIN TRANSACTION; ELSE SAVE TRANSACTION forge_skip_dup; BEGIN TRY');
    n.rows.forEach((row) => {
      b.push(` BEGIN TRY INSERT INTO ${t}${cols}`);
      this.output(b, n.returning, 'INSERTED');
      if (n.columns.length === 0) b.push(' DEFAULT VALUES');
      else {
        b.push(' VALUES ');
        this.rows(b, [row]);
      }
      b.push(`; END TRY BEGIN CATCH IF ERROR_NUMBER() NOT IN (${DUPLICATE_KEY_ERRORS}) THROW; END CATCH;`);
    });
    b.push(
      ' IF @forge_tc = 0 COMMIT TRANSACTION; END TRY BEGIN CATCH IF @forge_tc = 0 AND XACT_STATE() <> 0 ROLLBACK TRANSACTION; ELSE IF @forge_tc > 0 AND XACT_STATE() = 1 ROLLBACK TRANSACTION forge_skip_dup; THROW; END CATCH;',
    );
  }

  /** `UPDATE t SET ... OUTPUT INSERTED.* WHERE ...`; with an alias, `UPDATE a SET ... OUTPUT ... FROM t AS a WHERE ...`. */
  protected override update(b: SqlBuilder, n: UpdateNode): void {
    const aliased = n.alias !== n.table;
    b.push('UPDATE ').push(this.quoteIdent(aliased ? n.alias : n.table)).push(' SET ');
    n.set.forEach(([c, v], i) => {
      if (i) b.push(', ');
      b.push(this.quoteIdent(c)).push(' = ');
      this.expr(b, v);
    });
    this.output(b, n.returning, 'INSERTED');
    if (aliased) b.push(' FROM ').push(this.quoteIdent(n.table)).push(' AS ').push(this.quoteIdent(n.alias));
    if (n.where) {
      b.push(' WHERE ');
      this.expr(b, n.where);
    }
  }

  /** `DELETE FROM t OUTPUT DELETED.* WHERE ...`; with an alias, `DELETE a OUTPUT ... FROM t AS a WHERE ...`. */
  protected override delete(b: SqlBuilder, n: DeleteNode): void {
    if (n.alias !== n.table) {
      b.push('DELETE ').push(this.quoteIdent(n.alias));
      this.output(b, n.returning, 'DELETED');
      b.push(' FROM ').push(this.quoteIdent(n.table)).push(' AS ').push(this.quoteIdent(n.alias));
    } else {
      b.push('DELETE FROM ').push(this.quoteIdent(n.table));
      this.output(b, n.returning, 'DELETED');
    }
    if (n.where) {
      b.push(' WHERE ');
      this.expr(b, n.where);
    }
  }

  /**
   * Matching, whatever the column's collation (SQL Server's default ones ignore case and accents):
   * - default: `col COLLATE Latin1_General_100_BIN2 LIKE @p`, code point by code point: case-sensitive on every
   *   collation, as on every dialect (the shared suite's contract); a CI collation does not widen it;
   * - insensitive: `LOWER(col COLLATE Latin1_General_100_BIN2) LIKE LOWER(@p COLLATE Latin1_General_100_BIN2)`:
   *   both sides lower-cased by the version-100 Unicode case table, then compared binary, so it ignores case on a
   *   CS collation too, accents still count and `ß` is not `ss`.
   * Plain equality (`where: { email }`) stays `=` under the column's collation, as its unique index compares.
   * Escape character `\` (a plain character in T-SQL string literals).
   */
  protected override like(b: SqlBuilder, e: Extract<Expr, { t: 'like' }>): void {
    const pattern: Expr = e.pattern.t === 'param' && typeof e.pattern.value === 'string' ? { t: 'param', value: likePatternToMssql(e.pattern.value) } : e.pattern;
    this.likeOf(b, e.expr, pattern, e.insensitive, e.negate);
  }

  private likeOf(b: SqlBuilder, subject: Expr, pattern: Expr, insensitive: boolean, negate: boolean): void {
    const not = negate ? 'NOT LIKE' : 'LIKE';
    if (insensitive) {
      // Both sides lower-cased under one named collation: the same (version 100) case table whatever the column's
      // collation (an old SQL_ one maps fewer letters) and the database default the parameter would take.
      b.push('LOWER(');
      this.expr(b, subject);
      b.push(` COLLATE ${BINARY_COLLATION}) ${not} LOWER(`);
      this.expr(b, pattern);
      b.push(` COLLATE ${BINARY_COLLATION}) ESCAPE '\\'`);
    } else {
      this.expr(b, subject);
      b.push(` COLLATE ${BINARY_COLLATION} ${not} `);
      this.expr(b, pattern);
      b.push(` ESCAPE '\\'`);
    }
  }

  /** The value escaped for SQL Server's LIKE directly (its `[` too). */
  protected override textMatch(b: SqlBuilder, e: Extract<Expr, { t: 'textMatch' }>): void {
    const v = escapeLikeMssql(e.value);
    const pattern = e.mode === 'contains' ? `%${v}%` : e.mode === 'startsWith' ? `${v}%` : e.mode === 'endsWith' ? `%${v}` : v;
    this.likeOf(b, e.expr, { t: 'param', value: pattern }, e.insensitive, e.negate);
  }

  /**
   * JSON kept in nvarchar(max). 'text': `JSON_VALUE(col, @path)` (a scalar as text); 'number':
   * `TRY_CAST(JSON_VALUE(...) AS float)`, so a number stored as a JSON string still compares numerically and a
   * non-number is NULL rather than an error; 'json': `JSON_QUERY` for an object or array, else the scalar.
   */
  protected jsonPath(b: SqlBuilder, e: Extract<Expr, { t: 'jsonPath' }>): void {
    const path = jsonPathOf(e.path);
    if (e.as === 'json') {
      b.push('COALESCE(JSON_QUERY(');
      this.expr(b, e.expr);
      b.push(', ').bind(path).push('), JSON_VALUE(');
      this.expr(b, e.expr);
      b.push(', ').bind(path).push('))');
      return;
    }
    b.push(e.as === 'number' ? 'TRY_CAST(JSON_VALUE(' : 'JSON_VALUE(');
    this.expr(b, e.expr);
    b.push(', ').bind(path).push(e.as === 'number' ? ') AS float)' : ')');
  }

  /**
   * Arrays are JSON arrays in nvarchar(max), read with OPENJSON: has and hasSome test for an element among the
   * values; hasEvery counts the distinct values present. Strings compare binary (case-sensitive, as elsewhere),
   * integers as bigint.
   */
  protected arrayHas(b: SqlBuilder, e: Extract<Expr, { t: 'arrayHas' }>): void {
    const values = [...new Set(e.values)];
    if (values.length === 0) {
      b.push(e.mode === 'hasEvery' ? '1 = 1' : '1 = 0');
      return;
    }
    const element = e.elementKind === 'int' ? 'TRY_CAST([forge_el].[value] AS bigint)' : `[forge_el].[value] COLLATE ${BINARY_COLLATION}`;
    const list = () =>
      values.forEach((v, i) => {
        if (i) b.push(', ');
        b.bind(v);
      });
    if (e.mode === 'hasEvery') {
      b.push(`(SELECT COUNT(DISTINCT ${element}) FROM OPENJSON(`);
      this.expr(b, e.expr);
      b.push(`) AS [forge_el] WHERE [forge_el].[type] IN (1, 2) AND ${element} IN (`);
      list();
      b.push(`)) = ${values.length}`);
      return;
    }
    b.push('EXISTS (SELECT 1 FROM OPENJSON(');
    this.expr(b, e.expr);
    b.push(`) AS [forge_el] WHERE [forge_el].[type] IN (1, 2) AND ${element} IN (`);
    list();
    b.push('))');
  }

  /** capabilities.fullTextSearch is false: SQL Server's full-text catalogs are set up out of band (seed 004). */
  /**
   * VECTOR_DISTANCE where the server has VECTOR: 'cosine', 'euclidean' (l2) and 'dot' (the negative dot product,
   * as pgvector's `<#>`), the query vector bound as JSON text and cast to VECTOR(n) (n the checked length, a type
   * parameter). Elsewhere the base's element-by-element subquery over OPENJSON.
   */
  protected override vectorDistance(b: SqlBuilder, e: Extract<Expr, { t: 'vectorDistance' }>): void {
    if (!this.vectorType) return super.vectorDistance(b, e);
    b.push(`VECTOR_DISTANCE('${e.metric === 'cosine' ? 'cosine' : e.metric === 'l2' ? 'euclidean' : 'dot'}', `);
    this.expr(b, e.expr);
    b.push(', CAST(').bind(JSON.stringify(e.vector)).push(` AS VECTOR(${e.vector.length})))`);
  }

  /**
   * JSON text: OPENJSON of the stored array (cast to NVARCHAR(MAX), so a VECTOR column reads as its JSON form too)
   * joined on `key`, the array index, with OPENJSON of the bound query vector.
   */
  protected override vectorPairs(b: SqlBuilder, stored: Expr, query: readonly number[]): void {
    b.push('OPENJSON(CAST(');
    this.expr(b, stored);
    b.push(' AS NVARCHAR(MAX))) AS forge_va JOIN OPENJSON(').bind(JSON.stringify(query)).push(') AS forge_vq ON forge_vq.[key] = forge_va.[key]');
  }

  protected override vectorElements(): { stored: string; query: string } {
    return { stored: 'CAST(forge_va.[value] AS float)', query: 'CAST(forge_vq.[value] AS float)' };
  }

  protected search(_b: SqlBuilder, e: Extract<Expr, { t: 'search' }>): void {
    throw new Error(
      `search on ${e.table}: full-text search is not available on SQL Server through forge (capabilities.fullTextSearch is false); create a FULLTEXT CATALOG and index yourself and query it with CONTAINS in $queryRaw`,
    );
  }
}

/** In a MERGE's UPDATE SET, a bare column (or one qualified by the table) is the target's; `excluded.col` the source's. */
function qualify(e: Expr, table: string, source: string): Expr {
  if (e.t === 'col') {
    if (e.table !== undefined && e.table.toLowerCase() === 'excluded') return { t: 'col', table: source, name: e.name };
    return { t: 'col', table: table, name: e.name };
  }
  if (e.t === 'arith' || e.t === 'cmp') return { ...e, left: qualify(e.left, table, source), right: qualify(e.right, table, source) };
  return e;
}
