import { ValidationError, type Expr, type SelectNode } from '@forge/core';
import { ObjectId } from 'mongodb';
import { describe, expect, it } from 'vitest';
import { adapter, checkValue, compileFilter } from '../src/index.js';
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
  }

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
