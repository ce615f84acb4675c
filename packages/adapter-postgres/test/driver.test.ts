import { DbKnownError, f, model, ValidationError, type Connection } from '@forge/core';
import net from 'node:net';
import pg from 'pg';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adapter, pgDriver, postgresCodec, postgresJsDriver } from '../src/index.js';
import { createTestDatabase, withDatabase, type TestDatabase } from './helpers.js';

let db: TestDatabase;
const jsonColumn = model('j', { id: f.id(), doc: f.json() }).table().columns[1];

/** pg_cursors also lists the portal of the query reading it; forge's cursors are the named ones. */
const OPEN_CURSORS = `SELECT count(*)::int FROM pg_cursors WHERE name LIKE 'forge_cursor_%'`;

beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(async () => {
  await db.drop();
});

async function collect(it: AsyncIterable<unknown[][]>): Promise<unknown[][][]> {
  const chunks: unknown[][][] = [];
  for await (const c of it) chunks.push(c);
  return chunks;
}

describe('URL connections (forge-owned pg.Pool)', () => {
  let conn: Connection;
  beforeAll(async () => {
    conn = await adapter.connect(db.url);
    await conn.execute('CREATE TABLE t (id integer PRIMARY KEY, name text NOT NULL, big bigint, amount numeric(12,4))');
  });
  afterAll(() => conn.close());

  it('runs queries as objects and as arrays, and reports affected rows', async () => {
    const res = await conn.execute('INSERT INTO t (id, name, big, amount) VALUES ($1, $2, $3, $4), ($5, $6, $7, $8)', [
      1, 'a', 9007199254740993n, '1.5000', 2, 'b', null, '2',
    ]);
    expect(res.rowCount).toBe(2);
    expect(await conn.query('SELECT id, name FROM t ORDER BY id')).toEqual([
      { id: 1, name: 'a' },
      { id: 2, name: 'b' },
    ]);
    expect(await conn.queryArrays('SELECT id, name FROM t ORDER BY id')).toEqual([
      [1, 'a'],
      [2, 'b'],
    ]);
    expect(conn.inTransaction).toBe(false);
  });

  it('reads int8 and numeric as exact strings', async () => {
    expect(await conn.queryArrays('SELECT big, amount FROM t WHERE id = 1')).toEqual([['9007199254740993', '1.5000']]);
    expect(await conn.queryArrays('SELECT count(*) FROM t')).toEqual([['2']]);
  });

  it('refuses undefined parameters with a clear error, and binds Dates and bigints', async () => {
    await expect(conn.query('SELECT $1::int', [undefined])).rejects.toThrow(ValidationError);
    await expect(conn.query('SELECT $1::int', [undefined])).rejects.toThrow(/\$1 is undefined/);
    const when = new Date('2024-02-29T12:34:56.789Z');
    expect(await conn.queryArrays('SELECT $1::timestamptz, $2::bigint + 1', [when, 2n ** 62n])).toEqual([[when, String(2n ** 62n + 1n)]]);
  });

  it('runs multi-statement DDL text in one call', async () => {
    await conn.execute('CREATE TABLE m1 (a int); CREATE TABLE m2 (b int)');
    expect(await conn.queryArrays(`SELECT count(*)::int FROM pg_tables WHERE tablename IN ('m1', 'm2')`)).toEqual([[2]]);
  });

  it('commits a transaction on one session and rolls back on throw', async () => {
    await conn.transaction(async (tx) => {
      expect(tx.inTransaction).toBe(true);
      await tx.execute(`INSERT INTO t (id, name) VALUES (10, 'tx')`);
      const [[pid1]] = await tx.queryArrays('SELECT pg_backend_pid()');
      const [[pid2]] = await tx.queryArrays('SELECT pg_backend_pid()');
      expect(pid1).toBe(pid2);
    });
    await expect(
      conn.transaction(async (tx) => {
        await tx.execute(`INSERT INTO t (id, name) VALUES (11, 'gone')`);
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    expect(await conn.queryArrays('SELECT id FROM t WHERE id >= 10 ORDER BY id')).toEqual([[10]]);
  });

  it('nests transactions as savepoints: an inner failure leaves the outer work intact', async () => {
    await conn.transaction(async (tx) => {
      await tx.execute(`INSERT INTO t (id, name) VALUES (20, 'outer')`);
      await expect(
        tx.transaction(async (inner) => {
          await inner.execute(`INSERT INTO t (id, name) VALUES (21, 'inner')`);
          await inner.execute(`INSERT INTO t (id, name) VALUES (20, 'duplicate')`);
        }),
      ).rejects.toMatchObject({ code: 'UNIQUE_VIOLATION' });
      await tx.transaction(async (inner) => {
        await inner.execute(`INSERT INTO t (id, name) VALUES (22, 'inner ok')`);
      });
    });
    expect(await conn.queryArrays('SELECT id FROM t WHERE id >= 20 ORDER BY id')).toEqual([[20], [22]]);
  });

  it('runs statements sent together inside a transaction one at a time on its session (no pg queue warning)', async () => {
    // pg 8 prints a DeprecationWarning (once per process) when a client is asked for a query while busy;
    // `forge push` hit it through introspection's parallel reads inside the push transaction.
    const busy = new Map<object, number>();
    let overlapped = 0;
    const original = pg.Client.prototype.query;
    pg.Client.prototype.query = function (this: pg.Client, ...args: unknown[]) {
      const n = (busy.get(this) ?? 0) + 1;
      busy.set(this, n);
      if (n > 1) overlapped++;
      const res = (original as (...a: unknown[]) => unknown).apply(this, args);
      Promise.resolve(res)
        .catch(() => undefined)
        .finally(() => busy.set(this, busy.get(this)! - 1));
      return res;
    } as typeof original;
    try {
      const got = await conn.transaction(async (tx) => {
        const reads = await Promise.all([1, 2, 3, 4, 5].map((i) => tx.queryArrays('SELECT $1::int, pg_backend_pid()', [i])));
        const snap = await adapter.introspect(tx);
        return { reads, tables: snap.tables.map((t) => t.name) };
      });
      expect(got.reads.map(([[i]]) => i)).toEqual([1, 2, 3, 4, 5]);
      expect(new Set(got.reads.map(([[, pid]]) => pid)).size).toBe(1);
      expect(got.tables).toContain('t');
      expect(overlapped).toBe(0);
    } finally {
      pg.Client.prototype.query = original;
    }
  });

  it('refuses a transaction connection used after its transaction ended', async () => {
    let escaped: Connection | undefined;
    await conn.transaction(async (tx) => {
      escaped = tx;
    });
    await expect(escaped!.query('SELECT 1')).rejects.toThrow(/already finished/);
  });

  it('streams 50k rows through a server-side cursor, in chunks', async () => {
    const chunks = await collect(conn.stream('SELECT g, md5(g::text) FROM generate_series(1, $1::int) g', [50_000], 1_000));
    expect(chunks).toHaveLength(50);
    expect(chunks.every((c) => c.length === 1_000)).toBe(true);
    expect(chunks[49][999]).toEqual([50_000, expect.any(String)]);
  });

  it('streams inside a transaction on its session, and closes the cursor on early return', async () => {
    await conn.transaction(async (tx) => {
      let seen = 0;
      for await (const chunk of tx.stream('SELECT g FROM generate_series(1, 10000) g', [], 100)) {
        seen += chunk.length;
        expect(await tx.queryArrays(OPEN_CURSORS)).toEqual([[1]]);
        if (seen >= 300) break;
      }
      expect(seen).toBe(300);
      expect(await tx.queryArrays(OPEN_CURSORS)).toEqual([[0]]);
    });
  });

  it('releases the cursor session when a stream stops early', async () => {
    for await (const chunk of conn.stream('SELECT g FROM generate_series(1, 10000) g', [], 10)) {
      expect(chunk).toHaveLength(10);
      break;
    }
    const idleInTx = await conn.queryArrays(
      `SELECT count(*)::int FROM pg_stat_activity WHERE datname = current_database() AND state LIKE 'idle in transaction%'`,
    );
    expect(idleInTx).toEqual([[0]]);
  });

  it('runs repeated queries as named prepared statements, and survives a changed result type', async () => {
    const pool = new pg.Pool({ connectionString: db.url, max: 1 });
    const single = await adapter.connect(pgDriver(pool));
    try {
      const sql = 'SELECT * FROM t WHERE id = $1';
      await single.queryArrays(sql, [1]);
      const prepared = () => single.queryArrays(`SELECT count(*)::int FROM pg_prepared_statements WHERE statement = $1`, [sql]);
      expect(await prepared()).toEqual([[0]]);
      expect(await single.queryArrays(sql, [1])).toEqual([[1, 'a', '9007199254740993', '1.5000']]);
      expect(await prepared()).toEqual([[1]]);
      await single.execute('ALTER TABLE t ADD COLUMN extra int');
      expect(await single.queryArrays(sql, [1])).toEqual([[1, 'a', '9007199254740993', '1.5000', null]]);
      await single.execute('ALTER TABLE t DROP COLUMN extra');
    } finally {
      await single.close();
      await pool.end();
    }
  });

  it('does not prepare statements with ?prepare=false (PgBouncer transaction mode)', async () => {
    const plain = await adapter.connect(`${db.url}?application_name=forge_test&prepare=false`);
    try {
      expect(await plain.queryArrays(`SELECT current_setting('application_name')`)).toEqual([['forge_test']]);
      const sql = `SELECT 'unprepared' || $1::text`;
      for (let i = 0; i < 3; i++) await plain.queryArrays(sql, [i]);
      expect(await plain.queryArrays('SELECT count(*)::int FROM pg_prepared_statements')).toEqual([[0]]);
    } finally {
      await plain.close();
    }
  });
});

describe('connect failures', () => {
  it('fails fast with CONNECTION_FAILED on a closed port', async () => {
    const t0 = Date.now();
    const err = await adapter.connect('postgres://postgres@127.0.0.1:1/postgres', { connectTimeoutMs: 2_000 }).catch((e) => e);
    expect(err).toBeInstanceOf(DbKnownError);
    expect(err.code).toBe('CONNECTION_FAILED');
    expect(Date.now() - t0).toBeLessThan(2_500);
  });

  it('gives up on a server that never answers within connectTimeoutMs', async () => {
    // A TCP listener that accepts and stays silent: the socket connects, the startup reply never comes.
    const sockets: net.Socket[] = [];
    const silent = net.createServer((s) => sockets.push(s));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const { port } = silent.address() as net.AddressInfo;
    try {
      const t0 = Date.now();
      const err = await adapter.connect(`postgres://postgres@127.0.0.1:${port}/postgres`, { connectTimeoutMs: 700 }).catch((e) => e);
      const elapsed = Date.now() - t0;
      expect(err).toMatchObject({ code: 'CONNECTION_FAILED' });
      expect(elapsed).toBeGreaterThanOrEqual(600);
      expect(elapsed).toBeLessThan(1_500);
    } finally {
      sockets.forEach((s) => s.destroy());
      await new Promise((resolve) => silent.close(resolve));
    }
  });

  it('says to create a missing database', async () => {
    const err = await adapter.connect(withDatabase(db.url, `${db.name}_missing`)).catch((e) => e);
    expect(err).toMatchObject({ code: 'CONNECTION_FAILED' });
    expect(err.message).toMatch(/does not exist.*Create it/);
  });

  it('redacts the password in messages: an unencoded @ in it, and a password= parameter', async () => {
    const refused = await adapter.connect('postgres://me:s3cret@Tok9@127.0.0.1:1/x?password=s3cret@Tok9', { connectTimeoutMs: 1_000 }).catch((e) => e);
    expect(refused).toMatchObject({ code: 'CONNECTION_FAILED' });
    expect(refused.message).toContain('postgres://me:***@127.0.0.1:1/x?password=***');
    // A live server's answer names the target the same way: the database does not exist (or, on a server
    // that checks passwords, the login is refused).
    const u = new URL(withDatabase(db.url, `${db.name}_missing`));
    const absent = await adapter
      .connect(`${u.protocol}//${u.username || 'postgres'}:s3cret@Tok9@${u.host}${u.pathname}?password=s3cret@Tok9`)
      .catch((e) => e);
    expect(['CONNECTION_FAILED', 'AUTH_FAILED']).toContain(absent.code);
    expect(absent.message).toContain(`:***@${u.host}${u.pathname}?password=***`);
    for (const err of [refused, absent]) {
      expect(err.message).not.toContain('s3cret');
      expect(err.message).not.toContain('Tok9');
    }
    // Core owns redaction; adapters no longer carry their own hook.
    expect(adapter).not.toHaveProperty('redactUrl');
  });
});

describe('pgDriver(pool): a pool the user owns', () => {
  it('runs on the pool and leaves it open on close()', async () => {
    const pool = new pg.Pool({ connectionString: db.url });
    const conn = await adapter.connect(pgDriver(pool));
    expect(await conn.queryArrays('SELECT 41 + $1::int', [1])).toEqual([[42]]);
    await conn.close();
    expect((await pool.query('SELECT 1 AS one')).rows).toEqual([{ one: 1 }]);
    await pool.end();
  });

  it('refuses what is not a pg client', () => {
    expect(() => pgDriver({} as pg.Pool)).toThrow(/pg.Pool/);
  });

  it('makes statements take turns on a single pg.Client: a root query waits for the open transaction', async () => {
    const client = new pg.Client({ connectionString: db.url });
    await client.connect();
    const conn = await adapter.connect(pgDriver(client));
    try {
      await conn.execute('CREATE TABLE turns (id int)');
      let outside: Promise<unknown[][]> | undefined;
      await expect(
        conn.transaction(async (tx) => {
          await tx.execute('INSERT INTO turns VALUES (1)');
          outside = conn.queryArrays('SELECT count(*)::int FROM turns');
          await new Promise((r) => setTimeout(r, 50));
          throw new Error('roll back');
        }),
      ).rejects.toThrow('roll back');
      // Had the outside query joined the transaction it would have counted the uncommitted row.
      expect(await outside).toEqual([[0]]);
    } finally {
      await conn.close();
      await client.end();
    }
  });
});

describe('postgresJsDriver(sql)', () => {
  let sql: postgres.Sql;
  let conn: Connection;
  beforeAll(async () => {
    sql = postgres(db.url, { max: 3, onnotice: () => undefined });
    conn = await adapter.connect(postgresJsDriver(sql));
    await conn.execute('CREATE TABLE pj (id integer PRIMARY KEY, tags text[], big bigint, at timestamptz)');
  });
  afterAll(async () => {
    await conn.close();
    await sql.end();
  });

  it('runs queries, arrays and counts through sql.unsafe', async () => {
    const at = new Date('2020-01-02T03:04:05.000Z');
    expect((await conn.execute('INSERT INTO pj VALUES ($1, $2, $3, $4)', [1, ['a', 'b,c', 'd"e'], 5n, at])).rowCount).toBe(1);
    expect(await conn.query('SELECT id, tags FROM pj')).toEqual([{ id: 1, tags: ['a', 'b,c', 'd"e'] }]);
    expect(await conn.queryArrays('SELECT id, big, at FROM pj')).toEqual([[1, '5', at]]);
    expect(await conn.queryArrays('SELECT id FROM pj WHERE tags && $1::text[]', [['b,c']])).toEqual([[1]]);
  });

  it('binds JSON documents once (postgres.js serialises jsonb itself) and introspects as pg does', async () => {
    await conn.execute('CREATE TABLE docs (id int PRIMARY KEY, doc jsonb); CREATE INDEX docs_desc ON docs (id DESC, doc) ');
    const doc = { list: [true, 1, 'x'], nested: { a: null } };
    await conn.execute('INSERT INTO docs VALUES ($1, $2), ($3, $4)', [1, postgresCodec.encode(doc, jsonColumn), 2, { raw: true }]);
    expect(await conn.queryArrays('SELECT doc, jsonb_typeof(doc) FROM docs ORDER BY id')).toEqual([
      [doc, 'object'],
      [{ raw: true }, 'object'],
    ]);
    const viaPg = await adapter.connect(db.url);
    try {
      expect(await adapter.introspect(conn)).toEqual(await adapter.introspect(viaPg));
    } finally {
      await viaPg.close();
    }
  });

  it('holds transactions and savepoints on a reserved connection', async () => {
    await conn.transaction(async (tx) => {
      await tx.execute('INSERT INTO pj (id) VALUES (2)');
      await expect(
        tx.transaction(async (inner) => {
          await inner.execute('INSERT INTO pj (id) VALUES (3)');
          throw new Error('inner');
        }),
      ).rejects.toThrow('inner');
    });
    await expect(
      conn.transaction(async (tx) => {
        await tx.execute('INSERT INTO pj (id) VALUES (4)');
        await tx.execute('INSERT INTO pj (id) VALUES (4)');
      }),
    ).rejects.toMatchObject({ code: 'UNIQUE_VIOLATION' });
    expect(await conn.queryArrays('SELECT id FROM pj ORDER BY id')).toEqual([[1], [2]]);
  });

  it('streams through a cursor and keeps the user sql instance open on close()', async () => {
    const chunks = await collect(conn.stream('SELECT g FROM generate_series(1, 2500) g', [], 1_000));
    expect(chunks.map((c) => c.length)).toEqual([1_000, 1_000, 500]);
    const repeated = 'SELECT id FROM pj WHERE id = $1';
    expect(await conn.queryArrays(repeated, [1])).toEqual([[1]]);
    expect(await conn.queryArrays(repeated, [1])).toEqual([[1]]);
    const other = await adapter.connect(postgresJsDriver(sql));
    await other.close();
    expect(await sql`SELECT 1 AS one`).toEqual([{ one: 1 }]);
  });
});
