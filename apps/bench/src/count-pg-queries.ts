/**
 * Preloaded into the forge CLI (`node --import <this> packages/cli/dist/bin.js diff`) to count the statements
 * it sends to Postgres. It wraps `pg.Client.prototype.query` of the pg copy the Postgres adapter loads (pool
 * queries go through it too) and writes the tally to $FORGE_BENCH_COUNT_FILE when the process exits.
 */
import { writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { REPO_DIR } from './common.js';

const out = process.env.FORGE_BENCH_COUNT_FILE;
if (out) {
  const req = createRequire(path.join(REPO_DIR, 'packages', 'adapter-postgres', 'package.json'));
  const pg = req('pg') as { Client: { prototype: { query: (...a: unknown[]) => unknown } } };
  const original = pg.Client.prototype.query;
  const texts: string[] = [];
  pg.Client.prototype.query = function (this: unknown, ...a: unknown[]) {
    const q = a[0] as string | { text?: string } | undefined;
    const text = typeof q === 'string' ? q : (q?.text ?? '');
    texts.push(text.replace(/\s+/g, ' ').trim());
    return original.apply(this, a);
  };
  process.on('exit', () => {
    // Catalog reads: statements on pg_catalog / information_schema relations (connection set-up included).
    const catalog = texts.filter((t) => /\b(pg_[a-z_]+|information_schema)\b/i.test(t) && !/\bpg_(try_)?advisory/i.test(t));
    writeFileSync(out, JSON.stringify({ queries: texts.length, catalog_queries: catalog.length, texts: texts.map((t) => t.slice(0, 160)) }, null, 1));
  });
}
