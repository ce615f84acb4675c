import { ValidationError, type Expr, type InsertNode } from '@forge/core';
import { describe, expect, it } from 'vitest';
import { adapter, compileFilter, likeToRegex } from '../src/index.js';
import { offlineDb } from './helpers.js';

const db = offlineDb();
const cmd = (q: { sql: unknown }) => q.sql;

describe('find: filter, projection, sort, skip, limit (golden, through the client)', () => {
  it('a findMany with every read option', () => {
    expect(
      cmd(db.user.compile.findMany({ where: { age: { gte: 18, lt: 65 }, email: { endsWith: '@x.io' }, name: { not: null } }, select: { id: true, email: true }, orderBy: { age: 'desc' }, skip: 20, take: 10 })),
    ).toEqual({
      find: 'users',
      filter: { $and: [{ age: { $gte: 18 } }, { age: { $lt: 65 } }, { email: /@x\.io$/ }, { name: { $ne: null } }] },
      projection: { _id: 1, email: 1 },
      sort: { age: -1 },
      skip: 20,
      limit: 10,
    });
  });

  it('findUnique by id reads _id; equality, IN, OR and NOT keep SQL null semantics (a filter never widens)', () => {
    expect(cmd(db.user.compile.findUnique({ where: { id: 'u1' }, select: { name: true } }))).toEqual({ find: 'users', filter: { _id: { $eq: 'u1' } }, projection: { name: 1, _id: 0 }, limit: 1 });
    const q = cmd(db.user.compile.findMany({ where: { OR: [{ age: { in: [1, 2] } }, { NOT: { email: 'a@x' } }], name: { notIn: ['x'] } }, select: { id: true } })) as { filter: unknown };
    expect(q.filter).toEqual({ $and: [{ $or: [{ age: { $in: [1, 2] } }, { email: { $nin: ['a@x', null] } }] }, { name: { $nin: ['x', null] } }] });
  });

  it('contains / startsWith with insensitive mode are escaped regular expressions, never patterns from the value', () => {
    const q = cmd(db.user.compile.findMany({ where: { email: { contains: 'a.b*(c)', mode: 'insensitive' }, name: { startsWith: '^x' } }, select: { id: true } })) as { filter: { $and: Array<Record<string, RegExp>> } };
    expect(q.filter.$and[0].email).toEqual(/a\.b\*\(c\)/i);
    expect(q.filter.$and[1].name).toEqual(/^\^x/);
    expect(new RegExp(likeToRegex('a%b_c\\%')).test('aXXbYc%')).toBe(true);
  });

  it('array fields: has / hasSome / hasEvery', () => {
    const q = cmd(db.user.compile.findMany({ where: { tags: { hasSome: ['a', 'b'] } }, select: { id: true } })) as { filter: unknown };
    expect(q.filter).toEqual({ tags: { $in: ['a', 'b'] } });
  });
});

describe('aggregate and groupBy pipelines (golden)', () => {
  it('count: one $group, and zero when nothing matched', async () => {
    const q = db.user.compile.count({ where: { age: { gt: 30 } } });
    expect(cmd(q)).toEqual({ aggregate: 'users', pipeline: [{ $match: { age: { $gt: 30 } } }, { $group: { _id: null, a0: { $sum: 1 } } }], cursor: {} });
  });

  it('aggregate: _count, _sum, _avg, _min, _max', () => {
    const q = cmd(db.user.compile.aggregate({ _count: { _all: true, name: true }, _sum: { age: true }, _avg: { score: true }, _min: { age: true }, _max: { createdAt: true } })) as { pipeline: Array<Record<string, unknown>> };
    expect(q.pipeline).toHaveLength(1);
    expect(q.pipeline[0].$group).toMatchObject({ _id: null });
    const accs = Object.values(q.pipeline[0].$group as Record<string, unknown>).slice(1);
    expect(accs).toEqual(expect.arrayContaining([{ $sum: 1 }, { $sum: '$age' }, { $avg: '$score' }, { $min: '$age' }, { $max: '$createdAt' }, { $sum: { $cond: [{ $eq: [{ $ifNull: ['$name', null] }, null] }, 0, 1] } }]));
  });

  it('groupBy with having, orderBy and take', () => {
    const q = cmd(db.user.compile.groupBy({ by: ['name'], _count: { _all: true }, _sum: { age: true }, having: { age: { _sum: { gt: 100 } } }, orderBy: { name: 'asc' }, take: 5 })) as { pipeline: Array<Record<string, unknown>> };
    expect(q.pipeline[0]).toEqual({ $group: { _id: { k0: '$name' }, ...(q.pipeline[0].$group as object) } });
    expect((q.pipeline[0].$group as Record<string, unknown>)._id).toEqual({ k0: '$name' });
    const having = q.pipeline.find((s) => '$match' in s)!;
    expect(Object.values(having.$match as object)[0]).toEqual({ $gt: 100 });
    expect(q.pipeline.slice(-2)).toEqual([{ $sort: { '_id.k0': 1 } }, { $limit: 5 }]);
  });
});

