import { SqlCompiler, type DeleteNode, type Expr, type InsertNode, type OrderItem, type SqlBuilder, type UpdateNode } from '@forge/core';

/**
 * The escape character of every LIKE forge emits. Not `\`: under `sql_mode=NO_BACKSLASH_ESCAPES` the literal
 * `'\\'` is two characters and the server answers "Incorrect arguments to ESCAPE". `!` is one character in a
 * string literal under every sql_mode, on MySQL 8 and MariaDB alike.
 */
export const LIKE_ESCAPE = '!';

/** `%`, `_` and the escape character itself, escaped with `!` so a user's string matches literally inside LIKE. */
export function escapeLikeMysql(s: string): string {
  return s.replace(/[!%_]/g, (c) => `${LIKE_ESCAPE}${c}`);
}

/**
 * A LIKE pattern written with core's convention (`\` escapes the next character, see `escapeLike`) rewritten
 * for `ESCAPE '!'`: an escaped character stays literal, a bare `%` / `_` stays a wildcard, a literal `!` is escaped.
 */
export function likePatternToMysql(pattern: string): string {
  let out = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === '\\' && i + 1 < pattern.length) {
      const next = pattern[++i];
      out += next === '%' || next === '_' || next === '!' ? `!${next}` : next;
    } else if (c === '!') {
      out += '!!';
    } else {
      out += c;
    }
  }
  return out;
}

/**
 * A JSON path for JSON_EXTRACT, built from keys: object keys are always double-quoted (`$."a"."b"`, with `"` and
 * `\` backslash-escaped, the JSON string escapes MySQL and MariaDB both read in a path), so dots, brackets, `*`
 * or `$` in a key stay part of it; an all-digit key is an array index. Bound as one parameter, never SQL text.
 */
export function jsonPathOf(keys: readonly string[]): string {
  let path = '$';
  for (const key of keys) {
    // A key is a JSON string in the path: quotes, backslashes and control characters as JSON escapes, the form
    // in which they are stored in the document (a raw CR in the path matched nothing on MariaDB).
    path += /^\d+$/.test(key) ? `[${Number(key)}]` : `.${JSON.stringify(key)}`;
  }
  return path;
}

/**
 * InnoDB's default full-text stopword list (`INFORMATION_SCHEMA.INNODB_FT_DEFAULT_STOPWORD`, identical on MySQL 8
 * and MariaDB 10.11). A stopword is never indexed, and in BOOLEAN MODE a required (`+`) term that is not in the
 * index makes the whole MATCH false, so such words are left out of the query instead.
 */
export const INNODB_DEFAULT_STOPWORDS: ReadonlySet<string> = new Set(
  'a about an are as at be by com de en for from how i in is it la of on or that the this to und was what when where who will with www'.split(' '),
);

/** `innodb_ft_min_token_size` / `innodb_ft_max_token_size` defaults (read-only server variables). */
export const INNODB_FT_MIN_TOKEN = 3;
export const INNODB_FT_MAX_TOKEN = 84;

export interface FullTextOptions {
  /** Words the index leaves out (the index's stopword list); default InnoDB's. `false`: the index has none. */
  stopwords?: ReadonlySet<string> | false;
  /** The server's `innodb_ft_min_token_size`; default 3. */
  minTokenSize?: number;
}

/**
 * A user's search text as a BOOLEAN MODE query with no operators in it: the text is cut into words where the
 * built-in full-text parser cuts the indexed text (anything but a letter, mark, digit, `_`, or an apostrophe
 * inside a word), so `+ - > < ( ) ~ * " @` and `.` can only separate words; each word gets `+` (every word must
 * match, like plainto_tsquery and SQLite's quoted FTS5 terms). Words the index cannot hold (stopwords, shorter
 * than the minimum token size) are dropped, else one `+stopword` would match no row. Undefined when no word is left.
 */
