import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import mysql from 'mysql2/promise';
import { afterAll, beforeAll, expect, it } from 'vitest';

// The MySQL half of the harness on its quick path: a database of its own, the dataset pushed by forge and
// seeded, every MySQL subject checked against raw mysql2 (lookups, a list, orders with lines, each write's
// effect on row counts: a subject that differs is left out with an error, which fails this test), one read and
// the write scenarios timed, the database dropped at the end. Skipped when no MySQL / MariaDB server answers.
const dir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const tmp = mkdtempSync(path.join(os.tmpdir(), 'forge-bench-mysql-'));
const serverUrl = process.env.FORGE_BENCH_MYSQL_URL ?? 'mysql://root@127.0.0.1:3306/mysql';
let server: string | undefined;

async function connect(): Promise<mysql.Connection> {
  return mysql.createConnection({ uri: serverUrl.replace(/^mariadb:/i, 'mysql:'), connectTimeout: 3000 });
}

beforeAll(async () => {
  try {
    const c = await connect();
    const [rows] = await c.query<mysql.RowDataPacket[]>('SELECT VERSION() AS v');
    server = String(rows[0].v);
    await c.end();
  } catch {
    server = undefined;
  }
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

it('pnpm bench --quick --dialects=mysql checks raw, forge, Drizzle and Kysely against each other and drops its database', async (ctx) => {
  if (!server) return ctx.skip();
  expect(existsSync(path.join(dir, 'dist', 'main.js')), 'apps/bench is not built: run pnpm build first').toBe(true);
  const out = path.join(tmp, 'results.json');
  const r = spawnSync(process.execPath, ['dist/main.js', '--quick', '--only=pk,write', '--dialects=mysql', '--subjects=raw,forge,drizzle,kysely,prisma', `--out=${out}`], {
    cwd: dir,
    encoding: 'utf8',
    timeout: 170_000,
  });
  expect(r.status, r.stderr + r.stdout).toBe(0);
  const db = /this run's database: (forge_bench_\w+)/.exec(r.stdout)?.[1];
  expect(db, r.stdout).toBeDefined();
  expect(r.stdout).toContain(`mysql: dropped ${db}`);
  expect(r.stdout).toMatch(/Prisma is not run on MySQL/);
  const rows = JSON.parse(readFileSync(out, 'utf8')) as Array<Record<string, unknown>>;
  const errors = rows.filter((x) => x.error).map((x) => `${x.subject} ${x.scenario}: ${x.error}`);
  expect(errors, errors.join('\n')).toEqual([]);
  for (const subject of ['raw', 'forge', 'drizzle', 'kysely']) {
    const mine = rows.filter((x) => x.subject === subject);
    // PK lookup and the four write scenarios.
    expect(mine.map((x) => x.scenario).sort(), subject).toHaveLength(5);
    for (const x of mine) {
      expect(x.dialect).toBe('mysql');
      expect(x.median_ms as number).toBeGreaterThan(0);
      expect(x.ratio_to_raw as number).toBeGreaterThan(0);
    }
  }
  expect(rows.some((x) => x.subject === 'prisma')).toBe(false);
  const c = await connect();
  try {
    const [left] = await c.query<mysql.RowDataPacket[]>('SELECT schema_name FROM information_schema.schemata WHERE schema_name = ?', [db]);
    expect(left, `${db} was not dropped`).toHaveLength(0);
  } finally {
    await c.end();
  }
}, 180_000);

it('skips MySQL with the reason printed when no server answers', () => {
  expect(existsSync(path.join(dir, 'dist', 'main.js')), 'apps/bench is not built: run pnpm build first').toBe(true);
  const out = path.join(tmp, 'absent.json');
  const r = spawnSync(process.execPath, ['dist/main.js', '--quick', '--only=pk', '--dialects=mysql', `--out=${out}`], {
    cwd: dir,
    encoding: 'utf8',
    timeout: 30_000,
    // Port 1: nothing listens there.
    env: { ...process.env, FORGE_BENCH_MYSQL_URL: 'mysql://root@127.0.0.1:1/mysql' },
  });
  expect(r.status, r.stderr + r.stdout).toBe(0);
  expect(r.stdout).toMatch(/MySQL skipped: no MySQL\/MariaDB server answered at mysql:\/\/127\.0\.0\.1:1\/mysql/);
  const rows = JSON.parse(readFileSync(out, 'utf8')) as Array<Record<string, unknown>>;
  expect(rows).toHaveLength(1);
  expect(rows[0]).toMatchObject({ dialect: 'mysql', subject: 'all', median_ms: null });
  expect(String(rows[0].error)).toMatch(/no MySQL\/MariaDB server answered/);
});
