import { createDbWith, ValidationError } from '@forge/core';
import { blogSchema } from '@forge/testkit';
import { MongoClient } from 'mongodb';
import { describe, expect, it } from 'vitest';
import { adapter, MongoConnection } from '../src/index.js';

/** The conformance suite's blog schema (users, posts, comments, a has-one profile), on a client that never connects. */
const client = new MongoClient('mongodb://127.0.0.1:1/app', { serverSelectionTimeoutMS: 1 });
const db = createDbWith(adapter, new MongoConnection(client, client.db('app'), { target: 'offline' }, false), blogSchema());
const cmd = (q: { sql: unknown }) => q.sql as { aggregate: string; pipeline: Array<Record<string, unknown>>; cursor: object };

/** The join of a relation `$lookup`: the parent's key by `let`, `$eq` on the foreign field, never a NULL key. */
const join = (field: string, k: string) => ({ $match: { $expr: { $and: [{ $eq: [`$${field}`, `$$${k}`] }, { $gt: [`$$${k}`, null] }] } } });
const exists = (from: string, local: string, field: string, k: string, as: string, ...rest: object[]) => ({
  $lookup: { from, let: { [k]: `$${local}` }, pipeline: [join(field, k), ...rest, { $limit: 1 }, { $project: { _id: 1 } }], as },
});
const count = (from: string, local: string, field: string, k: string, as: string, ...rest: object[]) => ({
  $lookup: { from, let: { [k]: `$${local}` }, pipeline: [join(field, k), ...rest, { $count: 'n' }], as },
});
const countValue = (as: string) => ({ [as]: { $ifNull: [{ $arrayElemAt: [`$${as}.n`, 0] }, 0] } });

describe('relation filters: one aggregate with a pipeline-form $lookup, then $match on $size (golden)', () => {
  it('some: the plain parts of the filter run before the lookup; the lookup keeps one _id', () => {
    expect(cmd(db.user.compile.findMany({ where: { posts: { some: { published: true } }, age: { gt: 3 } }, select: { email: true }, orderBy: { email: 'asc' }, take: 5 }))).toEqual({
      aggregate: 'users',
      pipeline: [
        { $match: { age: { $gt: 3 } } },
        exists('posts', '_id', 'authorId', 'k0', '__forge_r0', { $match: { published: { $eq: true } } }),
        { $match: { __forge_r0: { $not: { $size: 0 } } } },
        { $sort: { email: 1 } },
        { $limit: 5 },
        { $project: { email: 1, _id: 0 } },
      ],
      cursor: {},
    });
  });

  it("none and every: NOT EXISTS; every's inner filter negated with SQL's null semantics (a NULL field is no counterexample)", () => {
    expect(cmd(db.user.compile.findMany({ where: { posts: { none: {} } }, select: { email: true } })).pipeline).toEqual([
      exists('posts', '_id', 'authorId', 'k0', '__forge_r0'),
      { $match: { __forge_r0: { $size: 0 } } },
      { $project: { email: 1, _id: 0 } },
    ]);
    expect(cmd(db.user.compile.findMany({ where: { posts: { every: { rating: { gte: 3 } } } }, select: { email: true } })).pipeline).toEqual([
      exists('posts', '_id', 'authorId', 'k0', '__forge_r0', { $match: { rating: { $lt: 3 } } }),
      { $match: { __forge_r0: { $size: 0 } } },
      { $project: { email: 1, _id: 0 } },
    ]);
    // every: {} constrains nothing (every row), as core compiles it for SQL.
    expect(cmd(db.user.compile.findMany({ where: { posts: { every: {} } }, select: { email: true } }))).toEqual({ find: 'users', filter: {}, projection: { email: 1, _id: 0 } });
  });

  it('to-one: is / isNot / null, from the side that holds the key (belongs-to) and from the other (has-one)', () => {
    expect(cmd(db.post.compile.findMany({ where: { author: { is: { role: 'admin' } } }, select: { title: true } })).pipeline).toEqual([
      exists('users', 'authorId', '_id', 'k0', '__forge_r0', { $match: { role: { $eq: 'admin' } } }),
      { $match: { __forge_r0: { $not: { $size: 0 } } } },
      { $project: { title: 1, _id: 0 } },
    ]);
    expect(cmd(db.post.compile.findMany({ where: { author: { isNot: { role: 'admin' } } }, select: { title: true } })).pipeline.slice(0, 2)).toEqual([
      exists('users', 'authorId', '_id', 'k0', '__forge_r0', { $match: { role: { $eq: 'admin' } } }),
      { $match: { __forge_r0: { $size: 0 } } },
    ]);
    expect(cmd(db.user.compile.findMany({ where: { profile: null }, select: { email: true } })).pipeline.slice(0, 2)).toEqual([
      exists('profiles', '_id', 'userId', 'k0', '__forge_r0'),
      { $match: { __forge_r0: { $size: 0 } } },
    ]);
  });

  it('nested relation filters nest the $lookup inside the sub-pipeline (its own let variable)', () => {
    expect(cmd(db.user.compile.findMany({ where: { posts: { some: { comments: { some: { text: 'x' } } } } }, select: { email: true } })).pipeline[0]).toEqual(
      exists(
        'posts',
        '_id',
        'authorId',
        'k0',
        '__forge_r0',
        exists('comments', '_id', 'postId', 'k1', '__forge_r1', { $match: { text: { $eq: 'x' } } }),
        { $match: { __forge_r1: { $not: { $size: 0 } } } },
      ),
    );
  });

  it('inside OR and NOT: each relation filter is one lookup, negation flips $size (EXISTS is never unknown)', () => {
    const q = cmd(db.user.compile.findMany({ where: { OR: [{ email: 'a@x' }, { NOT: { posts: { some: {} } } }] }, select: { email: true } }));
    expect(q.pipeline.slice(0, 2)).toEqual([exists('posts', '_id', 'authorId', 'k0', '__forge_r0'), { $match: { $or: [{ email: { $eq: 'a@x' } }, { __forge_r0: { $size: 0 } }] } }]);
  });

  it('count, aggregate and groupBy with a relation filter: the lookup before the $group', () => {
    expect(cmd(db.user.compile.count({ where: { posts: { none: {} } } })).pipeline).toEqual([
      exists('posts', '_id', 'authorId', 'k0', '__forge_r0'),
      { $match: { __forge_r0: { $size: 0 } } },
      { $group: { _id: null, a0: { $sum: 1 } } },
    ]);
    const g = cmd(db.post.compile.groupBy({ by: ['published'], _count: { _all: true }, where: { author: { is: { active: true } } } }));
    expect(g.pipeline.map((s) => Object.keys(s)[0])).toEqual(['$lookup', '$match', '$group']);
  });

  it('updates and deletes with a relation filter are refused before anything is sent, naming the next step', async () => {
    await expect(db.user.updateMany({ where: { posts: { none: {} } }, data: { active: false } })).rejects.toThrow(/update or delete is not compiled for MongoDB.*findMany/);
    expect(() => db.user.compile.deleteMany({ where: { posts: { none: {} } } })).toThrow(ValidationError);
  });
});

