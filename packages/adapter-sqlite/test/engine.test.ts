import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  buildSchemaIR,
  ConfigError,
  f,
  latestMigration,
  model,
  runDiff,
  runDiffApply,
  runMigrate,
  runPush,
  runRollback,
  type Connection,
  type DdlEnv,
  type DdlOp,
  type SchemaIR,
} from '@forge/core';
import { adapter, openSqlite } from '../src/index.js';
import { tempDir } from './helpers.js';

/** The schema-sync engine end to end on a real SQLite file: push, diff, diff apply, rollback, $migrate. */

const dir = tempDir();
let seq = 0;
const open: Connection[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((c) => c.close()));
});

async function connect(): Promise<{ conn: Connection }> {
  const conn = await openSqlite(`sqlite:${path.join(dir, `engine-${++seq}.db`)}`);
  open.push(conn);
  return { conn };
}

function schema(opts: { legacy?: boolean; nickname?: boolean } = {}): SchemaIR {
  const User = model('users', {
    id: f.id(),
    email: f.string().unique(),
    name: f.string().optional(),
    ...(opts.legacy === false ? {} : { legacyToken: f.string().optional().map('legacy_token') }),
    ...(opts.nickname ? { nickname: f.string().optional() } : {}),
  });
  const Post = model(
    'posts',
    { id: f.id(), authorId: f.string().map('author_id').refs(() => User), title: f.string(), body: f.text().searchable() },
    { indexes: [{ name: 'idx_posts_title', keys: { title: 1 }, where: "title <> ''" }] },
  );
  const Feed = model('feed', { id: f.string(), title: f.string() }, { view: { sql: 'SELECT id, title FROM posts' } });
  return buildSchemaIR({ User, Post, Feed });
}

function migrationsDir(): string {
  return path.join(dir, `migrations-${++seq}`);
}

