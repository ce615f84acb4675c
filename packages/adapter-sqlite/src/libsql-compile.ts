import { ValidationError, type Expr, type SqlBuilder } from '@forge/core';
import { SqliteCompiler } from './compile.js';
import { foldText } from './fold.js';

/**
 * Every character whose fold (foldText) is another single character, grouped by that fold: `é` ← [`É`],
 * `σ` ← [`Σ`, `ς`], `i` ← [`I`, `İ`]. Built once, on the first insensitive match over non-ASCII text.
 */
let unfold: Map<string, string[]> | undefined;

function unfoldMap(): Map<string, string[]> {
  if (unfold) return unfold;
  const map = new Map<string, string[]>();
  // Case exists up to the Adlam block (U+1E900); past U+1FFFF there are no cased letters.
  for (let cp = 0x80; cp <= 0x1ffff; cp++) {
    if (cp >= 0xd800 && cp <= 0xdfff) continue;
    const ch = String.fromCodePoint(cp);
    const folded = foldText(ch);
    if (folded === ch || [...folded].length !== 1) continue;
    const list = map.get(folded);
    if (list) list.push(ch);
    else map.set(folded, [ch]);
  }
  unfold = map;
  return map;
}

/**
 * The non-ASCII characters that fold onto a character of `folded` (a folded pattern), with the character they
 * fold to. Only these can change whether the text matches: any other character of the text matches a pattern
 * character only through a wildcard, folded or not.
 */
export function foldPairs(folded: string): Array<[number, number]> {
  const pairs: Array<[number, number]> = [];
  const seen = new Set<string>();
  for (const ch of folded) {
    if (seen.has(ch)) continue;
    seen.add(ch);
    for (const from of unfoldMap().get(ch) ?? []) pairs.push([from.codePointAt(0)!, ch.codePointAt(0)!]);
  }
  return pairs;
}

/**
 * The SQLite compiler for libSQL connections. libSQL's clients cannot register JavaScript functions, so there is
 * no `forge_fold()`; an insensitive match folds the text in SQL instead: SQLite's LIKE folds A-Z itself, and each
 * non-ASCII character that folds onto a character of the (folded) pattern is replaced by its fold with nested
 * `replace(text, char(É), char(é))`. The answers are the same as forge_fold's (the characters are chosen with
 * foldText); the code points are numbers forge computed, never user text in the SQL.
 */
export class LibsqlCompiler extends SqliteCompiler {
  protected override like(b: SqlBuilder, e: Extract<Expr, { t: 'like' }>): void {
    if (!e.insensitive) {
      super.like(b, e);
      return;
    }
    const literal = e.pattern.t === 'param' && typeof e.pattern.value === 'string' ? e.pattern.value : undefined;
    if (literal === undefined) {
      throw new ValidationError(
        "mode: 'insensitive' on a libSQL connection needs the pattern as a value: libSQL cannot run forge's fold function on a column or expression. " +
          'Compare against a string, or use a better-sqlite3 connection (sqlite: or file: URL).',
      );
    }
    const folded = foldText(literal);
    const pairs = foldPairs(folded);
    for (let i = 0; i < pairs.length; i++) b.push('replace(');
    this.expr(b, e.expr);
    for (const [from, to] of pairs) b.push(`, char(${from}), char(${to}))`);
    b.push(e.negate ? ' NOT LIKE ' : ' LIKE ').bind(folded).push(` ESCAPE '\\'`);
  }
}
