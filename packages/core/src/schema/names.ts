import { createHash } from 'node:crypto';

/** The shortest identifier limit among the dialects (63 bytes) decides, so generated names are stable across dialects. */
export const GENERATED_NAME_LIMIT = 63;

/**
 * Deterministic generated names: `forge_<table>_<uq|idx|fk>_<cols>`, with a hash suffix when longer than the
 * identifier limit, or when characters outside `[A-Za-z0-9_]` were replaced by `_`, so that neither two long
 * names nor two names that differ only in such characters (`'a b'` and `'a-b'`) ever collide.
 */
export function generatedName(table: string, kind: 'uq' | 'idx' | 'fk', columns: string[]): string {
  const text = `forge_${table}_${kind}_${columns.join('_')}`;
  const raw = text.replace(/[^A-Za-z0-9_]/g, '_');
  if (raw === text && Buffer.byteLength(raw) <= GENERATED_NAME_LIMIT) return raw;
  const hash = createHash('sha1').update(`${table}\0${kind}\0${columns.join('\0')}`).digest('hex').slice(0, 8);
  return `${raw.slice(0, GENERATED_NAME_LIMIT - 9)}_${hash}`;
}

/**
 * The form two identifiers are compared in to decide whether they may name the same object. Most dialects
 * treat identifiers that differ only in case as one (some for ASCII letters only, some for every letter); one
 * keeps quoted identifiers apart. A schema means the same on every dialect, so forge refuses such pairs
 * everywhere and folds with `toLowerCase()`, the widest of those rules.
 */
export function foldIdentifier(name: string): string {
  return name.toLowerCase();
}

/**
 * Whether JavaScript treats `key` as an array index (a canonical integer below 2^32 - 1): such keys are listed
 * before every other key of an object, whatever order they were written in.
 */
export function isIntegerLikeKey(key: string): boolean {
  if (!/^(0|[1-9][0-9]{0,9})$/.test(key)) return false;
  return Number(key) < 2 ** 32 - 1;
}
