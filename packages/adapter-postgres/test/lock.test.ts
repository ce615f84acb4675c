import type { Connection } from '@forge/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adapter } from '../src/index.js';
import { createTestDatabase, type TestDatabase } from './helpers.js';

let db: TestDatabase;
let a: Connection;
let b: Connection;

beforeAll(async () => {
  db = await createTestDatabase();
  a = await adapter.connect(db.url);
  b = await adapter.connect(db.url);
});
afterAll(async () => {
  await a.close();
  await b.close();
  await db.drop();
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Advisory locks are per database; pg_locks shows the whole cluster, where other test files push too. */
const HERE = `locktype = 'advisory' AND database = (SELECT oid FROM pg_database WHERE datname = current_database())`;

describe('lock', () => {
  it("holds the seed's advisory key for the transaction, so concurrent pushes run one after the other", async () => {
    const events: string[] = [];
    const first = adapter.lock(a, async (tx) => {
      expect(tx.inTransaction).toBe(true);
      events.push('first:start');
      const held = await b.queryArrays(`SELECT classid::bigint, objid::bigint, objsubid FROM pg_locks WHERE ${HERE} AND granted`);
      expect(held).toEqual([['1869574759', '1694498817', 2]]);
      await sleep(300);
      events.push('first:end');
    });
    await sleep(50);
    const second = adapter.lock(b, async () => {
      events.push('second:start');
    });
    await Promise.all([first, second]);
    expect(events).toEqual(['first:start', 'first:end', 'second:start']);
    expect(await a.queryArrays(`SELECT count(*)::int FROM pg_locks WHERE ${HERE}`)).toEqual([[0]]);
  });
});

describe('runIsolated', () => {
  it('rolls back only the failing statement inside the push transaction', async () => {
    const failures: string[] = [];
    await adapter.lock(a, async (tx) => {
      for (const sql of ['CREATE TABLE ok_1 (id int)', 'CREATE TABLE broken (id nosuchtype)', 'CREATE TABLE ok_2 (id int)']) {
        await adapter.runIsolated(tx, sql).catch((e: Error) => failures.push(e.message));
      }
    });
    expect(failures).toEqual([expect.stringMatching(/nosuchtype/)]);
    expect(await a.queryArrays(`SELECT tablename FROM pg_tables WHERE tablename IN ('ok_1', 'ok_2', 'broken') ORDER BY 1`)).toEqual([['ok_1'], ['ok_2']]);
  });

  it('just runs the statement outside a transaction', async () => {
    await adapter.runIsolated(a, 'CREATE TABLE ok_3 (id int)');
    await expect(adapter.runIsolated(a, 'CREATE TABLE ok_3 (id int)')).rejects.toThrow(/already exists/);
  });
});
