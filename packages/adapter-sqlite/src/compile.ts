import { SqlCompiler, type Expr, type SqlBuilder } from '@forge/core';
import { FOLD_FUNCTION, foldText } from './fold.js';

/** The current time in the stored dateTime form (ISO-8601 UTC with milliseconds), so it compares as text. */
export const SQLITE_NOW = `strftime('%Y-%m-%dT%H:%M:%fZ','now')`;

/** The FTS5 table behind a model's searchable fields. */
export const ftsTableName = (table: string): string => `${table}_fts`;

/**
 * A JSON path for json_extract, built from keys: object keys are always quoted (`$."a"."b"`, with `"` and `\`
 * backslash-escaped) so dots, brackets or `$` in a key stay part of the key; an all-digit key is an array index.
 * The path is bound as a parameter, never spliced into the SQL text.
 */
export function jsonPathOf(keys: readonly string[]): string {
  let path = '$';
  for (const key of keys) {
    path += /^\d+$/.test(key) ? `[${key}]` : `."${key.replace(/["\\]/g, (c) => `\\${c}`)}"`;
  }
  return path;
}

/**
 * A user's search text as an FTS5 query that has no operators: every whitespace-separated term becomes a quoted
 * string (`"` doubled), so `AND`, `NEAR`, `*`, `:` or `^` in the input are matched as words instead of parsed.
 * Terms are ANDed, FTS5's implicit behaviour. Returns undefined when there is nothing to search for.
 */
export function ftsQueryOf(text: string): string | undefined {
  const terms = text.split(/\s+/).filter(Boolean);
  if (terms.length === 0) return undefined;
  return terms.map((t) => `"${t.replace(/"/g, '""')}"`).join(' ');
}

/**
 * A LIKE pattern (with `\` as its escape character, as the client writes them) as an equivalent GLOB pattern.
 * SQLite's LIKE ignores ASCII case and this build omits `PRAGMA case_sensitive_like`, so case-sensitive matching
 * needs GLOB; GLOB's own wildcards in the literal text are escaped as one-character classes.
 */
export function likeToGlob(pattern: string): string {
  let out = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === '\\' && i + 1 < pattern.length) {
      out += globLiteral(pattern[++i]);
    } else if (c === '%') {
      out += '*';
    } else if (c === '_') {
      out += '?';
    } else {
      out += globLiteral(c);
    }
  }
  return out;
}

function globLiteral(c: string): string {
  return c === '*' || c === '?' || c === '[' ? `[${c}]` : c;
}

const ASCII = /^[\x00-\x7f]*$/;

export class SqliteCompiler extends SqlCompiler {
  override readonly inlineLimit = true;
  readonly dialect = 'sqlite';

  placeholder(): string {
    return '?';
  }

  protected override expr(b: SqlBuilder, e: Expr): void {
    if (e.t === 'now') {
      b.push(SQLITE_NOW);
      return;
    }
    super.expr(b, e);
  }

  /**
   * Case-sensitive: GLOB (LIKE would ignore ASCII case). Insensitive: Unicode letters fold too (see fold.ts): the
   * pattern is folded here, and the text through `forge_fold()` only when it holds a non-ASCII character. Pure
   * ASCII text (`length = octet_length`) goes straight to SQLite's LIKE, which folds A-Z exactly as foldText
   * does, so only rows with other characters cost a call into JavaScript (none for an ASCII pattern, below).
   */
  protected override like(b: SqlBuilder, e: Extract<Expr, { t: 'like' }>): void {
    const literal = e.pattern.t === 'param' && typeof e.pattern.value === 'string' ? e.pattern.value : undefined;
    const folded = literal === undefined ? undefined : foldText(literal);
    if (e.insensitive && folded !== undefined && ASCII.test(folded)) {
      this.asciiInsensitiveLike(b, e, folded);
      return;
    }
    if (e.insensitive) {
      b.push('(CASE WHEN length(');
      this.expr(b, e.expr);
      b.push(') = octet_length(');
      this.expr(b, e.expr);
      b.push(') THEN ');
      this.expr(b, e.expr);
      b.push(` ELSE ${FOLD_FUNCTION}(`);
      this.expr(b, e.expr);
      b.push(e.negate ? ') END) NOT LIKE ' : ') END) LIKE ');
      if (folded !== undefined) b.bind(folded);
      else {
        b.push(`${FOLD_FUNCTION}(`);
        this.expr(b, e.pattern);
        b.push(')');
      }
      b.push(` ESCAPE '\\'`);
      return;
    }
    if (literal === undefined) {
      super.like(b, e);
      return;
    }
    this.expr(b, e.expr);
    b.push(e.negate ? ' NOT GLOB ' : ' GLOB ').bind(likeToGlob(literal));
  }

