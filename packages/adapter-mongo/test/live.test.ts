import { buildSchemaIR, createDbWith, DbKnownError, diffMany, f, model, pushMany, runDiff, runPush, type Connection } from '@forge/core';
import { blogSchema, reachTarget, type TestDatabase } from '@forge/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adapter, introspectMongo, jsonSchemaFor, pushValidators, validatorDrift, type MongoConnection } from '../src/index.js';

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

/**
 * Relation filters and counts against the conformance suite's blog schema and data (the same expectations as
 * testkit's client suite on SQL), each call one aggregate command with `$lookup`.
 */
describe.skipIf(!!skip)('MongoDB live: relation filters and relation counts', () => {
  let fresh: TestDatabase;
  let conn: Connection;
  const blog = blogSchema(adapter.capabilities);
  const client = () => createDbWith(adapter, conn, blog);
  beforeAll(async () => {
    if ('skip' in target) return;
    fresh = await target.fresh();
    conn = await adapter.connect(fresh.url);
    const push = await runPush({ adapter, conn, ir: buildSchemaIR(blog) });
    expect(push.failures).toEqual([]);
    const db = client();
    const ada = await db.user.create({ data: { email: 'ada@example.com', name: 'Ada', age: 36 } });
    const bob = await db.user.create({ data: { email: 'bob@example.com', name: 'Bob', age: 17, role: 'admin' } });
    await db.user.create({ data: { email: 'cy@example.com', age: 52 } });
    const p1 = await db.post.create({ data: { title: 'Hello SQLite world', authorId: ada.id, published: true, rating: 5 } });
    await db.post.create({ data: { title: 'Second post', authorId: ada.id, rating: 3 } });
    const p3 = await db.post.create({ data: { title: 'Bob writes about Postgres', authorId: bob.id, published: true, rating: 4 } });
    await db.comment.createMany({ data: [{ postId: p1.id, text: 'nice' }, { postId: p1.id, text: 'great' }, { postId: p3.id, text: 'hm' }] });
    await db.profile.create({ data: { userId: bob.id, bio: 'writes' } });
  });
  afterAll(async () => {
    await conn?.close();
    await fresh?.drop();
  });

  it(live('some / every / none / is / isNot / null, nested, inside OR and NOT, in count and groupBy: one command each'), async () => {
    const db = client();
    const commands: unknown[] = [];
    const off = db.$on('query', (e) => commands.push(e.sql));
    const names = async (where: object) => (await db.user.findMany({ where, orderBy: { email: 'asc' }, select: { email: true } })).map((u) => u.email);
    expect(await names({ posts: { some: { published: true } } })).toEqual(['ada@example.com', 'bob@example.com']);
    expect(await names({ posts: { every: { published: true } } })).toEqual(['bob@example.com', 'cy@example.com']);
    expect(await names({ posts: { none: {} } })).toEqual(['cy@example.com']);
    expect(await names({ posts: { some: { comments: { some: { text: 'great' } } } } })).toEqual(['ada@example.com']);
    expect(await names({ profile: null })).toEqual(['ada@example.com', 'cy@example.com']);
    expect(await names({ profile: { is: { bio: 'writes' } } })).toEqual(['bob@example.com']);
    expect(await names({ OR: [{ email: 'cy@example.com' }, { NOT: { posts: { none: {} } }, age: { lt: 18 } }] })).toEqual(['bob@example.com', 'cy@example.com']);
    expect(commands).toHaveLength(7);
    off();
    expect((await db.post.findMany({ where: { author: { is: { role: 'admin' } } }, select: { title: true } }))).toEqual([{ title: 'Bob writes about Postgres' }]);
    expect((await db.post.findMany({ where: { author: { isNot: { role: 'admin' } } }, orderBy: { title: 'asc' }, select: { title: true } })).map((p) => p.title)).toEqual(['Hello SQLite world', 'Second post']);
    expect(await db.user.count({ where: { posts: { some: {} } } })).toBe(2);
    const groups = await db.post.groupBy({ by: ['published'], _count: { _all: true }, where: { author: { is: { email: 'ada@example.com' } } }, orderBy: { published: 'asc' } });
    expect(groups.map((g) => [g.published, g._count._all])).toEqual([[false, 1], [true, 1]]);
  });

  it(live('a document without its join key has no related documents, as a NULL foreign key on SQL; every and notIn keep NULL rules'), async () => {
    const db = client();
    const m = (conn as MongoConnection).db.collection('posts');
    await m.insertMany([{ _id: 'orphan-missing', title: 'no author field', published: false } as never, { _id: 'orphan-null', title: 'null author', authorId: null, published: false } as never]);
    try {
      const orphans = await db.post.findMany({ where: { author: null }, orderBy: { title: 'asc' }, select: { title: true } });
      expect(orphans.map((p) => p.title)).toEqual(['no author field', 'null author']);
      expect(await db.post.count({ where: { author: { is: {} } } })).toBe(3);
      expect(await db.user.count({ where: { posts: { some: { published: false } } } })).toBe(1);
      // every: a related document whose field is NULL is no counterexample (SQL: NOT (NULL >= 4) is unknown).
      const bob = await db.user.findUnique({ where: { email: 'bob@example.com' } });
      await db.post.create({ data: { id: 'unrated', title: 'Unrated', authorId: bob!.id } });
      const every = await db.user.findMany({ where: { posts: { every: { rating: { gte: 4 } } } }, orderBy: { email: 'asc' }, select: { email: true } });
      expect(every.map((u) => u.email)).toEqual(['bob@example.com', 'cy@example.com']);
      expect(await db.user.count({ where: { name: { notIn: [] } } })).toBe(3);
      expect(await db.user.count({ where: { name: { notIn: ['Ada'] } } })).toBe(1);
    } finally {
      await m.deleteMany({ _id: { $in: ['orphan-missing', 'orphan-null', 'unrated'] } } as never);
    }
  });

  it(live('relation counts: include / select _count (filtered too), orderBy a relation _count, nested, streamed'), async () => {
    const db = client();
    const users = await db.user.findMany({ include: { _count: { select: { posts: true } } }, orderBy: { email: 'asc' } });
    expect(users.map((u) => [u.email, u._count.posts])).toEqual([['ada@example.com', 2], ['bob@example.com', 1], ['cy@example.com', 0]]);
    const picked = await db.user.findMany({ select: { email: true, _count: { select: { posts: { where: { published: true } } } } }, orderBy: { email: 'asc' } });
    expect(picked.map((u) => u._count.posts)).toEqual([1, 1, 0]);
    const ranked = await db.user.findMany({ orderBy: [{ posts: { _count: 'desc' } }, { email: 'asc' }], select: { email: true } });
    expect(ranked.map((u) => u.email)).toEqual(['ada@example.com', 'bob@example.com', 'cy@example.com']);
    const fewest = await db.user.findMany({ orderBy: { posts: { _count: 'asc' } }, take: 1, skip: 1, select: { email: true } });
    expect(fewest).toEqual([{ email: 'bob@example.com' }]);
    const posts = await db.post.findMany({ orderBy: [{ comments: { _count: 'desc' } }, { title: 'asc' }], include: { _count: { select: { comments: true } } } });
    expect(posts.map((p) => p._count.comments)).toEqual([2, 1, 0]);
    const nested = await db.user.findUnique({ where: { email: 'ada@example.com' }, include: { posts: { orderBy: { title: 'asc' }, include: { _count: { select: { comments: true } } } } } });
    expect(nested!.posts.map((p) => [p.title, p._count.comments])).toEqual([['Hello SQLite world', 2], ['Second post', 0]]);
    const streamed: number[] = [];
    for await (const u of db.user.findManyStream({ orderBy: { email: 'asc' }, include: { _count: { select: { posts: true } } }, chunkSize: 2 })) streamed.push(u._count.posts);
    expect(streamed).toEqual([2, 1, 0]);
  });
});