export function booleanQueryOf(text: string, opts: FullTextOptions = {}): string | undefined {
  const stop = opts.stopwords === undefined ? INNODB_DEFAULT_STOPWORDS : opts.stopwords;
  const min = opts.minTokenSize ?? INNODB_FT_MIN_TOKEN;
  const words: string[] = [];
  for (const raw of text.split(/[^\p{L}\p{M}\p{N}_']+/u)) {
    const w = raw.replace(/^'+|'+$/g, '');
    const len = [...w].length;
    if (len < min || len > INNODB_FT_MAX_TOKEN) continue;
    if (stop && stop.has(w.toLowerCase())) continue;
    words.push(`+${w}`);
  }
  return words.length ? [...new Set(words)].join(' ') : undefined;
}

/** MySQL's largest LIMIT, the documented way to write OFFSET without a limit. */
export const MYSQL_NO_LIMIT = '18446744073709551615';

/** The current time as forge stores dateTime (DATETIME(3) in UTC), whatever the session time_zone is. */
export const MYSQL_NOW = 'UTC_TIMESTAMP(3)';

export interface MysqlCompilerOptions {
  /**
   * Emit RETURNING (MariaDB 10.5+: INSERT and single-table DELETE; no server has UPDATE ... RETURNING, which
   * then throws). Default false: RETURNING a node asks for is left out (MySQL has none).
   */
  returning?: boolean;
  /** How the FULLTEXT indexes were built (stopwords, minimum token size); see `booleanQueryOf`. */
  fullText?: FullTextOptions;
}

const VALID_INT = (n: unknown): n is number => typeof n === 'number' && Number.isSafeInteger(n) && n >= 0;

/**
 * SQL for MySQL 8 and MariaDB 10.11: `?` placeholders, backtick identifiers, `ON DUPLICATE KEY UPDATE` upserts,
 * JSON through JSON_EXTRACT with bound paths, FULLTEXT through MATCH ... AGAINST in BOOLEAN MODE.
 */
export class MysqlCompiler extends SqlCompiler {
  readonly dialect = 'mysql';
  /**
   * LIMIT and OFFSET are rendered as validated integer literals. mysql2's `execute` sends every JS number as a
   * DOUBLE, and MySQL 8.0.22+ refuses a DOUBLE for a LIMIT/OFFSET placeholder ("Incorrect arguments to
   * mysqld_stmt_execute"); a literal is exact on both servers. (The read-plan cache keys inlined LIMITs by value;
   * a shape with OFFSET is then compiled per call rather than cached.)
   */
  override readonly inlineLimit = true;
  readonly emitReturning: boolean;
  private readonly fullText: FullTextOptions;
  private readonly ticked = new Map<string, string>();

  constructor(opts: MysqlCompilerOptions = {}) {
    super();
    this.emitReturning = opts.returning ?? false;
    this.fullText = opts.fullText ?? {};
  }

  placeholder(): string {
    return '?';
  }

  /** `` `name` `` with embedded backticks doubled. Memoised like the base: identifiers come from the schema. */
  override quoteIdent(name: string): string {
    let q = this.ticked.get(name);
    if (q === undefined) {
      q = `\`${name.replace(/`/g, '``')}\``;
      if (this.ticked.size < 10_000) this.ticked.set(name, q);
    }
    return q;
  }

  protected override expr(b: SqlBuilder, e: Expr): void {
    switch (e.t) {
      case 'now':
        b.push(MYSQL_NOW);
        return;
      case 'isNull':
        // JSON_UNQUOTE(JSON_EXTRACT(...)) of a JSON null is the text 'null', not SQL NULL: test the JSON type,
        // so `{ path, equals: null }` matches a JSON null and a missing key, as on Postgres and SQLite.
        if (e.expr.t === 'jsonPath') {
          b.push('COALESCE(JSON_TYPE(JSON_EXTRACT(');
          this.expr(b, e.expr.expr);
          b.push(', ').bind(jsonPathOf(e.expr.path)).push(e.negate ? `)), 'NULL') <> 'NULL'` : `)), 'NULL') = 'NULL'`);
          return;
        }
        break;
    }
    super.expr(b, e);
  }

  /** MySQL has no `NULLS FIRST / LAST`: an `expr IS NULL` key in front orders the NULLs (0 sorts before 1). */
  protected override orderBy(b: SqlBuilder, items: OrderItem[]): void {
    b.push(' ORDER BY ');
    items.forEach((o, i) => {
      if (i) b.push(', ');
      if (o.nulls) {
        this.expr(b, o.expr);
        b.push(o.nulls === 'first' ? ' IS NULL DESC, ' : ' IS NULL ASC, ');
      }
      this.expr(b, o.expr);
      b.push(o.dir === 'desc' ? ' DESC' : ' ASC');
    });
  }

  protected override limitOffset(b: SqlBuilder, limit: number | undefined, offset: number | undefined): void {
    if (limit !== undefined) this.limit(b, limit);
    if (offset !== undefined && !VALID_INT(offset)) throw new RangeError(`OFFSET must be a non-negative integer, got ${String(offset)}`);
    if (offset !== undefined && offset > 0) {
      // No OFFSET without LIMIT in MySQL: the documented form is the largest LIMIT there is.
      if (limit === undefined) b.push(` LIMIT ${MYSQL_NO_LIMIT}`);
      b.push(` OFFSET ${offset}`);
    }
  }

  protected override returning(b: SqlBuilder, cols: string[] | undefined): void {
    if (this.emitReturning) super.returning(b, cols);
  }

  protected override insert(b: SqlBuilder, n: InsertNode): void {
    b.push('INSERT INTO ').push(this.quoteIdent(n.table));
    if (n.columns.length === 0) {
      // No DEFAULT VALUES in MySQL: an empty column list and one empty row per row.
      b.push(' () VALUES ').push(Array.from({ length: Math.max(1, n.rows.length) }, () => '()').join(', '));
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
    if (n.onConflict) this.onDuplicateKey(b, n);
    this.returning(b, n.returning);
  }

  /**
   * `ON CONFLICT` as `ON DUPLICATE KEY UPDATE`. MySQL takes no conflict target: any unique key that collides
   * fires it (forge's upsert targets a unique set of `where`, so the row found is that one when only it collides).
   * In the SET list a bare column is the existing row's value; `excluded.col` (the row proposed for insertion)
   * becomes `VALUES(col)`, which MariaDB and MySQL 8 both read (MySQL 8.0.20+ warns it is deprecated in favour of
   * a row alias, which MariaDB does not have). DO NOTHING assigns a key column to itself, a no-op update; not
   * INSERT IGNORE, which would also turn NOT NULL, foreign key and truncation errors into warnings.
   */
  protected onDuplicateKey(b: SqlBuilder, n: InsertNode): void {
    const oc = n.onConflict!;
    if (oc.action === 'nothing' || oc.action.set.length === 0) {
      const key = oc.target[0] ?? n.columns[0];
      if (key === undefined) return;
      const k = this.quoteIdent(key);
      b.push(` ON DUPLICATE KEY UPDATE ${k} = ${k}`);
      return;
    }
    b.push(' ON DUPLICATE KEY UPDATE ');
    oc.action.set.forEach(([c, v], i) => {
      if (i) b.push(', ');
      b.push(this.quoteIdent(c)).push(' = ');
      this.expr(b, excludedToValues(v));
    });
  }

  protected override update(b: SqlBuilder, n: UpdateNode): void {
    if (this.emitReturning && n.returning?.length) {
      throw new Error('UPDATE ... RETURNING: neither MySQL nor MariaDB has it; read the row back by key instead (capabilities.returning must be false for updates)');
    }
    super.update(b, n);
  }

  /**
   * MariaDB (through 11.x) has no alias in a single-table DELETE; the multi-table form `DELETE a FROM t AS a`
   * is read by both servers, but takes no RETURNING, so that form is only used when the alias differs.
   */
  protected override delete(b: SqlBuilder, n: DeleteNode): void {
    if (n.alias === n.table) {
      super.delete(b, { ...n, alias: n.table });
      return;
    }
    if (this.emitReturning && n.returning?.length) throw new Error('DELETE ... RETURNING takes no table alias on MariaDB: give the node alias = table');
    b.push('DELETE ').push(this.quoteIdent(n.alias)).push(' FROM ').push(this.quoteIdent(n.table)).push(' AS ').push(this.quoteIdent(n.alias));
    if (n.where) {
      b.push(' WHERE ');
      this.expr(b, n.where);
    }
  }

  /**
   * Case, on utf8mb4 text (the `COLLATE` below needs the compared text to be utf8mb4: text columns forge creates are).
   *
   * The conformance suite wants matching case-sensitive without `mode` (`startsWith: 'ADA'` misses 'ada@...'), and
   * `mode: 'insensitive'` to compare letter by letter in lower case, Unicode included, and nothing more: É ~ é,
   * Σ ~ σ, İ ~ i, K (Kelvin) ~ k, but `ß` is not `ss` and `e` is not `é`. The servers' default collations
   * (utf8mb4_0900_ai_ci, utf8mb4_unicode_ci, utf8mb4_general_ci) ignore case *and accents* (and unicode_ci/0900
   * expand ß to ss), so neither mode may compare under the column's own collation:
   * - default: `col COLLATE utf8mb4_bin LIKE ?`, code point by code point (utf8mb4_bin exists on MySQL 8 and
   *   MariaDB; an explicit COLLATE wins over the parameter's collation);
   * - insensitive: `LOWER(col COLLATE utf8mb4_bin) LIKE LOWER(?)`: both sides lower-cased by the server's Unicode
   *   case mapping (one code point to one, so İ becomes i), then compared binary, so accents still count.
   * Escape character `!` (see LIKE_ESCAPE); core's `\`-escaped patterns are rewritten for it.
   */
  protected override like(b: SqlBuilder, e: Extract<Expr, { t: 'like' }>): void {
    const pattern: Expr = e.pattern.t === 'param' && typeof e.pattern.value === 'string' ? { t: 'param', value: likePatternToMysql(e.pattern.value) } : e.pattern;
    const escape = pattern === e.pattern && e.pattern.t !== 'param' ? ` ESCAPE CHAR(92 USING utf8mb4)` : ` ESCAPE '${LIKE_ESCAPE}'`;
    if (e.insensitive) {
      b.push('LOWER(');
      this.expr(b, e.expr);
      b.push(e.negate ? ' COLLATE utf8mb4_bin) NOT LIKE LOWER(' : ' COLLATE utf8mb4_bin) LIKE LOWER(');
      this.expr(b, pattern);
      b.push(')').push(escape);
    } else {
      this.expr(b, e.expr);
      b.push(e.negate ? ' COLLATE utf8mb4_bin NOT LIKE ' : ' COLLATE utf8mb4_bin LIKE ');
      this.expr(b, pattern);
      b.push(escape);
    }
  }

  /** The value escaped for `ESCAPE '!'` directly (no round trip through core's `\` convention). */
  protected override textMatch(b: SqlBuilder, e: Extract<Expr, { t: 'textMatch' }>): void {
    const v = escapeLikeMysql(e.value);
    const pattern = e.mode === 'contains' ? `%${v}%` : e.mode === 'startsWith' ? `${v}%` : e.mode === 'endsWith' ? `%${v}` : v;
    // A pattern already in `!` form: bypass likePatternToMysql by building the LIKE here.
    const p: Expr = { t: 'param', value: pattern };
    if (e.insensitive) {
      b.push('LOWER(');
      this.expr(b, e.expr);
      b.push(e.negate ? ' COLLATE utf8mb4_bin) NOT LIKE LOWER(' : ' COLLATE utf8mb4_bin) LIKE LOWER(');
      this.expr(b, p);
      b.push(`) ESCAPE '${LIKE_ESCAPE}'`);
    } else {
      this.expr(b, e.expr);
      b.push(e.negate ? ' COLLATE utf8mb4_bin NOT LIKE ' : ' COLLATE utf8mb4_bin LIKE ');
      this.expr(b, p);
      b.push(` ESCAPE '${LIKE_ESCAPE}'`);
    }
  }

  /**
   * JSON_EXTRACT with the path bound as one string. 'text' unquotes (a JSON string compares as its text);
   * 'number' casts the unquoted value to DECIMAL(65,30), so a number stored as a JSON string still compares
   * numerically; 'json' is the JSON value itself. JSON_EXTRACT and JSON_UNQUOTE are the same on MariaDB, whose
   * JSON is LONGTEXT.
   */
  protected jsonPath(b: SqlBuilder, e: Extract<Expr, { t: 'jsonPath' }>): void {
    const [open, close] =
      e.as === 'number' ? ['CAST(JSON_UNQUOTE(JSON_EXTRACT(', ')) AS DECIMAL(65,30))'] : e.as === 'text' ? ['JSON_UNQUOTE(JSON_EXTRACT(', '))'] : ['JSON_EXTRACT(', ')'];
    b.push(open);
    this.expr(b, e.expr);
    b.push(', ').bind(jsonPathOf(e.path)).push(close);
  }

  /**
   * Arrays are JSON arrays: JSON_CONTAINS with the wanted value(s) bound as JSON text. has: one value; hasEvery:
   * the whole array (JSON_CONTAINS of an array is "contains every element"); hasSome: an OR of one-value tests.
   */
  protected arrayHas(b: SqlBuilder, e: Extract<Expr, { t: 'arrayHas' }>): void {
    const values = [...new Set(e.values)];
    if (values.length === 0) {
      b.push(e.mode === 'hasEvery' ? '1 = 1' : '1 = 0');
      return;
    }
    const contains = (json: string) => {
      b.push('JSON_CONTAINS(');
      this.expr(b, e.expr);
      b.push(', ').bind(json).push(')');
    };
    if (e.mode === 'hasEvery') {
      contains(JSON.stringify(values));
      return;
    }
    if (values.length === 1) {
      contains(JSON.stringify(values[0]));
      return;
    }
    b.push('(');
    values.forEach((v, i) => {
      if (i) b.push(' OR ');
      contains(JSON.stringify(v));
    });
    b.push(')');
  }

  /**
   * Vectors are JSON arrays (MariaDB: LONGTEXT with a json_valid check): JSON_TABLE numbers the elements of the
   * stored array and of the query vector (bound as one JSON text), joined on that ordinal. The path and column
   * list are fixed text; nothing from the call enters the SQL but the placeholder.
   */
  protected override vectorPairs(b: SqlBuilder, stored: Expr, query: readonly number[]): void {
    b.push('JSON_TABLE(');
    this.expr(b, stored);
    b.push(`, '$[*]' COLUMNS (i FOR ORDINALITY, v DOUBLE PATH '$')) AS forge_va JOIN JSON_TABLE(`)
      .bind(JSON.stringify(query))
      .push(`, '$[*]' COLUMNS (i FOR ORDINALITY, v DOUBLE PATH '$')) AS forge_vq ON forge_vq.i = forge_va.i`);
  }

  protected override vectorElements(): { stored: string; query: string } {
    return { stored: 'forge_va.v', query: 'forge_vq.v' };
  }

  /**
   * `MATCH (a.c1, a.c2) AGAINST (? IN BOOLEAN MODE)`. The column list must be exactly the FULLTEXT index's (the
   * table's searchable columns, which the node carries in `columns`), or the server finds no index for it.
   */
  protected search(b: SqlBuilder, e: Extract<Expr, { t: 'search' }>): void {
    if (!e.columns.length) throw new Error(`search on ${e.table}: the node names no searchable columns`);
    const query = booleanQueryOf(e.query, this.fullText);
    if (query === undefined) {
      b.push('1 = 0');
      return;
    }
    const a = this.quoteIdent(e.alias);
    b.push('MATCH (').push(e.columns.map((c) => `${a}.${this.quoteIdent(c)}`).join(', ')).push(') AGAINST (').bind(query).push(' IN BOOLEAN MODE)');
  }
}

/** `excluded.col` (Postgres/SQLite: the row proposed for insertion) as a `VALUES(col)` reference, anywhere in `e`. */
function excludedToValues(e: Expr): Expr {
  if (e.t === 'col' && e.table !== undefined && e.table.toLowerCase() === 'excluded') {
    return { t: 'raw', strings: [`VALUES(\`${e.name.replace(/`/g, '``')}\`)`], values: [] };
  }
  if (e.t === 'arith' || e.t === 'cmp') return { ...e, left: excludedToValues(e.left), right: excludedToValues(e.right) };
  return e;
}
