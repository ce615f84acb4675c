import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeProject, pushCounts, type Project, type RunResult } from './helpers.js';
import {
  PG_LABEL,
  PG_SERVER,
  catalogOutside,
  columnsOf,
  createTestDatabase,
  hasProgram,
  indexesOf,
  ledgerRows,
  pgDump,
  postgresAnswers,
  psql,
  query,
  tablesOf,
  type TestDatabase,
} from './postgres.js';
import { A_MAIN, A_PR, B_DEPLOYED, B_FOLDED, B_HEAD, D_DEPLOY_1, D_DEPLOY_3, D_DEPLOY_4, D_START, runScript, schemaOf, TRIAGE_SCRIPT } from './workflows.js';

/**
 * Issue #3's acceptance tests: seed 004's worked workflows (a), (b), (d), (e), seed 001's restore drill and
 * the issue's extras, through the built CLI against a live PostgreSQL, each in a database of its own.
 *
 * The server is probed once, at load: without it every suite is reported skipped, the reason in its name.
 * Suites run side by side (each CLI run is a child process, awaited, never spawnSync); the steps inside a
 * suite run in order, since each builds on the database the previous one left.
 */
const pgUp = await postgresAnswers();
const clientTools = hasProgram('psql') && hasProgram('pg_dump');
const needs = `needs PostgreSQL at ${PG_LABEL}${pgUp ? '' : ' — no answer, skipped'}`;
const needsTools = `${needs}, psql and pg_dump${clientTools ? '' : ' — not on PATH, skipped'}`;

// Generous per-step timeout: the steps spawn CLI processes, slow on a loaded machine, not a sign of a hang.
const suite = (name: string, fn: () => void, when = pgUp) => describe.skipIf(!when).concurrent(name, { timeout: 60_000 }, fn);
const step = it.sequential;

/** Extension-owned objects the "not ours" suite installs, when the server has them. */
const EXTENSIONS = ['pg_stat_statements', 'postgis'];
const extensions = pgUp
  ? (await query<{ name: string }>(PG_SERVER, 'SELECT name FROM pg_available_extensions WHERE name = ANY ($1) ORDER BY name', [EXTENSIONS])).map((r) => r.name)
  : [];

// ---------------------------------------------------------------------------------------------------------
// Shared plumbing

interface Workspace {
  p: Project;
  db: TestDatabase;
  env: Record<string, string>;
  /** Replace src/schema.ts. */
  schema(source: string): void;
  /** The CLI in the project directory, against this database unless `env` says otherwise. */
  forge(args: string[], env?: Record<string, string>): Promise<RunResult>;
}

/** A temp project and a fresh database for one suite, removed after it. */
function useWorkspace(source: string): Workspace {
  const w = {} as Workspace;
  beforeAll(async () => {
    w.db = await createTestDatabase();
    w.p = makeProject({ 'src/schema.ts': source });
    w.env = { DATABASE_URL: w.db.url };
    w.schema = (next) => w.p.write('src/schema.ts', next);
    w.forge = (args, env = w.env) => w.p.runAsync(args, env);
  });
  afterAll(async () => {
    w.p?.cleanup();
    await w.db?.drop();
  });
  return w;
}

/** A run that must succeed quietly: exit 0 and nothing at all on stderr, warnings included. */
function clean(r: RunResult): RunResult {
  expect(r.stderr, `stdout:\n${r.stdout}`).toBe('');
  expect(r.code, r.stdout).toBe(0);
  return r;
}

interface DriftItem {
  kind: string;
  direction: 'missing' | 'extra' | 'mismatch';
  table: string;
  [k: string]: unknown;
}
interface Report {
  dialect: string;
  items: DriftItem[];
  inSync: boolean;
  ignored: string[];
}

async function diffJson(w: Workspace, env = w.env): Promise<Report> {
  const report = JSON.parse(clean(await w.forge(['diff', '--json'], env)).stdout) as Report;
  expect(report.dialect).toBe('postgres');
  expect(report.inSync).toBe(report.items.length === 0);
  return report;
}

async function checkCode(w: Workspace, env = w.env): Promise<number | null> {
  return (await w.forge(['diff', '--check'], env)).code;
}


// ---------------------------------------------------------------------------------------------------------
// (a) A new column added in a PR

