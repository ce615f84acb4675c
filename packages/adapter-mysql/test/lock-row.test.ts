import { buildSchemaIR, f, model, runPush, type Connection, type EngineFacts } from '@forge/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adapter } from '../src/index.js';
import { mysqlLockStrategy, pushLockNameSql } from '../src/lock.js';
import { parseMysqlEngine } from '../src/server.js';
import { createTestDatabase, type TestDatabase } from './helpers.js';

/** `conn` as if it talked to another engine: the same pool, only `engine` answers differently. */
const asEngine = (conn: Connection, engine: EngineFacts): Connection => Object.create(conn, { engine: { get: () => engine } }) as Connection;
const VITESS = parseMysqlEngine('8.0.30-Vitess', 'Version: 19.0.4');

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

const lockRows = async () =>
  (await other.queryArrays("SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = DATABASE() AND table_name = '_forge_lock'"))[0][0] == 1
    ? other.queryArrays('SELECT name, info FROM _forge_lock')
    : [];
const getLockHeld = async () => (await other.queryArrays(`SELECT IS_USED_LOCK(${pushLockNameSql}) IS NOT NULL`))[0][0];

describe('the push lock per engine on the MySQL wire', () => {
  it('reads the engine at connect (MariaDB or MySQL here), with GET_LOCK under auto', async () => {
    const conn = await adapter.connect(db.url);
    try {
      expect(['mariadb', 'mysql']).toContain(conn.engine?.name);
      expect(conn.engine?.nativeLock).toBe(true);
      expect(mysqlLockStrategy(conn)).toBe('native');
    } finally {
      await conn.close();
    }
  });

  it("forced to 'row': the _forge_lock row, the push on one pinned session, no GET_LOCK", async () => {
    const conn = await adapter.connect(db.url, { lockStrategy: 'row' });
    try {
      await adapter.lock(conn, async (session) => {
        expect(await lockRows()).toEqual([['push', expect.stringMatching(/pid \d+/)]]);
        expect(Number(await getLockHeld())).toBe(0);
        expect(Number((await session.queryArrays('SELECT @@SESSION.lock_wait_timeout'))[0][0])).toBe(10);
      });
      expect(await lockRows()).toEqual([]);
    } finally {
      await conn.close();
    }
  });

  it('on Vitess (auto): the row; the push notes name Vitess and ddl_strategy=direct', async () => {
    const conn = await adapter.connect(db.url);
    try {
      const vt = asEngine(conn, VITESS);
      expect(mysqlLockStrategy(vt)).toBe('row');
      const ir = buildSchemaIR({ t: model('vt_t', { id: f.id(), name: f.string() }) });
      const report = await runPush({ adapter, conn: vt, ir });
      expect(report.failures).toEqual([]);
      expect(report.notes.join('\n')).toMatch(/Vitess, MySQL 8\.0\.30: Vitess sends GET_LOCK to the first shard/);
      expect(report.notes.join('\n')).toMatch(/ddl_strategy=direct/);
      expect(await lockRows()).toEqual([]);
    } finally {
      await conn.close();
    }
  });
});
