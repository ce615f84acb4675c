import type { Database } from 'better-sqlite3';

/**
 * `mode: 'insensitive'` on SQLite. SQLite's own `lower()` and `LIKE` fold ASCII letters only (without the ICU
 * extension), so `é` never matched `É`. Every connection the adapter opens registers `forge_fold(text)`, and the
 * compiler matches `forge_fold(column)` against a pattern folded here, in JavaScript, once per call. Text that
 * is pure ASCII skips the function (SQLite's LIKE folds A-Z the same way), so only rows holding a non-ASCII
 * character pay for a call into JavaScript.
 *
 * Folding is letter by letter to lower case (`String.prototype.toLowerCase()`), the rule Postgres' `ILIKE` and
 * `lower()` follow under a UTF-8 locale, so both dialects answer alike: `É` ~ `é`, `Σ` ~ `σ`; but `ß` is not
 * `SS` (that is full case folding) and text is not Unicode-normalised (see foldText for the two characters
 * where JavaScript's lower case is not Postgres'). The function is registered as
 * deterministic. No index serves an insensitive match (none served `lower(x) LIKE ...` before either).
 */
export const FOLD_FUNCTION = 'forge_fold';

/**
 * Lower case one character at a time, as Postgres does. `toLowerCase()` alone differs in two places: it turns
 * `İ` into `i` + a combining dot (two characters; Postgres: `i`), and it lowers `Σ` to `ς` at the end of a word
 * only, so `ΚΟΣ` (a pattern) and `ΚΟΣΜΟΣ` (a value) would fold to `κος` and `κοσμος`; `ς` is read as `σ`.
 */
export function foldText(text: string): string {
  return text.replace(DOTTED_CAPITAL_I, 'i').toLowerCase().replace(FINAL_SIGMA, 'σ');
}

const DOTTED_CAPITAL_I = /\u0130/g;
const FINAL_SIGMA = /\u03c2/g;

function fold(value: unknown): unknown {
  return typeof value === 'string' ? foldText(value) : value;
}

/** Register `forge_fold` on `db` (idempotent: registering again replaces it). */
export function registerFold(db: Database): void {
  db.function(FOLD_FUNCTION, { deterministic: true, varargs: false }, fold);
}
