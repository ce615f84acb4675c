import { createHash } from 'node:crypto';

/** Postgres truncates at 63 bytes; the shortest common limit decides so names are stable across dialects. */
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