suite(`seed 004 workflow (a): a PR adds users.email_verified_at [${needs}]`, () => {
  const w = useWorkspace(A_MAIN);

  step('main is deployed: the first push creates everything', async () => {
    expect(pushCounts(clean(await w.forge(['push']))).applied).toBeGreaterThan(0);
    expect(await checkCode(w)).toBe(0);
  });

  step('diff --json on the PR schema shows exactly the missing column; diff --check exits 3', async () => {
    expect(A_PR).not.toBe(A_MAIN);
    w.schema(A_PR);
    expect(await diffJson(w)).toEqual({
      dialect: 'postgres',
      items: [{ kind: 'column', direction: 'missing', table: 'users', column: 'email_verified_at', detail: "column 'email_verified_at'" }],
      inSync: false,
      ignored: [],
    });
    expect(await checkCode(w)).toBe(3);
  });

  step('push applies 1 statement: the nullable timestamptz column', async () => {
    const r = clean(await w.forge(['push']));
    expect(r.stdout).toMatch(/^\+ add column users\.email_verified_at$/m);
    expect(pushCounts(r).applied).toBe(1);
    const [col] = await query(
      w.db.url,
      `SELECT data_type, is_nullable FROM information_schema.columns WHERE table_name = 'users' AND column_name = 'email_verified_at'`,
    );
    expect(col).toEqual({ data_type: 'timestamp with time zone', is_nullable: 'YES' });
  });

  step('a second push applies 0, and diff --check exits 0', async () => {
    const r = clean(await w.forge(['push']));
    expect(pushCounts(r).applied).toBe(0);
    expect(r.stdout).not.toMatch(/^\+/m);
    expect(await checkCode(w)).toBe(0);
  });
});

// ---------------------------------------------------------------------------------------------------------
// (b) Drift detected in production

suite(`seed 004 workflow (b): drift in production — a hand-added unique and a missing column [${needs}]`, () => {
  const w = useWorkspace(B_DEPLOYED);
  const extraUnique = {
    kind: 'index',
    direction: 'extra',
    table: 'events',
    index: 'events_idempotency_key_key',
    detail: 'unique index u:idempotency_key in DB but not in schema',
  };
  const missingColumn = { kind: 'column', direction: 'missing', table: 'users', column: 'mfa_secret', detail: "column 'mfa_secret'" };

  step('production drifts: ops add a unique index by hand, a deploy ships a column without pushing', async () => {
    clean(await w.forge(['push']));
    await query(w.db.url, 'CREATE UNIQUE INDEX events_idempotency_key_key ON events (idempotency_key)');
    w.schema(B_HEAD);
    expect(await checkCode(w)).toBe(3);
  });

  step('diff --json reports the extra unique index and the missing column', async () => {
    expect((await diffJson(w)).items).toEqual([extraUnique, missingColumn]);
  });

  step('triage pushes the missing slice and hands the rest to a human', async () => {
    w.p.write('scripts/drift-triage.mjs', TRIAGE_SCRIPT);
    const triage = await runScript(w, 'scripts/drift-triage.mjs');
    expect(triage.code, triage.stderr).toBe(2);
    expect(triage.stdout).toContain('pushing 1 additive item(s)');
    expect(triage.stdout).toMatch(/^\+ add column users\.mfa_secret$/m);
    expect(pushCounts(triage).applied).toBe(1);
    expect(JSON.parse(triage.stderr.trim())).toEqual([extraUnique]);
    expect(await columnsOf(w.db.url, 'users')).toContain('mfa_secret');
    // What is left is exactly what the script escalated.
    expect((await diffJson(w)).items).toEqual([extraUnique]);
  });

  step('folding the unique into the schema (uniques: [[idempotency_key]]) and pushing leaves no drift', async () => {
    w.schema(B_FOLDED);
    const r = clean(await w.forge(['push']));
    // The hand-made index already enforces it: push creates no second one.
    expect(pushCounts(r).applied).toBe(0);
    expect(Object.keys(await indexesOf(w.db.url, 'events'))).toEqual(['events_idempotency_key_key', 'events_pkey']);
    expect(await checkCode(w)).toBe(0);
  });
});

// ---------------------------------------------------------------------------------------------------------
// (d) Renaming a column in four deploys

