import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { adapter as postgres } from '@forge/adapter-postgres';
import { adapter as sqlite } from '@forge/adapter-sqlite';
import { analyze, buildSchemaIR, ConfigError, ensureCreated, ensureDeleted, f, MigrationError, model, type Adapter, type Connection, type SchemaIR } from '@forge/core';
import { afterAll, describe, expect, it } from 'vitest';
import * as pg from './postgres.js';

/**
 * Issue 14, the programmatic helpers of seed 003 on SQLite and a live Postgres: ensureCreated() builds the schema on
 * a database without its tables (and only there), ensureDeleted() drops exactly the schema's tables (search objects
 * included, referencing tables first, everything else left), analyze() returns the typed operations without running
 * them.
 */
const pgUp = await pg.postgresAnswers();

const User = model('users', { id: f.id({ type: 'string' }), email: f.string(), bio: f.text().optional().searchable() });
const Post = model('posts', { id: f.id({ type: 'string' }), title: f.string(), author_id: f.string().refs(() => User) }, { indexes: [{ keys: { title: 1 }, name: 'posts_title' }] });
const Comment = model('comments', { id: f.id({ type: 'string' }), body: f.string(), post_id: f.string().refs(() => Post) });
const ir: SchemaIR = buildSchemaIR({ user: User, post: Post, comment: Comment });

interface Target {
  label: string;
  skip: boolean;
  adapter: Adapter;
  open(): Promise<Connection>;
  tables(conn: Connection): Promise<string[]>;
  columns(conn: Connection, table: string): Promise<string[]>;
  cleanup(): Promise<void>;
}

function sqliteTarget(): Target {
  const dir = mkdtempSync(path.join(tmpdir(), 'forge-ensure-'));
  let n = 0;
  return {
    label: 'SQLite',
    skip: false,
    adapter: sqlite,
    open: () => sqlite.connect(`sqlite:${path.join(dir, `db-${++n}.sqlite`)}`),
    tables: async (conn) =>
      (await conn.query<{ name: string }>("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")).map((r) => r.name),
    columns: async (conn, table) => (await conn.query<{ name: string }>(`SELECT name FROM pragma_table_info('${table}')`)).map((r) => r.name),
    cleanup: async () => rmSync(dir, { recursive: true, force: true }),
  };
}

function postgresTarget(): Target {
  const made: pg.TestDatabase[] = [];
  return {
    label: `Postgres (needs PostgreSQL at ${pg.PG_LABEL}${pgUp ? '' : ' — no answer, skipped'})`,
    skip: !pgUp,
    adapter: postgres,
    async open() {
      const db = await pg.createTestDatabase();
      made.push(db);
      return postgres.connect(db.url);
    },
    tables: async (conn) => (await conn.query<{ name: string }>("SELECT tablename AS name FROM pg_tables WHERE schemaname = current_schema() ORDER BY 1")).map((r) => r.name),
    columns: async (conn, table) =>
      (await conn.query<{ name: string }>('SELECT column_name AS name FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = $1 ORDER BY ordinal_position', [table])).map((r) => r.name),
    cleanup: async () => {
      for (const db of made) await db.drop();
    },
  };
}

for (const t of [sqliteTarget(), postgresTarget()]) {
  describe.skipIf(t.skip)(`ensureCreated / ensureDeleted / analyze on ${t.label}`, { timeout: 60_000 }, () => {
    const conns: Connection[] = [];
    const fresh = async () => {
      const conn = await t.open();
      conns.push(conn);
      return { adapter: t.adapter, conn, ir };
    };
    afterAll(async () => {
      for (const c of conns) await c.close().catch(() => undefined);
      await t.cleanup();
    });

    it('ensureCreated builds every table on an empty database; a second call does nothing', async () => {
      const ctx = await fresh();
      expect(await ensureCreated(ctx)).toEqual({ created: ['users', 'posts', 'comments'] });
      expect(await t.tables(ctx.conn)).toEqual(expect.arrayContaining(['comments', 'posts', 'users']));
      expect((await analyze(ctx)).inSync).toBe(true);
      expect(await ensureCreated(ctx)).toEqual({ created: [] });
    });

    it('ensureCreated refuses a database that has only some of the tables, naming both, and changes nothing', async () => {
      const ctx = await fresh();
      await ctx.conn.execute('CREATE TABLE users (id text PRIMARY KEY, email text NOT NULL)');
      const before = await t.tables(ctx.conn);
      const err = await ensureCreated(ctx).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ConfigError);
      expect((err as Error).message).toContain('this one has users but not posts, comments');
      expect(await t.tables(ctx.conn)).toEqual(before);
    });

    it('ensureDeleted drops exactly the schema\'s tables, referencing ones first, search objects too; others stay', async () => {
      const ctx = await fresh();
      await ensureCreated(ctx);
      await ctx.conn.execute('CREATE TABLE keep_me (id int PRIMARY KEY)');
      await ctx.conn.execute("INSERT INTO users (id, email, bio) VALUES ('u1', 'a@x', 'hello')");
      await ctx.conn.execute("INSERT INTO posts (id, title, author_id) VALUES ('p1', 'T', 'u1')");
      expect(await ensureDeleted(ctx)).toEqual({ dropped: ['comments', 'posts', 'users'] });
      // SQLite's FTS5 table (users_fts and its shadow tables) went with users.
      expect(await t.tables(ctx.conn)).toEqual(['keep_me']);
      expect(await ensureDeleted(ctx)).toEqual({ dropped: [] });
    });

    it('a table outside the schema that references one of its tables stops ensureDeleted, naming the cause', async () => {
      const ctx = await fresh();
      await ensureCreated(ctx);
      await ctx.conn.execute("INSERT INTO users (id, email) VALUES ('u1', 'a@x')");
      await ctx.conn.execute('CREATE TABLE audit (id int PRIMARY KEY, user_id text NOT NULL REFERENCES users (id))');
      await ctx.conn.execute("INSERT INTO audit (id, user_id) VALUES (1, 'u1')");
      const err = await ensureDeleted(ctx).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(MigrationError);
      expect((err as Error).message).toMatch(/ensureDeleted\(\) failed at: DROP TABLE[^\n]*"users"/);
      expect((err as Error).message).toContain('Nothing was dropped');
      expect(await t.tables(ctx.conn)).toEqual(expect.arrayContaining(['audit', 'comments', 'posts', 'users']));
    });

    it('analyze returns the typed operations, with their SQL, and runs none of them', async () => {
      const ctx = await fresh();
      await ctx.conn.execute('CREATE TABLE users (id text PRIMARY KEY, email text NOT NULL, legacy text)');
      const a = await analyze(ctx);
      expect(a.inSync).toBe(false);
      const byType = (type: string) => a.operations.filter((o) => o.type === type);
      expect(byType('add_column').map((o) => `${o.table}.${o.name}`)).toEqual(['users.bio']);
      expect(byType('create_table').map((o) => o.table)).toEqual(['posts', 'comments']);
      expect(byType('create_index').map((o) => o.name)).toContain('posts_title');
      const drop = byType('drop_column');
      expect(drop.map((o) => `${o.table}.${o.name}`)).toEqual(['users.legacy']);
      expect(drop[0].destructive).toBe(true);
      expect(drop[0].sql.join(' ')).toMatch(/ALTER TABLE "users" DROP COLUMN "legacy"/);
      for (const o of a.operations) expect(o.op.op.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`)).toBe(o.type);
      // Nothing ran.
      expect(await t.tables(ctx.conn)).toEqual(['users']);
      expect(await t.columns(ctx.conn, 'users')).toEqual(['id', 'email', 'legacy']);
    });
  });
}
