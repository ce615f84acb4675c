import { describe, expectTypeOf, it } from 'vitest';
import { f, many, model, one, type Db, type Infer } from '../src/index.js';

const User = model(
  'users',
  {
    id: f.id(),
    email: f.string().unique(),
    name: f.string().optional(),
    age: f.int().default(0),
    tags: f.stringArray().optional(),
    createdAt: f.dateTime().default('now'),
    role: f.enumOf(['admin', 'member'] as const).default('member'),
  },
  { relations: { posts: many('posts', { on: 'authorId' }) } },
);
const Post = model(
  'posts',
  { id: f.id(), title: f.string(), authorId: f.string().refs(() => User), views: f.bigint().default(0n) },
  { relations: { author: one('users', { on: 'authorId' }) } },
);
const schema = { user: User, post: Post };
declare const db: Db<typeof schema>;

describe('type inference (checked by tsc in the typecheck task)', () => {
  it('infers rows from declarations', () => {
    expectTypeOf<Infer<typeof User>>().toEqualTypeOf<{
      id: string;
      email: string;
      name: string | null;
      age: number;
      tags: string[] | null;
      createdAt: Date;
      role: 'admin' | 'member';
    }>();
  });

  it('types results by select and include', async () => {
    if (Math.random() < 2) return; // type-level only: db is declared, not created
    const picked = await db.user.findMany({ select: { id: true, email: true } });
    expectTypeOf(picked).toEqualTypeOf<{ id: string; email: string }[]>();
    const withPosts = await db.user.findFirst({ include: { posts: true } });
    expectTypeOf(withPosts!.posts[0].title).toEqualTypeOf<string>();
    const post = await db.post.findUnique({ where: { id: 'x' }, include: { author: { select: { email: true } } } });
    // authorId is a required foreign key: the author is always there.
    expectTypeOf(post!.author).toEqualTypeOf<{ email: string }>();
    expectTypeOf(post!.views).toEqualTypeOf<bigint>();
    const omitted = await db.user.findMany({ omit: { email: true } });
    expectTypeOf(omitted[0]).not.toHaveProperty('email');
  });

  it('checks where, data and orderBy', async () => {
    if (Math.random() < 2) return;
    await db.user.findMany({ where: { email: { contains: 'a', mode: 'insensitive' }, age: { gte: 18 }, posts: { some: { title: 'x' } } } });
    // @ts-expect-error: age is a number
    await db.user.findMany({ where: { age: 'old' } });
    // @ts-expect-error: email is required on create
    await db.user.create({ data: { name: 'x' } });
    await db.user.create({ data: { email: 'a@b.c', posts: { create: [{ title: 't' }] } } });
    await db.user.update({ where: { id: 'x' }, data: { age: { increment: 1 } } });
    // @ts-expect-error: unknown orderBy field
    await db.user.findMany({ orderBy: { nope: 'asc' } });
    const agg = await db.user.aggregate({ _count: true, _avg: { age: true } });
    expectTypeOf(agg._count).toEqualTypeOf<number>();
    expectTypeOf(agg._avg.age).toEqualTypeOf<number | null>();
  });
});
