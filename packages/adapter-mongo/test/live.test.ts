import { buildSchemaIR, createDbWith, DbKnownError, f, model, runDiff, runPush, type Connection } from '@forge/core';
import { reachTarget, type TestDatabase } from '@forge/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adapter, type MongoConnection } from '../src/index.js';

/**
 * The live suite: what needs a MongoDB server. The server comes from FORGE_TEST_MONGO_URL (no MongoDB runs on the
 * development machine and there is no default); without it every case below is listed as skipped, with the reason
 * in its name. Transactions need a replica set (`mongo:7` started with --replSet rs0 and rs.initiate()).
 */
const target = await reachTarget('mongo', { adapter });
const skip = 'skip' in target ? target.skip : undefined;
const live = (name: string) => (skip ? `${name} (skipped: ${skip})` : name);

const COLLATION = { locale: 'en', strength: 2 };
const User = model(
  'users',
  { id: f.id(), email: f.string().unique(), name: f.string().optional(), age: f.int(), expiresAt: f.dateTime().optional(), loc: f.geoPoint().optional(), title: f.string().optional() },
  {
    indexes: [
      { name: 'idx_name_ci', keys: { name: 1 }, collation: COLLATION },
      { name: 'idx_adults', keys: { age: -1 }, partialFilterExpression: { age: { $gte: 18 } } },
      { name: 'idx_ttl', keys: { expiresAt: 1 }, expireAfterSeconds: 3600 },
      { name: 'idx_loc', keys: { loc: '2dsphere' } },
      { name: 'idx_title', keys: { title: 'text' } },
    ],
  },
);
const Post = model('posts', { id: f.id(), userId: f.string(), text: f.string() }, { relations: {} });
const schema = { user: User, post: Post };
const ir = buildSchemaIR(schema);

