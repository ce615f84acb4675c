import { spawn } from 'node:child_process';
import { adapter as pgAdapter } from '@forge/adapter-postgres';
import { pushMany, type FanoutReport } from '@forge/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI, cliEnv, makeProject, shown, USERS_SCHEMA, type Project, type RunResult } from './helpers.js';
import { createTestDatabase, PG_LABEL, PG_SERVER, postgresAnswers, query, tablesOf as pgTables, type TestDatabase } from './postgres.js';
import { tablesOf, withDb } from './sqlite.js';

const pgUp = await postgresAnswers();
/** A password the trust-auth test server ignores: it must never be printed. */
const SECRET = 'Sekr3t_pw_91';
const withPassword = (url: string) => url.replace('postgres://postgres@', `postgres://postgres:${SECRET}@`);

describe.skipIf(!pgUp)(`forge push --each on 6 Postgres databases (${PG_LABEL}) and 6 SQLite files`, () => {
  let p: Project;
  const dbs: TestDatabase[] = [];
  let list: string;
  let pgNames: string[];
  beforeAll(async () => {
    p = makeProject({ 'src/schema.ts': USERS_SCHEMA });
    for (let i = 0; i < 5; i++) dbs.push(await createTestDatabase());
    // Schema-per-tenant in the first database: its own schema, reached through ?schema= in the URL.
    await query(dbs[0].url, 'CREATE SCHEMA tenant_s');
    pgNames = dbs.map((d) => d.name);
    const lines = ['# postgres: 5 databases, a schema tenant and one that cannot connect'];
    dbs.forEach((d, i) => lines.push(`pg${i} ${withPassword(d.url)}`));
    lines.push(`pg_schema ${withPassword(dbs[0].url)}?schema=tenant_s`);
    lines.push(`pg_down postgres://postgres:${SECRET}@127.0.0.1:1/nowhere`);
    lines.push('', '# sqlite: 6 files, the last with duplicate emails (its unique index fails)');
    for (let i = 0; i < 6; i++) lines.push(`sqlite:./t${i}.db`);
    list = lines.join('\n') + '\n';
    p.write('tenants.txt', list);
    withDb(p.file('t5.db'), (db) =>
      db.exec("CREATE TABLE users (id TEXT PRIMARY KEY NOT NULL, email TEXT NOT NULL, nickname TEXT); INSERT INTO users VALUES ('a','x@y.z',NULL),('b','x@y.z',NULL)"),
    );
  });
  afterAll(async () => {
    for (const d of dbs) await d.drop();
    p?.cleanup();
  });

  it('pushes to every target, at most N at once (sampled from pg_stat_activity), reports each, exits 2 naming the failed', async () => {
    const samples: number[] = [];
    let running = true;
    const sampler = (async () => {
      const conn = await pgAdapter.connect(PG_SERVER);
      try {
        while (running) {
          const rows = await conn.query<{ n: string | number }>(
            'SELECT count(DISTINCT datname) AS n FROM pg_stat_activity WHERE datname = ANY($1) AND pid <> pg_backend_pid()',
            [pgNames],
          );
          samples.push(Number(rows[0].n));
          await new Promise((r) => setTimeout(r, 5));
        }
      } finally {
        await conn.close();
      }
    })();
    const r = await p.runAsync(['push', '--each', 'tenants.txt', '--concurrency', '2']);
    running = false;
    await sampler;
    const out = r.stdout + r.stderr;
    expect(r.code, shown(r)).toBe(2);
    expect(out).not.toContain(SECRET);
    expect(out).toContain(`postgres://postgres:***@127.0.0.1:1/nowhere`);
    expect(r.stdout).toMatch(/^push on 13 database\(s\), 2 at a time$/m);
    for (const name of ['pg0', 'pg1', 'pg2', 'pg3', 'pg4', 'pg_schema']) expect(r.stdout).toMatch(new RegExp(`^✓ ${name}: applied 3, skipped 0, failures 0 `, 'm'));
    for (let i = 0; i < 5; i++) expect(r.stdout).toMatch(new RegExp(`^✓ sqlite:./t${i}.db: applied 3, skipped 0, failures 0 `, 'm'));
    expect(r.stdout).toMatch(/^✗ pg_down: .*ECONNREFUSED/m);
    expect(r.stdout).toMatch(/^✗ sqlite:.\/t5.db: applied 1, skipped 1, failures 1; forge_users_uq_email: .*[Uu]nique/m);
    expect(r.stdout).toMatch(/^13 database\(s\): 11 ok, 1 with failed statements, 1 unreachable or refused; 34 statement\(s\) applied/m);
    expect(r.stderr).toMatch(/^forge: 2 of 13 database\(s\) failed: pg_down, sqlite:.\/t5.db$/m);
    // The databases really have the tables; the schema tenant's are in its schema.
    for (const d of dbs) expect(await pgTables(d.url)).toEqual(['posts', 'users']);
    expect(await pgTables(dbs[0].url, 'tenant_s')).toEqual(['posts', 'users']);
    expect(tablesOf(p.file('t0.db'))).toEqual(expect.arrayContaining(['posts', 'users']));
    // Bounded: never more than 2 of these databases had a connection at once, and the pool did run them side by side.
    console.log(`pg_stat_activity samples: ${samples.length}, most databases connected at once: ${Math.max(...samples)}`);
    expect(samples.length).toBeGreaterThan(3);
    expect(Math.max(...samples)).toBeLessThanOrEqual(2);
    expect(Math.max(...samples)).toBeGreaterThanOrEqual(1);
  });

  it('a second run applies 0 where the first succeeded; --json from stdin gives one report per target', async () => {
    const r = await runWithStdin(p, ['push', '--each', '-', '--json'], list);
    expect(r.code, shown(r)).toBe(2);
    expect(r.stdout + r.stderr).not.toContain(SECRET);
    const report = JSON.parse(r.stdout) as FanoutReport;
    expect(report.targets.map((t) => t.name)).toEqual(['pg0', 'pg1', 'pg2', 'pg3', 'pg4', 'pg_schema', 'pg_down', ...[0, 1, 2, 3, 4, 5].map((i) => `sqlite:./t${i}.db`)]);
    expect(report.concurrency).toBe(4);
    expect(report.failed).toEqual(['pg_down', 'sqlite:./t5.db']);
    for (const t of report.targets.filter((t) => t.status === 'applied')) {
      expect(t.push!.applied, t.name).toEqual([]);
      expect(t.push!.skipped.length, t.name).toBe(3);
    }
    const down = report.targets.find((t) => t.name === 'pg_down')!;
    expect(down).toMatchObject({ status: 'error', dialect: 'postgres', url: 'postgres://postgres:***@127.0.0.1:1/nowhere' });
    const t5 = report.targets.find((t) => t.name === 'sqlite:./t5.db')!;
    expect(t5.status).toBe('failed');
    expect(t5.push!.failures[0].label).toBe('forge_users_uq_email');
  });

  it('forge diff --check --each: in sync is 0; drift is 3; a failed target is 2', async () => {
    const good = p.file('good.txt');
    p.write('good.txt', list.split('\n').filter((l) => !/pg_down|t5\.db/.test(l)).join('\n'));
    const ok = await p.runAsync(['diff', '--check', '--each', good]);
    expect(ok.code, shown(ok)).toBe(0);
    expect(ok.stdout).toMatch(/^✓ pg_schema: in sync/m);
    await query(dbs[1].url, 'ALTER TABLE posts ADD COLUMN extra text');
    const drift = await p.runAsync(['diff', '--check', '--each', good, '--json']);
    expect(drift.code, shown(drift)).toBe(3);
    expect((JSON.parse(drift.stdout) as FanoutReport).drifted).toEqual(['pg1']);
    const failed = await p.runAsync(['diff', '--check', '--each', 'tenants.txt']);
    expect(failed.code, shown(failed)).toBe(2);
    expect(failed.stdout).toMatch(/^≠ pg1: 1 drift item\(s\)/m);
    expect(failed.stdout + failed.stderr).not.toContain(SECRET);
  });

  it('pushMany: the same report through the API; a schema tenant whose schema is missing is refused, not pushed to public', async () => {
    const { schema } = await import(p.file('src/schema.ts'));
    const extra = await createTestDatabase();
    dbs.push(extra);
    const seen: string[] = [];
    const report = await pushMany(
      [{ name: 'fresh', url: extra.url }, { name: 'nosuch', url: `${extra.url}?schema=tenant_missing` }, withPassword(dbs[2].url)],
      { schema, concurrency: 2, adapters: { postgres: pgAdapter }, onResult: (t) => seen.push(t.name) },
    );
    expect(seen.sort()).toEqual(['fresh', 'nosuch', withPassword(dbs[2].url).replace(SECRET, '***')].sort());
    expect(report.targets[0]).toMatchObject({ status: 'applied', dialect: 'postgres' });
    expect(report.targets[0].push!.applied.length).toBe(3);
    expect(report.targets[1].status).toBe('error');
    expect(report.targets[1].error).toMatch(/schema tenant_missing does not exist .*CREATE SCHEMA tenant_missing/);
    expect(report.targets[2].push!.applied).toEqual([]);
    expect(JSON.stringify(report)).not.toContain(SECRET);
  });

  it('bad input is refused before anything connects', () => {
    const bad = (args: string[], pattern: RegExp) => {
      const r = p.run(args);
      expect(r.code, shown(r)).toBe(1);
      expect(r.stderr).toMatch(pattern);
    };
    bad(['push', '--each', 'tenants.txt', '--concurrency', '0'], /--concurrency must be a whole number from 1 to 64 \(got '0'\)/);
    bad(['push', '--each', 'tenants.txt', '--concurrency', '65'], /from 1 to 64/);
    bad(['push', '--each', 'tenants.txt', '--concurrency', 'lots'], /got 'lots'/);
    bad(['push', '--each', 'missing.txt'], /cannot read the target list missing.txt: no such file/);
    bad(['push', '--each'], /--each needs a file/);
    bad(['push', '--concurrency', '3'], /--concurrency only applies with --each/);
    p.write('dup.txt', 'sqlite:./a.db\nsqlite:./a.db\n');
    bad(['push', '--each', 'dup.txt'], /dup.txt line 2 repeats the URL of line 1/);
    p.write('odd.txt', `http://u:${SECRET}@h/x\n`);
    const r = p.run(['push', '--each', 'odd.txt']);
    expect(r.stderr).toMatch(/odd.txt line 1: .*unknown prefix/);
    expect(r.stderr).not.toContain(SECRET);
  });
});

function runWithStdin(p: Project, args: string[], input: string): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { cwd: p.dir, env: cliEnv({}), timeout: 60_000 });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(input);
  });
}
