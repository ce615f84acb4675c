import { spawn, spawnSync } from 'node:child_process';
import { createReadStream, createWriteStream, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDbWith, type Connection } from '@forge/core';
import type { TestDatabase } from '@forge/testkit';
import { adapter } from '../src/index.js';
import { cliMissing, forge, pushCounts, shown, tempProject, type RunResult } from './fixtures/forge-cli.js';
import { schema as schemaV2 } from './fixtures/restore-v2.js';
import { reached } from './helpers.js';

/**
 * Seed 001's MySQL restore drill: push the schema of the day (v1), write rows, take a logical backup with
 * `mysqldump --single-transaction` (mariadb-dump on MariaDB), restore it into another fresh database, confirm
 * it matches v1 (`forge diff --check` 0), that it is behind HEAD (v2: 3), push HEAD over it, and check that it
 * is in sync (0) with every row intact.
 */
const here = path.dirname(fileURLToPath(import.meta.url));
const V1 = path.join(here, 'fixtures/restore-v1.ts');
const V2 = path.join(here, 'fixtures/restore-v2.ts');

const has = (name: string) => spawnSync(name, ['--version'], { encoding: 'utf8' }).status === 0;
const DUMP = ['mariadb-dump', 'mysqldump'].find(has);
const CLIENT = ['mariadb', 'mysql'].find(has);
const missing = cliMissing ?? (!DUMP ? 'neither mariadb-dump nor mysqldump is on PATH' : !CLIENT ? 'neither mariadb nor mysql is on PATH' : undefined);

/** host/port/user/database of a mysql:// URL as client-program arguments; the password goes in MYSQL_PWD. */
function clientArgs(url: string): { args: string[]; env: NodeJS.ProcessEnv } {
  const u = new URL(url);
  const args = ['-h', u.hostname, '-P', u.port || '3306', '-u', decodeURIComponent(u.username || 'root')];
  const env = { ...process.env };
  if (u.password) env.MYSQL_PWD = decodeURIComponent(u.password);
  return { args, env };
}

const dbName = (url: string) => decodeURIComponent(new URL(url).pathname.slice(1));

/** Run a client program with stdin/stdout bound to files; rejects with its stderr unless it exits 0. */
function program(name: string, args: string[], env: NodeJS.ProcessEnv, io: { stdin?: string; stdout?: string }): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(name, args, { env, stdio: ['pipe', io.stdout ? 'pipe' : 'ignore', 'pipe'], timeout: 60_000 });
    let stderr = '';
    child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    let written: Promise<void> = Promise.resolve();
    if (io.stdout) {
      const out = createWriteStream(io.stdout);
      child.stdout!.pipe(out);
      written = new Promise((ok) => out.on('close', () => ok()));
    }
    if (io.stdin) createReadStream(io.stdin).pipe(child.stdin!);
    else child.stdin!.end();
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) reject(new Error(`${name} ${args.join(' ')} exited ${code}\n${stderr}`));
      else written.then(resolve, reject);
    });
  });
}

