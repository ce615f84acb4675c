import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { adapter } from '@forge/adapter-duckdb';
import { requireTarget, type ReachedTarget, type TestDatabase } from '@forge/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeProject, ok, pushCounts, shown, USERS_SCHEMA, USERS_SCHEMA_NO_NICKNAME, type Project, type RunResult } from './helpers.js';

/**
 * The round trip's schema: USERS_SCHEMA without the unique index on email. DuckDB refuses ALTER TABLE ... DROP
 * COLUMN on any table that has an index ("Cannot alter entry ... entries that depend on it"), so diff apply
 * can drop a column only from a table without one; the last case here shows that refusal and its message.
 */
const PLAIN_USERS = USERS_SCHEMA.replace('email: f.string().unique(),', 'email: f.string(),');
const PLAIN_USERS_NO_NICKNAME = USERS_SCHEMA_NO_NICKNAME.replace('email: f.string().unique(),', 'email: f.string(),');

/**
 * The CLI's round trip on a `duckdb:` file: push, a second push that applies 0, a removed field reported as an
 * extra column (diff --check exit 3), diff apply (a migration file with -- up/-- down and a ledger row), rollback
 * (the column is back); seed 001's DuckDB backup drill (EXPORT DATABASE ... (FORMAT PARQUET), IMPORT DATABASE
 * into a fresh file, diff --check 0 against the schema of the backup and 3 against HEAD, push, 0); and 8
 * `forge push` processes at once on one new file. Each database is a file in its own temp folder (test-target
 * registry). The test reads the file between CLI runs and closes it each time: DuckDB lets one process open a
 * file at a time, and the CLI waits for it (lock_timeout).
 */
const target: ReachedTarget = await requireTarget('duckdb', { adapter });
const suite = describe.sequential;

async function query<R = Record<string, unknown>>(url: string, sql: string, params: unknown[] = []): Promise<R[]> {
  const conn = await adapter.connect(url);
  try {
    return await conn.query<R>(sql, params);
  } finally {
    await conn.close();
  }
}

async function tablesOf(url: string): Promise<string[]> {
  const rows = await query<{ name: string }>(url, "SELECT table_name AS name FROM duckdb_tables() WHERE schema_name = 'main' ORDER BY table_name");
  return rows.map((r) => r.name);
}

async function columnsOf(url: string, table: string): Promise<string[]> {
  const rows = await query<{ name: string }>(url, 'SELECT column_name AS name FROM duckdb_columns() WHERE table_name = ? ORDER BY column_index', [table]);
  return rows.map((r) => r.name);
}

async function ledgerNames(url: string): Promise<string[]> {
  if (!(await tablesOf(url)).includes('_forge_migrations')) return [];
  return (await query<{ name: string }>(url, 'SELECT name FROM _forge_migrations ORDER BY name')).map((r) => r.name);
}

interface Workspace {
  p: Project;
  db: TestDatabase;
  forge(args: string[], url?: string): Promise<RunResult>;
}

/** A temp project (under test/, so @forge/adapter-duckdb resolves) and a fresh database file, for one suite. */
function useWorkspace(schema: string): Workspace {
  const w = {} as Workspace;
  beforeAll(async () => {
    w.db = await target.fresh();
    w.p = makeProject({ 'src/schema.ts': schema });
    w.forge = (args, url = w.db.url) => w.p.runAsync(args, { DATABASE_URL: url });
  });
  afterAll(async () => {
    w.p?.cleanup();
    await w.db?.drop();
  });
  return w;
}