/** The model option `validator`: a `$jsonSchema` created with the collection, refusing what the model would not write. */
describe.skipIf(!!skip)('MongoDB live: $jsonSchema validator', () => {
  let fresh: TestDatabase;
  let conn: MongoConnection;
  const Order = model('orders', { id: f.id(), tenant_id: f.string(), status: f.enumOf(['open', 'paid'] as const), total: f.float(), at: f.dateTime().default('now'), note: f.string().optional() }, { validator: true });
  const vir = buildSchemaIR({ order: Order });
  beforeAll(async () => {
    if ('skip' in target) return;
    fresh = await target.fresh();
    conn = (await adapter.connect(fresh.url)) as MongoConnection;
  });
  afterAll(async () => {
    await conn?.close();
    await fresh?.drop();
  });

  it(live('push creates the collection with the validator; the client writes pass, a document without a required field is refused (121)'), async () => {
    const push = await runPush({ adapter, conn, ir: vir });
    expect(push.failures).toEqual([]);
    const [info] = await conn.db.listCollections({ name: 'orders' }).toArray();
    expect((info as { options: Record<string, unknown> }).options).toMatchObject({ validator: { $jsonSchema: jsonSchemaFor(vir.models.order) }, validationLevel: 'strict', validationAction: 'error' });
    const db = createDbWith(adapter, conn, { order: Order });
    await db.order.create({ data: { tenant_id: 't1', status: 'open', total: 3 } });
    await db.order.create({ data: { tenant_id: 't1', status: 'paid', total: 9.5, at: '2026-01-02T03:04:05.000Z', note: null } });
    const refused = await conn.db.collection('orders').insertOne({ _id: 'x', status: 'open', total: 1, at: new Date() } as never).catch((e: unknown) => e);
    expect((refused as { code?: number }).code).toBe(121);
    const badEnum = await conn.db.collection('orders').insertOne({ _id: 'y', tenant_id: 't', status: 'void', total: 1, at: new Date() } as never).catch((e: unknown) => e);
    expect((badEnum as { code?: number }).code).toBe(121);
    expect(validatorDrift(vir, await introspectMongo(conn))).toEqual([]);
  });

  it(live('validator drift (changed by hand) is found and re-applied with collMod'), async () => {
    await conn.db.command({ collMod: 'orders', validator: { $jsonSchema: { bsonType: 'object', required: ['status'] } }, validationLevel: 'moderate' });
    const drift = validatorDrift(vir, await introspectMongo(conn));
    expect(drift.map((d) => [d.table, d.properties])).toEqual([['orders', ['validator', 'validationLevel']]]);
    const report = await pushValidators(conn, vir);
    expect(report.failures).toEqual([]);
    expect(report.applied).toEqual(['orders']);
    expect(validatorDrift(vir, await introspectMongo(conn))).toEqual([]);
  });
});

