import { DbKnownError, type Connection } from '@forge/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adapter } from '../src/index.js';
import { detailColumns } from '../src/errors.js';
import { createTestDatabase, type TestDatabase } from './helpers.js';

let db: TestDatabase;
let conn: Connection;

beforeAll(async () => {
  db = await createTestDatabase();
  conn = await adapter.connect(db.url);
  await conn.execute(`
    CREATE TABLE parents (id int PRIMARY KEY, email text UNIQUE, age int CHECK (age >= 0), name text NOT NULL DEFAULT 'x');
    CREATE TABLE children (id int PRIMARY KEY, parent_id int REFERENCES parents (id));
    INSERT INTO parents (id, email, age) VALUES (1, 'a@x', 1), (2, 'b@x', 2);
  `);
});
afterAll(async () => {
  await conn.close();
  await db.drop();
});

/** A rejected promise's error, so several fields can be asserted at once. */
const failure = (p: Promise<unknown>) => p.then(() => expect.unreachable('expected a failure'), (e: unknown) => e as DbKnownError);

describe('driver errors mapped to DbKnownError', () => {
  it('23505 → UNIQUE_VIOLATION with constraint, detail and table', async () => {
    const e = await failure(conn.execute(`INSERT INTO parents (id, email) VALUES (3, 'a@x')`));
    expect(e).toBeInstanceOf(DbKnownError);
    expect(e.code).toBe('UNIQUE_VIOLATION');
    expect(e.meta).toMatchObject({ constraint: 'parents_email_key', table: 'parents', detail: 'Key (email)=(a@x) already exists.', driverCode: '23505' });
    // The key's columns from DETAIL, and `fields` beside them (the client maps them to field names).
    expect(e.meta).toMatchObject({ columns: ['email'], fields: ['email'] });
  });

  it('key columns are read from DETAIL: quoted names, several columns, none for an expression key', () => {
    expect(detailColumns('Key (email)=(a@x) already exists.')).toEqual(['email']);
    expect(detailColumns('Key ("authorId", org)=(1, 2) is not present in table "users".')).toEqual(['authorId', 'org']);
    expect(detailColumns('Key (lower(email))=(a@x) already exists.')).toBeUndefined();
    expect(detailColumns(undefined)).toBeUndefined();
  });

  it('23503 → FOREIGN_KEY_VIOLATION', async () => {
    const e = await failure(conn.execute('INSERT INTO children VALUES (1, 99)'));
    expect(e).toMatchObject({ code: 'FOREIGN_KEY_VIOLATION', meta: { constraint: 'children_parent_id_fkey', table: 'children', columns: ['parent_id'] } });
  });

  it('23502 → NOT_NULL_VIOLATION', async () => {
    const e = await failure(conn.execute('INSERT INTO parents (id, name) VALUES (4, NULL)'));
    expect(e).toMatchObject({ code: 'NOT_NULL_VIOLATION', meta: { column: 'name', table: 'parents' } });
  });

  it('23514 → CHECK_VIOLATION', async () => {
    expect(await failure(conn.execute('INSERT INTO parents (id, age) VALUES (5, -1)'))).toMatchObject({ code: 'CHECK_VIOLATION', meta: { constraint: 'parents_age_check' } });
  });

  it('42P01 → MISSING_TABLE and 42703 → MISSING_COLUMN, both pointing at forge push', async () => {
    const table = await failure(conn.query('SELECT * FROM nope'));
    expect(table).toMatchObject({ code: 'MISSING_TABLE' });
    expect(table.message).toMatch(/forge push/);
    expect(await failure(conn.query('SELECT nope FROM parents'))).toMatchObject({ code: 'MISSING_COLUMN' });
  });

  it('keeps the driver error as the cause', async () => {
    const e = await failure(conn.execute(`INSERT INTO parents (id, email) VALUES (6, 'a@x')`));
    expect((e.cause as { code?: string }).code).toBe('23505');
  });
});

describe('errors a retry loop branches on keep their driver code', () => {
  it('40001 serialization failure passes through untouched', async () => {
    const other = await adapter.connect(db.url);
    try {
      const e = await failure(
        conn.transaction(async (a) => {
          await a.execute('SET TRANSACTION ISOLATION LEVEL SERIALIZABLE');
          await a.query('SELECT age FROM parents WHERE id = 1');
          await other.transaction(async (b) => {
            await b.execute('SET TRANSACTION ISOLATION LEVEL SERIALIZABLE');
            await b.execute('UPDATE parents SET age = age + 1 WHERE id = 1');
          });
          await a.execute('UPDATE parents SET age = age + 10 WHERE id = 1');
        }),
      );
      expect(e).not.toBeInstanceOf(DbKnownError);
      expect((e as unknown as { code: string }).code).toBe('40001');
    } finally {
      await other.close();
    }
  });

  it('40P01 deadlock passes through untouched', async () => {
    const other = await adapter.connect(db.url);
    try {
      let release!: () => void;
      const bothLocked = new Promise<void>((r) => (release = r));
      let locked = 0;
      const step = async (c: Connection, first: number, second: number) =>
        c.transaction(async (tx) => {
          await tx.execute(`UPDATE parents SET age = age WHERE id = ${first}`);
          if (++locked === 2) release();
          await bothLocked;
          await tx.execute(`UPDATE parents SET age = age WHERE id = ${second}`);
        });
      const results = await Promise.allSettled([step(conn, 1, 2), step(other, 2, 1)]);
      const rejected = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
      expect(rejected).toHaveLength(1);
      expect(rejected[0].reason).not.toBeInstanceOf(DbKnownError);
      expect(rejected[0].reason.code).toBe('40P01');
    } finally {
      await other.close();
    }
  });
});

describe('mapError on errors a live test cannot provoke here', () => {
  const map = (e: object) => adapter.mapError(e) as DbKnownError;

  it('maps authentication failures to AUTH_FAILED', () => {
    expect(map({ code: '28P01', message: 'password authentication failed for user "x"' }).code).toBe('AUTH_FAILED');
    expect(map({ code: '28000', message: 'no pg_hba.conf entry' }).code).toBe('AUTH_FAILED');
  });

  it('maps socket failures and timeouts to CONNECTION_FAILED', () => {
    expect(map({ code: 'ECONNREFUSED', message: 'connect ECONNREFUSED' }).code).toBe('CONNECTION_FAILED');
    expect(map({ code: 'ENOTFOUND', message: 'getaddrinfo ENOTFOUND db' }).code).toBe('CONNECTION_FAILED');
    expect(map(new Error('Connection terminated due to connection timeout')).code).toBe('CONNECTION_FAILED');
    expect(map({ code: 'CONNECT_TIMEOUT', message: 'write CONNECT_TIMEOUT' }).code).toBe('CONNECTION_FAILED');
  });

  it('reads postgres.js field names too', () => {
    expect(map({ code: '23505', message: 'dup', constraint_name: 'u', table_name: 't', detail: 'd' })).toMatchObject({
      code: 'UNIQUE_VIOLATION',
      meta: { constraint: 'u', table: 't', detail: 'd' },
    });
  });

  it('returns everything else untouched', () => {
    const odd = { code: '22P02', message: 'invalid input syntax' };
    expect(adapter.mapError(odd)).toBe(odd);
    const plain = new Error('plain');
    expect(adapter.mapError(plain)).toBe(plain);
  });
});
