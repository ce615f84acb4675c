/**
 * Just enough reading of the CREATE statements SQLite keeps in sqlite_master to recover what its pragmas do not
 * report: an index's partial WHERE, its expression keys, and a view's SELECT.
 */

const QUOTES: Record<string, string> = { "'": "'", '"': '"', '`': '`', '[': ']' };

/** Index just past the quoted token starting at `i` (a doubled closing quote stays inside the token). */
function skipQuoted(sql: string, i: number): number {
  const close = QUOTES[sql[i]];
  let j = i + 1;
  while (j < sql.length) {
    if (sql[j] === close) {
      if (close !== ']' && sql[j + 1] === close) {
        j += 2;
        continue;
      }
      return j + 1;
    }
    j++;
  }
  return j;
}

/** Position of the first `(` outside quotes, and of its matching `)`; undefined if unbalanced. */
function firstGroup(sql: string): { open: number; close: number } | undefined {
  let depth = 0;
  let open = -1;
  for (let i = 0; i < sql.length; ) {
    const c = sql[i];
    if (c in QUOTES) {
      i = skipQuoted(sql, i);
      continue;
    }
    if (c === '(') {
      if (depth === 0 && open < 0) open = i;
      depth++;
    } else if (c === ')') {
      depth--;
      if (depth === 0 && open >= 0) return { open, close: i };
    }
    i++;
  }
  return undefined;
}

/** Split on commas that are outside parentheses and quotes. */
function splitTopLevel(text: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < text.length; ) {
    const c = text[i];
    if (c in QUOTES) {
      i = skipQuoted(text, i);
      continue;
    }
    if (c === '(') depth++;
    else if (c === ')') depth--;
    else if (c === ',' && depth === 0) {
      parts.push(text.slice(start, i).trim());
      start = i + 1;
    }
    i++;
  }
  parts.push(text.slice(start).trim());
  return parts;
}

/** `(lower(a)) DESC` → `lower(a)`: the expression without its direction and one wrapping pair of parentheses. */
function bareExpression(key: string): string {
  let e = key.replace(/\s+(ASC|DESC)$/i, '').trim();
  if (e.startsWith('(') && e.endsWith(')')) {
    const g = firstGroup(e);
    if (g && g.open === 0 && g.close === e.length - 1) e = e.slice(1, -1).trim();
  }
  return e;
}

export interface IndexText {
  /** Key terms in order, as written. */
  keys: string[];
  where?: string;
}

/** The key list and partial WHERE of a `CREATE [UNIQUE] INDEX name ON table (keys) [WHERE expr]` statement. */
export function parseIndexSql(sql: string): IndexText | undefined {
  const g = firstGroup(sql);
  if (!g) return undefined;
  const keys = splitTopLevel(sql.slice(g.open + 1, g.close));
  const rest = sql.slice(g.close + 1).trim();
  const where = /^WHERE\s+([\s\S]+)$/i.exec(rest)?.[1].trim();
  return where ? { keys, where } : { keys };
}

/** The expression of key `position` in an index's key list, if that key is an expression. */
export function indexKeyExpression(text: IndexText, position: number): string | undefined {
  const key = text.keys[position];
  return key === undefined ? undefined : bareExpression(key);
}

const VIEW_PREFIX =
  /^\s*CREATE\s+(?:TEMP(?:ORARY)?\s+)?VIEW\s+(?:IF\s+NOT\s+EXISTS\s+)?(?:(?:"(?:[^"]|"")*"|\[[^\]]*\]|`(?:[^`]|``)*`|[^\s.(]+)\s*\.\s*)?(?:"(?:[^"]|"")*"|\[[^\]]*\]|`(?:[^`]|``)*`|[^\s(]+)\s*(?:\([^)]*\)\s*)?AS\s+/i;

/** The SELECT of a `CREATE VIEW name [(cols)] AS select` statement. */
export function viewSelect(sql: string): string {
  const m = VIEW_PREFIX.exec(sql);
  return m ? sql.slice(m[0].length).trim() : sql;
}
