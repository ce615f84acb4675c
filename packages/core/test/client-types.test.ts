import { describe, expectTypeOf, it } from 'vitest';
import { f, many, model, one, type Db, type Field, type Model, type WhereUniqueInput } from '../src/index.js';

/**
 * Type rules of the model client (issue 17), checked by `tsc --noEmit` in the package's typecheck task: each
 * `@ts-expect-error` line must fail to compile, each `expectTypeOf` must hold. The bodies return before running
 * (db is declared, not created).
 */

/** A field state with the type-level `unique: true` mark that `f.id()` and `.unique()` carry (see WhereUniqueInput). */
type UniqueString = Field<{ out: string; in: string; nullable: false; hasDefault: false; unique: true }>;
type UniqueId = Field<{ out: string; in: string; nullable: false; hasDefault: true; unique: true }>;
const uniqueString = f.string().unique() as unknown as UniqueString;
const uniqueId = f.id() as unknown as UniqueId;

const User = model(
  'users',
  {
    id: uniqueId,
    email: uniqueString,
    name: f.string().optional(),
    age: f.int().default(0),
    visits: f.bigint().default(0n),
    balance: f.decimal().optional(),
    score: f.float().optional(),
    active: f.bool().default(true),
    createdAt: f.dateTime().default('now'),
  },
  { relations: { posts: many('posts', { on: 'authorId' }), profile: one('profiles', { on: 'userId' }), memberships: many('members', { on: 'userId' }) } },
);
const Profile = model('profiles', { id: uniqueId, userId: f.string().optional(), bio: f.text() }, { relations: { user: one('users', { on: 'userId' }) } });
const Post = model(
  'posts',
  { id: uniqueId, title: f.string(), authorId: f.string(), editorId: f.string().optional(), rating: f.int().optional(), publishedAt: f.dateTime().optional() },
  { relations: { author: one('users', { on: 'authorId' }), editor: one('users', { on: 'editorId' }), comments: many('comments', { on: 'postId' }) } },
);
const Comment = model('comments', { id: uniqueId, postId: f.string(), text: f.string() });
/** A compound unique (orgId + userId), as the schema's `uniques` option marks it on the model type. */
const MemberBase = model('members', { id: uniqueId, orgId: f.string(), userId: f.string(), role: f.string() }, { uniques: [['orgId', 'userId']] });
const Member = MemberBase as typeof MemberBase & { readonly __uniques?: readonly [readonly ['orgId', 'userId']] };
/** Declared without unique marks: any where type-checks, the run-time check decides. */
const Plain = model('plains', { id: f.id(), name: f.string().unique() });

const schema = { user: User, profile: Profile, post: Post, comment: Comment, member: Member, plain: Plain };
declare const db: Db<typeof schema>;
const typeOnly = () => Math.random() < 2;

