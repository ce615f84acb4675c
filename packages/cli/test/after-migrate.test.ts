import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeProject, projectsCleanedAfterEach, shown, type Project } from './helpers.js';
import * as pg from './postgres.js';
import * as lite from './sqlite.js';

/**
 * Issue 14, seed 003's post-migration hook: forge.config `afterMigrate` (a .sql file or a function of the typed
 * client) runs after every push, migrate and diff apply that succeeded, never on --dry, and a failing hook is exit 2
 * naming the hook and its statement, with the migration before it kept and the hook's own statements rolled back
 * where DDL is transactional.
 */
const pgUp = await pg.postgresAnswers();
const project = projectsCleanedAfterEach();

const SCHEMA = `import { model, f } from '@forge/core';\nexport const User = model('users', { id: f.id({ type: 'string' }), email: f.string(), active: f.bool().default(true) });\nexport const schema = { user: User };\n`;
const WITH_NICK = SCHEMA.replace("active: f.bool().default(true) }", "active: f.bool().default(true), nick: f.string().optional() }");
const CONFIG_SQL = `export default { schema: './src/schema.ts', afterMigrate: './sql/after.sql' };\n`;

const SQLITE_HOOK = `-- views and triggers forge does not model
CREATE VIEW IF NOT EXISTS active_users AS SELECT id, email FROM users WHERE active = 1;
CREATE TRIGGER IF NOT EXISTS users_lower_email AFTER INSERT ON users BEGIN
  UPDATE users SET email = lower(NEW.email) WHERE id = NEW.id;
END;
`;

describe('afterMigrate on SQLite', () => {
  it('a .sql hook runs after push, again after a push that applies nothing, and its objects work', () => {
    const p = project({ 'src/schema.ts': SCHEMA, 'forge.config.ts': CONFIG_SQL, 'sql/after.sql': SQLITE_HOOK });
    const env = { DATABASE_URL: p.url };
    const first = p.ok(['push'], env);
    expect(first.stdout).toMatch(/✓ afterMigrate \(sql\/after\.sql\) ran \(2 statements\)/);
    lite.withDb(p.db, (db) => db.exec(`INSERT INTO users (id, email, active) VALUES ('u1', 'ANN@X.IO', 1), ('u2', 'bob@x.io', 0)`));
    expect(lite.withDb(p.db, (db) => db.prepare('SELECT email FROM active_users').all())).toEqual([{ email: 'ann@x.io' }]);
    const again = p.ok(['push'], env);
    expect(again.stdout).toMatch(/applied: 0/);
    expect(again.stdout).toMatch(/✓ afterMigrate \(sql\/after\.sql\) ran/);
    // The hook's view is forge's business only as the user's: diff does not call it drift (it is not in the schema's tables).
    expect(p.run(['diff', '--check'], env).code).toBe(0);
  });

  it('diff apply and migrate run it; --dry does not', () => {
    const p = project({ 'src/schema.ts': SCHEMA, 'forge.config.ts': CONFIG_SQL, 'sql/after.sql': SQLITE_HOOK });
    const env = { DATABASE_URL: p.url };
    p.ok(['generate', '--name', 'init'], env);
    const dry = p.ok(['migrate', '--dry'], env);
    expect(dry.stdout).not.toContain('afterMigrate');
    const m = p.ok(['migrate'], env);
    expect(m.stdout).toMatch(/✓ afterMigrate \(sql\/after\.sql\) ran/);
    expect(lite.tablesOf(p.db)).toContain('users');
    p.write('src/schema.ts', WITH_NICK);
    const preview = p.ok(['diff', 'apply', '--dry'], env);
    expect(preview.stdout + preview.stderr).not.toContain('afterMigrate');
    const applied = p.ok(['diff', 'apply'], env);
    expect(applied.stdout).toMatch(/applied \S+ and recorded it/);
    expect(applied.stdout).toMatch(/✓ afterMigrate \(sql\/after\.sql\) ran/);
  });

  it('a failing hook is exit 2, names the hook and its statement, and keeps what push applied', () => {
    const p = project({
      'src/schema.ts': SCHEMA,
      'forge.config.ts': CONFIG_SQL,
      'sql/after.sql': 'CREATE VIEW IF NOT EXISTS v_ok AS SELECT 1 AS one;\nINSERT INTO missing_table VALUES (1);\n',
    });
    const r = p.run(['push'], { DATABASE_URL: p.url });
    expect(r.code, shown(r)).toBe(2);
    expect(r.stderr).toContain('afterMigrate (sql/after.sql) failed at: INSERT INTO missing_table');
    expect(r.stderr).toContain('missing_table');
    expect(r.stderr).toContain('The migration before it is applied and recorded');
    expect(lite.tablesOf(p.db)).toContain('users');
    // SQLite's DDL is transactional: the hook's first view went with it.
    expect(lite.withDb(p.db, (db) => db.prepare("SELECT name FROM sqlite_master WHERE type = 'view'").all())).toEqual([]);
  });

  it('a hook file that does not exist is refused before anything runs; a hook of the wrong type is a config error', () => {
    const p = project({ 'src/schema.ts': SCHEMA, 'forge.config.ts': CONFIG_SQL });
    const r = p.run(['push'], { DATABASE_URL: p.url });
    expect(r.code, shown(r)).toBe(1);
    expect(r.stderr).toContain('afterMigrate names sql/after.sql, which does not exist');
    expect(lite.tablesOf(p.db)).toEqual([]);
    p.write('forge.config.ts', `export default { afterMigrate: 42 };\n`);
    const bad = p.run(['push'], { DATABASE_URL: p.url });
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('`afterMigrate` must be the path of a .sql file');
  });
});

