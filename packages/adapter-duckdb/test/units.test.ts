import path from 'node:path';
import { buildSchemaIR, createDbWith, f, model, runPush, SchemaError } from '@forge/core';
import { describe, expect, it, vi } from 'vitest';
import { adapter, categoryOf, DuckdbConnection, duckdbDdl, parseDuckdbUrl, parseIndexSql, pointFromWkb, probeDuckdb } from '../src/index.js';

describe('duckdb: URLs follow the sqlite: rules', () => {
  it('memory, relative, absolute and the URL spelling of absolute; lock_timeout; errors name what is accepted', () => {
    expect(parseDuckdbUrl('duckdb::memory:')).toEqual({ filename: ':memory:', memory: true });
    expect(parseDuckdbUrl('duckdb:./x.duckdb', '/srv/app')).toEqual({ filename: '/srv/app/x.duckdb', memory: false });
    expect(parseDuckdbUrl('duckdb:/abs/x.duckdb').filename).toBe('/abs/x.duckdb');
    expect(parseDuckdbUrl('duckdb:///abs/x.duckdb').filename).toBe('/abs/x.duckdb');
    expect(parseDuckdbUrl('duckdb:data/my%20db.duckdb', '/w').filename).toBe(path.join('/w', 'data/my db.duckdb'));
    expect(parseDuckdbUrl('duckdb:./x.duckdb?lock_timeout=0').lockTimeoutMs).toBe(0);
    expect(() => parseDuckdbUrl('duckdb:')).toThrow(/names no file/);
    expect(() => parseDuckdbUrl('duckdb:./x?busy=1')).toThrow(/Unknown option 'busy'/);
    expect(() => parseDuckdbUrl('sqlite:./x')).toThrow(/not a DuckDB URL/);
  });
});

