/**
 * The lock-row push lock (`_forge_lock`), forced on (forge.config `lockStrategy: 'row'` or FORGE_LOCK_STRATEGY=row)
 * on the local Postgres and MariaDB, through the CLI: concurrent pushes serialise on the row, a holder killed with
 * SIGKILL is taken over once its lease ends, a live holder makes a push fail fast naming it, and the table is
 * never drift. Plus `?schema=` in a single Postgres DATABASE_URL and doctor's engine facts.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeProject, shown, USERS_SCHEMA, type Project, type RunResult } from './helpers.js';
import { target as mysqlTarget, query as mysqlQuery } from './mysql.js';
import { createTestDatabase, PG_LABEL, postgresAnswers, query as pgQuery, type TestDatabase } from './postgres.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const pgUp = await postgresAnswers();

interface Server {
  label: string;
  up: boolean;
  /** The adapter's built entry, for the holder child process. */
  adapterDist: string;
  fresh(): Promise<TestDatabase>;
  query<R = Record<string, unknown>>(url: string, sql: string, params?: unknown[]): Promise<R[]>;
  tables(url: string): Promise<string[]>;
  /** A statement that takes a moment (run as the push's afterMigrate hook, under the push lock). */
  pause: string;
}

const servers: Server[] = [
  {
    label: `Postgres (${PG_LABEL})`,
    up: pgUp,
    adapterDist: path.resolve(here, '../../adapter-postgres/dist/index.js'),
    fresh: createTestDatabase,
    query: pgQuery,
    tables: async (url) =>
      (await pgQuery<{ t: string }>(url, "SELECT table_name AS t FROM information_schema.tables WHERE table_schema = current_schema() ORDER BY 1")).map((r) => r.t),
    pause: 'SELECT pg_sleep(0.4);',
  },
  {
    label: `MariaDB/MySQL (${mysqlTarget.label})`,
    up: !('skip' in mysqlTarget),
    adapterDist: path.resolve(here, '../../adapter-mysql/dist/index.js'),
    fresh: () => mysqlTarget.fresh(),
    query: (url, sql, params) => mysqlQuery(url, sql, params),
    tables: async (url) =>
      (await mysqlQuery<{ t: string }>(url, 'SELECT table_name AS t FROM information_schema.tables WHERE table_schema = DATABASE() ORDER BY 1')).map((r) => r.t),
    pause: 'SELECT SLEEP(0.4);',
  },
];

/**
 * A process that takes the push lock with the lock row forced on (lease `leaseMs`) and holds it until killed,
 * printing `locked <pid>` once it has it: a push that hangs, or is killed mid-way.
 */
function holdLock(p: Project, s: Server, url: string, leaseMs: number, holdMs = 0): Promise<ChildProcess> {
  p.write(
    'holder.mjs',
    `import { adapter } from ${JSON.stringify(pathToFileURL(s.adapterDist).href)};\n` +
      `const [url, lease, hold] = process.argv.slice(2).map((a, i) => (i ? Number(a) : a));\n` +
      `const conn = await adapter.connect(url, { lockStrategy: 'row', lockLeaseMs: lease });\n` +
      `await adapter.lock(conn, async () => { console.log('locked ' + process.pid); await new Promise((r) => hold > 0 && setTimeout(r, hold)); });\n` +
      `console.log('released');\n` +
      `await conn.close();\n`,
  );
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [p.file('holder.mjs'), url, String(leaseMs), String(holdMs)], { cwd: p.dir, stdio: ['ignore', 'pipe', 'pipe'] });
    let err = '';
    child.stderr!.setEncoding('utf8').on('data', (d: string) => (err += d));
    child.stdout!.setEncoding('utf8').on('data', (d: string) => {
      if (d.includes('locked')) resolve(child);
    });
    child.on('exit', (code) => code !== 0 && reject(new Error(`the lock holder exited (${code}) before it held the lock: ${err}`)));
  });
}

const killed = (child: ChildProcess) => new Promise<void>((r) => (child.exitCode !== null || child.signalCode !== null ? r() : child.once('exit', () => r())));

async function lockRows(s: Server, url: string): Promise<Array<{ holder: string; info: string; left_ms: number }>> {
  if (!(await s.tables(url)).includes('_forge_lock')) return [];
  return s.query(url, 'SELECT holder, info, expires_ms - acquired_ms AS left_ms FROM _forge_lock');
}

const applied = (r: RunResult) => Number(/^applied: (\d+)/m.exec(r.stdout)?.[1] ?? NaN);