describe('writes (golden)', () => {
  it('create: one insert with the generated id as _id; the document comes back as the row', () => {
    const q = cmd(db.user.compile.create({ data: { email: 'a@x', age: 3, tags: ['t'] } })) as { insert: string; documents: Array<Record<string, unknown>>; ordered: boolean };
    expect(q.insert).toBe('users');
    expect(q.ordered).toBe(true);
    expect(Object.keys(q.documents[0]).sort()).toEqual(['_id', 'age', 'createdAt', 'email', 'tags']);
    expect(q.documents[0]._id).toMatch(/^[0-9a-f-]{36}$/);
    expect(q.documents[0].createdAt).toBeInstanceOf(Date);
  });

  it('update by key: findAndModify with new: true ($set, $inc); deleteMany: one delete with limit 0', () => {
    expect(cmd(db.user.compile.update({ where: { id: 'u1' }, data: { name: 'N', age: { increment: 2 } } }))).toEqual({
      findAndModify: 'users',
      query: { _id: { $eq: 'u1' } },
      update: { $set: { name: 'N' }, $inc: { age: 2 } },
      new: true,
    });
    expect(cmd(db.user.compile.deleteMany({ where: { age: { lt: 1 } } }))).toEqual({ delete: 'users', deletes: [{ q: { age: { $lt: 1 } }, limit: 0 }] });
    expect(cmd(db.user.compile.delete({ where: { id: 'u1' } }))).toEqual({ findAndModify: 'users', query: { _id: { $eq: 'u1' } }, remove: true });
  });

  it('upsert: one atomic findAndModify with upsert, $set for the update and $setOnInsert for the new document', () => {
    const node: InsertNode = {
      t: 'insert',
      table: 'users',
      columns: ['id', 'email', 'age'],
      rows: [[{ t: 'param', value: 'u1' }, { t: 'param', value: 'a@x' }, { t: 'param', value: 1 }]],
      onConflict: { target: ['email'], action: { set: [['age', { t: 'param', value: 2 }]] } },
      returning: ['id', 'email', 'age'],
    };
    expect(adapter.executor.prepare(node).sql).toEqual({ findAndModify: 'users', query: { email: 'a@x' }, update: { $set: { age: 2 }, $setOnInsert: { _id: 'u1' } }, upsert: true, new: true });
  });

  it('createMany with skipDuplicates: insert with ordered: false', () => {
    const node: InsertNode = { t: 'insert', table: 'users', columns: ['id', 'email'], rows: [[{ t: 'param', value: 'a' }, { t: 'param', value: 'a@x' }], [{ t: 'param', value: 'b' }, { t: 'param', value: 'b@x' }]], onConflict: { target: [], action: 'nothing' } };
    expect(adapter.executor.prepare(node).sql).toEqual({ insert: 'users', documents: [{ _id: 'a', email: 'a@x' }, { _id: 'b', email: 'b@x' }], ordered: false });
  });
});

describe('what MongoDB does not take says so', () => {
  it('raw SQL', async () => {
    expect(() => adapter.executor.prepareRaw({ t: 'raw', strings: ['SELECT 1'], values: [] })).toThrow(/MongoDB takes no SQL.*\$runCommandRaw/);
    await expect(db.$queryRaw`SELECT 1`).rejects.toThrow(/MongoDB takes no SQL/);
  });
  it('a nested $transaction', async () => {
    const err = await db.$transaction(async (tx) => tx.$transaction(async () => 1)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Error);
  });
  it('SQL text on the connection', async () => {
    const err = await Promise.resolve().then(() => adapter.executor.rows(undefined as never, { sql: 'SELECT 1', params: [] })).then(() => undefined, (e: unknown) => e);
    expect(err).toBeInstanceOf(ValidationError);
  });
});

describe("SQL's null semantics in the corners: a filter never widens (golden)", () => {
  const name: Expr = { t: 'col', name: 'name' };
  const tags: Expr = { t: 'col', name: 'tags' };
  const p = (value: unknown): Expr => ({ t: 'param', value });
  it('NOT IN (): every document; NOT IN with a NULL: none (x <> NULL is unknown); IN with only NULL: none', () => {
    expect(compileFilter({ t: 'in', expr: name, values: [], negate: true })).toEqual({});
    expect(compileFilter({ t: 'not', expr: { t: 'in', expr: name, values: [], negate: false } })).toEqual({});
    expect(compileFilter({ t: 'in', expr: name, values: [p('a'), p(null)], negate: true })).toEqual({ _id: { $exists: false } });
    expect(compileFilter({ t: 'in', expr: name, values: [p(null)], negate: false })).toEqual({ _id: { $exists: false } });
    expect(compileFilter({ t: 'in', expr: name, values: [p('a'), p(null)], negate: false })).toEqual({ name: { $in: ['a'] } });
  });
  it('a negated array filter leaves a null array out; hasEvery of nothing holds for every array that is set', () => {
    expect(compileFilter({ t: 'not', expr: { t: 'arrayHas', expr: tags, mode: 'has', values: ['x'], elementKind: 'string' } })).toEqual({ $and: [{ tags: { $ne: null } }, { $nor: [{ tags: 'x' }] }] });
    expect(compileFilter({ t: 'arrayHas', expr: tags, mode: 'hasEvery', values: [], elementKind: 'string' })).toEqual({ tags: { $ne: null } });
    expect(compileFilter({ t: 'arrayHas', expr: tags, mode: 'hasEvery', values: ['a', 'b'], elementKind: 'string' })).toEqual({ tags: { $all: ['a', 'b'] } });
  });
});
