import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const pkgDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** Run a snippet in a clean Node process against the built package and report which drivers got loaded. */
function loadedDrivers(snippet: string): string[] {
  const script = `
    const { createRequire } = await import('node:module');
    ${snippet}
    const req = createRequire(import.meta.url);
    const loaded = Object.keys(req.cache ?? {}).concat(process.moduleLoadList ?? []);
    const drivers = ['better-sqlite3', 'pg', 'mysql2', 'mongodb', 'mssql', '@duckdb/node-api'];
    const hits = drivers.filter((d) => loaded.some((m) => m.includes('/node_modules/' + d + '/')));
    console.log(JSON.stringify(hits));`;
  const out = execFileSync(process.execPath, ['--input-type=module', '-e', script], { cwd: pkgDir, encoding: 'utf8' });
  return JSON.parse(out.trim().split('\n').pop()!);
}

describe('forge-orm', () => {
  it('importing it loads no database driver; factories only wrap clients', () => {
    expect(loadedDrivers(`const m = await import('forge-orm'); m.pgDriver({ query() {} }); m.betterSqlite3Driver({ prepare() {}, exec() {} });`)).toEqual([]);
  });

  it('createDb loads only the adapter for the URL it is given', () => {
    const hits = loadedDrivers(`
      const { createDb, model, f } = await import('forge-orm');
      const db = await createDb({ url: 'sqlite::memory:', schema: { t: model('t', { id: f.id() }) } });
      await db.$disconnect();`);
    expect(hits).toEqual(['better-sqlite3']);
  });

  it('re-exports the public surface and forge-orm/scripts/diff-core', async () => {
    const m = await import('forge-orm');
    for (const name of ['createDb', 'model', 'f', 'raw', 'DbKnownError', 'pgDriver', 'postgresJsDriver', 'betterSqlite3Driver', 'wireOtel', 'defineConfig']) {
      expect(m).toHaveProperty(name);
    }
    const dc = await import('forge-orm/scripts/diff-core');
    expect(dc.parseIgnoreList('logs,/^_atlas_/i,events')).toEqual(['logs', /^_atlas_/i, 'events']);
  });

  it('an unknown URL prefix names what is accepted and the type escape hatch', async () => {
    const { createDb, model, f } = await import('forge-orm');
    await expect(createDb({ url: 'oracle://x', schema: { t: model('t', { id: f.id() }) } })).rejects.toThrow(/unknown prefix[\s\S]*postgres:\/\/[\s\S]*type/);
  });
});
