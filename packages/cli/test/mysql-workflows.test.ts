import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { TestDatabase } from '@forge/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeProject, ok, pushCounts, shown, type Project, type RunResult } from './helpers.js';
import { columnsOf, indexesOf, ledgerNames, query, tablesOf, target } from './mysql.js';
import { A_MAIN, A_PR, B_DEPLOYED, B_FOLDED, B_HEAD, D_DEPLOY_1, D_DEPLOY_3, D_DEPLOY_4, D_START, runScript, TRIAGE_SCRIPT } from './workflows.js';

/**
 * Issue #10's acceptance tests: seed 004's worked workflows (a), (b), (d) and (e) through the built CLI on
 * MySQL / MariaDB (the local MariaDB 10.11, or FORGE_TEST_MYSQL_URL), each suite in a database of its own.
 * Where the two servers answer differently (MySQL drops a column's unique index with it, as MariaDB does;
 * types print as the server stores them) the test reads the catalog rather than assuming.
 */
const suite = (name: string, fn: () => void) => describe.concurrent(`${name} [${target.label}]`, { timeout: 90_000 }, fn);
const step = it.sequential;

interface Workspace {
  p: Project;
  db: TestDatabase;
  env: Record<string, string>;
  schema(source: string): void;
  forge(args: string[], env?: Record<string, string>): Promise<RunResult>;
}

function useWorkspace(source: string): Workspace {
  const w = {} as Workspace;
  beforeAll(async () => {
    w.db = await target.fresh();
    // The mariadb:// scheme, as a MariaDB user writes it (mysql:// is the e2e suite's).
    w.env = { DATABASE_URL: w.db.url.replace(/^mysql:/, 'mariadb:') };
    w.p = makeProject({ 'src/schema.ts': source });
    w.schema = (next) => w.p.write('src/schema.ts', next);
    w.forge = (args, env = w.env) => w.p.runAsync(args, env);
  });
  afterAll(async () => {
    w.p?.cleanup();
    await w.db?.drop();
  });
  return w;
}

interface Report {
  dialect: string;
  items: Array<{ kind: string; direction: string; table: string; [k: string]: unknown }>;
  inSync: boolean;
  ignored: string[];
}

async function diffJson(w: Workspace): Promise<Report> {
  const report = JSON.parse(ok(await w.forge(['diff', '--json'])).stdout) as Report;
  expect(report.dialect).toBe('mysql');
  expect(report.inSync).toBe(report.items.length === 0);
  return report;
}

const checkCode = async (w: Workspace) => (await w.forge(['diff', '--check'])).code;


// (a) A new column added in a PR
suite('seed 004 workflow (a) on MySQL: a PR adds users.email_verified_at', () => {
  const w = useWorkspace(A_MAIN);

  step('main is deployed: the first push creates everything, and diff --check exits 0', async () => {
    expect(pushCounts(ok(await w.forge(['push']))).applied).toBeGreaterThan(0);
    expect(await checkCode(w)).toBe(0);
  });

  step('the PR schema: diff --json shows exactly the missing column; diff --check exits 3', async () => {
    w.schema(A_PR);
    expect(await diffJson(w)).toEqual({
      dialect: 'mysql',
      items: [{ kind: 'column', direction: 'missing', table: 'users', column: 'email_verified_at', detail: "column 'email_verified_at'" }],
      inSync: false,
      ignored: [],
    });
    expect(await checkCode(w)).toBe(3);
  });

  step('push applies 1 statement: a nullable DATETIME(3) column, added INSTANT (no table copy); a second push applies 0', async () => {
    // The statement push runs, as diff apply --dry prints it: metadata-only, or it fails instead of copying.
    const dry = await w.forge(['diff', 'apply', '--dry']);
    expect(dry.stdout, shown(dry)).toMatch(/^ALTER TABLE `users` ADD COLUMN `email_verified_at` DATETIME\(3\), ALGORITHM=INSTANT;$/m);
    const r = ok(await w.forge(['push']));
    expect(r.stdout).toMatch(/^\+ add column users\.email_verified_at$/m);
    expect(pushCounts(r).applied).toBe(1);
    const [col] = await query<{ type: string; nullable: string }>(
      w.db.url,
      "SELECT column_type AS type, is_nullable AS nullable FROM information_schema.columns WHERE table_schema = DATABASE() AND table_name = 'users' AND column_name = 'email_verified_at'",
    );
    expect(col).toEqual({ type: 'datetime(3)', nullable: 'YES' });
    expect(pushCounts(ok(await w.forge(['push']))).applied).toBe(0);
    expect(await checkCode(w)).toBe(0);
  });
});