suite('duckdb: round trip: push, diff --check, diff apply, rollback', { timeout: 60_000 }, () => {
  const w = useWorkspace(PLAIN_USERS);
  let migration = '';

  it('the first push creates the tables', async () => {
    const r = ok(await w.forge(['push']));
    expect(pushCounts(r).applied, shown(r)).toBeGreaterThan(0);
    expect(await tablesOf(w.db.url)).toEqual(['posts', 'users']);
    expect(await columnsOf(w.db.url, 'users')).toEqual(['id', 'email', 'nickname']);
  });

  it('a second push applies 0, and diff --check exits 0', async () => {
    const r = ok(await w.forge(['push']));
    expect(pushCounts(r).applied, shown(r)).toBe(0);
    const check = await w.forge(['diff', '--check']);
    expect(check.code, shown(check)).toBe(0);
  });

  it('a field removed from the schema: diff --check exits 3, --json has the extra column', async () => {
    w.p.write('src/schema.ts', PLAIN_USERS_NO_NICKNAME);
    const check = await w.forge(['diff', '--check']);
    expect(check.code, shown(check)).toBe(3);
    const json = ok(await w.forge(['diff', '--json']));
    expect(JSON.parse(json.stdout)).toEqual({
      dialect: 'duckdb',
      items: [{ kind: 'column', direction: 'extra', table: 'users', column: 'nickname', detail: "column 'nickname' in DB but not in schema" }],
      inSync: false,
      ignored: [],
    });
  });

  it('diff apply writes migrations/<stamp>_drift.sql with -- up/-- down, drops the column and records a ledger row', async () => {
    const r = ok(await w.forge(['diff', 'apply']));
    expect(r.stdout).toContain('• drop users.nickname');
    const files = readdirSync(w.p.file('migrations'));
    expect(files).toHaveLength(1);
    expect(files[0]).toMatch(/^\d{8}T\d{6}_drift\.sql$/);
    const sql = readFileSync(w.p.file(`migrations/${files[0]}`), 'utf8');
    expect(sql).toMatch(/^-- up$/m);
    expect(sql).toMatch(/^-- down$/m);
    expect(sql).toMatch(/ALTER TABLE "users" DROP COLUMN "nickname"/);
    expect(sql).toMatch(/ALTER TABLE "users" ADD COLUMN "nickname" varchar/);
    migration = files[0].replace(/\.sql$/, '');
    expect(await columnsOf(w.db.url, 'users')).toEqual(['id', 'email']);
    expect(await ledgerNames(w.db.url)).toEqual([migration]);
    const check = await w.forge(['diff', '--check']);
    expect(check.code, shown(check)).toBe(0);
  });

  it('rollback runs the down block: the column is back and the ledger row is gone', async () => {
    const r = ok(await w.forge(['rollback']));
    expect(r.stdout).toContain(`rolled back ${migration}`);
    expect(await columnsOf(w.db.url, 'users')).toEqual(['id', 'email', 'nickname']);
    expect(await ledgerNames(w.db.url)).toEqual([]);
    w.p.write('src/schema.ts', PLAIN_USERS);
    const check = await w.forge(['diff', '--check']);
    expect(check.code, shown(check)).toBe(0);
    expect(pushCounts(ok(await w.forge(['push']))).applied).toBe(0);
  });
});

suite('duckdb: a push that fails half-way applies nothing (DDL is transactional)', { timeout: 60_000 }, () => {
  // A view named `posts` is already there: the CREATE TABLE of posts fails after the one of users ran.
  const BROKEN = `import { model, f } from '@forge/core';
export const User = model('users', { id: f.id(), email: f.string() });
export const Post = model('posts', { id: f.id(), title: f.string() });
export const schema = { user: User, post: Post };
`;
  const w = useWorkspace(BROKEN);

  it('exit 2, the failure named, and no table left behind', async () => {
    const conn = await adapter.connect(w.db.url);
    await conn.execute('CREATE VIEW posts AS SELECT 1 AS x');
    await conn.close();
    const r = await w.forge(['push']);
    expect(r.code, shown(r)).toBe(2);
    expect(r.stdout + r.stderr).toMatch(/posts/);
    // The CLI says the push rolled back whole, not that what ran stays applied.
    expect(r.stdout + r.stderr).toMatch(/nothing of this push was applied/);
    expect(r.stdout + r.stderr).not.toMatch(/stay applied/);
    // The count says it too: users ran, then was rolled back with the rest.
    expect(r.stdout, shown(r)).toMatch(/applied: 0, skipped: 0, failures: 1, rolled back: 1/);
    expect(await tablesOf(w.db.url)).toEqual([]);
  });
});