describe('relation counts: $lookup ending in $count, in the one command of the call (golden)', () => {
  it('include _count with take: the page is cut first, the counts looked up for its documents only', () => {
    const q = cmd(db.user.compile.findMany({ select: { email: true, _count: { select: { posts: true } } }, orderBy: { email: 'asc' }, take: 2 }));
    expect(q.pipeline).toEqual([
      { $sort: { email: 1 } },
      { $limit: 2 },
      count('posts', '_id', 'authorId', 'k0', '__forge_c0'),
      { $set: countValue('__forge_c0') },
      { $project: { email: 1, __forge_c0: 1, _id: 0 } },
    ]);
  });

  it('a filtered count; orderBy a relation _count: the count set before the $sort', () => {
    const q = cmd(db.user.compile.findMany({ orderBy: [{ posts: { _count: 'desc' } }, { email: 'asc' }], select: { email: true, _count: { select: { posts: { where: { published: true } } } } } }));
    expect(q.pipeline).toEqual([
      count('posts', '_id', 'authorId', 'k0', '__forge_c1'),
      { $set: countValue('__forge_c1') },
      { $sort: { __forge_c1: -1, email: 1 } },
      count('posts', '_id', 'authorId', 'k1', '__forge_c0', { $match: { published: { $eq: true } } }),
      { $set: countValue('__forge_c0') },
      { $project: { email: 1, __forge_c0: 1, _id: 0 } },
    ]);
  });

  it("a count's where may filter on relations again: the nested lookup runs inside the count's sub-pipeline", () => {
    const q = cmd(db.user.compile.findMany({ select: { email: true, _count: { select: { posts: { where: { comments: { some: {} } } } } } } }));
    expect(q.pipeline[0]).toEqual(
      count('posts', '_id', 'authorId', 'k0', '__forge_c0', exists('comments', '_id', 'postId', 'k1', '__forge_r0'), { $match: { __forge_r0: { $not: { $size: 0 } } } }),
    );
  });

  it('the same count in the columns and the order is looked up once', () => {
    const q = cmd(db.post.compile.findMany({ orderBy: { comments: { _count: 'desc' } }, select: { title: true, _count: { select: { comments: true } } } }));
    expect(q.pipeline.filter((s) => '$lookup' in s)).toHaveLength(1);
    expect(q.pipeline.slice(-2)).toEqual([{ $sort: { __forge_c0: -1 } }, { $project: { title: 1, __forge_c0: 1, _id: 0 } }]);
  });
});
