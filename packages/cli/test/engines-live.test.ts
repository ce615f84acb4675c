/**
 * The distributed engines on the existing adapters, live: CockroachDB and YugabyteDB on the Postgres wire, TiDB and
 * Vitess / PlanetScale on MySQL's. Each runs where its URL is set (FORGE_TEST_COCKROACH_URL, FORGE_TEST_YUGABYTE_URL,
 * FORGE_TEST_TIDB_URL, FORGE_TEST_VITESS_URL) and is listed as skipped, with the variable in its name, otherwise.
 * None of them runs on the development machine: nothing here has been run against a real one yet.
 *
 * Each gets its own throwaway database (CREATE DATABASE / DROP DATABASE) except Vitess, where databases are
 * keyspaces made outside SQL: there the tables carry a random suffix in the URL's keyspace and are dropped after.
 */
import { randomBytes } from 'node:crypto';
import { adapter as mysqlAdapter } from '@forge/adapter-mysql';
import { adapter as pgAdapter } from '@forge/adapter-postgres';
import { redactUrl, type Adapter, type EngineFacts } from '@forge/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeProject, shown, type Project, type RunResult } from './helpers.js';

interface Engine {
  env: string;
  name: EngineFacts['name'];
  adapter: Adapter;
  /** The push lock `auto` takes there. */
  lock: 'row' | 'native';
  /** Whether a throwaway database can be made with CREATE DATABASE (not on Vitess: keyspaces). */
  createDatabase: boolean;
}

const ENGINES: Engine[] = [
  { env: 'FORGE_TEST_COCKROACH_URL', name: 'cockroachdb', adapter: pgAdapter, lock: 'row', createDatabase: true },
  { env: 'FORGE_TEST_YUGABYTE_URL', name: 'yugabytedb', adapter: pgAdapter, lock: 'row', createDatabase: true },
  { env: 'FORGE_TEST_TIDB_URL', name: 'tidb', adapter: mysqlAdapter, lock: 'native', createDatabase: true },
  { env: 'FORGE_TEST_VITESS_URL', name: 'vitess', adapter: mysqlAdapter, lock: 'row', createDatabase: false },
];

const withDatabase = (url: string, db: string) => {
  const u = new URL(url);
  u.pathname = `/${db}`;
  return u.toString();
};

async function sql(adapter: Adapter, url: string, text: string): Promise<unknown[][]> {
  const conn = await adapter.connect(url, { connectTimeoutMs: 15_000 });
  try {
    return await conn.queryArrays(text);
  } finally {
    await conn.close();
  }
}

const applied = (r: RunResult) => Number(/^applied: (\d+)/m.exec(r.stdout)?.[1] ?? NaN);

for (const e of ENGINES) {
  const url = process.env[e.env];
  const title = url ? `${e.name} live (${redactUrl(url)})` : `${e.name} live (skipped: ${e.env} is not set)`;
  describe.skipIf(!url)(title, () => {
    const suffix = randomBytes(4).toString('hex');
    const dbName = `forge_eng_${suffix}`;
    let target = url ?? '';
    let p: Project;
    const users = e.createDatabase ? 'users' : `users_${suffix}`;
    const posts = e.createDatabase ? 'posts' : `posts_${suffix}`;
    beforeAll(async () => {
      if (e.createDatabase) {
        await sql(e.adapter, url!, `CREATE DATABASE ${dbName}`);
        target = withDatabase(url!, dbName);
      }
      p = makeProject({
        'src/schema.ts':
          "import { model, f } from '@forge/core';\n" +
          `export const User = model('${users}', { id: f.id(), email: f.string().unique(), nickname: f.string().optional() });\n` +
          `export const Post = model('${posts}', { id: f.id(), title: f.string() });\n` +
          'export const schema = { user: User, post: Post };\n',
      });
    }, 60_000);
    afterAll(async () => {
      p?.cleanup();
      if (!url) return;
      if (e.createDatabase) await sql(e.adapter, url, `DROP DATABASE IF EXISTS ${dbName}${e.name === 'cockroachdb' ? ' CASCADE' : ''}`).catch(() => undefined);
      else for (const t of [users, posts]) await sql(e.adapter, target, `DROP TABLE IF EXISTS ${t}`).catch(() => undefined);
    }, 60_000);

    it(`is detected at connect, and auto takes the ${e.lock === 'row' ? '_forge_lock row' : 'native lock'}`, async () => {
      const conn = await e.adapter.connect(target);
      try {
        expect(conn.engine?.name).toBe(e.name);
        expect(conn.engine?.nativeLock).toBe(e.lock === 'native');
      } finally {
        await conn.close();
      }
      const r = p.run(['doctor'], { DATABASE_URL: target });
      expect(r.stdout, shown(r)).toMatch(/engine: /);
      expect(r.stdout).toContain(e.lock === 'row' ? 'push lock: a row of _forge_lock' : 'push lock: ');
    }, 60_000);

    it('two concurrent pushes serialise: one applies the schema, the other 0; the push notes name the engine; diff is in sync', async () => {
      const [a, b] = await Promise.all([p.runAsync(['push'], { DATABASE_URL: target }), p.runAsync(['push'], { DATABASE_URL: target })]);
      expect(a.code, shown(a)).toBe(0);
      expect(b.code, shown(b)).toBe(0);
      expect([applied(a), applied(b)].sort()).toEqual([0, 3]);
      expect(a.stdout + b.stdout).toMatch(e.name === 'vitess' ? /Vitess/ : e.name === 'tidb' ? /TiDB/ : e.name === 'cockroachdb' ? /CockroachDB/ : /YugabyteDB/);
      const diff = p.run(['diff', '--check'], { DATABASE_URL: target, FORGE_DIFF_IGNORE: e.createDatabase ? '' : `/^(?!${users}$|${posts}$)/` });
      expect(diff.code, shown(diff)).toBe(0);
      // The row was taken and given back: the table is there, the row is not.
      if (e.lock === 'row') expect(Number((await sql(e.adapter, target, "SELECT count(*) FROM _forge_lock WHERE name = 'push'"))[0][0])).toBe(0);
    }, 180_000);
  });
}
