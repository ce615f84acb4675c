import { DbKnownError, ValidationError, raw, type Db } from '@forge/core';
import { describe, expect, it } from 'vitest';
import { blogSchema, type BlogSchema } from './fixtures.js';
import { itIf, itIfAction, withPushed, type ConformanceTarget } from './target.js';

type BlogDb = Db<BlogSchema>;

async function seed(db: BlogDb) {
  const ada = await db.user.create({ data: { email: 'ada@example.com', name: 'Ada', age: 36, score: 9.5, balance: '120.50', meta: { plan: 'pro', limits: { seats: 5 }, tags: ['x'] } } });
  const bob = await db.user.create({ data: { email: 'bob@example.com', name: 'Bob', age: 17, active: false, role: 'admin' } });
  const cy = await db.user.create({ data: { email: 'cy@example.com', age: 52, meta: { plan: 'free' } } });
  const p1 = await db.post.create({ data: { title: 'Hello SQLite world', authorId: ada.id, published: true, tags: ['db', 'sql'], rating: 5 } });
  const p2 = await db.post.create({ data: { title: 'Second post', authorId: ada.id, tags: ['misc'], rating: 3 } });
  const p3 = await db.post.create({ data: { title: 'Bob writes about Postgres', authorId: bob.id, published: true, tags: ['db'], rating: 4 } });
  await db.comment.createMany({ data: [{ postId: p1.id, text: 'nice' }, { postId: p1.id, text: 'great' }, { postId: p3.id, text: 'hm' }] });
  return { ada, bob, cy, p1, p2, p3 };
}