suite(`seed 004 workflow (d): users.username → users.handle in four deploys [${needs}]`, () => {
  const w = useWorkspace(D_START);
  const handles = async () => (await query<{ handle: string | null }>(w.db.url, 'SELECT handle FROM users ORDER BY handle')).map((r) => r.handle);
  let migration = '';
  let tightened = '';

  step('before: users with a unique username, and data in it', async () => {
    clean(await w.forge(['push']));
    await query(w.db.url, `INSERT INTO users (username) VALUES ('ada'), ('grace'), ('linus')`);
  });

  step('deploy 1: push adds the nullable handle column', async () => {
    w.schema(D_DEPLOY_1);
    const r = clean(await w.forge(['push']));
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
    const extra = {
      kind: 'index',
      direction: 'extra',
      table: 'users',
      index: 'forge_users_uq_username',
      detail: 'unique index u:username in DB but not in schema',
    };
    const required = {
      kind: 'column',
      direction: 'mismatch',
      table: 'users',
      column: 'handle',
      property: 'nullable',
      schema: false,
      db: true,
      detail:
        "column 'handle' is required in the schema but nullable in the database; forge diff apply (or forge generate) makes it NOT NULL (rows holding NULL get its default, or the change is refused while they exist)",
    };
    expect((await diffJson(w)).items).toEqual([
      required,
      { kind: 'index', direction: 'missing', table: 'users', index: 'forge_users_uq_handle', detail: "index 'forge_users_uq_handle' (u:handle)" },
      extra,
    ]);

    const push = clean(await w.forge(['push']));
    expect(push.stdout).toMatch(/^\+ index forge_users_uq_handle$/m);
    expect(push.stdout).toMatch(/^! push does not drop indexes: users has a unique index u:username/m);
    expect(pushCounts(push).applied).toBe(1);
    expect((await diffJson(w)).items).toEqual([required, extra]);

    // Push never tightens a column; diff apply does, in a migration, because no row holds NULL. The old unique is
    // outside the engine's safe slice (no DROP INDEX): deferred, no ledger row for it.
    const apply = clean(await w.forge(['diff', 'apply']));
    expect(apply.stdout).toMatch(/^! not in this migration \(1\):$/m);
    expect(apply.stdout).toMatch(/^ {4}- \[index\] users: unique index u:username in DB but not in schema$/m);
    const files = readdirSync(w.p.file('migrations'));
    expect(files).toHaveLength(1);
    const [up, down] = readFileSync(w.p.file(`migrations/${files[0]}`), 'utf8').split(/^-- down$/m);
    expect(up).toMatch(/ALTER TABLE "users" ALTER COLUMN "handle" SET NOT NULL;/);
    expect(down).toMatch(/ALTER TABLE "users" ALTER COLUMN "handle" DROP NOT NULL;/);
    tightened = files[0].replace(/\.sql$/, '');
    expect((await ledgerRows(w.db.url)).map((row) => row.name)).toEqual([tightened]);
    expect(Object.keys(await indexesOf(w.db.url, 'users'))).toContain('forge_users_uq_username');
    expect((await diffJson(w)).items).toEqual([extra]);
  });

  step('deploy 4: diff apply previews `drop users.username`, writes migrations/<stamp>_drift.sql and applies it', async () => {
    w.schema(D_DEPLOY_4);
    const preview = await w.forge(['diff', 'apply', '--dry']);
    expect(preview.code).toBe(0);
    expect(preview.stderr).toContain('• drop users.username');
    expect(preview.stdout).toMatch(/^ALTER TABLE "users" DROP COLUMN "username";$/m);
    expect(readdirSync(w.p.file('migrations'))).toEqual([`${tightened}.sql`]);

    // username holds data: without a terminal diff apply refuses, names the finding and the flag, and changes nothing.
    const refused = await w.forge(['diff', 'apply']);
    expect(refused.code).toBe(1);
    expect(refused.stdout + refused.stderr).toContain('FORGE_DROP_COLUMN');
    expect(refused.stdout + refused.stderr).toContain('--accept-data-loss');
    expect(readdirSync(w.p.file('migrations'))).toEqual([`${tightened}.sql`]);
    const r = clean(await w.forge(['diff', 'apply', '--accept-data-loss']));
    expect(r.stdout).toContain('  • drop users.username');
    const files = readdirSync(w.p.file('migrations')).filter((f) => f !== `${tightened}.sql`);
    expect(files).toHaveLength(1);
    expect(files[0]).toMatch(/^\d{8}T\d{6}_drift\.sql$/);
    migration = files[0].replace(/\.sql$/, '');
    expect(r.stdout).toContain(`wrote ${path.join('migrations', files[0])}`);
    expect(r.stdout).toContain(`applied ${migration} and recorded it in _forge_migrations`);

    const [up, down] = readFileSync(w.p.file(`migrations/${files[0]}`), 'utf8').split(/^-- down$/m);
    expect(up).toMatch(/^-- up$/m);
    expect(up).toMatch(/^ALTER TABLE "users" DROP COLUMN "username";$/m);
    expect(down).toMatch(/^ALTER TABLE "users" ADD COLUMN "username" text;$/m);

    expect(await columnsOf(w.db.url, 'users')).toEqual(['id', 'handle']);
    expect(await handles()).toEqual(['ada', 'grace', 'linus']);
    expect((await ledgerRows(w.db.url)).map((row) => row.name)).toEqual([tightened, migration]);
    // Postgres dropped username's unique index along with the column.
    expect(Object.keys(await indexesOf(w.db.url, 'users'))).toEqual(['forge_users_uq_handle', 'users_pkey']);
    expect(await checkCode(w)).toBe(0);
  });

  step('rollback brings username back (empty, with its unique index), keeps handle, and deletes its ledger row', async () => {
    const r = clean(await w.forge(['rollback']));
    expect(r.stdout).toContain(`rolled back ${migration}`);
    expect(r.stdout).toMatch(/ADD COLUMN "username" text/);
    expect(r.stdout).toContain(`removed ${migration} from _forge_migrations`);
    expect(await columnsOf(w.db.url, 'users')).toEqual(['id', 'handle', 'username']);
    expect(await query(w.db.url, 'SELECT handle, username FROM users ORDER BY handle')).toEqual([
      { handle: 'ada', username: null },
      { handle: 'grace', username: null },
      { handle: 'linus', username: null },
    ]);
    expect((await ledgerRows(w.db.url)).map((row) => row.name)).toEqual([tightened]);
    // The database is back where deploy 4 found it: the column and the unique index the drop took with it.
    expect((await diffJson(w)).items).toEqual([
      { kind: 'column', direction: 'extra', table: 'users', column: 'username', detail: "column 'username' in DB but not in schema" },
      { kind: 'index', direction: 'extra', table: 'users', index: 'forge_users_uq_username', detail: 'unique index u:username in DB but not in schema' },
    ]);
  });
});