describe('duckdb: DDL emit', () => {
  it('an onDelete cascade or setNull is a SchemaError naming the field, before any DDL', () => {
    const User = model('users', { id: f.id() });
    for (const onDelete of ['cascade', 'setNull'] as const) {
      const Post = model('posts', { id: f.id(), authorId: f.string().optional().refs(() => User, { onDelete }) });
      const ir = buildSchemaIR({ user: User, post: Post });
      expect(() => duckdbDdl.emit({ op: 'createTable', table: ir.models.post }, { extensions: [], tables: Object.values(ir.models) })).toThrow(SchemaError);
      expect(() => duckdbDdl.emit({ op: 'createTable', table: ir.models.post }, { extensions: [], tables: Object.values(ir.models) })).toThrow(/posts\.authorId.*onDelete: '(cascade|setNull)'/);
    }
  });

  it('foreign keys only inside CREATE TABLE; ALTER ADD FOREIGN KEY is a comment; a partial index is not created', () => {
    const User = model('users', { id: f.id({ type: 'int' }), email: f.string() }, { indexes: [{ keys: { email: 1 }, where: 'email IS NOT NULL', name: 'ix_p' }] });
    const Post = model('posts', { id: f.id(), authorId: f.int().refs(() => User) });
    const ir = buildSchemaIR({ user: User, post: Post });
    const env = { extensions: [], tables: Object.values(ir.models) };
    const created = duckdbDdl.emit({ op: 'createTable', table: ir.models.post }, env).sql.join('\n');
    expect(created).toContain('FOREIGN KEY ("authorId") REFERENCES "users" ("id")');
    expect(created).toMatch(/"authorId" INTEGER/);
    const users = duckdbDdl.emit({ op: 'createTable', table: ir.models.user }, env).sql;
    expect(users[0]).toBe('CREATE SEQUENCE IF NOT EXISTS "users_id_seq"');
    expect(users[1]).toContain(`"id" INTEGER DEFAULT nextval('users_id_seq')`);
    const fk = duckdbDdl.emit({ op: 'addForeignKey', table: 'posts', fk: ir.models.post.foreignKeys[0] }, env);
    expect(fk.sql).toEqual([]);
    expect(fk.comment).toMatch(/DuckDB cannot ALTER TABLE ADD FOREIGN KEY/);
    const partial = duckdbDdl.emit({ op: 'createIndex', table: 'users', index: ir.models.user.indexes.find((i) => i.name === 'ix_p')! }, env);
    expect(partial.sql).toEqual([]);
    expect(partial.comment).toMatch(/no partial indexes/);
  });

  it('ADD COLUMN takes no constraint: NOT NULL follows as its own ALTER', () => {
    const T = model('t', { id: f.id(), n: f.int().default(0) });
    const ir = buildSchemaIR({ t: T });
    const n = ir.models.t.columns.find((c) => c.name === 'n')!;
    expect(duckdbDdl.emit({ op: 'addColumn', table: 't', column: n }, { extensions: [], tables: [ir.models.t] }).sql).toEqual([
      'ALTER TABLE "t" ADD COLUMN "n" INTEGER DEFAULT 0',
      'ALTER TABLE "t" ALTER COLUMN "n" SET NOT NULL',
    ]);
  });

  it('an HNSW vector index needs vss: without it a comment that says how to get it', () => {
    const T = model('docs', { id: f.id(), emb: f.vector(3) }, { indexes: [{ keys: { emb: 1 }, method: 'vector', name: 'ix_emb' }] });
    const ir = buildSchemaIR({ t: T });
    const ix = ir.models.t.indexes.find((i) => i.name === 'ix_emb')!;
    const without = duckdbDdl.emit({ op: 'createIndex', table: 'docs', index: ix }, { extensions: [], tables: [ir.models.t] });
    expect(without.sql).toEqual([]);
    expect(without.comment).toMatch(/needs DuckDB's vss extension.*INSTALL vss/);
    expect(duckdbDdl.emit({ op: 'createIndex', table: 'docs', index: ix }, { extensions: ['vss'], tables: [ir.models.t] }).sql).toEqual([
      `CREATE INDEX "ix_emb" ON "docs" USING HNSW ("emb") WITH (metric = 'cosine')`,
    ]);
  });
});

describe('duckdb: catalog text', () => {
  it('type categories and index statements as duckdb_columns() / duckdb_indexes() spell them', () => {
    expect(categoryOf('TIMESTAMP WITH TIME ZONE')).toBe('datetime');
    expect(categoryOf('DECIMAL(12,2)')).toBe('decimal');
    expect(categoryOf('HUGEINT')).toBe('bigint');
    expect(categoryOf('VARCHAR[]')).toBeUndefined();
    expect(categoryOf('FLOAT[3]')).toBeUndefined();
    expect(parseIndexSql('CREATE UNIQUE INDEX ux ON users(email, "Full Name");')).toEqual({ columns: ['email', 'Full Name'] });
    expect(parseIndexSql('CREATE INDEX ix ON t((lower(id)));')).toEqual({ columns: [], expression: 'lower(id)' });
    expect(parseIndexSql(`CREATE INDEX h ON docs USING HNSW (emb) WITH (metric = 'cosine');`)).toEqual({ columns: ['emb'], method: 'vector' });
  });

  it('index keys whose quoted names hold parentheses, quotes or commas', () => {
    expect(parseIndexSql('CREATE UNIQUE INDEX forge_order_uq ON "order"(u, "(");')).toEqual({ columns: ['u', '('] });
    expect(parseIndexSql('CREATE INDEX i ON t(")", "a""b", "x,y");')).toEqual({ columns: [')', 'a"b', 'x,y'] });
    expect(parseIndexSql("CREATE INDEX i ON t((lower(\"(\") || ')'));")).toEqual({ columns: [], expression: "lower(\"(\") || ')'" });
  });

  it('a WKB point (what GEOMETRY reads as) decodes to { lng, lat }', () => {
    const wkb = Buffer.from('0101000000000000000000f83f0000000000000440', 'hex');
    expect(pointFromWkb(wkb)).toEqual({ lng: 1.5, lat: 2.5 });
  });
});

describe('duckdb: live, in process', () => {
  it('geo points (GEOMETRY, no spatial extension), vectors (FLOAT[n]), lists and JSON round-trip through the client', async () => {
    const conn = await adapter.connect('duckdb::memory:');
    try {
      const Place = model('places', { id: f.id(), at: f.geoPoint(), emb: f.vector(3), tags: f.stringArray(), nums: f.intArray(), doc: f.json<{ a: number[] }>(), big: f.bigint(), price: f.decimal({ precision: 10, scale: 2 }) });
      const schema = { place: Place };
      const report = await runPush({ adapter, conn, ir: buildSchemaIR(schema) });
      expect(report.failures).toEqual([]);
      const db = createDbWith(adapter, conn, schema);
      const p = await db.place.create({ data: { at: { lng: 2.35, lat: 48.85 }, emb: [0.5, 0.25, 1], tags: ["it's", 'a,b', ''], nums: [], doc: { a: [1, 2] }, big: 9007199254740993n, price: '12.30' } });
      expect(p).toMatchObject({ at: { lng: 2.35, lat: 48.85 }, emb: [0.5, 0.25, 1], tags: ["it's", 'a,b', ''], nums: [], doc: { a: [1, 2] }, big: 9007199254740993n, price: '12.30' });
      expect(await db.place.count({ where: { tags: { has: 'a,b' } } })).toBe(1);
    } finally {
      await conn.close();
    }
  });

  it('createMany of 5,000 rows goes through the Appender in one transaction: all rows, or none on a duplicate key', async () => {
    const conn = await adapter.connect('duckdb::memory:');
    try {
      const Event = model('events', { id: f.id({ type: 'int' }), name: f.string().unique(), at: f.dateTime().default('now'), n: f.int() });
      const schema = { event: Event };
      await runPush({ adapter, conn, ir: buildSchemaIR(schema) });
      const db = createDbWith(adapter, conn, schema);
      const append = vi.spyOn(DuckdbConnection.prototype, 'append');
      const rows = Array.from({ length: 5000 }, (_, i) => ({ name: `e${i}`, n: i }));
      expect(await db.event.createMany({ data: rows })).toEqual({ count: 5000 });
      // The client hands the whole batch over at once (capabilities.bulkInsertRows); it went to the Appender (no INSERT fallback).
      expect(append).toHaveBeenCalledTimes(1);
      for (const r of append.mock.results) expect(await r.value).toEqual({ rowCount: 5000 });
      append.mockRestore();
      // Ids drawn from the table's sequence, `at` filled although the INSERT left it to its default.
      const stats = await db.$queryRaw<{ c: bigint; ids: bigint; nulls: bigint; s: bigint }>`SELECT count(*) AS c, count(DISTINCT id) AS ids, count(*) FILTER (WHERE "at" IS NULL) AS nulls, sum(n) AS s FROM events`;
      expect(stats[0]).toEqual({ c: 5000n, ids: 5000n, nulls: 0n, s: 12497500n });
      const dup = [...Array.from({ length: 600 }, (_, i) => ({ name: `x${i}`, n: i })), { name: 'e1', n: 0 }];
      await expect(db.event.createMany({ data: dup })).rejects.toMatchObject({ code: 'UNIQUE_VIOLATION' });
      expect((await db.$queryRaw<{ c: bigint }>`SELECT count(*) AS c FROM events`)[0].c).toBe(5000n);
    } finally {
      await conn.close();
    }
  });

  it('a batch the Appender cannot take (a column default it cannot compute) runs as the full INSERT', async () => {
    const conn = await adapter.connect('duckdb::memory:');
    try {
      await conn.execute('CREATE TABLE tagged (id INTEGER PRIMARY KEY, name VARCHAR, tag VARCHAR DEFAULT (uuid()::VARCHAR))');
      const Tagged = model('tagged', { id: f.int(), name: f.string() }, { primaryKey: ['id'], readonly: true });
      const db = createDbWith(adapter, conn, { tagged: Tagged });
      const seen: string[] = [];
      db.$on('query', (e) => seen.push(typeof e.sql === 'string' ? e.sql : JSON.stringify(e.sql)));
      expect(await db.tagged.createMany({ data: Array.from({ length: 300 }, (_, i) => ({ id: i, name: `n${i}` })) })).toEqual({ count: 300 });
      // The event names the batch in its one-row form; the rows all landed, each with its own computed default.
      expect(seen.some((sql) => /VALUES \(\?, \?\) \/\* 300 rows, through the Appender \*\//.test(sql))).toBe(true);
      const [row] = await conn.query<{ n: bigint; tags: bigint }>('SELECT count(*) AS n, count(DISTINCT tag) AS tags FROM tagged');
      expect(row).toEqual({ n: 300n, tags: 300n });
    } finally {
      await conn.close();
    }
  });

  it('a nested $transaction fails clearly: DuckDB has no SAVEPOINT', async () => {
    const conn = await adapter.connect('duckdb::memory:');
    try {
      await expect(conn.transaction((tx) => tx.transaction(async () => 1))).rejects.toThrow(/no SAVEPOINT/);
    } finally {
      await conn.close();
    }
  });

  it('JSON path filters find keys holding line breaks, quotes, backslashes, slashes and tildes, and numeric object keys', async () => {
    const conn = await adapter.connect('duckdb::memory:');
    try {
      const Doc = model('docs', { id: f.id(), body: f.json<Record<string, unknown>>() });
      const schema = { doc: Doc };
      await runPush({ adapter, conn, ir: buildSchemaIR(schema) });
      const db = createDbWith(adapter, conn, schema);
      const keys = ['a\r\n\tb', 'q"uote', 'back\\', 'sl/ash', 'ti~lde', '0', ''];
      for (const key of keys) await db.doc.create({ data: { body: { [key]: { v: key } } } });
      for (const key of keys) {
        const found = await db.doc.findMany({ where: { body: { path: [key, 'v'], equals: key } } });
        expect(found.map((d) => Object.keys(d.body)[0]), JSON.stringify(key)).toEqual([key]);
      }
      await db.doc.create({ data: { body: { list: [{ v: 'first' }, { v: 'second' }] } } });
      expect(await db.doc.count({ where: { body: { path: ['list', '1', 'v'], equals: 'second' } } })).toBe(1);
    } finally {
      await conn.close();
    }
  });

  it('a transaction whose callback caught a failed statement does not report a commit DuckDB never made', async () => {
    const conn = await adapter.connect('duckdb::memory:');
    try {
      const Tag = model('tags', { id: f.id(), name: f.string().unique() });
      const schema = { tag: Tag };
      await runPush({ adapter, conn, ir: buildSchemaIR(schema) });
      const db = createDbWith(adapter, conn, schema);
      await db.tag.create({ data: { name: 'a' } });
      const run = db.$transaction(async (t) => {
        await t.tag.create({ data: { name: 'b' } });
        await t.tag.create({ data: { name: 'a' } }).catch(() => undefined);
      });
      await expect(run).rejects.toMatchObject({ code: 'TRANSACTION_ABORTED' });
      expect((await db.tag.findMany()).map((t) => t.name)).toEqual(['a']);
      // A statement that fails before it runs (a binder error) leaves the transaction usable: it commits.
      await db.$transaction(async (t) => {
        await t.tag.create({ data: { name: 'c' } });
        await t.$queryRawUnsafe('SELECT nope FROM tags').catch(() => undefined);
      });
      expect(await db.tag.count()).toBe(2);
    } finally {
      await conn.close();
    }
  });

  it('a push whose statement fails is rolled back whole, and the report lists what ran as rolled back, not applied', async () => {
    const conn = await adapter.connect('duckdb::memory:');
    try {
      await conn.execute('CREATE TABLE b (id BIGINT PRIMARY KEY, code VARCHAR)');
      await conn.execute("INSERT INTO b VALUES (1, 'x'), (2, 'x')");
      const A = model('a', { id: f.id() });
      const B = model('b', { id: f.id({ type: 'int' }), code: f.string().unique() });
      const report = await runPush({ adapter, conn, ir: buildSchemaIR({ a: A, b: B }) });
      expect(report.failures.map((x) => x.label)).toEqual(['forge_b_uq_code']);
      expect(report.applied).toEqual([]);
      expect(report.rolledBack).toEqual(['a']);
      expect((await conn.query<{ n: bigint }>("SELECT count(*) AS n FROM duckdb_tables() WHERE table_name = 'a'"))[0].n).toBe(0n);
    } finally {
      await conn.close();
    }
  });

  it('renames keep the rows: RENAME COLUMN and RENAME TO as the emitter writes them', async () => {
    const conn = await adapter.connect('duckdb::memory:');
    try {
      await conn.execute('CREATE TABLE people (id INTEGER PRIMARY KEY, handle VARCHAR)');
      await conn.execute("INSERT INTO people VALUES (1, 'ada')");
      for (const sql of [...duckdbDdl.rename!({ op: 'renameColumn', table: 'people', from: 'handle', to: 'nick"name' }).sql, ...duckdbDdl.rename!({ op: 'renameTable', from: 'people', to: 'users' }).sql]) {
        await conn.execute(sql);
      }
      expect(await conn.query('SELECT id, "nick""name" AS n FROM users')).toEqual([{ id: 1, n: 'ada' }]);
    } finally {
      await conn.close();
    }
  });

  it("doctor's probe: version, built-in extensions, and downloads that fail offline reported with the next step, within the time box", async () => {
    const conn = await adapter.connect('duckdb::memory:');
    try {
      const started = Date.now();
      const report = await probeDuckdb(conn, { installTimeoutMs: 3_000 });
      expect(Date.now() - started).toBeLessThan(20_000);
      expect(report.version).toMatch(/^\d+\.\d+\.\d+/);
      expect(report.features).toMatchObject({ json: 'built in', parquet: 'built in', icu: 'built in' });
      for (const name of ['vss', 'spatial', 'fts']) {
        const state = String(report.features[name]);
        // Loaded where the machine can download it; here (no internet) the failure and the way out.
        if (state !== 'loaded') {
          expect(state).toMatch(/^not installed: /);
          expect(report.featureActions?.some((a) => a.action.includes(`INSTALL ${name};`))).toBe(true);
        }
      }
    } finally {
      await conn.close();
    }
  }, 30_000);
});