/** Wildcard indexes ($**, field.$**, wildcardProjection, compound wildcard on MongoDB 7): push converges. */
describe.skipIf(!!skip)('MongoDB live: wildcard indexes', () => {
  let fresh: TestDatabase;
  let conn: MongoConnection;
  const Doc = model(
    'docs',
    { id: f.id(), attrs: f.json().optional(), name: f.string(), author: f.embed({ name: f.string(), website: f.string() }).optional() },
    {
      indexes: [
        { name: 'ix_all', keys: { '$**': 1 }, wildcardProjection: { 'author.name': 1, 'author.website': 1 } },
        { name: 'ix_attrs', keys: { 'attrs.$**': 1 } },
        { name: 'ix_name_attrs', keys: { name: 1, 'attrs.$**': 1 } },
      ],
    },
  );
  const wir = buildSchemaIR({ doc: Doc });
  beforeAll(async () => {
    if ('skip' in target) return;
    fresh = await target.fresh();
    conn = (await adapter.connect(fresh.url)) as MongoConnection;
  });
  afterAll(async () => {
    await conn?.close();
    await fresh?.drop();
  });

  it(live('push creates $**, field.$** and compound wildcard indexes; diff in sync; a changed projection is recreated'), async () => {
    const wctx = { adapter, conn, ir: wir };
    const first = await runPush(wctx);
    expect(first.failures).toEqual([]);
    expect(first.applied).toEqual(expect.arrayContaining(['docs', 'ix_all', 'ix_attrs', 'ix_name_attrs']));
    expect((await runDiff(wctx)).items).toEqual([]);
    expect((await runPush(wctx)).applied).toEqual([]);
    const m = conn.db.collection('docs');
    await m.dropIndex('ix_all');
    await m.createIndex({ '$**': 1 }, { name: 'ix_all', wildcardProjection: { 'author.name': 1 } });
    expect((await runDiff(wctx)).items.map((i) => i.property)).toEqual(['wildcardProjection']);
    const again = await runPush(wctx);
    expect(again.failures).toEqual([]);
    expect(again.applied).toEqual(['ix_all']);
    expect((await runDiff(wctx)).items).toEqual([]);
    const db = createDbWith(adapter, conn, { doc: Doc });
    await db.doc.create({ data: { name: 'a', attrs: { color: 'red' } } });
    expect(await db.doc.count({ where: { name: 'a' } })).toBe(1);
  });
});

/** Database per tenant (seed 000): `forge push --each` / `pushMany` over one database per tenant on one server. */
describe.skipIf(!!skip)('MongoDB live: fan-out over tenant databases', () => {
  const tenants: TestDatabase[] = [];
  beforeAll(async () => {
    if ('skip' in target) return;
    for (let i = 0; i < 3; i++) tenants.push(await target.fresh());
  });
  afterAll(async () => {
    for (const t of tenants) await t.drop();
  });

  it(live('pushMany creates every collection and index in each tenant database; a second run applies nothing; diffMany in sync'), async () => {
    const list = tenants.map((t, i) => ({ name: `tenant${i}`, url: t.url }));
    const first = await pushMany(list, { schema, adapters: { mongo: adapter }, concurrency: 2 });
    expect(first.failed).toEqual([]);
    for (const t of first.targets) {
      expect(t.status).toBe('applied');
      expect(t.push!.applied).toEqual(expect.arrayContaining(['users', 'posts', 'forge_users_uq_email', 'idx_name_ci', 'idx_ttl']));
    }
    const second = await pushMany(list, { schema, adapters: { mongo: adapter }, concurrency: 2 });
    expect(second.targets.map((t) => [t.status, t.push!.applied.length])).toEqual(list.map(() => ['applied', 0]));
    const drift = await diffMany(list, { schema, adapters: { mongo: adapter } });
    expect(drift.targets.map((t) => t.status)).toEqual(list.map(() => 'in-sync'));
    expect(drift.drifted).toEqual([]);
  });
});
