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

    it('groupBy ordered by aggregates (_count, _sum, _avg, _min, _max), mixed with by fields, with take / skip, one query each', run(async (db) => {
      const { ada, bob, cy } = await seed(db);
      for (let i = 0; i < 3; i++) await db.post.create({ data: { title: `Alpha ${i}`, authorId: cy.id, rating: 1 } });
      const who = new Map([[ada.id, 'ada'], [bob.id, 'bob'], [cy.id, 'cy']]);
      const sqls: string[] = [];
      const off = db.$on('query', (e) => sqls.push(String(e.sql)));
      const authors = (groups: Array<{ authorId: string }>) => groups.map((g) => who.get(g.authorId));
      const bySum = await db.post.groupBy({ by: ['authorId'], _sum: { rating: true }, orderBy: { _sum: { rating: 'desc' } } });
      expect(authors(bySum)).toEqual(['ada', 'bob', 'cy']);
      expect(bySum.map((g) => g._sum.rating)).toEqual([8, 4, 3]);
      const byCount = await db.post.groupBy({ by: ['authorId'], _count: { _all: true }, orderBy: { _count: { _all: 'desc' } } });
      expect(byCount.map((g) => [who.get(g.authorId), g._count._all])).toEqual([['cy', 3], ['ada', 2], ['bob', 1]]);
      const byFieldCount = await db.post.groupBy({ by: ['authorId'], _count: { rating: true }, orderBy: { _count: { rating: 'asc' } } });
      expect(authors(byFieldCount)).toEqual(['bob', 'ada', 'cy']);
      // An array sorts by each key in turn: ada and bob tie on _avg (4), _max breaks the tie.
      const byAvg = await db.post.groupBy({ by: ['authorId'], _avg: { rating: true }, _max: { rating: true }, orderBy: [{ _avg: { rating: 'desc' } }, { _max: { rating: 'asc' } }] });
      expect(authors(byAvg)).toEqual(['bob', 'ada', 'cy']);
      expect(byAvg.map((g) => g._avg.rating)).toEqual([4, 4, 1]);
      const page = await db.post.groupBy({ by: ['authorId'], _min: { rating: true }, orderBy: { _min: { rating: 'desc' } }, skip: 1, take: 1 });
      expect(page.map((g) => [who.get(g.authorId), g._min.rating])).toEqual([['ada', 3]]);
      // Unpublished, ada and cy tie on _sum (3); the count (1 and 3) breaks the tie.
      const mixed = await db.post.groupBy({
        by: ['published', 'authorId'],
        _sum: { rating: true },
        _count: { _all: true },
        orderBy: [{ published: 'desc' }, { _sum: { rating: 'asc' } }, { _count: { _all: 'desc' } }],
        take: 3,
      });
      expect(mixed.map((g) => [g.published, who.get(g.authorId), g._sum.rating])).toEqual([[true, 'bob', 4], [true, 'ada', 5], [false, 'cy', 3]]);
      const roles = await db.user.groupBy({ by: ['role'], _max: { createdAt: true }, _min: { createdAt: true }, orderBy: { role: 'asc' } });
      expect(roles.map((g) => g.role)).toEqual(['admin', 'member']);
      expect(roles[1]._max.createdAt).toBeInstanceOf(Date);
      off();
      expect(sqls).toHaveLength(7);
    }));

    it('having on every aggregate, with AND / OR / NOT and plain filters on by fields; values are bound', run(async (db) => {
      const { ada, bob, cy } = await seed(db);
      for (let i = 0; i < 3; i++) await db.post.create({ data: { title: `Alpha ${i}`, authorId: cy.id, rating: 1 } });
      const who = new Map([[ada.id, 'ada'], [bob.id, 'bob'], [cy.id, 'cy']]);
      const authors = async (having: object) =>
        (await db.post.groupBy({ by: ['authorId'], _count: { _all: true }, having } as never) as Array<{ authorId: string }>).map((g) => who.get(g.authorId)).sort();
      expect(await authors({ rating: { _sum: { gt: 3 } } })).toEqual(['ada', 'bob']);
      expect(await authors({ rating: { _count: { gte: 2 } } })).toEqual(['ada', 'cy']);
      expect(await authors({ rating: { _count: { in: [1, 3] } } })).toEqual(['bob', 'cy']);
      expect(await authors({ rating: { _avg: { lt: 2 } } })).toEqual(['cy']);
      expect(await authors({ rating: { _min: { gte: 3 } } })).toEqual(['ada', 'bob']);
      expect(await authors({ rating: { _max: { equals: 4 } } })).toEqual(['bob']);
      expect(await authors({ rating: { _max: { not: 4 }, _sum: { lte: 8 } } })).toEqual(['ada', 'cy']);
      expect(await authors({ OR: [{ rating: { _max: { equals: 5 } } }, { rating: { _min: { equals: 1 } } }] })).toEqual(['ada', 'cy']);
      expect(await authors({ NOT: { rating: { _max: { equals: 5 } } }, AND: [{ rating: { _count: { gt: 0 } } }] })).toEqual(['bob', 'cy']);
      expect(await authors({ OR: [] })).toEqual([]);
      expect(await authors({ title: { _max: { gte: 'S' } } })).toEqual(['ada']);
      const published = await db.post.groupBy({ by: ['published'], _count: { _all: true }, having: { published: { equals: true }, rating: { _sum: { gt: 0 } } } });
      expect(published.map((g) => [g.published, g._count._all])).toEqual([[true, 2]]);
      const early = await db.user.groupBy({ by: ['role'], _count: { _all: true }, having: { createdAt: { _min: { lt: new Date(Date.now() + 60_000) } } }, orderBy: { role: 'asc' } });
      expect(early.map((g) => g.role)).toEqual(['admin', 'member']);
      const seen: Array<{ sql: string; params: unknown[] }> = [];
      const off = db.$on('query', (e) => seen.push({ sql: String(e.sql), params: e.params as unknown[] }));
      await db.post.groupBy({ by: ['authorId'], _sum: { rating: true }, having: { rating: { _sum: { gt: 31337 } } } });
      off();
      expect(seen).toHaveLength(1);
      expect(seen[0].sql).not.toContain('31337');
      expect(seen[0].params).toContain(31337);
    }));

    it('groupBy refuses bad aggregate input before SQL, naming the key and what is allowed', run(async (db) => {
      const sqls: string[] = [];
      db.$on('query', (e) => sqls.push(String(e.sql)));
      const bad = (args: object) => db.post.groupBy(args as never);
      await expect(bad({ by: ['authorId'], _sum: { title: true } })).rejects.toThrow(/_sum\.title needs a numeric field/);
      await expect(bad({ by: ['authorId'], orderBy: { _sum: { rating: 'desc' } } })).rejects.toThrow(/orderBy\._sum\.rating: order by an aggregate the call returns; add _sum: \{ rating: true \}/);
      await expect(bad({ by: ['authorId'], _sum: { rating: true }, orderBy: { _sum: { rating: 'down' } } })).rejects.toThrow(/must be 'asc' or 'desc'/);
      await expect(bad({ by: ['authorId'], orderBy: { title: 'asc' } })).rejects.toThrow(/orderBy\.title: order groups by a field of by \(authorId\) or by an aggregate/);
      await expect(bad({ by: ['authorId'], orderBy: { _median: { rating: 'asc' } } })).rejects.toThrow(/orderBy\._median/);
      await expect(bad({ by: ['authorId'], having: { nope: { _sum: { gt: 1 } } } })).rejects.toThrow(/having names unknown field 'nope'/);
      await expect(bad({ by: ['authorId'], having: { title: { _avg: { gt: 1 } } } })).rejects.toThrow(/having\.title\._avg needs a numeric field/);
      await expect(bad({ by: ['authorId'], having: { rating: {} } })).rejects.toThrow(/would match every group/);
      await expect(bad({ by: ['authorId'], having: { rating: { _sum: {} } } })).rejects.toThrow(/would match every group/);
      await expect(bad({ by: ['authorId'], having: { rating: { _sum: { gt: undefined } } } })).rejects.toThrow(/undefined/);
      await expect(bad({ by: ['authorId'], having: { rating: undefined } })).rejects.toThrow(/undefined/);
      await expect(bad({ by: ['authorId'], having: { rating: { _sum: { gt: '3' } } } })).rejects.toThrow(/takes an integer/);
      await expect(bad({ by: ['authorId'], having: { rating: { _sum: { like: 3 } } } })).rejects.toThrow(/unknown operator 'like'/);
      await expect(bad({ by: ['authorId'], having: { rating: { gt: 3 } } })).rejects.toThrow(/plain filter in having applies to fields of by only \(authorId\)/);
      await expect(bad({ by: ['authorId'], having: { OR: [undefined] } })).rejects.toThrow(/refuses to drop it/);
      await expect(bad({ by: ['authorId'], _count: true, nope: 1 })).rejects.toThrow(/unknown argument 'nope'/);
      for (const e of await Promise.allSettled([bad({ by: ['authorId'], having: { nope: {} } })])) expect(e.status === 'rejected' && e.reason).toBeInstanceOf(ValidationError);
      expect(sqls).toEqual([]);
    }));

    it('relation counts: include / select _count and orderBy a relation _count, in the one query of the call', run(async (db) => {
      await seed(db);
      const sqls: string[] = [];
      const off = db.$on('query', (e) => sqls.push(String(e.sql)));
      const users = await db.user.findMany({ include: { _count: { select: { posts: true } } }, orderBy: { email: 'asc' } });
      expect(users.map((u) => [u.email, u._count.posts])).toEqual([['ada@example.com', 2], ['bob@example.com', 1], ['cy@example.com', 0]]);
      expect(sqls).toHaveLength(1);
      const picked = await db.user.findMany({ select: { email: true, _count: { select: { posts: { where: { published: true } } } } }, orderBy: { email: 'asc' } });
      expect(picked).toEqual([
        { email: 'ada@example.com', _count: { posts: 1 } },
        { email: 'bob@example.com', _count: { posts: 1 } },
        { email: 'cy@example.com', _count: { posts: 0 } },
      ]);
      const all = await db.user.findFirst({ where: { email: 'ada@example.com' }, include: { _count: true } });
      expect(all!._count).toEqual({ posts: 2 });
      expect(sqls).toHaveLength(3);
      // Nested: the child query carries the children's counts (two queries, as any one-level include).
      const nested = await db.user.findUnique({ where: { email: 'ada@example.com' }, include: { posts: { orderBy: { title: 'asc' }, include: { _count: { select: { comments: true } } } } } });
      expect(nested!.posts.map((p) => [p.title, p._count.comments])).toEqual([['Hello SQLite world', 2], ['Second post', 0]]);
      expect(sqls).toHaveLength(5);
      const ranked = await db.user.findMany({ orderBy: [{ posts: { _count: 'desc' } }, { email: 'asc' }], select: { email: true } });
      expect(ranked.map((u) => u.email)).toEqual(['ada@example.com', 'bob@example.com', 'cy@example.com']);
      const fewest = await db.user.findMany({ orderBy: { posts: { _count: 'asc' } }, take: 1, skip: 1, select: { email: true } });
      expect(fewest).toEqual([{ email: 'bob@example.com' }]);
      const posts = await db.post.findMany({ orderBy: [{ comments: { _count: 'desc' } }, { title: 'asc' }], include: { _count: { select: { comments: true } } } });
      expect(posts.map((p) => p._count.comments)).toEqual([2, 1, 0]);
      expect(sqls).toHaveLength(8);
      const streamed: number[] = [];
      for await (const u of db.user.findManyStream({ orderBy: { email: 'asc' }, include: { _count: { select: { posts: true } } }, chunkSize: 2 })) streamed.push(u._count.posts);
      expect(streamed).toEqual([2, 1, 0]);
      off();
      const c = db.user.compile.findMany({ select: { email: true, _count: { select: { posts: { where: { title: "x' OR 1=1 --" } } } } } });
      expect(c.sql).not.toContain('OR 1=1');
      expect(c.params).toContain("x' OR 1=1 --");
      await expect(db.user.findMany({ include: { _count: { select: { profile: true } } } } as never)).rejects.toThrow(/'profile' is a to-one relation/);
      await expect(db.user.findMany({ include: { _count: { select: { nope: true } } } } as never)).rejects.toThrow(/unknown relation 'nope'/);
      await expect(db.user.findMany({ include: { _count: { select: {} } } })).rejects.toThrow(/names no relation/);
      await expect(db.user.findMany({ orderBy: { posts: { _count: 'up' } } } as never)).rejects.toThrow(/orderBy\.posts\._count must be 'asc' or 'desc'/);
      await expect(db.user.findMany({ orderBy: { profile: { _count: 'asc' } } } as never)).rejects.toThrow(/on a to-many relation/);
      await expect(db.user.findMany({ orderBy: { posts: { _count: 'asc' } }, cursor: { email: 'ada@example.com' } })).rejects.toThrow(/cursor pagination orders by fields only/);
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

    it('DbKnownError.meta has one shape per code on every dialect: model, table, fields, columns, constraint', run(async (db) => {
      const { ada } = await seed(db);
      const uniqueOn = (model: 'counter' | 'user', column: string) => db.$schema.models[model].indexes.find((i) => i.unique && i.columns.join() === column)!.name;
      await db.counter.create({ data: { name: 'dup' } });
      const dup = await db.counter.create({ data: { name: 'dup' } }).catch((e: unknown) => e);
      expect(dup).toBeInstanceOf(DbKnownError);
      const known = dup as DbKnownError;
      expect(known.is('UNIQUE_VIOLATION')).toBe(true);
      if (!known.is('UNIQUE_VIOLATION')) return;
      const shape = (m: Record<string, unknown>) => ({ model: m.model, table: m.table, fields: m.fields, columns: m.columns, constraint: m.constraint });
      expect(shape(known.meta)).toEqual({ model: 'counter', table: 'counters', fields: ['name'], columns: ['name'], constraint: uniqueOn('counter', 'name') });
      expect(typeof known.meta.driverCode === 'string' || typeof known.meta.driverCode === 'number').toBe(true);
      // The same through an update, and from createMany (no row read back).
      // cy: a user no row references (DuckDB refuses to update a referenced row, whatever the column).
      const viaUpdate = await db.user.update({ where: { email: 'cy@example.com' }, data: { email: ada.email } }).catch((e: DbKnownError) => e);
      expect(shape((viaUpdate as DbKnownError).meta)).toEqual({ model: 'user', table: 'users', fields: ['email'], columns: ['email'], constraint: uniqueOn('user', 'email') });
      const viaMany = await db.counter.createMany({ data: [{ name: 'fresh' }, { name: 'dup' }] }).catch((e: DbKnownError) => e);
      expect(shape((viaMany as DbKnownError).meta)).toMatchObject({ model: 'counter', fields: ['name'], constraint: uniqueOn('counter', 'name') });
      // A primary key collision names the key's fields.
      const first = await db.counter.findFirstOrThrow({ where: { name: 'dup' } });
      const pk = await db.counter.create({ data: { id: first.id, name: 'other' } }).catch((e: DbKnownError) => e);
      expect((pk as DbKnownError).code).toBe('UNIQUE_VIOLATION');
      expect((pk as DbKnownError).meta).toMatchObject({ model: 'counter', table: 'counters', fields: ['id'], columns: ['id'] });
      // A foreign key names the model; the fields where the database says which key failed (SQLite does not).
      const fk = await db.post.create({ data: { title: 'orphan', authorId: '00000000-0000-0000-0000-000000000000' } }).catch((e: DbKnownError) => e);
      expect((fk as DbKnownError).code).toBe('FOREIGN_KEY_VIOLATION');
      expect((fk as DbKnownError).meta).toMatchObject({ model: 'post', table: 'posts' });
      expect([undefined, ['authorId']]).toContainEqual((fk as DbKnownError).meta.fields);
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

    it('compile.<dialect> gives the SQL and params of any installed dialect without a connection; groupBy and aggregate compile too', run(async (db) => {
      const sqls: string[] = [];
      db.$on('query', (e) => sqls.push(String(e.sql)));
      const args = { where: { email: "x' OR 1=1 --" }, take: 2 };
      expect(await db.user.compile[target.adapter.kind].findMany(args)).toEqual(db.user.compile.findMany(args));
      const grouped = { by: ['role'], _count: { _all: true }, having: { age: { _avg: { gt: 31337 } } }, orderBy: { _count: { _all: 'desc' } } } as const;
      const spelled: Record<string, string> = {};
      for (const dialect of ['sqlite', 'postgres', 'mysql', 'duckdb'] as const) {
        const read = await db.user.compile[dialect].findMany(args);
        expect(read.sql).not.toContain('OR 1=1');
        expect(read.params).toContain("x' OR 1=1 --");
        const g = await db.user.compile[dialect].groupBy({ ...grouped, by: ['role'] });
        expect(g.sql).toMatch(/GROUP BY .* HAVING AVG\(.*\) > .* ORDER BY COUNT\(\*\) DESC/);
        expect(g.sql).not.toContain('31337');
        expect(g.params).toContain(31337);
        spelled[dialect] = read.sql;
      }
      expect(spelled.postgres).toContain('$1');
      expect(spelled.mysql).toContain('`users`');
      expect(spelled.sqlite).toContain('"users"');
      expect((await db.user.compile.postgres.create({ data: { email: 'a@b.c' } })).sql).toMatch(/^INSERT INTO "users"/);
      expect((await db.user.compile.mysql.aggregate({ _sum: { age: true } })).sql).toMatch(/SUM\(`users`\.`age`\)/);
      await expect(db.user.compile.postgres.findUnique({ where: { name: 'x' } } as never)).rejects.toBeInstanceOf(ValidationError);
      // A dialect without SQL compiles to its driver command, the hostile text a value in the filter.
      const command = (await db.user.compile.mongo.findMany(args)).sql as unknown as Record<string, unknown>;
      expect(command).toMatchObject({ find: 'users' });
      expect(JSON.stringify(command)).toContain("x' OR 1=1 --");
      expect(sqls).toEqual([]);
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