  /**
   * An all-ASCII pattern (the common case) needs no fold of the text: an ASCII pattern character matches only an
   * ASCII character of the folded text, and SQLite's LIKE folds A-Z exactly as foldText does. The only characters
   * whose fold is ASCII are `İ` (to `i`) and the Kelvin sign `K` (to `k`), so a text holding one of those goes
   * through forge_fold, and only when the pattern has that letter.
   */
  private asciiInsensitiveLike(b: SqlBuilder, e: Extract<Expr, { t: 'like' }>, folded: string): void {
    const into = [...(folded.includes('i') ? [0x130] : []), ...(folded.includes('k') ? [0x212a] : [])];
    if (into.length) {
      b.push('(CASE WHEN ');
      into.forEach((cp, i) => {
        b.push(i ? ' OR instr(' : 'instr(');
        this.expr(b, e.expr);
        b.push(`, char(${cp})) > 0`);
      });
      b.push(` THEN ${FOLD_FUNCTION}(`);
      this.expr(b, e.expr);
      b.push(') ELSE ');
      this.expr(b, e.expr);
      b.push(' END)');
    } else {
      this.expr(b, e.expr);
    }
    b.push(e.negate ? ' NOT LIKE ' : ' LIKE ').bind(folded).push(` ESCAPE '\\'`);
  }

  protected jsonPath(b: SqlBuilder, e: Extract<Expr, { t: 'jsonPath' }>): void {
    // 'number' casts so that a number stored as a JSON string still compares numerically;
    // 'json' re-quotes so strings come back as JSON text like objects and arrays do.
    const [open, close] = e.as === 'number' ? ['CAST(json_extract(', ') AS NUMERIC)'] : e.as === 'json' ? ['json_quote(json_extract(', '))'] : ['json_extract(', ')'];
    b.push(open);
    this.expr(b, e.expr);
    b.push(', ').bind(jsonPathOf(e.path)).push(close);
  }

  protected arrayHas(b: SqlBuilder, e: Extract<Expr, { t: 'arrayHas' }>): void {
    const values = [...new Set(e.values)];
    if (values.length === 0) {
      // Every element of nothing is trivially present; some element of nothing never is.
      b.push(e.mode === 'hasEvery' ? '1 = 1' : '1 = 0');
      return;
    }
    const list = (): void => {
      values.forEach((v, i) => {
        if (i) b.push(', ');
        b.bind(v);
      });
    };
    if (e.mode === 'hasEvery') {
      b.push('(SELECT COUNT(DISTINCT "value") FROM json_each(');
      this.expr(b, e.expr);
      b.push(') WHERE "value" IN (');
      list();
      b.push(')) = ').bind(values.length);
      return;
    }
    b.push('EXISTS (SELECT 1 FROM json_each(');
    this.expr(b, e.expr);
    b.push(') WHERE "value" IN (');
    list();
    b.push('))');
  }

  /**
   * Vectors are JSON arrays: `json_each` of the stored array joined on the index (`key`) with `json_each` of the
   * query vector, bound as one JSON text. The stored element is read as REAL, so SUM never overflows as integers.
   */
  protected override vectorPairs(b: SqlBuilder, stored: Expr, query: readonly number[]): void {
    b.push('json_each(');
    this.expr(b, stored);
    b.push(') AS forge_va JOIN json_each(').bind(JSON.stringify(query)).push(') AS forge_vq ON forge_vq."key" = forge_va."key"');
  }

  protected override vectorElements(): { stored: string; query: string } {
    return { stored: 'CAST(forge_va."value" AS REAL)', query: 'forge_vq."value"' };
  }

  /**
   * Full text through the table's FTS5 index (`<table>_fts`, external content keyed by rowid). The FTS table
   * already covers exactly the searchable columns, so `e.columns` needs no column filter here.
   */
  protected search(b: SqlBuilder, e: Extract<Expr, { t: 'search' }>): void {
    const query = ftsQueryOf(e.query);
    if (query === undefined) {
      b.push('1 = 0');
      return;
    }
    const fts = this.quoteIdent(ftsTableName(e.table));
    b.push(`${this.quoteIdent(e.alias)}.rowid IN (SELECT rowid FROM ${fts} WHERE ${fts} MATCH `).bind(query).push(')');
  }
}