// (b) Drift detected in production
suite('seed 004 workflow (b) on MySQL: drift in production, a hand-added unique and a missing column', () => {
  const w = useWorkspace(B_DEPLOYED);
  const extraUnique = { kind: 'index', direction: 'extra', table: 'events', index: 'events_idempotency_key_key', detail: 'unique index u:idempotency_key in DB but not in schema' };
  const missingColumn = { kind: 'column', direction: 'missing', table: 'users', column: 'mfa_secret', detail: "column 'mfa_secret'" };

  step('production drifts: ops add a unique index by hand, a deploy ships a column without pushing', async () => {
    ok(await w.forge(['push']));
    await query(w.db.url, 'CREATE UNIQUE INDEX events_idempotency_key_key ON events (idempotency_key)');
    w.schema(B_HEAD);
    expect(await checkCode(w)).toBe(3);
    expect((await diffJson(w)).items).toEqual([extraUnique, missingColumn]);
  });

  step('triage pushes the missing slice and hands the rest to a human (exit 2)', async () => {
    w.p.write('scripts/drift-triage.mjs', TRIAGE_SCRIPT);
    const triage = await runScript(w, 'scripts/drift-triage.mjs');
    expect(triage.code, shown(triage)).toBe(2);
    expect(triage.stdout).toContain('pushing 1 additive item(s)');
    expect(triage.stdout).toMatch(/^\+ add column users\.mfa_secret$/m);
    expect(pushCounts(triage).applied).toBe(1);
    expect(JSON.parse(triage.stderr.trim())).toEqual([extraUnique]);
    expect(await columnsOf(w.db.url, 'users')).toContain('mfa_secret');
    expect((await diffJson(w)).items).toEqual([extraUnique]);
  });

  step('folding the unique into the schema and pushing creates no second index and leaves no drift', async () => {
    w.schema(B_FOLDED);
    expect(pushCounts(ok(await w.forge(['push']))).applied).toBe(0);
    expect(Object.keys(await indexesOf(w.db.url, 'events'))).toEqual(['PRIMARY', 'events_idempotency_key_key']);
    expect(await checkCode(w)).toBe(0);
  });
});