// ---------------------------------------------------------------------------------------------------------
// (e) DB-per-tenant

suite(`seed 004 workflow (e): forge push over three tenant databases, three at a time [${needs}]`, () => {
  const tenants: TestDatabase[] = [];
  let p: Project;
  beforeAll(async () => {
    tenants.push(...(await Promise.all([1, 2, 3].map(() => createTestDatabase()))));
    p = makeProject({ 'src/schema.ts': A_PR });
  });
  afterAll(async () => {
    p?.cleanup();
    await Promise.all(tenants.map((t) => t.drop()));
  });

  const pushAll = () => Promise.all(tenants.map((t) => p.runAsync(['push'], { DATABASE_URL: t.url })));

  step('every tenant push exits 0 and creates the schema', async () => {
    const results = await pushAll();
    for (const r of results) expect(pushCounts(clean(r)).applied).toBeGreaterThan(0);
    for (const t of tenants) expect(await tablesOf(t.url)).toEqual(['posts', 'users']);
  });

  step('a re-run applies 0 on each tenant', async () => {
    const results = await pushAll();
    for (const r of results) expect(pushCounts(clean(r)).applied).toBe(0);
  });
});

// ---------------------------------------------------------------------------------------------------------
// Seed 001: restore an old backup, then bring it forward