describe.skipIf(!!missing).sequential(
  `seed 001: mysqldump --single-transaction, restore, diff --check, push${missing ? ` — skipped: ${missing}` : ''}`,
  { timeout: 60_000 },
  () => {
    let source: TestDatabase;
    let restored: TestDatabase;
    let project: ReturnType<typeof tempProject>;
    let dumpFile = '';
    const conns: Connection[] = [];
    const open = async (url: string) => {
      const c = await adapter.connect(url);
      conns.push(c);
      return c;
    };
    const run = (db: TestDatabase, args: string[]): Promise<RunResult> => forge(args, { cwd: project.dir, url: db.url });
    const check = async (db: TestDatabase, schema: string) => (await run(db, ['diff', '--check', `--schema=${schema}`])).code;

    const USERS = [
      { id: '00000000-0000-4000-8000-000000000001', email: 'ada@example.com', name: 'Ada' },
      { id: '00000000-0000-4000-8000-000000000002', email: 'grace@example.com', name: null },
      { id: '00000000-0000-4000-8000-000000000003', email: 'linus@example.com', name: 'Linus' },
    ];
    const ORDERS = [
      { userId: USERS[0].id, total: '12.50' },
      { userId: USERS[0].id, total: '0.99' },
      { userId: USERS[2].id, total: '1000.00' },
    ];

    beforeAll(async () => {
      const target = await reached();
      [source, restored] = await Promise.all([target.fresh(), target.fresh()]);
      project = tempProject();
      dumpFile = path.join(project.dir, 'backup.sql');
    });

    afterAll(async () => {
      await Promise.all(conns.map((c) => c.close()));
      project?.cleanup();
      await Promise.all([source?.drop(), restored?.drop()]);
    });

    it('v1 is pushed into the source database and rows are written', async () => {
      const r = await run(source, ['push', `--schema=${V1}`]);
      expect(r.code, shown(r)).toBe(0);
      expect(pushCounts(r)?.applied, shown(r)).toBeGreaterThan(0);
      expect(await check(source, V1)).toBe(0);
      const c = await open(source.url);
      for (const u of USERS) await c.execute('INSERT INTO `users` (`id`, `email`, `name`) VALUES (?, ?, ?)', [u.id, u.email, u.name]);
      for (const o of ORDERS) await c.execute('INSERT INTO `orders` (`userId`, `total`) VALUES (?, ?)', [o.userId, o.total]);
    });

    it(`${DUMP} --single-transaction takes a plain-SQL backup`, async () => {
      const { args, env } = clientArgs(source.url);
      await program(DUMP!, [...args, '--single-transaction', '--quick', '--routines', '--triggers', '--events', dbName(source.url)], env, {
        stdout: dumpFile,
      });
      const sql = readFileSync(dumpFile, 'utf8');
      expect(sql).toMatch(/CREATE TABLE `users`/);
      expect(sql).toMatch(/INSERT INTO `orders`/);
      // A single-database dump names no database: it restores wherever it is loaded.
      expect(sql).not.toMatch(/^(CREATE DATABASE|USE) /m);
    });

    it(`the backup restores into another fresh database with ${CLIENT}`, async () => {
      const { args, env } = clientArgs(restored.url);
      await program(CLIENT!, [...args, dbName(restored.url)], env, { stdin: dumpFile });
      const c = await open(restored.url);
      expect(await c.query('SELECT `id`, `email`, `name` FROM `users` ORDER BY `email`')).toEqual(USERS);
      const orders = await c.query<{ id: number; userId: string; total: string }>('SELECT `id`, `userId`, `total` FROM `orders` ORDER BY `id`');
      expect(orders.map((o) => [Number(o.id), o.userId, String(o.total)])).toEqual(ORDERS.map((o, i) => [i + 1, o.userId, o.total]));
    });

    it('forge diff --check exits 0 against v1: the restore is clean', async () => {
      const r = await run(restored, ['diff', '--check', `--schema=${V1}`]);
      expect(r.code, shown(r)).toBe(0);
    });

    it('forge diff --check exits 3 against v2: the restore is behind HEAD, by exactly what v2 added', async () => {
      const r = await run(restored, ['diff', '--check', `--schema=${V2}`]);
      expect(r.code, shown(r)).toBe(3);
      const json = await run(restored, ['diff', '--json', `--schema=${V2}`]);
      expect(json.code, shown(json)).toBe(0);
      const report = JSON.parse(json.stdout) as { dialect: string; inSync: boolean; items: Array<Record<string, unknown>> };
      expect(report.dialect).toBe('mysql');
      expect(report.inSync).toBe(false);
      expect(report.items.map((i) => [i.kind, i.direction, i.table, i.column ?? i.index ?? null])).toEqual([
        ['table', 'missing', 'audit_events', null],
        ['column', 'missing', 'orders', 'status'],
        ['index', 'missing', 'orders', 'idx_orders_status'],
        ['column', 'missing', 'users', 'lastLoginAt'],
      ]);
    });

    it('forge push (v2) brings it forward; diff --check exits 0 and a second push applies 0', async () => {
      const r = await run(restored, ['push', `--schema=${V2}`]);
      expect(r.code, shown(r)).toBe(0);
      expect(pushCounts(r)?.applied, shown(r)).toBeGreaterThanOrEqual(4);
      expect(await check(restored, V2)).toBe(0);
      const again = await run(restored, ['push', `--schema=${V2}`]);
      expect(again.code, shown(again)).toBe(0);
      expect(pushCounts(again)?.applied, shown(again)).toBe(0);
    });

    it('every restored row is intact, the new columns are NULL or their default, and the client writes on', async () => {
      const db = createDbWith(adapter, await open(restored.url), schemaV2);
      const users = await db.user.findMany({ orderBy: { email: 'asc' } });
      expect(users).toEqual(USERS.map((u) => ({ ...u, lastLoginAt: null })));
      const orders = await db.order.findMany({ orderBy: { id: 'asc' } });
      expect(orders).toEqual(ORDERS.map((o, i) => ({ id: i + 1, ...o, status: 'pending' })));
      // The restored AUTO_INCREMENT counter carries on after the dumped rows.
      const next = await db.order.create({ data: { userId: USERS[1].id, total: '5.00' } });
      expect(next).toMatchObject({ id: 4, status: 'pending' });
      expect(await db.auditEvent.count()).toBe(0);
      // The source database was never touched by any of it.
      expect(await check(source, V1)).toBe(0);
    });
  },
);