// (d) Renaming a column in four deploys
suite('seed 004 workflow (d) on MySQL: users.username → users.handle in four deploys', () => {
  const w = useWorkspace(D_START);
  const handles = async () => (await query<{ handle: string | null }>(w.db.url, 'SELECT handle FROM users ORDER BY handle')).map((r) => r.handle);
  let migration = '';
  let tightened = '';

  step('before: users with a unique username, and rows in it', async () => {
    ok(await w.forge(['push']));
    await query(w.db.url, "INSERT INTO users (id, username) VALUES (UUID(), 'ada'), (UUID(), 'grace'), (UUID(), 'linus')");
  });

  step('deploy 1: push adds the nullable handle column', async () => {
    w.schema(D_DEPLOY_1);
    const r = ok(await w.forge(['push']));
    expect(r.stdout).toMatch(/^\+ add column users\.handle$/m);
    expect(pushCounts(r).applied).toBe(1);
    expect(await handles()).toEqual([null, null, null]);
  });

  step('deploy 2: a raw UPDATE backfills handle; no schema change, still in sync', async () => {
    await query(w.db.url, 'UPDATE users SET handle = username WHERE handle IS NULL');
    expect(await handles()).toEqual(['ada', 'grace', 'linus']);
    expect(await checkCode(w)).toBe(0);
  });

  step("deploy 3: push adds handle's unique; diff apply makes handle NOT NULL (no row holds NULL) and defers username's old unique", async () => {
    w.schema(D_DEPLOY_3);
    const extra = { kind: 'index', direction: 'extra', table: 'users', index: 'forge_users_uq_username', detail: 'unique index u:username in DB but not in schema' };
    const required = { kind: 'column', direction: 'mismatch', table: 'users', column: 'handle', property: 'nullable', schema: false, db: true };
    const items = (await diffJson(w)).items;
    expect(items).toHaveLength(3);
    expect(items[0]).toMatchObject(required);
    expect(items.slice(1)).toEqual([
      { kind: 'index', direction: 'missing', table: 'users', index: 'forge_users_uq_handle', detail: "index 'forge_users_uq_handle' (u:handle)" },
      extra,
    ]);
    const push = ok(await w.forge(['push']));
    expect(push.stdout).toMatch(/^\+ index forge_users_uq_handle$/m);
    expect(push.stdout).toMatch(/^! push does not drop indexes: users has a unique index u:username/m);
    expect(pushCounts(push).applied).toBe(1);
    expect((await diffJson(w)).items).toEqual([expect.objectContaining(required), extra]);

    // Push never tightens a column; diff apply does, with MODIFY COLUMN, because no row holds NULL.
    const apply = ok(await w.forge(['diff', 'apply']));
    expect(apply.stdout).toMatch(/^ {4}- \[index\] users: unique index u:username in DB but not in schema$/m);
    const files = readdirSync(w.p.file('migrations'));
    expect(files).toHaveLength(1);
    const [up, down] = readFileSync(w.p.file(`migrations/${files[0]}`), 'utf8').split(/^-- down$/m);
    expect(up).toMatch(/^ALTER TABLE `users` MODIFY COLUMN `handle` .*NOT NULL/m);
    expect(down).toMatch(/^ALTER TABLE `users` MODIFY COLUMN `handle` /m);
    expect(down).not.toMatch(/NOT NULL/);
    tightened = files[0].replace(/\.sql$/, '');
    expect(await ledgerNames(w.db.url)).toEqual([tightened]);
    expect((await diffJson(w)).items).toEqual([extra]);
  });

  step('deploy 4: diff apply --dry previews the drop; diff apply writes the file, drops username and records it', async () => {
    w.schema(D_DEPLOY_4);
    const preview = await w.forge(['diff', 'apply', '--dry']);
    expect(preview.code, shown(preview)).toBe(0);
    expect(preview.stderr).toContain('• drop users.username');
    expect(preview.stdout).toMatch(/^ALTER TABLE `users` DROP COLUMN `username`;$/m);
    expect(readdirSync(w.p.file('migrations'))).toEqual([`${tightened}.sql`]);

    // username holds data: without a terminal the drop needs consent, and nothing is written or changed.
    const refused = await w.forge(['diff', 'apply']);
    expect(refused.code, shown(refused)).toBe(1);
    expect(refused.stdout + refused.stderr).toContain('FORGE_DROP_COLUMN');
    expect(readdirSync(w.p.file('migrations'))).toEqual([`${tightened}.sql`]);
    const r = ok(await w.forge(['diff', 'apply', '--accept-data-loss']));
    const files = readdirSync(w.p.file('migrations')).filter((f) => f !== `${tightened}.sql`);
    expect(files).toHaveLength(1);
    migration = files[0].replace(/\.sql$/, '');
    expect(r.stdout).toContain(`wrote ${path.join('migrations', files[0])}`);
    expect(r.stdout).toContain(`applied ${migration} and recorded it in _forge_migrations`);
    const [up, down] = readFileSync(w.p.file(`migrations/${files[0]}`), 'utf8').split(/^-- down$/m);
    expect(up).toMatch(/^ALTER TABLE `users` DROP COLUMN `username`;$/m);
    expect(down).toMatch(/^ALTER TABLE `users` ADD COLUMN `username` /m);
    expect(await columnsOf(w.db.url, 'users')).toEqual(['id', 'handle']);
    expect(await handles()).toEqual(['ada', 'grace', 'linus']);
    expect(await ledgerNames(w.db.url)).toEqual([tightened, migration]);
    // The server dropped username's unique index with the column.
    expect(Object.keys(await indexesOf(w.db.url, 'users'))).toEqual(['PRIMARY', 'forge_users_uq_handle']);
    expect(await checkCode(w)).toBe(0);
  });

  step('rollback brings username back (empty), keeps handle and its data, and deletes its ledger row', async () => {
    const r = ok(await w.forge(['rollback']));
    expect(r.stdout).toContain(`rolled back ${migration}`);
    expect(await columnsOf(w.db.url, 'users')).toEqual(['id', 'handle', 'username']);
    expect(await query(w.db.url, 'SELECT handle, username FROM users ORDER BY handle')).toEqual([
      { handle: 'ada', username: null },
      { handle: 'grace', username: null },
      { handle: 'linus', username: null },
    ]);
    expect(await ledgerNames(w.db.url)).toEqual([tightened]);
    const items = (await diffJson(w)).items;
    expect(items).toContainEqual({ kind: 'column', direction: 'extra', table: 'users', column: 'username', detail: "column 'username' in DB but not in schema" });
    expect(items.every((i) => i.direction === 'extra' && i.table === 'users')).toBe(true);
  });
});

// (e) DB-per-tenant
suite('seed 004 workflow (e) on MySQL: forge push over three tenant databases at once', () => {
  const tenants: TestDatabase[] = [];
  let p: Project;
  beforeAll(async () => {
    tenants.push(...(await Promise.all([1, 2, 3].map(() => target.fresh()))));
    p = makeProject({ 'src/schema.ts': A_PR });
  });
  afterAll(async () => {
    p?.cleanup();
    await Promise.all(tenants.map((t) => t.drop()));
  });
  const pushAll = () => Promise.all(tenants.map((t) => p.runAsync(['push'], { DATABASE_URL: t.url })));

  step('every tenant push exits 0 and creates the schema; each push lock is its own database', async () => {
    for (const r of await pushAll()) expect(pushCounts(ok(r)).applied).toBeGreaterThan(0);
    for (const t of tenants) expect(await tablesOf(t.url)).toEqual(['posts', 'users']);
  });

  step('a re-run applies 0 on each tenant, and each diff --check exits 0', async () => {
    for (const r of await pushAll()) expect(pushCounts(ok(r)).applied).toBe(0);
    for (const t of tenants) expect((await p.runAsync(['diff', '--check'], { DATABASE_URL: t.url })).code).toBe(0);
  });
});
