import { DbKnownError, type ColumnIR } from '@forge/core';
import { Decimal128, Long, MongoServerError, ObjectId } from 'mongodb';
import { describe, expect, it } from 'vitest';
import { mapMongoError, mongoCodec, mongoDdl, probeReport } from '../src/index.js';
import { toRows } from '../src/executor.js';

const col = (kind: ColumnIR['kind']): ColumnIR => ({ field: 'f', name: 'f', kind, nullable: true, primaryKey: false, unique: false });

describe('errors', () => {
  it('11000 (as the server reports a duplicate key) is UNIQUE_VIOLATION with the fields, index and collection', () => {
    const e = new MongoServerError({ code: 11000, errmsg: 'E11000 duplicate key error collection: app.users index: email_1 dup key: { email: "a@x" }', keyPattern: { email: 1 }, keyValue: { email: 'a@x' } });
    const m = mapMongoError(e) as DbKnownError;
    expect(m).toBeInstanceOf(DbKnownError);
    expect(m.code).toBe('UNIQUE_VIOLATION');
    expect(m.meta).toMatchObject({ columns: ['email'], fields: ['email'], table: 'users', constraint: 'email_1', driverCode: 11000 });
  });
  it('a duplicate _id names the id field; a failed login is AUTH_FAILED; other errors pass through', () => {
    const dupId = new MongoServerError({ code: 11000, errmsg: 'E11000 duplicate key error collection: app.users index: _id_ dup key: { _id: "u1" }', keyPattern: { _id: 1 } });
    expect((mapMongoError(dupId) as DbKnownError).meta.columns).toEqual(['id']);
    const auth = new MongoServerError({ code: 18, errmsg: 'Authentication failed.' });
    expect((mapMongoError(auth, { target: 'mongodb://u:***@h/app' }) as DbKnownError).code).toBe('AUTH_FAILED');
    const other = new MongoServerError({ code: 2, errmsg: 'BadValue' });
    expect(mapMongoError(other)).toBe(other);
  });
});

describe('codec', () => {
  it('ObjectIds as 24-hex strings, bigint as Long, decimal as Decimal128 text', () => {
    const hex = '65a1b2c3d4e5f60718293a4b';
    expect(mongoCodec.encode(hex, col('objectId'))).toEqual(new ObjectId(hex));
    expect(mongoCodec.decode(new ObjectId(hex), col('objectId'))).toBe(hex);
    expect(() => mongoCodec.encode('nope', col('objectId'))).toThrow(/24 hex characters/);
    expect(mongoCodec.encode(2n ** 60n, col('bigint'))).toEqual(Long.fromBigInt(2n ** 60n));
    expect(mongoCodec.decode(Long.fromBigInt(2n ** 60n), col('bigint'))).toBe(2n ** 60n);
    expect(mongoCodec.decode(mongoCodec.encode('12.3400', col('decimal')), col('decimal'))).toBe('12.3400');
    expect(mongoCodec.decode(Decimal128.fromString('1'), col('decimal'))).toBe('1');
  });
});

describe('rows from documents', () => {
  it('fields by path in column order, missing as null; an empty aggregate is one row (count 0)', () => {
    expect(toRows([{ _id: 'u1', email: 'a' }, { _id: 'u2' }], { keys: ['_id', 'email'] })).toEqual([['u1', 'a'], ['u2', null]]);
    expect(toRows([{ _id: { k0: 'x' }, a0: 2 }], { keys: ['_id.k0', 'a0'] })).toEqual([['x', 2]]);
    expect(toRows([], { keys: ['a0', 'a1'], single: ['count', 'null'] })).toEqual([[0, null]]);
  });
});

describe('ddl and probe', () => {
  it('createIndex reverses to dropIndexes; columns and keys have no statement', () => {
    const index = { name: 'i', columns: ['a'], directions: [1 as const], unique: false, named: true, origin: 'indexes' as const };
    expect(mongoDdl.reverse({ op: 'createIndex', table: 't', index }).sql).toEqual(['{"dropIndexes":"t","index":"i"}']);
    expect(mongoDdl.emit({ op: 'addColumn', table: 't', column: col('string') }).sql).toEqual([]);
  });
  it('doctor: version, replica set or not (transactions need one), 2dsphere built in', () => {
    expect(probeReport({ version: '7.0.14' }, { setName: 'rs0', isWritablePrimary: true })).toMatchObject({ version: '7.0.14', features: { replicaSet: 'rs0', transactions: true, '2dsphere': true }, actions: [] });
    const standalone = probeReport({ version: '7.0.14' }, { isWritablePrimary: true });
    expect(standalone.features.transactions).toBe(false);
    expect(standalone.actions[0]).toMatch(/need a replica set: start mongod with --replSet/);
  });
});
