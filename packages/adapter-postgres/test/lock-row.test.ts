import { buildSchemaIR, f, model, runPush, type Connection, type EngineFacts } from '@forge/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parsePgEngine } from '../src/engine.js';
import { adapter } from '../src/index.js';
import { pgLockStrategy } from '../src/lock.js';
import { createTestDatabase, type TestDatabase } from './helpers.js';

/** `conn` as if it talked to another engine: the same session and pool, only `engine` answers differently. */
const asEngine = (conn: Connection, engine: EngineFacts): Connection => Object.create(conn, { engine: { get: () => engine } }) as Connection;
const CRDB = parsePgEngine('CockroachDB CCL v23.1.11 (x86_64-pc-linux-gnu, built 2023/09/27 01:53:43, go1.19.10)');

let db: TestDatabase;
let other: Connection;
beforeAll(async () => {
  db = await createTestDatabase();
  other = await adapter.connect(db.url);
});
afterAll(async () => {
  await other.close();
  await db.drop();
});

const lockRows = async () => (await other.queryArrays("SELECT to_regclass('_forge_lock') IS NOT NULL"))[0][0] ? other.queryArrays('SELECT name, info FROM _forge_lock') : [];
const advisory = () => other.queryArrays(`SELECT count(*)::int FROM pg_locks WHERE locktype = 'advisory' AND database = (SELECT oid FROM pg_database WHERE datname = current_database())`);

describe('the push lock per engine on the Postgres wire', () => {
  it('reads the engine at connect: PostgreSQL here, with the advisory lock under auto', async () => {
    const conn = await adapter.connect(db.url);
    try {
      expect(conn.engine).toMatchObject({ name: 'postgres', ddl: 'transactional', nativeLock: true });
      expect(pgLockStrategy(conn)).toBe('native');
    } finally {
      await conn.close();
    }
  });

  it("forced to 'row' on PostgreSQL: the _forge_lock row, then the push in one transaction (DDL stays transactional), no advisory lock", async () => {
    const conn = await adapter.connect(db.url, { lockStrategy: 'row' });
    try {
      expect(pgLockStrategy(conn)).toBe('row');
      await adapter.lock(conn, async (tx) => {
        expect(tx.inTransaction).toBe(true);
        expect(await lockRows()).toEqual([['push', expect.stringMatching(/pid \d+/)]]);
        expect(await advisory()).toEqual([[0]]);
      });
      expect(await lockRows()).toEqual([]);
    } finally {
      await conn.close();
    }
  });

  it('on CockroachDB (auto): the row, and the push statement by statement outside any transaction; the report says so', async () => {
    const conn = await adapter.connect(db.url);
    try {
      const crdb = asEngine(conn, CRDB);
      expect(pgLockStrategy(crdb)).toBe('row');
      await adapter.lock(crdb, async (c) => {
        expect(c.inTransaction).toBe(false);
        expect(await lockRows()).toHaveLength(1);
      });
      const ir = buildSchemaIR({ t: model('crdb_t', { id: f.id(), name: f.string() }) });
      const report = await runPush({ adapter, conn: crdb, ir });
      expect(report.failures).toEqual([]);
      expect(report.transactional).toBe(false);
      expect(report.notes.join('\n')).toMatch(/DDL is not transactional/);
      expect(report.notes.join('\n')).toMatch(/CockroachDB v23\.1\.11: CockroachDB runs schema changes as online background jobs/);
      expect(report.notes.join('\n')).toMatch(/CockroachDB v23\.1\.11: CockroachDB has no working advisory locks/);
      expect(await lockRows()).toEqual([]);
    } finally {
      await conn.close();
    }
  });

  it('a bad FORGE_LOCK_STRATEGY fails the lock that reads it, not the connection (an application only querying never sees it)', async () => {
    const saved = process.env.FORGE_LOCK_STRATEGY;
    process.env.FORGE_LOCK_STRATEGY = 'rows';
    try {
      const conn = await adapter.connect(db.url);
      try {
        expect(await conn.queryArrays('SELECT 1')).toEqual([[1]]);
        await expect(adapter.lock(conn, async () => undefined)).rejects.toThrow(/FORGE_LOCK_STRATEGY="rows" is not a lock strategy/);
      } finally {
        await conn.close();
      }
    } finally {
      if (saved === undefined) delete process.env.FORGE_LOCK_STRATEGY;
      else process.env.FORGE_LOCK_STRATEGY = saved;
    }
  });

  it("'native' forced on CockroachDB keeps the advisory lock (the user's choice)", async () => {
    const conn = await adapter.connect(db.url, { lockStrategy: 'native' });
    try {
      expect(pgLockStrategy(asEngine(conn, CRDB))).toBe('native');
    } finally {
      await conn.close();
    }
  });
});