suite("duckdb: seed 001's backup drill: EXPORT DATABASE (FORMAT PARQUET), IMPORT DATABASE, diff --check, push", { timeout: 90_000 }, () => {
  const w = useWorkspace(USERS_SCHEMA_NO_NICKNAME);
  let dir = '';
  let restored: TestDatabase;

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'forge-duckdb-export-'));
    restored = await target.fresh();
  });
  afterAll(async () => {
    rmSync(dir, { recursive: true, force: true });
    await restored?.drop();
  });

  it('backs up a pushed database with rows and restores it into a fresh file', async () => {
    ok(await w.forge(['push']));
    const conn = await adapter.connect(w.db.url);
    await conn.execute(`INSERT INTO users (id, email) VALUES ('u1', 'ada@example.com'), ('u2', 'bob@example.com')`);
    await conn.execute(`EXPORT DATABASE '${path.join(dir, 'backup').replace(/'/g, "''")}' (FORMAT PARQUET)`);
    await conn.close();
    expect(readdirSync(path.join(dir, 'backup'))).toEqual(expect.arrayContaining(['schema.sql', 'load.sql']));
    const fresh = await adapter.connect(restored.url);
    await fresh.execute(`IMPORT DATABASE '${path.join(dir, 'backup').replace(/'/g, "''")}'`);
    await fresh.close();
    expect(await query<{ email: string }>(restored.url, 'SELECT email FROM users ORDER BY email')).toEqual([{ email: 'ada@example.com' }, { email: 'bob@example.com' }]);
  });

  it('diff --check is 0 against the schema of the backup, 3 against HEAD; push brings it to HEAD; then 0', async () => {
    const old = await w.forge(['diff', '--check'], restored.url);
    expect(old.code, shown(old)).toBe(0);
    w.p.write('src/schema.ts', USERS_SCHEMA);
    const head = await w.forge(['diff', '--check'], restored.url);
    expect(head.code, shown(head)).toBe(3);
    expect(pushCounts(ok(await w.forge(['push'], restored.url))).applied).toBeGreaterThan(0);
    const after = await w.forge(['diff', '--check'], restored.url);
    expect(after.code, shown(after)).toBe(0);
    expect(await columnsOf(restored.url, 'users')).toEqual(['id', 'email', 'nickname']);
    expect((await query(restored.url, 'SELECT * FROM users')).length).toBe(2);
  });
});

suite('duckdb: 8 forge push processes at once on a new file', { timeout: 120_000 }, () => {
  const w = useWorkspace(USERS_SCHEMA);

  it('all exit 0, exactly one does the work, and the result is in sync', async () => {
    // DuckDB lets one process open the file at a time: the others wait for it (lock_timeout), then find the tables there.
    const results = await Promise.all(Array.from({ length: 8 }, () => w.forge(['push'])));
    const applied = results.map((r) => pushCounts(ok(r)).applied);
    const winners = applied.filter((n) => n > 0);
    expect(winners, JSON.stringify(applied)).toHaveLength(1);
    expect(applied.filter((n) => n === 0)).toHaveLength(7);
    expect(pushCounts(ok(await w.forge(['push']))).skipped).toBe(winners[0]);
    const check = await w.forge(['diff', '--check']);
    expect(check.code, shown(check)).toBe(0);
    expect(await tablesOf(w.db.url)).toEqual(['posts', 'users']);
  });
});

suite('duckdb: diff apply on a table with an index fails whole, naming the way out', { timeout: 60_000 }, () => {
  const w = useWorkspace(USERS_SCHEMA);

  it('exit 2, DuckDB\'s refusal explained, nothing changed and no migration file left', async () => {
    ok(await w.forge(['push']));
    w.p.write('src/schema.ts', USERS_SCHEMA_NO_NICKNAME);
    const r = await w.forge(['diff', 'apply']);
    expect(r.code, shown(r)).toBe(2);
    expect(r.stdout + r.stderr).toMatch(/DuckDB cannot drop a column, or make one NOT NULL, while an index/);
    expect(await columnsOf(w.db.url, 'users')).toEqual(['id', 'email', 'nickname']);
    expect(await ledgerNames(w.db.url)).toEqual([]);
    expect(readdirSync(w.p.file('migrations')).filter((f) => f.endsWith('.sql'))).toEqual([]);
  });
});