describe.skipIf(!!skip)('MongoDB live', () => {
  let db: TestDatabase;
  let conn: Connection;
  beforeAll(async () => {
    if ('skip' in target) return;
    db = await target.fresh();
    conn = await adapter.connect(db.url);
  });
  afterAll(async () => {
    await conn?.close();
    await db?.drop();
  });
  const ctx = () => ({ adapter, conn, ir });

  it(live('index push converges: create everything, then nothing to do, diff in sync'), async () => {
    const first = await runPush(ctx());
    expect(first.failures).toEqual([]);
    expect(first.applied).toEqual(expect.arrayContaining(['users', 'posts', 'forge_users_uq_email', 'idx_name_ci', 'idx_adults', 'idx_ttl', 'idx_loc', 'idx_title']));
    expect((await runDiff(ctx())).items).toEqual([]);
    const second = await runPush(ctx());
    expect(second.applied).toEqual([]);
  });

  it(live('spec drift (a collation changed behind forge) is dropped and recreated by push'), async () => {
    const m = (conn as MongoConnection).db.collection('users');
    await m.dropIndex('idx_name_ci');
    await m.createIndex({ name: 1 }, { name: 'idx_name_ci', collation: { locale: 'fr', strength: 1 } });
    const drift = await runDiff(ctx());
    expect(drift.items.map((i) => i.property)).toEqual(['collation']);
    const push = await runPush(ctx());
    expect(push.failures).toEqual([]);
    expect(push.applied).toEqual(['idx_name_ci']);
    expect((await runDiff(ctx())).items).toEqual([]);
  });

  it(live('the client: create, find, update, upsert, count, groupBy, createMany skipDuplicates, stream, delete'), async () => {
    const client = createDbWith(adapter, conn, schema);
    const a = await client.user.create({ data: { email: 'a@x', age: 30, name: 'A' } });
    expect(a).toMatchObject({ email: 'a@x', age: 30, name: 'A' });
    expect(await client.user.findUnique({ where: { id: a.id } })).toMatchObject({ id: a.id, email: 'a@x' });
    expect(await client.user.update({ where: { id: a.id }, data: { age: { increment: 1 } } })).toMatchObject({ age: 31 });
    const up = await client.user.upsert({ where: { email: 'b@x' }, create: { email: 'b@x', age: 10 }, update: { age: 11 } });
    expect(up).toMatchObject({ email: 'b@x', age: 10 });
    expect(await client.user.upsert({ where: { email: 'b@x' }, create: { email: 'b@x', age: 10 }, update: { age: 11 } })).toMatchObject({ age: 11 });
    const many = await client.user.createMany({ data: [{ email: 'a@x', age: 1 }, { email: 'c@x', age: 40 }], skipDuplicates: true });
    expect(many.count).toBe(1);
    expect(await client.user.count({ where: { age: { gte: 18 } } })).toBe(2);
    const groups = await client.user.groupBy({ by: ['name'], _count: { _all: true }, orderBy: { name: 'asc' } });
    expect(groups.length).toBeGreaterThan(0);
    const seen: string[] = [];
    for await (const u of client.user.findManyStream({ orderBy: { email: 'asc' } })) seen.push(u.email);
    expect(seen).toEqual(['a@x', 'b@x', 'c@x']);
    const dup = await client.user.create({ data: { email: 'a@x', age: 2 } }).catch((e: unknown) => e);
    expect(dup).toBeInstanceOf(DbKnownError);
    expect((dup as DbKnownError).code).toBe('UNIQUE_VIOLATION');
    expect(await client.$runCommandRaw({ ping: 1 })).toMatchObject({ ok: 1 });
    expect((await client.user.deleteMany({ where: { age: { lt: 18 } } })).count).toBe(0);
    const b = await client.user.findFirst({ where: { email: 'b@x' } });
    await client.user.delete({ where: { id: b!.id } });
    expect(await client.user.count()).toBe(2);
  });

  it(live('a unique index over duplicate data is reported with the offending keys, and the rest of the push runs'), async () => {
    const m = (conn as MongoConnection).db.collection('dups');
    await m.insertMany([{ code: 'k1' }, { code: 'k1' }, { code: 'k2' }]);
    const Dups = model('dups', { id: f.id(), code: f.string() }, { indexes: [{ name: 'uq_code', keys: { code: 1 }, unique: true }] });
    const report = await runPush({ adapter, conn, ir: buildSchemaIR({ ...schema, dups: Dups }) });
    expect(report.failures.map((x) => x.label)).toEqual(['uq_code']);
    expect(report.failures[0].error).toMatch(/existing documents share its key code: \{"code":"k1"\} \(2 documents\)/);
    await m.drop();
  });

  it(live("seed 001's restore drill: a restore without indexes, forge push re-creates them, diff in sync"), async () => {
    // mongorestore --noIndexRestore leaves collections with only _id_: what push is for after a restore.
    const m = (conn as MongoConnection).db;
    for (const name of ['users', 'posts']) await m.collection(name).dropIndexes();
    const before = await runDiff(ctx());
    expect(before.inSync).toBe(false);
    expect(before.items.every((i) => i.kind === 'index' && i.direction === 'missing')).toBe(true);
    const push = await runPush(ctx());
    expect(push.failures).toEqual([]);
    expect((await runDiff(ctx())).inSync).toBe(true);
    expect(await m.collection('users').countDocuments()).toBe(2);
  });

  it(live('transactions on a replica set: commit, roll back on throw; readOnly refuses writes'), async () => {
    const client = createDbWith(adapter, conn, schema);
    const probe = await adapter.probe(conn);
    if (!probe.features.transactions) {
      const err = await client.$transaction(async (tx) => tx.post.create({ data: { userId: 'u', text: 't' } })).catch((e: unknown) => e);
      expect(String((err as Error).message)).toMatch(/replica set/);
      return;
    }
    await client.$transaction(async (tx) => tx.post.create({ data: { userId: 'u', text: 'kept' } }));
    await client.$transaction(async (tx) => {
      await tx.post.create({ data: { userId: 'u', text: 'gone' } });
      throw new Error('roll back');
    }).catch(() => undefined);
    expect((await client.post.findMany()).map((p) => p.text)).toEqual(['kept']);
    const ro = await client.$transaction(async (tx) => tx.post.create({ data: { userId: 'u', text: 'ro' } }), { readOnly: true }).catch((e: unknown) => e);
    expect((ro as DbKnownError).code).toBe('READ_ONLY');
  });
});