for (const s of servers) {
  describe.skipIf(!s.up)(`lock row forced on, ${s.label}`, () => {
    let db: TestDatabase;
    let p: Project;
    beforeAll(async () => {
      db = await s.fresh();
      // The hook pauses each push while it holds the row, so the sampler below sees the row however fast the push is.
      p = makeProject({
        'src/schema.ts': USERS_SCHEMA,
        'hold.sql': `${s.pause}\n`,
        'forge.config.ts': "export default { schema: './src/schema.ts', lockStrategy: 'row', afterMigrate: './hold.sql' };\n",
      });
    });
    afterAll(async () => {
      p?.cleanup();
      await db?.drop();
    });

    it('two concurrent pushes serialise on the _forge_lock row: one applies everything, the other plans after it and applies 0', async () => {
      const seen = new Set<string>();
      let sampling = true;
      const sampler = (async () => {
        while (sampling) {
          for (const r of await lockRows(s, db.url).catch(() => [])) seen.add(r.info);
          await new Promise((r) => setTimeout(r, 5));
        }
      })();
      const [a, b] = await Promise.all([p.runAsync(['push'], { DATABASE_URL: db.url }), p.runAsync(['push'], { DATABASE_URL: db.url })]);
      sampling = false;
      await sampler;
      expect(a.code, shown(a)).toBe(0);
      expect(b.code, shown(b)).toBe(0);
      expect([applied(a), applied(b)].sort()).toEqual([0, 3]);
      // The push notes say the row is taken by choice (Postgres and MariaDB have a working native lock).
      expect(a.stdout + a.stderr).toMatch(/lockStrategy 'row' is set: push takes its lock as a row of _forge_lock/);
      // The row was taken (by a forge process: host, pid, command), and nothing is left once both are done.
      expect([...seen].some((i) => /pid \d+/.test(i)), [...seen].join('\n')).toBe(true);
      expect(await lockRows(s, db.url)).toEqual([]);
      // _forge_lock is forge's own table: never drift.
      const diff = p.run(['diff', '--check'], { DATABASE_URL: db.url });
      expect(diff.code, shown(diff)).toBe(0);
      expect(diff.stdout).not.toContain('_forge_lock');
    }, 60_000);

    it('a push waits while another holds the row and goes on as soon as that one releases it (long before its lease ends)', async () => {
      const child = await holdLock(p, s, db.url, 60_000, 1_500);
      const started = Date.now();
      const r = await p.runAsync(['push'], { DATABASE_URL: db.url, FORGE_LOCK_TIMEOUT: '30s' });
      const waited = Date.now() - started;
      await killed(child);
      expect(r.code, shown(r)).toBe(0);
      expect(r.stdout).toMatch(new RegExp(`waiting for the push lock: held by .*pid ${child.pid}.*, its lease ends in (59|60) s`));
      expect(waited).toBeGreaterThan(800);
      expect(waited).toBeLessThan(15_000);
      expect(await lockRows(s, db.url)).toEqual([]);
    }, 60_000);

    it('takes over a row whose lease has already expired at once', async () => {
      await s.query(db.url, "INSERT INTO _forge_lock (name, holder, info, acquired_ms, expires_ms) VALUES ('push', 'stale', 'gone-host pid 1', 0, 1)");
      const started = Date.now();
      const r = p.run(['push'], { DATABASE_URL: db.url, FORGE_LOCK_TIMEOUT: '2s' });
      expect(r.code, shown(r)).toBe(0);
      expect(Date.now() - started).toBeLessThan(10_000);
      expect(await lockRows(s, db.url)).toEqual([]);
    }, 30_000);

    it('a holder killed with SIGKILL stops renewing; the next push waits for its lease to end, then takes over', async () => {
      const leaseMs = 4_000;
      const child = await holdLock(p, s, db.url, leaseMs);
      const held = await lockRows(s, db.url);
      expect(held).toHaveLength(1);
      expect(held[0].info).toContain(`pid ${child.pid}`);
      child.kill('SIGKILL');
      await killed(child);
      const started = Date.now();
      const r = await p.runAsync(['push'], { DATABASE_URL: db.url, FORGE_LOCK_TIMEOUT: '30s' });
      const waited = Date.now() - started;
      expect(r.code, shown(r)).toBe(0);
      expect(r.stdout).toMatch(new RegExp(`waiting for the push lock: held by .*pid ${child.pid}`));
      // It waited for the dead holder's lease (at most one lease from its last renewal), not for the 30 s timeout.
      expect(waited).toBeLessThan(leaseMs + 8_000);
      expect(await lockRows(s, db.url)).toEqual([]);
    }, 60_000);

    it('a live holder makes the push fail fast, naming the holder and when its lease ends', async () => {
      const child = await holdLock(p, s, db.url, 60_000);
      try {
        const started = Date.now();
        const r = await p.runAsync(['push'], { DATABASE_URL: db.url, FORGE_LOCK_TIMEOUT: '1s' });
        const took = Date.now() - started;
        expect(r.code, shown(r)).not.toBe(0);
        expect(r.stderr).toContain('Another forge push holds the push lock');
        expect(r.stderr).toContain(`pid ${child.pid}`);
        expect(r.stderr).toMatch(/lease ends at \d{4}-\d\d-\d\dT/);
        expect(took).toBeLessThan(15_000);
      } finally {
        child.kill('SIGKILL');
        await killed(child);
      }
      await s.query(db.url, "DELETE FROM _forge_lock WHERE name = 'push'");
    }, 60_000);

    it('doctor names the engine and the push lock it takes', () => {
      const r = p.run(['doctor'], { DATABASE_URL: db.url });
      expect(r.stdout, shown(r)).toMatch(/engine: (PostgreSQL|MariaDB|MySQL) \d+/);
      expect(r.stdout).toContain("push lock: a row of _forge_lock with a lease (lockStrategy 'row')");
      const auto = p.run(['doctor'], { DATABASE_URL: db.url, FORGE_LOCK_STRATEGY: 'auto' });
      expect(auto.stdout, shown(auto)).toMatch(/push lock: (an advisory lock|GET_LOCK) \(the engine's own lock\)/);
    }, 60_000);

    it('refuses a bad FORGE_LOCK_STRATEGY / lockLease before connecting, naming the fix', () => {
      const r = p.run(['push'], { DATABASE_URL: db.url, FORGE_LOCK_STRATEGY: 'rows' });
      expect(r.code, shown(r)).toBe(1);
      expect(r.stderr).toMatch(/FORGE_LOCK_STRATEGY="rows" is not a lock strategy/);
      p.write('bad/forge.config.ts', "export default { schema: '../src/schema.ts', lockLease: '1s' };\n");
      const bad = p.run(['push', '--config', 'bad/forge.config.ts'], { DATABASE_URL: db.url });
      expect(bad.code, shown(bad)).toBe(1);
      expect(bad.stderr).toMatch(/lockLease="1s" is not a lock lease: give a duration of at least 3s/);
      p.write('bad/forge.config.ts', "export default { schema: '../src/schema.ts', lockStrategy: 'rows' };\n");
      const badStrategy = p.run(['push', '--config', 'bad/forge.config.ts'], { DATABASE_URL: db.url });
      expect(badStrategy.code, shown(badStrategy)).toBe(1);
      expect(badStrategy.stderr).toMatch(/`lockStrategy` must be 'auto', 'row' or 'native' \(got "rows"\)/);
    });
  });
}

describe.skipIf(!pgUp)(`?schema= in a single Postgres DATABASE_URL (${PG_LABEL})`, () => {
  let db: TestDatabase;
  let p: Project;
  beforeAll(async () => {
    db = await createTestDatabase();
    await pgQuery(db.url, 'CREATE SCHEMA tenant_a');
    p = makeProject({ 'src/schema.ts': USERS_SCHEMA });
  });
  afterAll(async () => {
    p?.cleanup();
    await db?.drop();
  });

  it('pushes into the named schema (with the lock row there too), diffs in sync, and a second push applies 0', async () => {
    const url = `${db.url}?schema=tenant_a`;
    const r = p.run(['push'], { DATABASE_URL: url, FORGE_LOCK_STRATEGY: 'row' });
    expect(r.code, shown(r)).toBe(0);
    expect(applied(r)).toBe(3);
    const tables = await pgQuery<{ s: string; t: string }>(db.url, "SELECT table_schema AS s, table_name AS t FROM information_schema.tables WHERE table_schema IN ('public', 'tenant_a') ORDER BY 1, 2");
    expect(tables).toEqual([
      { s: 'tenant_a', t: '_forge_lock' },
      { s: 'tenant_a', t: 'posts' },
      { s: 'tenant_a', t: 'users' },
    ]);
    const diff = p.run(['diff', '--check'], { DATABASE_URL: url });
    expect(diff.code, shown(diff)).toBe(0);
    expect(applied(p.run(['push'], { DATABASE_URL: url }))).toBe(0);
  }, 60_000);

  it('refuses a schema that does not exist instead of pushing into another one', () => {
    const r = p.run(['push'], { DATABASE_URL: `${db.url}?schema=tenant_missing` });
    expect(r.code, shown(r)).toBe(1);
    expect(r.stderr).toMatch(/schema tenant_missing .*does not exist in this database.*CREATE SCHEMA tenant_missing/);
  });
});
