import { ValidationError, type Expr, type SelectNode } from '@forge/core';
import { ObjectId } from 'mongodb';
import { describe, expect, it } from 'vitest';
import { adapter, checkValue, compileFilter } from '../src/index.js';
import { blogSchema } from '@forge/testkit';
import { createDbWith } from '@forge/core';
import { MongoClient } from 'mongodb';
import { MongoConnection } from '../src/index.js';
import { offlineDb } from './helpers.js';

const db = offlineDb();

/** Payloads an attacker puts where a scalar belongs (query strings parsed into objects, JSON bodies). */
const PAYLOADS: unknown[] = [
  { $ne: '' },
  { $gt: '' },
  { $regex: '.*' },
  { $where: 'sleep(1000)' },
  { $function: { body: 'function(){return true}', args: [], lang: 'js' } },
  { $expr: { $eq: [1, 1] } },
  { a: { b: { $ne: null } } },
  [{ $ne: 1 }],
  { nested: [{ deep: [{ $in: [1] }] }] },
];

const select = (where: Expr): SelectNode => ({ t: 'select', from: { table: 'users', alias: 'users' }, columns: [{ expr: { t: 'col', name: 'email' }, alias: 'email' }], where });
const eq = (value: unknown): Expr => ({ t: 'cmp', op: '=', left: { t: 'col', name: 'email' }, right: { t: 'param', value } });

describe('operator injection is refused by construction', () => {
  for (const p of PAYLOADS) {
    const label = JSON.stringify(p);
    it(`${label}: as a value, inside $and / $or / NOT, in IN lists, in writes`, () => {
      const shapes: Expr[] = [
        eq(p),
        { t: 'and', items: [eq('ok'), eq(p)] },
        { t: 'or', items: [eq('ok'), { t: 'and', items: [eq('ok'), eq(p)] }] },
        { t: 'not', expr: eq(p) },
        { t: 'in', expr: { t: 'col', name: 'email' }, values: [{ t: 'param', value: 'a' }, { t: 'param', value: p }], negate: false },
      ];
      for (const where of shapes) expect(() => adapter.executor.prepare(select(where)), JSON.stringify(where)).toThrow(ValidationError);
      expect(() => adapter.executor.prepare({ t: 'insert', table: 'users', columns: ['email'], rows: [[{ t: 'param', value: p }]] })).toThrow(ValidationError);
      expect(() => adapter.executor.prepare({ t: 'update', table: 'users', alias: 'users', set: [['email', { t: 'param', value: p }]], where: eq('x') })).toThrow(ValidationError);
    });

    it(`${label}: inside a relation filter's sub-pipeline (some / none / every, nested) and a relation _count's where`, () => {
      const link: Expr = { t: 'cmp', op: '=', left: { t: 'col', table: 'r1', name: 'userId' }, right: { t: 'col', table: 'users', name: 'id' } };
      const inner = (where: Expr): SelectNode => ({ t: 'select', from: { table: 'posts', alias: 'r1' }, columns: [{ expr: { t: 'lit', sql: '1' }, alias: 'one' }], where: { t: 'and', items: [link, where] } });
      const postEq: Expr = { t: 'cmp', op: '=', left: { t: 'col', table: 'r1', name: 'title' }, right: { t: 'param', value: p } };
      const deeper: Expr = { t: 'exists', negate: false, query: { t: 'select', from: { table: 'comments', alias: 'r2' }, columns: [{ expr: { t: 'lit', sql: '1' }, alias: 'one' }], where: { t: 'and', items: [{ t: 'cmp', op: '=', left: { t: 'col', table: 'r2', name: 'postId' }, right: { t: 'col', table: 'r1', name: 'id' } }, { t: 'or', items: [{ t: 'cmp', op: '=', left: { t: 'col', table: 'r2', name: 'text' }, right: { t: 'param', value: 'ok' } }, { t: 'cmp', op: '=', left: { t: 'col', table: 'r2', name: 'text' }, right: { t: 'param', value: p } }] }] } } };
      for (const where of [postEq, { t: 'not', expr: postEq } as Expr, { t: 'or', items: [postEq, deeper] } as Expr, deeper]) {
        for (const negate of [false, true]) {
          const node = select({ t: 'and', items: [eq('ok'), { t: 'exists', query: inner(where), negate }] });
          node.from.alias = 'users';
          expect(() => adapter.executor.prepare(node), JSON.stringify(where)).toThrow(ValidationError);
        }
      }
      const counted: SelectNode = { t: 'select', from: { table: 'users', alias: 'users' }, columns: [{ expr: { t: 'subquery', query: { ...inner(postEq), columns: [{ expr: { t: 'agg', fn: 'count', expr: null }, alias: 'n' }] } }, alias: '_count__posts' }] };
      expect(() => adapter.executor.prepare(counted)).toThrow(ValidationError);
    });
  }

  it('through the client, across relations: a json value holding an operator inside is / some / _count where', () => {
    const client = new MongoClient('mongodb://127.0.0.1:1/app', { serverSelectionTimeoutMS: 1 });
    const blog = createDbWith(adapter, new MongoConnection(client, client.db('app'), { target: 'offline' }, false), blogSchema());
    const isWhere = { author: { is: { OR: [{ email: 'a' }, { meta: { equals: { $where: '1' } } }] } } };
    expect(() => blog.post.compile.findMany({ where: isWhere } as never)).toThrow(/key '\$where'/);
    const nested = { post: { author: { meta: { equals: { a: { $gt: '' } } } } } };
    expect(() => blog.comment.compile.findMany({ where: nested } as never)).toThrow(/key '\$gt'/);
    const none = { user: { posts: { none: { title: { $ne: '' } } } } };
    expect(() => blog.profile.compile.findMany({ where: none } as never)).toThrow(ValidationError);
    const counted = { _count: { select: { posts: { where: { title: { $ne: '' } } } } } };
    expect(() => blog.user.compile.findMany({ select: counted } as never)).toThrow(ValidationError);
  });

  it('through the client: a json field equal to an operator document, at any depth, inside OR', () => {
    expect(() => db.user.compile.findMany({ where: { OR: [{ email: 'a' }, { meta: { equals: { $ne: null } } }] } as never })).toThrow(/key '\$ne', which MongoDB would read as an operator/);
    expect(() => db.user.compile.create({ data: { email: 'a', age: 1, tags: [], meta: { profile: { $where: '1' } } } })).toThrow(ValidationError);
    // A scalar field given an operator object is refused by the client before the executor sees it.
    expect(() => db.user.compile.findMany({ where: { email: { $ne: '' } } as never })).toThrow(ValidationError);
  });

  it('$where and $function never reach the server from a filter: no path starts with $, no value holds one', () => {
    expect(() => compileFilter({ t: 'cmp', op: '=', left: { t: 'col', name: '$where' }, right: { t: 'param', value: '1' } })).toThrow(/not a field path/);
    const json = JSON.stringify(adapter.executor.prepare(select({ t: 'and', items: [eq('a'), { t: 'or', items: [eq('b'), eq('c')] }] })).sql);
    expect(json).not.toMatch(/\$where|\$function|\$expr/);
  });

  it('values that are values: dates, ObjectIds, buffers, plain documents without $ keys', () => {
    for (const v of [new Date(), new ObjectId(), Buffer.from('x'), { a: 1, b: [{ c: 'd' }] }, 'x$y', '$notAKeyJustText']) expect(() => checkValue(v, 'v')).not.toThrow();
  });
});
