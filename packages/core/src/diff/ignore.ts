import type { Capabilities } from '../adapter.js';
import { ConfigError } from '../errors.js';
import type { Snapshot } from '../schema/ir.js';
import type { IgnorePattern } from './types.js';

/** The migration ledger forge keeps in every SQL database. */
export const LEDGER_TABLE = '_forge_migrations';

/** The push lock's table (`engine/lock-row.ts`; MongoDB keeps its lock document in a collection of that name). */
export const LOCK_TABLE = '_forge_lock';

/**
 * Names that are never drift whatever the flags say: the ledger and the push lock's table, on every dialect.
 * Engine-owned objects (catalog and shadow tables, forge's search objects) are not guessed from their names
 * here: the adapter's introspection reports the ones it recognises in `Snapshot.internal`.
 */
export const ALWAYS_IGNORED: readonly IgnorePattern[] = [LEDGER_TABLE, LOCK_TABLE];

/**
 * Split at commas, except inside a `/regex/flags` item: a quantifier such as `/^a{1,3}$/` carries a
 * comma that belongs to the pattern.
 */
function splitItems(input: string): string[] {
  const items: string[] = [];
  const n = input.length;
  let i = 0;
  while (i <= n) {
    let start = i;
    while (start < n && /\s/.test(input[start])) start++;
    const regexEnd = input[start] === '/' ? endOfRegex(input, start) : -1;
    if (regexEnd !== -1) {
      let after = regexEnd;
      while (after < n && /\s/.test(input[after])) after++;
      if (after === n || input[after] === ',') {
        items.push(input.slice(start, regexEnd));
        i = after + 1;
        continue;
      }
    }
    const comma = input.indexOf(',', i);
    const end = comma === -1 ? n : comma;
    items.push(input.slice(i, end));
    i = end + 1;
  }
  return items;
}

/** Index just past the flags of a regex literal starting at `start`, or -1 when it never closes. */
function endOfRegex(input: string, start: number): number {
  let inClass = false;
  for (let k = start + 1; k < input.length; k++) {
    const c = input[k];
    if (c === '\\') {
      k++;
    } else if (c === '[') {
      inClass = true;
    } else if (c === ']') {
      inClass = false;
    } else if (c === '/' && !inClass) {
      let m = k + 1;
      while (m < input.length && /[a-z]/i.test(input[m])) m++;
      return m;
    }
  }
  return -1;
}

function toPattern(item: string): IgnorePattern {
  const literal = /^\/(.*)\/([a-z]*)$/is.exec(item);
  if (!literal) return item;
  const [, body, flags] = literal;
  if (body === '') {
    throw new ConfigError(`Ignore pattern '${item}' is an empty regular expression and would hide every table: write a table name or a non-empty /regex/flags`);
  }
  try {
    return new RegExp(body, flags);
  } catch (e) {
    throw new ConfigError(
      `Ignore pattern '${item}' is not a valid regular expression (${(e as Error).message}). Fix it in --ignore or FORGE_DIFF_IGNORE: write /regex/flags or a plain table name.`,
    );
  }
}

/**
 * Parse `--ignore` / `FORGE_DIFF_IGNORE`: comma-separated, `/regex/flags` items become RegExps, anything
 * else is an exact table name. Blank items are skipped.
 */
export function parseIgnoreList(input?: string | null): IgnorePattern[] {
  if (!input) return [];
  return splitItems(input)
    .map((s) => s.trim())
    .filter((s) => s.length > 0)
    .map(toPattern);
}

/** True when `name` matches one of the patterns (exact string, or regex anywhere in the name). */
export function isIgnored(name: string, patterns: readonly IgnorePattern[]): boolean {
  // `search` neither reads nor moves `lastIndex`, so a user's /g or /y flag cannot make matches flicker.
  return patterns.some((p) => (typeof p === 'string' ? p === name : name.search(p) !== -1));
}

/** Engine-managed objects: the fixed list, what the adapter marked internal, and the dialect's system tables. */
export function isAlwaysIgnored(
  name: string,
  snap?: Pick<Snapshot, 'internal'>,
  caps?: Pick<Capabilities, 'systemTables'>,
): boolean {
  return isIgnored(name, ALWAYS_IGNORED) || (snap?.internal ?? []).includes(name) || isIgnored(name, caps?.systemTables ?? []);
}