describe('runPush', () => {
  it('creates the schema, converges, and a second push applies nothing', async () => {
    const { conn } = await connect();
    const ir = schema();
    const seen: string[] = [];
    const first = await runPush({ adapter, conn, ir }, { onStatement: (s, outcome) => seen.push(`${outcome}:${s.label}`) });
    expect(first.failures).toEqual([]);
    expect(first.applied).toEqual(['users', 'posts', 'forge_users_uq_email', 'idx_posts_title', 'posts search', 'feed']);
    expect(seen).toEqual(first.applied.map((l) => `applied:${l}`));

    expect(await runDiff({ adapter, conn, ir })).toEqual({ dialect: 'sqlite', items: [], inSync: true, ignored: [] });

    const second = await runPush({ adapter, conn, ir });
    expect(second).toMatchObject({ applied: [], failures: [], notes: [] });
    expect(second.skipped).toEqual(['users', 'posts', 'forge_users_uq_email', 'idx_posts_title', 'forge_posts_fk_author_id', 'posts search', 'feed']);
  });

  it('serialises concurrent pushes: the second plans against the first one', async () => {
    // better-sqlite3 waits for a lock synchronously, so two connections in one process would block each other's
    // event loop; two pushes on one connection exercise the same lock (BEGIN IMMEDIATE behind the connection's queue).
    const { conn } = await connect();
    const ir = schema();
    const [ra, rb] = await Promise.all([runPush({ adapter, conn, ir }), runPush({ adapter, conn, ir })]);
    expect([...ra.failures, ...rb.failures]).toEqual([]);
    expect([ra.applied.length, rb.applied.length].sort()).toEqual([0, 6]);
  });

  it('runs statements that must not run in a transaction after the lock is released', async () => {
    const { conn } = await connect();
    const outside: boolean[] = [];
    // Observe the outer connection: statements deferred past the lock arrive here, not on the lock's transaction.
    const watched = new Proxy(conn, {
      get(target, prop) {
        if (prop === 'execute') {
          return (sql: string, params?: unknown[]) => {
            outside.push(target.inTransaction);
            return target.execute(sql, params);
          };
        }
        const value: unknown = Reflect.get(target, prop);
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });
    const ddl = {
      ...adapter.ddl,
      emit: (op: DdlOp, env?: DdlEnv) => (op.op === 'createIndex' ? { ...adapter.ddl.emit(op, env), noTransaction: true } : adapter.ddl.emit(op, env)),
    };
    const report = await runPush({ adapter: { ...adapter, ddl }, conn: watched, ir: schema() });
    expect(report.failures).toEqual([]);
    expect(report.applied).toEqual(['users', 'posts', 'posts search', 'feed', 'forge_users_uq_email', 'idx_posts_title']);
    expect(outside).toEqual([false, false]);
    expect((await runDiff({ adapter, conn, ir: schema() })).inSync).toBe(true);
  });

  it('reports a missing foreign key on an existing table as a note, not a failure', async () => {
    const { conn } = await connect();
    await conn.execute('CREATE TABLE users (id TEXT PRIMARY KEY NOT NULL, email TEXT NOT NULL, name TEXT, legacy_token TEXT)');
    await conn.execute('CREATE TABLE posts (id TEXT PRIMARY KEY NOT NULL, author_id TEXT NOT NULL, title TEXT NOT NULL, body TEXT NOT NULL)');
    const notes: string[] = [];
    const report = await runPush({ adapter, conn, ir: schema() }, { onStatement: (s, outcome) => outcome === 'note' && notes.push(s.label) });
    expect(report.failures).toEqual([]);
    expect(notes).toEqual(['forge_posts_fk_author_id']);
    expect(report.applied).not.toContain('forge_posts_fk_author_id');
    expect(report.notes.some((n) => n.startsWith('forge_posts_fk_author_id: SQLite cannot ALTER TABLE ADD FOREIGN KEY'))).toBe(true);
  });
});

describe('runDiffApply and runRollback', () => {
  it('drops a removed column through a migration file and rolls it back', async () => {
    const { conn } = await connect();
    await runPush({ adapter, conn, ir: schema() });
    await conn.execute(`INSERT INTO users (id, email, legacy_token) VALUES ('u1', 'a@example.com', 'tok')`);
    const ir = schema({ legacy: false });

    const drift = await runDiff({ adapter, conn, ir });
    expect(drift.items).toEqual([
      { kind: 'column', direction: 'extra', table: 'users', column: 'legacy_token', detail: "column 'legacy_token' in DB but not in schema" },
    ]);

    const out = migrationsDir();
    const now = new Date('2026-06-24T14:30:52.413Z');
    const result = await runDiffApply({ adapter, conn, ir }, { dir: out, now });
    expect(result).toMatchObject({
      name: '20260624T143052_drift',
      applied: true,
      changes: [{ text: 'drop users.legacy_token', destructive: true }],
      up: ['ALTER TABLE "users" DROP COLUMN "legacy_token"'],
      down: ['ALTER TABLE "users" ADD COLUMN "legacy_token" text'],
      deferred: [],
    });
    expect(result.file).toBe(path.join(out, '20260624T143052_drift.sql'));
    const text = readFileSync(result.file!, 'utf8');
    expect(text).toBe(result.content);
    expect(text).toContain('-- up\nALTER TABLE "users" DROP COLUMN "legacy_token";\n');
    expect(text).toContain('-- down\nALTER TABLE "users" ADD COLUMN "legacy_token" text;\n');
    expect(await latestMigration(conn, adapter)).toEqual({ name: '20260624T143052_drift', appliedAt: now.toISOString() });
    expect((await runDiff({ adapter, conn, ir })).inSync).toBe(true);

    const rolled = await runRollback({ adapter, conn }, { dir: out });
    expect(rolled).toEqual({ name: '20260624T143052_drift', statements: ['ALTER TABLE "users" ADD COLUMN "legacy_token" text'], file: result.file });
    expect(await latestMigration(conn, adapter)).toBeUndefined();
    expect((await runDiff({ adapter, conn, ir: schema() })).inSync).toBe(true);
    // The shape comes back; the data does not.
    expect(await conn.query('SELECT legacy_token FROM users')).toEqual([{ legacy_token: null }]);
  });

  it('adds a missing column and drops an extra table, with the seed change list', async () => {
    const { conn } = await connect();
    await runPush({ adapter, conn, ir: schema() });
    await conn.execute('CREATE TABLE audit_old (id INTEGER PRIMARY KEY)');
    const ir = schema({ nickname: true });
    const result = await runDiffApply({ adapter, conn, ir }, { dir: migrationsDir() });
    expect(result.changes).toEqual([
      { text: 'add users.nickname', destructive: false },
      { text: 'drop table audit_old', destructive: true },
    ]);
    expect(result.content).toMatch(/-- down\n-- cannot auto-restore dropped table audit_old\nALTER TABLE "users" DROP COLUMN "nickname";/);
    expect((await runDiff({ adapter, conn, ir })).inSync).toBe(true);
  });

  it('with --dry writes nothing and applies nothing', async () => {
    const { conn } = await connect();
    await runPush({ adapter, conn, ir: schema() });
    const out = migrationsDir();
    const result = await runDiffApply({ adapter, conn, ir: schema({ legacy: false }) }, { dir: out, dry: true });
    expect(result).toMatchObject({ applied: false, up: ['ALTER TABLE "users" DROP COLUMN "legacy_token"'] });
    expect(result.file).toBeUndefined();
    expect(result.content).toContain('-- forge migration: ');
    expect(existsSync(out)).toBe(false);
    expect((await runDiff({ adapter, conn, ir: schema() })).inSync).toBe(true);
  });

  it('writes nothing when there is nothing to change', async () => {
    const { conn } = await connect();
    const ir = schema();
    await runPush({ adapter, conn, ir });
    const out = migrationsDir();
    expect(await runDiffApply({ adapter, conn, ir }, { dir: out })).toMatchObject({ applied: false, up: [], changes: [] });
    expect(existsSync(out)).toBe(false);
  });

  it('refuses an unwritable folder before touching the database', async () => {
    const { conn } = await connect();
    await runPush({ adapter, conn, ir: schema() });
    const blocker = path.join(dir, `blocker-${++seq}`);
    writeFileSync(blocker, 'not a folder');
    await expect(runDiffApply({ adapter, conn, ir: schema({ legacy: false }) }, { dir: path.join(blocker, 'migrations') })).rejects.toThrow(ConfigError);
    expect((await runDiff({ adapter, conn, ir: schema() })).inSync).toBe(true);
  });

  it('removes the file it wrote when a statement fails, and records nothing', async () => {
    const { conn } = await connect();
    await runPush({ adapter, conn, ir: schema() });
    // SQLite refuses to drop a column a trigger reads (diff apply drops indexes first, but not triggers it does not own).
    await conn.execute('CREATE TRIGGER users_legacy_read AFTER UPDATE ON users BEGIN SELECT NEW.legacy_token; END');
    const out = migrationsDir();
    await expect(runDiffApply({ adapter, conn, ir: schema({ legacy: false }) }, { dir: out })).rejects.toThrow(
      /failed at: ALTER TABLE "users" DROP COLUMN "legacy_token"[\s\S]*Nothing was changed/,
    );
    expect(readdirSync(out)).toEqual([]);
    expect(await latestMigration(conn, adapter)).toBeUndefined();
  });

  it('rollback with an empty ledger, and with a missing file, is a ConfigError that changes nothing', async () => {
    const { conn } = await connect();
    await runPush({ adapter, conn, ir: schema() });
    const out = migrationsDir();
    await expect(runRollback({ adapter, conn }, { dir: out })).rejects.toThrow(/nothing to roll back: _forge_migrations is empty/);

    const result = await runDiffApply({ adapter, conn, ir: schema({ legacy: false }) }, { dir: out });
    const file = result.file!;
    rmSync(file);
    await expect(runRollback({ adapter, conn }, { dir: out })).rejects.toThrow(new RegExp(`${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} does not exist. The ledger row was left in place`));
    expect((await latestMigration(conn, adapter))?.name).toBe(result.name);
  });
});

describe('runMigrate', () => {
  it('creates what is missing, adds columns, and leaves destructive drift pending', async () => {
    const { conn } = await connect();
    const v1 = await runMigrate({ adapter, conn, ir: schema() });
    expect(v1).toMatchObject({ failures: [], alteredColumns: [], pending: [] });
    expect(v1.applied).toContain('users');

    const v2 = await runMigrate({ adapter, conn, ir: schema({ legacy: false, nickname: true }) });
    expect(v2).toMatchObject({
      applied: ['users.nickname'],
      failures: [],
      alteredColumns: ['users.nickname'],
      pending: [{ kind: 'column', direction: 'extra', table: 'users', column: 'legacy_token', detail: "column 'legacy_token' in DB but not in schema" }],
    });
    expect(await conn.query(`SELECT name FROM pragma_table_info('users') WHERE name IN ('nickname', 'legacy_token') ORDER BY name`)).toEqual([
      { name: 'legacy_token' },
      { name: 'nickname' },
    ]);
  });
});