const OLD = schemaOf(
  `export const User = model('users', { id: f.id(), email: f.string().unique(), name: f.string().optional() });
export const Order = model('orders', { id: f.id(), user_id: f.string(), total: f.int() });`,
  'user: User, order: Order',
);
const HEAD = schemaOf(
  `export const User = model('users', { id: f.id(), email: f.string().unique(), name: f.string().optional(), last_login_at: f.dateTime().optional() });
export const Order = model('orders', { id: f.id(), user_id: f.string(), total: f.int(), status: f.string().default('pending') }, {
  indexes: [{ keys: { user_id: 1 } }],
});`,
  'user: User, order: Order',
);

suite(
  `seed 001: restore + schema mismatch, with pg_dump and psql [${needsTools}]`,
  () => {
    const a = useWorkspace(OLD);
    let restored: TestDatabase;
    let restoredEnv: Record<string, string>;
    afterAll(async () => {
      await restored?.drop();
    });

    step('database A runs the old schema and has rows; pg_dump backs it up', async () => {
      clean(await a.forge(['push']));
      const ada = '00000000-0000-4000-8000-000000000001';
      await query(a.db.url, `INSERT INTO users (id, email, name) VALUES ($1, 'ada@example.com', 'Ada'), (gen_random_uuid(), 'bob@example.com', NULL)`, [ada]);
      await query(a.db.url, 'INSERT INTO orders (user_id, total) VALUES ($1, 1200), ($1, 50)', [ada]);
      await pgDump(a.db.url, a.p.file('backup.sql'));
      expect(readFileSync(a.p.file('backup.sql'), 'utf8')).toMatch(/^CREATE TABLE public\.orders/m);
    });

    step('fresh database B, restored with psql, matches the old schema: diff --check exits 0', async () => {
      restored = await createTestDatabase();
      restoredEnv = { DATABASE_URL: restored.url };
      await psql(restored.url, '-f', a.p.file('backup.sql'));
      expect(await tablesOf(restored.url)).toEqual(['orders', 'users']);
      expect(await checkCode(a, restoredEnv)).toBe(0);
    });

    step("against HEAD's schema it is behind by two columns and an index: diff --check exits 3", async () => {
      a.schema(HEAD);
      expect(await checkCode(a, restoredEnv)).toBe(3);
      const items = (await diffJson(a, restoredEnv)).items.map((i) => `${i.direction} ${i.kind} ${i.table}.${String(i.column ?? i.index)}`);
      expect(items).toEqual(['missing column orders.status', 'missing index orders.forge_orders_idx_user_id', 'missing column users.last_login_at']);
    });

    step('push brings it forward; diff --check exits 0; rows intact, new columns NULL or their default', async () => {
      const r = clean(await a.forge(['push'], restoredEnv));
      expect(pushCounts(r).applied).toBe(3);
      expect(r.stdout).toMatch(/^\+ add column users\.last_login_at$/m);
      expect(r.stdout).toMatch(/^\+ add column orders\.status$/m);
      expect(r.stdout).toMatch(/^\+ index forge_orders_idx_user_id$/m);
      expect(await checkCode(a, restoredEnv)).toBe(0);

      expect(await query(restored.url, 'SELECT email, name, last_login_at FROM users ORDER BY email')).toEqual([
        { email: 'ada@example.com', name: 'Ada', last_login_at: null },
        { email: 'bob@example.com', name: null, last_login_at: null },
      ]);
      expect(await query(restored.url, 'SELECT total, status FROM orders ORDER BY total')).toEqual([
        { total: 50, status: 'pending' },
        { total: 1200, status: 'pending' },
      ]);
      // The backup's source was never touched.
      expect(await columnsOf(a.db.url, 'users')).toEqual(['id', 'email', 'name']);
    });
  },
  pgUp && clientTools,
);

// ---------------------------------------------------------------------------------------------------------
// Issue #3 extras