describe.skipIf(!pgUp)(`afterMigrate on Postgres (needs PostgreSQL at ${pg.PG_LABEL})`, () => {
  let db: pg.TestDatabase;
  let p: Project;
  beforeAll(async () => {
    db = await pg.createTestDatabase();
  });
  afterAll(async () => {
    p?.cleanup();
    await db?.drop();
  });

  it('a function hook gets the typed client: it creates a function with $executeRawUnsafe and reads a model', async () => {
    p = makeProject({
      'src/schema.ts': SCHEMA,
      'forge.config.ts': `export default {
  schema: './src/schema.ts',
  afterMigrate: async (db: any) => {
    await db.$executeRawUnsafe(\`CREATE OR REPLACE FUNCTION user_count() RETURNS bigint LANGUAGE sql AS $$ SELECT count(*) FROM users $$\`);
    const n = await db.user.count();
    await db.$executeRawUnsafe(\`COMMENT ON TABLE users IS 'rows at last migrate: \${n}'\`);
  },
};
`,
    });
    const env = { DATABASE_URL: db.url };
    const r = p.ok(['push'], env);
    expect(r.stdout).toMatch(/✓ afterMigrate \(forge\.config\.ts\) ran/);
    await pg.query(db.url, `INSERT INTO users (id, email) VALUES ('a', 'a@x'), ('b', 'b@x')`);
    expect(await pg.query(db.url, 'SELECT user_count()::int AS n')).toEqual([{ n: 2 }]);
    p.ok(['push'], env);
    expect(await pg.query(db.url, "SELECT obj_description('users'::regclass) AS c")).toEqual([{ c: 'rows at last migrate: 2' }]);
  });

  it('a failing hook rolls its own statements back (transactional DDL) and keeps the pushed column', async () => {
    p.write('src/schema.ts', WITH_NICK);
    p.write(
      'forge.config.ts',
      `export default { schema: './src/schema.ts', afterMigrate: async (db: any) => {
  await db.$executeRawUnsafe('CREATE TABLE hook_scratch (id int)');
  await db.$executeRawUnsafe('SELECT no_such_function()');
} };\n`,
    );
    const r = p.run(['push'], { DATABASE_URL: db.url });
    expect(r.code, shown(r)).toBe(2);
    expect(r.stderr).toContain('afterMigrate (forge.config.ts) failed');
    expect(r.stderr).toContain('no_such_function');
    expect(await pg.columnsOf(db.url, 'users')).toContain('nick');
    expect(await pg.tablesOf(db.url)).not.toContain('hook_scratch');
  });
});

describe('afterMigrate through the API: createDb({ afterMigrate }) with $migrate, $ensureCreated, $analyze', () => {
  it('runs after $ensureCreated and $migrate, and $analyze lists the typed operations without running them', async () => {
    const { createDb, f, model } = await import('@forge/core');
    const p = project({});
    const User = model('users', { id: f.id({ type: 'string' }), email: f.string() });
    let calls = 0;
    const db = await createDb({
      url: p.url,
      schema: { user: User },
      afterMigrate: async (h) => {
        calls++;
        await h.$executeRawUnsafe('CREATE VIEW IF NOT EXISTS user_emails AS SELECT email FROM users');
      },
    });
    try {
      const plan = await db.$analyze();
      expect(plan.operations.map((o) => o.type)).toEqual(['create_table']);
      expect(plan.operations[0].sql[0]).toMatch(/^CREATE TABLE IF NOT EXISTS "users"/);
      expect(lite.tablesOf(p.db)).toEqual([]);
      expect((await db.$ensureCreated()).created).toEqual(['users']);
      expect(calls).toBe(1);
      await db.user.create({ data: { id: 'a', email: 'a@x' } });
      expect(await db.$queryRawUnsafe('SELECT email FROM user_emails')).toEqual([{ email: 'a@x' }]);
      expect((await db.$migrate()).failures).toEqual([]);
      expect(calls).toBe(2);
      expect((await db.$analyze()).inSync).toBe(true);
      await db.$ensureDeleted();
      expect(lite.tablesOf(p.db)).not.toContain('users');
    } finally {
      await db.$disconnect();
    }
  });
});
