import { ValidationError, type ColumnIR } from '@forge/core';
import { describe, expect, it } from 'vitest';
import { mssqlCodec } from '../src/codec.js';

const c = (kind: ColumnIR['kind'], over: Partial<ColumnIR> = {}): ColumnIR => ({ field: 'x', name: 'x', kind, nullable: true, primaryKey: false, unique: false, ...over });

describe('encode', () => {
  it('per kind', () => {
    const d = new Date('2024-05-01T12:00:00.123Z');
    expect(mssqlCodec.encode(d, c('dateTime'))).toBe(d);
    expect(mssqlCodec.encode('2024-05-01T12:00:00.123Z', c('dateTime'))).toEqual(d);
    expect(mssqlCodec.encode(5, c('bigint'))).toBe(5n);
    expect(mssqlCodec.encode('9007199254740993', c('bigint'))).toBe(9007199254740993n);
    expect(mssqlCodec.encode(12.5, c('decimal'))).toBe('12.5');
    expect(mssqlCodec.encode(' 120.50 ', c('decimal'))).toBe('120.50');
    expect(mssqlCodec.encode(true, c('bool'))).toBe(true);
    expect(mssqlCodec.encode(0, c('bool'))).toBe(false);
    expect(mssqlCodec.encode({ a: [1] }, c('json'))).toBe('{"a":[1]}');
    expect(mssqlCodec.encode(['db', 'sql'], c('stringArray'))).toBe('["db","sql"]');
    expect(mssqlCodec.encode([0.1, 0.2], c('vector'))).toBe('[0.1,0.2]');
    expect(mssqlCodec.encode({ lng: -122.34, lat: 47.65 }, c('geoPoint'))).toBe('POINT(-122.34 47.65)');
    expect(mssqlCodec.encode(new Uint8Array([1, 2]), c('bytes'))).toEqual(Buffer.from([1, 2]));
    expect(mssqlCodec.encode(null, c('json'))).toBeNull();
    expect(mssqlCodec.encode('abc', c('string'))).toBe('abc');
  });
  it('refuses what does not fit, naming the field', () => {
    expect(() => mssqlCodec.encode('nope', c('dateTime'))).toThrow(ValidationError);
    expect(() => mssqlCodec.encode(new Date('0000-06-01T00:00:00Z'), c('dateTime'))).toThrow(/outside datetime2's range/);
    expect(() => mssqlCodec.encode(1.5, c('bigint'))).toThrow(/bigint or a safe integer/);
    expect(() => mssqlCodec.encode('1e', c('decimal'))).toThrow(/decimal string/);
    expect(() => mssqlCodec.encode('yes', c('bool'))).toThrow(/true or false/);
    expect(() => mssqlCodec.encode({ lng: 200, lat: 0 }, c('geoPoint'))).toThrow(/-180 <= lng <= 180/);
    expect(() => mssqlCodec.encode('x', c('stringArray'))).toThrow(/takes an array/);
    expect(() => mssqlCodec.encode('x', c('bytes'))).toThrow(/Uint8Array/);
  });
  it('datetime2 takes years 1 to 9999', () => {
    const first = new Date(0);
    first.setUTCFullYear(1, 0, 1);
    expect(mssqlCodec.encode(first, c('dateTime'))).toBe(first);
  });
});

describe('decode', () => {
  it('per kind, from what tedious hands over', () => {
    expect(mssqlCodec.decode('9007199254740993', c('bigint'))).toBe(9007199254740993n);
    expect(mssqlCodec.decode('12', c('id', { idStrategy: 'bigserial' }))).toBe(12n);
    expect(mssqlCodec.decode('A1B2C3D4-0000-4000-8000-00000000000F', c('id'))).toBe('a1b2c3d4-0000-4000-8000-00000000000f');
    expect(mssqlCodec.decode('A1B2C3D4-0000-4000-8000-00000000000F', c('uuid'))).toBe('a1b2c3d4-0000-4000-8000-00000000000f');
    // f.decimal() with no precision is DECIMAL(38,10): its scale is 10.
    expect(mssqlCodec.decode(120.5, c('decimal'))).toBe('120.5000000000');
    expect(mssqlCodec.decode(true, c('bool'))).toBe(true);
    expect(mssqlCodec.decode(0, c('bool'))).toBe(false);
    expect(mssqlCodec.decode('{"plan":"pro"}', c('json'))).toEqual({ plan: 'pro' });
    expect(mssqlCodec.decode('[1,2]', c('intArray'))).toEqual([1, 2]);
    expect(mssqlCodec.decode({ srid: 4326, points: [{ lat: 47.65, lng: -122.34, x: 47.65, y: -122.34 }] }, c('geoPoint'))).toEqual({ lng: -122.34, lat: 47.65 });
    expect(mssqlCodec.decode('POINT (-122.34 47.65)', c('geoPoint'))).toEqual({ lng: -122.34, lat: 47.65 });
    const d = new Date('2024-05-01T12:00:00.123Z');
    expect(mssqlCodec.decode(d, c('dateTime'))).toBe(d);
    expect(mssqlCodec.decode('2024-05-01 12:00:00.123', c('dateTime'))).toEqual(d);
    expect(mssqlCodec.decode('7', c('int'))).toBe(7);
    expect(mssqlCodec.decode(7, c('id', { idStrategy: 'int' }))).toBe(7);
  });
  it('passthrough only where decode is the identity', () => {
    expect(mssqlCodec.passthrough(c('string'))).toBe(true);
    expect(mssqlCodec.passthrough(c('int'))).toBe(true);
    expect(mssqlCodec.passthrough(c('id'))).toBe(false);
    expect(mssqlCodec.passthrough(c('id', { idStrategy: 'string' }))).toBe(true);
    expect(mssqlCodec.passthrough(c('uuid'))).toBe(false);
    expect(mssqlCodec.passthrough(c('bool'))).toBe(false);
    expect(mssqlCodec.passthrough(c('json'))).toBe(false);
  });
});