suite(`issue #3: a push through search_path=tenant_a touches no other schema [${needs}]`, () => {
  const w = useWorkspace(A_MAIN);
  let tenantEnv: Record<string, string>;
  let before: string[];

  beforeAll(async () => {
    // pg hands libpq's `options` in the URL to the server: the session starts with search_path = tenant_a.
    expect(w.db.url).not.toContain('?');
    tenantEnv = { DATABASE_URL: `${w.db.url}?options=-c%20search_path%3Dtenant_a` };
    // The schema's table names, in other shapes, next door: a push that strayed would trip on or change them.
    await query(
      w.db.url,
      `CREATE SCHEMA tenant_a;
       CREATE SCHEMA tenant_b;
       CREATE TABLE public.users (id int PRIMARY KEY, legacy text);
       CREATE TABLE tenant_b.users (id uuid PRIMARY KEY, email text);
       CREATE TABLE tenant_b.posts (id uuid PRIMARY KEY);`,
    );
    before = await catalogOutside(w.db.url, ['tenant_a']);
  });

  step('push creates the tables in tenant_a and nothing anywhere else', async () => {
    const r = clean(await w.forge(['push'], tenantEnv));
    expect(r.stdout).toMatch(/^\+ create table users$/m);
    expect(r.stdout).toMatch(/^\+ create table posts$/m);
    expect(await tablesOf(w.db.url, 'tenant_a')).toEqual(['posts', 'users']);
    expect(await catalogOutside(w.db.url, ['tenant_a'])).toEqual(before);
  });

  step('diff and a second push see tenant_a alone', async () => {
    expect((await diffJson(w, tenantEnv)).items).toEqual([]);
    expect(pushCounts(clean(await w.forge(['push'], tenantEnv))).applied).toBe(0);
    expect(await catalogOutside(w.db.url, ['tenant_a'])).toEqual(before);
  });
});

const lacking = EXTENSIONS.filter((e) => !extensions.includes(e));
const notOurs = [`another schema's table`, ...extensions].join(', ') + (lacking.length ? `; server lacks ${lacking.join(', ')}` : '');

suite(`issue #3: tables forge does not own (${notOurs}) stay out of push and diff [${needs}]`, () => {
  const w = useWorkspace(A_MAIN);

  beforeAll(async () => {
    await query(w.db.url, 'CREATE SCHEMA audit; CREATE TABLE audit.events (id bigint PRIMARY KEY, at timestamptz)');
    for (const ext of extensions) await query(w.db.url, `CREATE EXTENSION ${ext}`);
    if (extensions.includes('postgis')) expect(await tablesOf(w.db.url)).toEqual(['spatial_ref_sys']);
  });

  step("push names only the schema's own tables", async () => {
    const r = clean(await w.forge(['push']));
    expect(r.stdout).not.toMatch(/spatial_ref_sys|pg_stat_statements|geometry_columns|audit|events/);
    for (const line of r.stdout.split('\n').filter((l) => /^[+!✗]/.test(l))) expect(line).toMatch(/users|posts/);
    expect((await tablesOf(w.db.url)).filter((t) => t !== 'spatial_ref_sys')).toEqual(['posts', 'users']);
  });

  step('diff: extension objects and other schemas never appear; a stray table in our schema is an extra table', async () => {
    expect((await diffJson(w)).items).toEqual([]);
    expect(await checkCode(w)).toBe(0);

    await query(w.db.url, 'CREATE TABLE public.legacy_audit (id int PRIMARY KEY)');
    expect((await diffJson(w)).items).toEqual([
      { kind: 'table', direction: 'extra', table: 'legacy_audit', detail: "table 'legacy_audit' in DB but not in schema" },
    ]);
    // So diff apply would drop that table, and never an extension's.
    const dry = await w.forge(['diff', 'apply', '--dry']);
    expect(dry.code).toBe(0);
    expect(dry.stderr).toContain('• drop table legacy_audit');
    expect(dry.stdout + dry.stderr).not.toMatch(/spatial_ref_sys|pg_stat_statements|audit\.events|"events"/);
  });
});

suite(`issue #3: 8 forge push processes at once on an empty database [${needs}]`, () => {
  const w = useWorkspace(A_PR);

  step('all exit 0, exactly one does the work, and diff --check exits 0 after', async () => {
    const results = await Promise.all(Array.from({ length: 8 }, () => w.forge(['push'])));
    const applied = results.map((r) => pushCounts(clean(r)).applied);
    // The advisory lock serialises them: the first creates everything, the other seven find it there.
    const winners = applied.filter((n) => n > 0);
    expect(winners).toHaveLength(1);
    expect(applied.filter((n) => n === 0)).toHaveLength(7);
    // A push after them skips exactly what the winner applied.
    expect(pushCounts(clean(await w.forge(['push']))).skipped).toBe(winners[0]);
    expect(await checkCode(w)).toBe(0);
  });
});