describe('client type rules (checked by tsc in the typecheck task)', () => {
  it('a unique where names a unique field or every field of a compound unique', async () => {
    if (typeOnly()) return;
    await db.user.findUnique({ where: { id: 'x' } });
    await db.user.findUnique({ where: { email: 'a@b.c', age: { gte: 3 } } });
    await db.user.findUnique({ where: { email: { equals: 'a@b.c' } } });
    await db.user.update({ where: { email: 'a@b.c' }, data: { age: 1 } });
    await db.user.delete({ where: { id: 'x' } });
    await db.user.upsert({ where: { email: 'a@b.c' }, create: { email: 'a@b.c' }, update: {} });
    await db.member.findUnique({ where: { orgId: 'o', userId: 'u' } });
    // @ts-expect-error: name is not unique
    await db.user.findUnique({ where: { name: 'Ada' } });
    // @ts-expect-error: age alone pins no row
    await db.user.update({ where: { age: 3 }, data: { age: 1 } });
    // @ts-expect-error: a filter operator does not pin a row
    await db.user.delete({ where: { email: { contains: 'a' } } });
    // @ts-expect-error: upsert needs a unique where too
    await db.user.upsert({ where: { name: 'x' }, create: { email: 'a@b.c' }, update: {} });
    // @ts-expect-error: half of a compound unique
    await db.member.findUnique({ where: { orgId: 'o' } });
    // @ts-expect-error: a unique value cannot be null
    await db.user.findUnique({ where: { email: null } });
    // A model without marks accepts any where (refused at run time when not unique).
    await db.plain.findUnique({ where: { name: 'x' } });
    expectTypeOf<{ role: string }>().not.toMatchTypeOf<WhereUniqueInput<typeof schema, typeof Member>>();
  });

  it('_sum and _avg apply to numeric fields only (int, float, bigint, decimal)', async () => {
    if (typeOnly()) return;
    const agg = await db.user.aggregate({ _sum: { age: true, visits: true, balance: true, score: true }, _avg: { age: true } });
    expectTypeOf(agg._sum.age).toEqualTypeOf<number | null>();
    expectTypeOf(agg._sum.visits).toEqualTypeOf<bigint | null>();
    expectTypeOf(agg._sum.balance).toEqualTypeOf<string | null>();
    expectTypeOf(agg._avg.age).toEqualTypeOf<number | null>();
    // @ts-expect-error: email is a string
    await db.user.aggregate({ _sum: { email: true } });
    // @ts-expect-error: createdAt is a Date
    await db.user.aggregate({ _avg: { createdAt: true } });
    // @ts-expect-error: in groupBy too
    await db.post.groupBy({ by: ['authorId'], _sum: { title: true } });
  });

  it('_min and _max are typed by the field: a Date stays a Date', async () => {
    if (typeOnly()) return;
    const agg = await db.user.aggregate({ _min: { createdAt: true, email: true }, _max: { age: true, active: true } });
    expectTypeOf(agg._min.createdAt).toEqualTypeOf<Date | null>();
    expectTypeOf(agg._min.email).toEqualTypeOf<string | null>();
    expectTypeOf(agg._max.age).toEqualTypeOf<number | null>();
    expectTypeOf(agg._max.active).toEqualTypeOf<boolean | null>();
    const groups = await db.post.groupBy({ by: ['authorId'], _max: { publishedAt: true }, _count: { _all: true } });
    expectTypeOf(groups[0]._max.publishedAt).toEqualTypeOf<Date | null>();
    expectTypeOf(groups[0].authorId).toEqualTypeOf<string>();
    expectTypeOf(groups[0]._count._all).toEqualTypeOf<number>();
  });

  it('select and include are mutually exclusive', async () => {
    if (typeOnly()) return;
    await db.user.findMany({ select: { email: true, posts: true } });
    await db.user.findMany({ include: { posts: true } });
    // @ts-expect-error: both select and include
    await db.user.findMany({ select: { email: true }, include: { posts: true } });
    // @ts-expect-error: on findUnique as well
    await db.user.findUnique({ where: { id: 'x' }, select: { email: true }, include: { posts: true } });
    // @ts-expect-error: and on writes
    await db.user.create({ data: { email: 'a@b.c' }, select: { id: true }, include: { posts: true } });
  });

  it('a belongs-to relation on a required foreign key is non-null; optional keys and has-one stay nullable', async () => {
    if (typeOnly()) return;
    const post = await db.post.findFirstOrThrow({ include: { author: true, editor: true } });
    expectTypeOf(post.author.email).toEqualTypeOf<string>();
    expectTypeOf(post.editor).toEqualTypeOf<typeof post.author | null>();
    const user = await db.user.findFirstOrThrow({ include: { profile: true } });
    expectTypeOf(user.profile).toMatchTypeOf<{ bio: string } | null>();
    expectTypeOf<null>().toMatchTypeOf<typeof user.profile>();
    const picked = await db.post.findFirstOrThrow({ select: { author: { select: { email: true } } } });
    expectTypeOf(picked.author).toEqualTypeOf<{ email: string }>();
  });

  it('groupBy orderBy by aggregates, having on every aggregate', async () => {
    if (typeOnly()) return;
    await db.post.groupBy({ by: ['authorId'], _sum: { rating: true }, orderBy: { _sum: { rating: 'desc' } }, take: 2, skip: 1 });
    await db.post.groupBy({ by: ['authorId'], _count: { _all: true }, orderBy: [{ _count: { _all: 'desc' } }, { authorId: 'asc' }] });
    await db.post.groupBy({ by: ['authorId'], _max: { publishedAt: true }, orderBy: { _max: { publishedAt: { sort: 'asc', nulls: 'last' } } } });
    await db.post.groupBy({ by: ['authorId'], having: { rating: { _sum: { gt: 100 }, _avg: { lte: 4.5 }, _count: { in: [1, 2] } }, publishedAt: { _max: { gte: new Date() } } } });
    await db.post.groupBy({ by: ['authorId'], having: { OR: [{ rating: { _min: { equals: 1 } } }, { authorId: { equals: 'x' } }] } });
    // @ts-expect-error: _sum of a text field
    await db.post.groupBy({ by: ['authorId'], orderBy: { _sum: { title: 'desc' } } });
    // @ts-expect-error: unknown sort direction
    await db.post.groupBy({ by: ['authorId'], orderBy: { _count: { _all: 'down' } } });
    // @ts-expect-error: _avg of a text field in having
    await db.post.groupBy({ by: ['authorId'], having: { title: { _avg: { gt: 1 } } } });
    // @ts-expect-error: _max of a Date field compared with a number
    await db.post.groupBy({ by: ['authorId'], having: { publishedAt: { _max: { gt: 5 } } } });
    // @ts-expect-error: unknown field in having
    await db.post.groupBy({ by: ['authorId'], having: { nope: { _count: { gt: 1 } } } });
    // @ts-expect-error: a count is a number
    await db.post.groupBy({ by: ['authorId'], having: { rating: { _count: { gt: 'many' } } } });
  });

  it('relation counts in include / select, and orderBy a relation _count', async () => {
    if (typeOnly()) return;
    const users = await db.user.findMany({ include: { _count: { select: { posts: true } } } });
    expectTypeOf(users[0]._count).toEqualTypeOf<{ posts: number }>();
    expectTypeOf(users[0].email).toEqualTypeOf<string>();
    const picked = await db.user.findMany({ select: { email: true, _count: { select: { posts: { where: { title: { contains: 'x' } } }, memberships: true } } } });
    expectTypeOf(picked[0]).toEqualTypeOf<{ email: string; _count: { posts: number; memberships: number } }>();
    const all = await db.user.findFirstOrThrow({ include: { _count: true } });
    expectTypeOf(all._count).toEqualTypeOf<{ posts: number; memberships: number }>();
    const nested = await db.user.findFirstOrThrow({ include: { posts: { include: { _count: { select: { comments: true } } } } } });
    expectTypeOf(nested.posts[0]._count.comments).toEqualTypeOf<number>();
    await db.user.findMany({ orderBy: [{ posts: { _count: 'desc' } }, { email: 'asc' }] });
    // @ts-expect-error: a to-one relation has no count
    await db.user.findMany({ include: { _count: { select: { profile: true } } } });
    // @ts-expect-error: unknown relation
    await db.user.findMany({ select: { _count: { select: { nope: true } } } });
    // @ts-expect-error: orderBy a to-one relation's _count
    await db.user.findMany({ orderBy: { profile: { _count: 'asc' } } });
    // @ts-expect-error: filter of the counted rows is checked against the target model
    await db.user.findMany({ include: { _count: { select: { posts: { where: { nope: 1 } } } } } });
  });
});
