import { execFile } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import { DbKnownError } from '@forge/core';
import { adapter, openSqlite } from '../src/index.js';
import { memory, tempDir } from './helpers.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const dir = tempDir();

/**
 * Bundle the worker script to plain JS so child processes can run it with node. esbuild is reached through tsup,
 * the repository's build tool; the bundle lives under this package so that `better-sqlite3` resolves from it.
 */
async function bundleWorker(): Promise<string> {
  const require = createRequire(import.meta.url);
  const esbuildPath = createRequire(require.resolve('tsup')).resolve('esbuild');
  const esbuild = (await import(pathToFileURL(esbuildPath).href)) as { build(options: Record<string, unknown>): Promise<unknown> };
  const outdir = path.join(here, '..', 'node_modules', '.cache', 'forge-sqlite-test');
  mkdirSync(outdir, { recursive: true });
  const outfile = path.join(outdir, 'push-worker.mjs');
  await esbuild.build({
    entryPoints: [path.join(here, 'fixtures', 'push-worker.ts')],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    external: ['better-sqlite3'],
    alias: { '@forge/core': path.join(here, '..', '..', 'core', 'src', 'index.ts') },
    logLevel: 'error',
  });
  return outfile;
}

describe('adapter', () => {
  it('declares the SQLite capabilities', () => {
    expect(adapter.kind).toBe('sqlite');
    expect(adapter.capabilities).toMatchObject({
      dialect: 'sqlite',
      compareTypes: false,
      coveringIndexes: false,
      indexMethods: ['btree'],
      alterAddForeignKey: false,
      materializedViews: false,
      maxIdentifierLength: 128,
    });
    // URLs are redacted by core's one function (redactUrl), not per adapter.
    expect(adapter).not.toHaveProperty('redactUrl');
  });

  it('serialises eight concurrent push processes on one file with the lock', async () => {
    const worker = await bundleWorker();
    const file = path.join(dir, 'pushes.db');
    const run = promisify(execFile);
    await Promise.all(Array.from({ length: 8 }, (_, i) => run(process.execPath, [worker, file, String(i)])));

    const conn = await openSqlite(`sqlite:${file}`);
    const log = (await conn.queryArrays('SELECT started, ended, created FROM push_log ORDER BY started')) as number[][];
    expect(log).toHaveLength(8);
    for (let i = 1; i < log.length; i++) expect(log[i][0]).toBeGreaterThanOrEqual(log[i - 1][1]);
    expect(log.filter((r) => r[2] === 1)).toHaveLength(1);
    const snap = await adapter.introspect(conn);
    expect(snap.tables.find((t) => t.name === 'items')?.indexes.map((i) => i.name)).toContain('forge_items_uq_name');
    await conn.close();
  }, 60_000);

  it('lets two connections in one process take the lock in turn without stalling the event loop', async () => {
    const file = path.join(dir, 'in-process.db');
    const conns = [await openSqlite(`sqlite:${file}`), await openSqlite(`sqlite:${file}`)];
    const order: string[] = [];
    await Promise.all(
      conns.map((conn, i) =>
        adapter.lock(conn, async (tx) => {
          order.push(`${i}:in`);
          await new Promise((r) => setTimeout(r, 30));
          await tx.execute('CREATE TABLE IF NOT EXISTS t (x INTEGER)');
          order.push(`${i}:out`);
        }),
      ),
    );
    expect(order).toEqual(['0:in', '0:out', '1:in', '1:out']);
    await Promise.all(conns.map((c) => c.close()));
  });

  it('gives up on the lock after busy_timeout with TIMEOUT and the next step', async () => {
    const file = path.join(dir, 'held.db');
    const conn = await openSqlite(`sqlite:${file}?busy_timeout=100`);
    const holder = new Database(file);
    holder.exec('BEGIN IMMEDIATE');
    const started = Date.now();
    const e = await adapter.lock(conn, async () => 'never').catch((err: unknown) => err);
    expect(Date.now() - started).toBeGreaterThanOrEqual(100);
    expect(e).toBeInstanceOf(DbKnownError);
    expect((e as DbKnownError).code).toBe('TIMEOUT');
    expect((e as Error).message).toMatch(/busy_timeout=/);
    // forge waits on timers; SQLite's own (synchronous) busy handler stays off on forge's handles.
    expect(await conn.queryArrays('PRAGMA busy_timeout')).toEqual([[0]]);
    holder.exec('ROLLBACK');
    holder.close();
    await expect(adapter.lock(conn, async () => 'now')).resolves.toBe('now');
    await conn.close();
  });

  it('runIsolated undoes only the failing statement inside the lock', async () => {
    const conn = await memory();
    const failures: string[] = [];
    await adapter.lock(conn, async (tx) => {
      for (const sql of ['CREATE TABLE a (x INTEGER)', 'CREATE TABLE a (x INTEGER)', 'CREATE INDEX a_x ON a (x)', 'INSERT INTO a VALUES (1)']) {
        await adapter.runIsolated(tx, sql).catch((e: Error) => failures.push(e.message));
      }
    });
    expect(failures).toEqual([expect.stringMatching(/already exists/)]);
    expect(await conn.queryArrays('SELECT x FROM a')).toEqual([[1]]);
    expect((await adapter.introspect(conn)).tables[0].indexes.map((i) => i.name)).toEqual(['a_x']);
    await conn.close();
  });

  it('runIsolated runs multi-statement DDL and maps its errors', async () => {
    const conn = await memory();
    await adapter.runIsolated(conn, 'CREATE TABLE p (id TEXT PRIMARY KEY); CREATE TABLE c (p TEXT REFERENCES p(id))');
    const e = await adapter.runIsolated(conn, `INSERT INTO c VALUES ('none')`).catch((err: unknown) => err);
    expect(e).toBeInstanceOf(DbKnownError);
    expect((e as DbKnownError).code).toBe('FOREIGN_KEY_VIOLATION');
    expect(await conn.queryArrays('SELECT count(*) FROM c')).toEqual([[0]]);
    await conn.close();
  });

  it('probes version and features without throwing, with action items', async () => {
    const conn = await memory();
    const report = await adapter.probe(conn);
    expect(report.dialect).toBe('sqlite');
    expect(report.version).toMatch(/^3\.\d+\.\d+$/);
    expect(report.features).toMatchObject({ reachable: true, fts5: true, json: true, returning: true, dropColumn: true, foreignKeys: true });
    expect(typeof report.features.spatialite).toBe('boolean');
    if (report.features.spatialite === false) expect(report.featureActions).toContainEqual({ feature: 'geoPoint', action: expect.stringMatching(/mod_spatialite/) });
    await conn.close();
    const closed = await adapter.probe(conn);
    expect(closed.features.reachable).toBe(false);
    expect(closed.actions[0]).toMatch(/Could not query/);
  });

  it('connects through the adapter and maps errors the same way', async () => {
    const conn = await adapter.connect('sqlite::memory:');
    const e = await conn.query('SELECT * FROM missing').catch((err: unknown) => err);
    expect((e as DbKnownError).code).toBe('MISSING_TABLE');
    await conn.close();
  });
});