export function clientSuite(target: ConformanceTarget): void {
  const caps = target.adapter.capabilities;
  const run = (fn: (db: BlogDb) => Promise<void>) => () => withPushed(target, blogSchema(caps), fn);

  describe(`${target.name}: client reads`, () => {
    it('create returns the full row with defaults, ids and decoded types', run(async (db) => {
      const u = await db.user.create({ data: { email: 'a@b.c', balance: 12.5, visits: 5n } });
      expect(u.id).toMatch(/^[0-9a-f-]{36}$/);
      expect(u).toMatchObject({ email: 'a@b.c', name: null, age: 0, active: true, role: 'member', visits: 5n });
      expect(u.createdAt).toBeInstanceOf(Date);
      expect(u.updatedAt).toBeInstanceOf(Date);
      expect(Number(u.balance)).toBe(12.5);
      const c = await db.counter.create({ data: { name: 'hits' } });
      expect(typeof c.id).toBe('number');
    }));

    it('findMany with filters, orderBy, take/skip, select and omit', run(async (db) => {
      await seed(db);
      const adults = await db.user.findMany({ where: { age: { gte: 18 } }, orderBy: { age: 'desc' }, select: { email: true, age: true } });
      expect(adults).toEqual([{ email: 'cy@example.com', age: 52 }, { email: 'ada@example.com', age: 36 }]);
      expect(await db.user.findMany({ where: { email: { in: ['bob@example.com'] } }, select: { name: true } })).toEqual([{ name: 'Bob' }]);
      expect((await db.user.findMany({ where: { name: null } })).map((u) => u.email)).toEqual(['cy@example.com']);
      expect((await db.user.findMany({ where: { name: { not: null } }, orderBy: [{ name: 'asc' }] })).map((u) => u.name)).toEqual(['Ada', 'Bob']);
      expect((await db.user.findMany({ orderBy: { email: 'asc' }, skip: 1, take: 1 })).map((u) => u.email)).toEqual(['bob@example.com']);
      const omitted = await db.user.findFirst({ omit: { meta: true, balance: true } });
      expect(omitted).not.toHaveProperty('meta');
      expect(omitted).toHaveProperty('email');
      expect(await db.user.findMany({ where: { OR: [{ age: { lt: 18 } }, { age: { gt: 50 } }], NOT: { email: 'cy@example.com' } }, select: { email: true } })).toEqual([{ email: 'bob@example.com' }]);
    }));

    it('string operators: contains / startsWith / endsWith, insensitive mode, LIKE wildcards are literal', run(async (db) => {
      await seed(db);
      await db.user.create({ data: { email: '100%_sure@x.io' } });
      expect((await db.user.findMany({ where: { email: { contains: '%_' } } })).map((u) => u.email)).toEqual(['100%_sure@x.io']);
      expect(await db.user.count({ where: { email: { startsWith: 'ADA', mode: 'insensitive' } } })).toBe(1);
      // Without `mode` matching is case-sensitive on every dialect (SQLite's LIKE alone would ignore ASCII case).
      expect(await db.user.count({ where: { email: { startsWith: 'ADA' } } })).toBe(0);
      expect(await db.user.count({ where: { email: { startsWith: 'ada' } } })).toBe(1);
      expect(await db.user.count({ where: { email: { contains: 'EXAMPLE' } } })).toBe(0);
      expect(await db.user.count({ where: { email: { contains: 'EXAMPLE', mode: 'insensitive' } } })).toBe(3);
      expect(await db.user.count({ where: { email: { endsWith: '@example.com' } } })).toBe(3);
      expect(await db.user.count({ where: { name: { equals: 'ada', mode: 'insensitive' } } })).toBe(1);
    }));

    /**
     * `mode: 'insensitive'` folds case letter by letter, Unicode included: each character is compared in its
     * lower-case form (`String.prototype.toLowerCase()`, what Postgres' ILIKE does under a UTF-8 locale). It is
     * not full Unicode case folding: `ß` does not match `SS`, and text is not normalised (a precomposed `é` and
     * `e` + combining accent stay different).
     */
    it('insensitive mode folds Unicode letters (É ~ é, Ä ~ ä, Σ ~ σ, İ ~ i), not ASCII only, and nothing more', run(async (db) => {
      await db.user.create({ data: { email: 'e1@x.io', name: 'ÉLODIE Ärger' } });
      await db.user.create({ data: { email: 'e2@x.io', name: 'Straße ΣΟΦΊΑ 300\u212a' } });
      await db.user.create({ data: { email: 'e3@x.io', name: 'ΚΟΣΜΟΣ İstanbul' } });
      const names = async (where: object) => (await db.user.findMany({ where: { name: where }, orderBy: { email: 'asc' }, select: { email: true } })).map((u) => u.email);
      expect(await names({ contains: 'élodie', mode: 'insensitive' })).toEqual(['e1@x.io']);
      expect(await names({ startsWith: 'éLoDiE ä', mode: 'insensitive' })).toEqual(['e1@x.io']);
      expect(await names({ endsWith: 'ÄRGER', mode: 'insensitive' })).toEqual(['e1@x.io']);
      expect(await names({ equals: 'élodie ärger', mode: 'insensitive' })).toEqual(['e1@x.io']);
      expect(await names({ contains: 'σοφία', mode: 'insensitive' })).toEqual(['e2@x.io']);
      expect(await names({ contains: 'STRASSE', mode: 'insensitive' })).toEqual([]);
      expect(await names({ contains: 'straße', mode: 'insensitive' })).toEqual(['e2@x.io']);
      expect(await names({ not: { contains: 'élodie', mode: 'insensitive' } })).toEqual(['e2@x.io', 'e3@x.io']);
      // Letter by letter: a pattern that ends in Σ still matches a word that goes on; İ is one letter, i.
      expect(await names({ startsWith: 'κοσ', mode: 'insensitive' })).toEqual(['e3@x.io']);
      expect(await names({ startsWith: 'ΚΟΣ', mode: 'insensitive' })).toEqual(['e3@x.io']);
      expect(await names({ endsWith: 'istanbul', mode: 'insensitive' })).toEqual(['e3@x.io']);
      // ASCII patterns against accented text; the Kelvin sign K is a capital k.
      expect(await names({ contains: 'RGER', mode: 'insensitive' })).toEqual(['e1@x.io']);
      expect(await names({ endsWith: '300k', mode: 'insensitive' })).toEqual(['e2@x.io']);
      // Without the mode, case still counts, accented or not.
      expect(await names({ contains: 'élodie' })).toEqual([]);
      expect(await names({ contains: 'ÉLODIE' })).toEqual(['e1@x.io']);
    }));

    it('findUnique / OrThrow forms and NOT_FOUND', run(async (db) => {
      const { ada } = await seed(db);
      expect((await db.user.findUnique({ where: { email: 'ada@example.com' } }))?.id).toBe(ada.id);
      expect(await db.user.findUnique({ where: { id: '00000000-0000-0000-0000-000000000000' } })).toBeNull();
      await expect(db.user.findUniqueOrThrow({ where: { email: 'nobody@x' } })).rejects.toMatchObject({ code: 'NOT_FOUND' });
      await expect(db.user.findFirstOrThrow({ where: { age: 999 } })).rejects.toBeInstanceOf(DbKnownError);
      await expect(db.user.findUnique({ where: { name: 'Ada' } as never })).rejects.toBeInstanceOf(ValidationError);
    }));

    it('include and nested select load relations in one query per relation', run(async (db) => {
      await seed(db);
      const events: string[] = [];
      const off = db.$on('query', (e) => events.push(String(e.sql)));
      const authors = await db.user.findMany({
        where: { posts: { some: {} } },
        orderBy: { email: 'asc' },
        include: { posts: { orderBy: { title: 'asc' }, include: { comments: { orderBy: { text: 'asc' } } } }, profile: true },
      });
      off();
      expect(events).toHaveLength(4);
      expect(authors.map((a) => [a.email, a.posts.map((p) => p.title)])).toEqual([
        ['ada@example.com', ['Hello SQLite world', 'Second post']],
        ['bob@example.com', ['Bob writes about Postgres']],
      ]);
      expect(authors[0].posts[0].comments.map((c) => c.text)).toEqual(['great', 'nice']);
      expect(authors[0].profile).toBeNull();
      const post = await db.post.findFirst({ where: { title: 'Second post' }, select: { title: true, author: { select: { email: true } } } });
      expect(post).toEqual({ title: 'Second post', author: { email: 'ada@example.com' } });
      const limited = await db.user.findUnique({ where: { email: 'ada@example.com' }, include: { posts: { take: 1, orderBy: { title: 'desc' } } } });
      expect(limited!.posts.map((p) => p.title)).toEqual(['Second post']);
    }));

    it('relation filters: some / every / none / is', run(async (db) => {
      await seed(db);
      const names = async (where: object) => (await db.user.findMany({ where, orderBy: { email: 'asc' }, select: { email: true } })).map((u) => u.email);
      expect(await names({ posts: { some: { published: true } } })).toEqual(['ada@example.com', 'bob@example.com']);
      expect(await names({ posts: { every: { published: true } } })).toEqual(['bob@example.com', 'cy@example.com']);
      expect(await names({ posts: { none: {} } })).toEqual(['cy@example.com']);
      const byAuthor = await db.post.findMany({ where: { author: { is: { role: 'admin' } } }, select: { title: true } });
      expect(byAuthor).toEqual([{ title: 'Bob writes about Postgres' }]);
    }));

    itIf(caps, 'jsonPath', 'JSON path filters', run(async (db) => {
      await seed(db);
      expect((await db.user.findMany({ where: { meta: { path: ['plan'], equals: 'pro' } } })).map((u) => u.name)).toEqual(['Ada']);
      expect(await db.user.count({ where: { meta: { path: ['limits', 'seats'], gte: 5 } } })).toBe(1);
      expect(await db.user.count({ where: { meta: { path: ['plan'], string_starts_with: 'fr' } } })).toBe(1);
    }));

    it('array filters: has / hasSome / hasEvery', run(async (db) => {
      await seed(db);
      const titles = async (where: object) => (await db.post.findMany({ where, orderBy: { title: 'asc' }, select: { title: true } })).map((p) => p.title);
      expect(await titles({ tags: { has: 'db' } })).toEqual(['Bob writes about Postgres', 'Hello SQLite world']);
      expect(await titles({ tags: { hasSome: ['misc', 'sql'] } })).toEqual(['Hello SQLite world', 'Second post']);
      expect(await titles({ tags: { hasEvery: ['db', 'sql'] } })).toEqual(['Hello SQLite world']);
    }));

    itIf(caps, 'fullTextSearch', 'full-text search on .searchable() fields, with operators in input kept literal', run(async (db) => {
      await seed(db);
      expect((await db.post.findMany({ where: { title: { search: 'postgres' } } })).map((p) => p.title)).toEqual(['Bob writes about Postgres']);
      // The input is words, all of which must match: nothing in it is an operator. Read as FTS5 / websearch
      // syntax, 'hello OR postgres' would find two posts; as words it finds none (no title has both words).
      expect((await db.post.findMany({ where: { title: { search: 'hello world' } } })).map((p) => p.title)).toEqual(['Hello SQLite world']);
      expect(await db.post.findMany({ where: { title: { search: 'hello OR postgres' } } })).toEqual([]);
      expect(await db.post.findMany({ where: { title: { search: 'hello OR "NEAR(' } } })).toEqual([]);
      // `-bob` is not a negation and a quoted pair is not a phrase: both are words that must appear.
      const bobs = ['Bob writes about Postgres'];
      expect((await db.post.findMany({ where: { title: { search: 'postgres -bob' } } })).map((p) => p.title)).toEqual(bobs);
      expect((await db.post.findMany({ where: { title: { search: '"about writes"' } } })).map((p) => p.title)).toEqual(bobs);
      const updated = await db.post.update({ where: { id: (await db.post.findFirstOrThrow({ where: { title: 'Second post' } })).id }, data: { title: 'Second post about turnips' } });
      expect((await db.post.findMany({ where: { title: { search: 'turnips' } } })).map((p) => p.id)).toEqual([updated.id]);
    }));

    it('count, aggregate and groupBy', run(async (db) => {
      await seed(db);
      expect(await db.user.count()).toBe(3);
      expect(await db.user.count({ where: { active: true } })).toBe(2);
      const agg = await db.user.aggregate({ _count: true, _sum: { age: true }, _avg: { age: true }, _min: { age: true }, _max: { createdAt: true } });
      expect(agg._count).toBe(3);
      expect(agg._sum.age).toBe(105);
      expect(agg._avg.age).toBe(35);
      expect(agg._min.age).toBe(17);
      expect(agg._max.createdAt).toBeInstanceOf(Date);
      const groups = await db.post.groupBy({ by: ['authorId'], _count: { _all: true }, _sum: { rating: true }, orderBy: { authorId: 'asc' } });
      expect(groups.map((g) => g._count._all).sort()).toEqual([1, 2]);
      const big = await db.post.groupBy({ by: ['published'], _sum: { rating: true }, having: { rating: { _sum: { gt: 3 } } } });
      expect(big.map((g) => g.published).sort()).toEqual([true]);
    }));

    it('cursor pagination and distinct', run(async (db) => {
      for (let i = 0; i < 10; i++) await db.counter.create({ data: { name: `c${i}`, n: i % 3 } });
      const first = await db.counter.findMany({ orderBy: { name: 'asc' }, take: 3 });
      const next = await db.counter.findMany({ orderBy: { name: 'asc' }, cursor: { name: first[2].name }, skip: 1, take: 3 });
      expect(next.map((c) => c.name)).toEqual(['c3', 'c4', 'c5']);
      const distinct = await db.counter.findMany({ distinct: ['n'], orderBy: { n: 'asc' }, select: { n: true } });
      expect(distinct).toEqual([{ n: 0 }, { n: 1 }, { n: 2 }]);
    }));

    it('findManyStream yields every row in chunks and attaches includes', run(async (db) => {
      await seed(db);
      for (let i = 0; i < 250; i++) await db.counter.create({ data: { name: `s${String(i).padStart(3, '0')}` } });
      let n = 0;
      let last = '';
      for await (const c of db.counter.findManyStream({ orderBy: { name: 'asc' }, chunkSize: 64 })) {
        expect(c.name > last).toBe(true);
        last = c.name;
        n++;
      }
      expect(n).toBe(250);
      const withPosts: number[] = [];
      for await (const u of db.user.findManyStream({ include: { posts: true }, orderBy: { email: 'asc' }, chunkSize: 2 })) withPosts.push(u.posts.length);
      expect(withPosts).toEqual([2, 1, 0]);
    }));
  });

  describe(`${target.name}: client writes`, () => {
    it('update with operators, updatedAt bump and NOT_FOUND on a missing row', run(async (db) => {
      const { ada } = await seed(db);
      const before = ada.updatedAt;
      await new Promise((r) => setTimeout(r, 5));
      const u = await db.user.update({ where: { id: ada.id }, data: { age: { increment: 4 }, score: { multiply: 2 }, visits: { increment: 3n }, name: 'Ada L.' } });
      expect(u).toMatchObject({ age: 40, score: 19, visits: 3n, name: 'Ada L.' });
      expect(u.updatedAt.getTime()).toBeGreaterThan(before.getTime());
      await expect(db.user.update({ where: { email: 'ghost@x' }, data: { age: 1 } })).rejects.toMatchObject({ code: 'NOT_FOUND' });
    }));

    it('updateMany / deleteMany return counts; deleteMany needs an explicit where', run(async (db) => {
      await seed(db);
      expect(await db.post.updateMany({ where: { published: false }, data: { published: true } })).toEqual({ count: 1 });
      await expect(db.comment.deleteMany(undefined as never)).rejects.toBeInstanceOf(ValidationError);
      expect(await db.comment.deleteMany({ where: { text: 'hm' } })).toEqual({ count: 1 });
      expect(await db.comment.deleteMany({ where: {} })).toEqual({ count: 2 });
    }));

    itIfAction(caps, 'cascade', 'delete returns the row; cascades follow the foreign key', run(async (db) => {
      const { ada } = await seed(db);
      const gone = await db.user.delete({ where: { id: ada.id }, select: { email: true } });
      expect(gone).toEqual({ email: 'ada@example.com' });
      expect(await db.post.count({ where: { authorId: ada.id } })).toBe(0);
      await expect(db.user.delete({ where: { id: ada.id } })).rejects.toMatchObject({ code: 'NOT_FOUND' });
    }));

    it('upsert is atomic: insert then update on the unique key', run(async (db) => {
      const a = await db.counter.upsert({ where: { name: 'k' }, create: { name: 'k', n: 1 }, update: { n: { increment: 1 } } });
      const b = await db.counter.upsert({ where: { name: 'k' }, create: { name: 'k', n: 1 }, update: { n: { increment: 1 } } });
      expect([a.n, b.n]).toEqual([1, 2]);
      expect(a.id).toBe(b.id);
      expect(await db.counter.count()).toBe(1);
    }));

    it('createMany with skipDuplicates', run(async (db) => {
      await db.counter.create({ data: { name: 'dup' } });
      expect(await db.counter.createMany({ data: [{ name: 'dup' }, { name: 'new1' }, { name: 'new2', n: 5 }], skipDuplicates: true })).toEqual({ count: 2 });
      await expect(db.counter.createMany({ data: [{ name: 'dup' }] })).rejects.toMatchObject({ code: 'UNIQUE_VIOLATION' });
    }));

    it('nested writes: create with children, connect, connectOrCreate, update children, disconnect', run(async (db) => {
      const u = await db.user.create({
        data: { email: 'n@x.io', posts: { create: [{ title: 'p1' }, { title: 'p2', comments: { create: { text: 'c' } } }] }, profile: { create: { bio: 'hi' } } },
        include: { posts: { include: { comments: true }, orderBy: { title: 'asc' } }, profile: true },
      });
      expect(u.posts.map((p) => [p.title, p.comments.length])).toEqual([['p1', 0], ['p2', 1]]);
      expect(u.profile?.bio).toBe('hi');
      const post = await db.post.create({ data: { title: 'by connect', author: { connect: { email: 'n@x.io' } } }, include: { author: true } });
      expect(post.author?.id).toBe(u.id);
      const p2 = await db.post.create({ data: { title: 'coc', author: { connectOrCreate: { where: { email: 'new@x.io' }, create: { email: 'new@x.io' } } } } });
      expect((await db.user.findUnique({ where: { email: 'new@x.io' } }))?.id).toBe(p2.authorId);
      const updated = await db.user.update({ where: { id: u.id }, data: { posts: { updateMany: { where: { title: { startsWith: 'p' } }, data: { published: true } }, deleteMany: { title: 'by connect' } } }, include: { posts: true } });
      expect(updated.posts.every((p) => p.published)).toBe(true);
      expect(updated.posts).toHaveLength(2);
      await expect(db.post.create({ data: { title: 'x', author: { connect: { email: 'missing@x' } } } })).rejects.toMatchObject({ code: 'NOT_FOUND' });
      expect(await db.post.count({ where: { title: 'x' } })).toBe(0);
    }));

    it('values of the wrong type are refused before SQL, naming model and field', run(async (db) => {
      const sqls: string[] = [];
      db.$on('query', (e) => sqls.push(String(e.sql)));
      await expect(db.user.create({ data: { email: 42 as never } })).rejects.toThrow(/user\.email expects a string/);
      await expect(db.user.create({ data: { email: 'x@y', age: 1.5 } })).rejects.toThrow(/age expects an integer/);
      await expect(db.user.create({ data: { email: 'x@y', role: 'owner' as never } })).rejects.toThrow(/role expects one of/);
      await expect(db.user.create({ data: { email: 'x@y', createdAt: 'yesterday' } })).rejects.toThrow(/createdAt expects a Date/);
      await expect(db.user.create({ data: { email: 'x@y', nope: 1 } as never })).rejects.toThrow(/unknown field 'nope'/);
      await expect(db.user.findMany({ where: { age: { gt: '5' as never } } })).rejects.toThrow(/age expects an integer/);
      await expect(db.user.findMany({ where: { email: { $ne: 'x' } as never } })).rejects.toThrow(/Unknown filter operator '\$ne'/);
      await expect(db.user.findMany({ where: { email: undefined } })).rejects.toThrow(/undefined/);
      await expect(db.user.updateMany({ where: { email: undefined }, data: { age: 1 } })).rejects.toThrow(/undefined/);
      expect(sqls).toEqual([]);
    }));

    it('strict mode throws on unknown where keys; default mode ignores them on reads only', async () => {
      await withPushed(target, blogSchema(caps), async (db, fresh) => {
        await expect(db.user.findMany({ where: { nope: 1 } as never })).resolves.toEqual([]);
        await expect(db.user.deleteMany({ where: { nope: 1 } as never })).rejects.toThrow(/Unknown field 'nope'/);
        const { createDbWith } = await import('@forge/core');
        const strict = createDbWith(target.adapter, fresh.conn, blogSchema(caps), { strict: true });
        await expect(strict.user.findMany({ where: { posts: { some: { nope: 1 } } } as never })).rejects.toThrow(/Unknown field 'nope'/);
      });
    });

    it('compile returns SQL and bound params without running', run(async (db) => {
      const c = db.user.compile.findMany({ where: { email: "x' OR 1=1 --" }, take: 5 });
      expect(c.sql).not.toContain("OR 1=1");
      expect(c.params).toContain("x' OR 1=1 --");
    }));
  });

  describe(`${target.name}: readOnly transactions`, () => {
    it('$transaction(fn, { readOnly: true }) reads, and the database refuses its writes; writes work again after it', run(async (db) => {
      await seed(db);
      const emails = await db.$transaction(async (tx) => (await tx.user.findMany({ orderBy: { email: 'asc' } })).map((u) => u.email), { readOnly: true });
      expect(emails).toEqual(['ada@example.com', 'bob@example.com', 'cy@example.com']);
      await expect(
        db.$transaction(async (tx) => {
          await tx.user.count();
          await tx.user.create({ data: { email: 'ro@example.com' } });
        }, { readOnly: true }),
      ).rejects.toMatchObject({ name: 'DbKnownError', code: 'READ_ONLY', message: expect.stringMatching(/read.only/i) });
      // Root calls inside the callback join the read-only transaction.
      await expect(db.$transaction(async () => db.counter.create({ data: { name: 'ro' } }), { readOnly: true })).rejects.toMatchObject({ code: 'READ_ONLY' });
      expect(await db.user.count({ where: { email: 'ro@example.com' } })).toBe(0);
      expect(await db.counter.count()).toBe(0);
      // The connection is not left read-only: a root write and a default transaction both write.
      await db.counter.create({ data: { name: 'after' } });
      await db.$transaction(async (tx) => tx.counter.update({ where: { name: 'after' }, data: { n: 1 } }));
      expect((await db.counter.findUniqueOrThrow({ where: { name: 'after' } })).n).toBe(1);
    }));

    itIf(caps, 'savepoints', 'a readOnly transaction nested in one that may write is refused; unknown options are refused', run(async (db) => {
      await expect(db.$transaction(async (tx) => tx.$transaction(async () => 1, { readOnly: true }))).rejects.toBeInstanceOf(ValidationError);
      await expect(db.$transaction(async () => 1, { readonly: true } as never)).rejects.toThrow(/Unknown \$transaction option 'readonly'/);
      expect(await db.$transaction(async (tx) => tx.$transaction(async (inner) => inner.user.count(), { readOnly: true }), { readOnly: true })).toBe(0);
    }));
  });

  describe(`${target.name}: raw SQL`, () => {
    it('tagged templates bind values; raw fragments compose; plain strings are refused', run(async (db) => {
      await seed(db);
      const email = "ada@example.com' OR '1'='1";
      expect(await db.$queryRaw`SELECT email FROM users WHERE email = ${email}`).toEqual([]);
      const rows = await db.$queryRaw<{ email: string }>`SELECT email FROM users WHERE age > ${18} ORDER BY email`;
      expect(rows.map((r) => r.email)).toEqual(['ada@example.com', 'cy@example.com']);
      const cond = raw`age < ${20}`;
      expect((await db.$queryRaw(raw`SELECT email FROM users WHERE ${cond}`)).length).toBe(1);
      expect(await db.$executeRaw`UPDATE users SET age = age + 1 WHERE age < ${20}`).toBe(1);
      // A bad argument rejects like any other failure: it never throws before the caller's await.
      await expect(db.$queryRaw('SELECT 1' as never)).rejects.toThrow(/plain string/);
      expect((await db.$queryRawUnsafe('SELECT email FROM users WHERE age = ' + target.adapter.compiler.placeholder(1), 18)).length).toBe(1);
    }));
  });
}
