import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import mysql from 'mysql2/promise';
import { ValidationError, type ColumnIR, type FieldKind } from '@forge/core';
import { formatDateTime, mysqlCodec, parseDateTime } from '../src/codec.js';

const column = (kind: FieldKind, extra: Partial<ColumnIR> = {}): ColumnIR => ({ field: kind, name: kind, kind, nullable: true, primaryKey: false, unique: false, ...extra });
const { encode, decode, passthrough } = mysqlCodec;
const roundTrip = (value: unknown, c: ColumnIR) => decode(encode(value, c), c);

describe('mysqlCodec', () => {
  it('dateTime: UTC DATETIME(3) text both ways', () => {
    const c = column('dateTime');
    const d = new Date('2024-05-01T12:34:56.789Z');
    expect(encode(d, c)).toBe('2024-05-01 12:34:56.789');
    expect(encode('2024-05-01T14:34:56.789+02:00', c)).toBe('2024-05-01 12:34:56.789');
    expect(decode('2024-05-01 12:34:56.789', c)).toEqual(d);
    expect(decode('2024-05-01 12:34:56', c)).toEqual(new Date('2024-05-01T12:34:56.000Z'));
    expect(decode('2024-05-01 12:34:56.789123', c)).toEqual(d);
    expect(decode(d, c)).toBe(d);
    expect(roundTrip(new Date(Date.UTC(1000, 0, 1)), c)).toEqual(new Date(Date.UTC(1000, 0, 1)));
    expect(() => encode('not a date', c)).toThrow(ValidationError);
    expect(() => encode(new Date(Date.UTC(10000, 0, 1)), c)).toThrow(/range/);
    expect(() => encode(42, c)).toThrow(ValidationError);
    expect(() => decode('0000-00-00 00:00:00', c)).toThrow(/zero date/);
    expect(formatDateTime(new Date(Date.UTC(2024, 0, 2, 3, 4, 5, 6)))).toBe('2024-01-02 03:04:05.006');
    expect(parseDateTime('nope')).toBeUndefined();
  });

  it('bigint: decimal text to the driver, bigint back', () => {
    const c = column('bigint');
    expect(encode(9007199254740993n, c)).toBe('9007199254740993');
    expect(encode(5, c)).toBe('5');
    expect(encode('-12', c)).toBe('-12');
    expect(() => encode(1.5, c)).toThrow(ValidationError);
    expect(() => encode(2 ** 60, c)).toThrow(ValidationError);
    expect(decode('9007199254740993', c)).toBe(9007199254740993n);
    expect(roundTrip(-9223372036854775808n, c)).toBe(-9223372036854775808n);
    const serial = column('id', { idStrategy: 'bigserial' });
    expect(decode('42', serial)).toBe(42n);
    expect(passthrough(serial)).toBe(false);
  });

  it('decimal stays a string; int and int ids are numbers', () => {
    const dec = column('decimal');
    expect(encode(1.25, dec)).toBe('1.25');
    expect(encode(' 10.50 ', dec)).toBe('10.50');
    expect(encode(3n, dec)).toBe('3');
    expect(() => encode('1,5', dec)).toThrow(ValidationError);
    expect(decode('10.50', dec)).toBe('10.50');
    expect(decode('7', column('int', { dbType: 'bigint' }))).toBe(7);
    expect(decode('7', column('id', { idStrategy: 'int' }))).toBe(7);
    expect(decode(7, column('id', { idStrategy: 'int' }))).toBe(7);
  });

  it('bool: 1/0 out, TINYINT(1) back as a boolean', () => {
    const c = column('bool');
    expect(encode(true, c)).toBe(1);
    expect(encode(false, c)).toBe(0);
    expect(() => encode('yes', c)).toThrow(ValidationError);
    expect(decode(1, c)).toBe(true);
    expect(decode(0, c)).toBe(false);
    expect(decode('1', c)).toBe(true);
    expect(decode(Buffer.from([0]), c)).toBe(false);
  });

  it('JSON kinds: JSON text out; parsed objects (MySQL 8) and text (MariaDB) back', () => {
    const c = column('json');
    expect(encode({ a: [1, 'x'] }, c)).toBe('{"a":[1,"x"]}');
    expect(encode('hi', c)).toBe('"hi"');
    expect(decode('{"a":[1,"x"]}', c)).toEqual({ a: [1, 'x'] });
    expect(decode({ a: 1 }, c)).toEqual({ a: 1 });
    expect(decode('"hi"', c)).toBe('hi');
    // MySQL 8 hands a top-level JSON string over already parsed.
    expect(decode('hello there', c)).toBe('hello there');
    expect(() => encode(undefined as never, c)).not.toThrow();
    expect(() => encode(() => 1, c)).toThrow(ValidationError);
    for (const kind of ['stringArray', 'intArray'] as const) {
      const a = column(kind);
      expect(encode(kind === 'intArray' ? [1, 2] : ['a', 'b'], a)).toBe(kind === 'intArray' ? '[1,2]' : '["a","b"]');
      expect(decode(kind === 'intArray' ? '[1,2]' : '["a","b"]', a)).toEqual(kind === 'intArray' ? [1, 2] : ['a', 'b']);
      expect(decode(['a'], a)).toEqual(['a']);
      expect(() => encode('a', a)).toThrow(ValidationError);
    }
    expect(roundTrip({ nested: { deep: [null, true] } }, column('embed'))).toEqual({ nested: { deep: [null, true] } });
  });

  it('geoPoint: { lng, lat } as JSON text', () => {
    const c = column('geoPoint');
    expect(encode({ lng: 2.35, lat: 48.85, extra: 1 }, c)).toBe('{"lng":2.35,"lat":48.85}');
    expect(roundTrip({ lng: -73.98, lat: 40.75 }, c)).toEqual({ lng: -73.98, lat: 40.75 });
    expect(() => encode({ lng: 200, lat: 0 }, c)).toThrow(ValidationError);
    expect(() => encode('POINT(1 2)', c)).toThrow(ValidationError);
  });

  it('bytes: a Buffer to the driver (a Uint8Array converted), passed through back', () => {
    const c = column('bytes');
    const u = new Uint8Array([1, 2, 3]);
    const out = encode(u, c) as Buffer;
    expect(Buffer.isBuffer(out)).toBe(true);
    expect([...out]).toEqual([1, 2, 3]);
    const buf = Buffer.from([9]);
    expect(encode(buf, c)).toBe(buf);
    expect(decode(buf, c)).toBe(buf);
    expect(() => encode('abc', c)).toThrow(ValidationError);
  });

  it('null passes both ways; identity kinds pass through', () => {
    for (const kind of ['string', 'text', 'int', 'float', 'uuid', 'enum', 'bool', 'json', 'dateTime', 'bigint'] as const) {
      expect(encode(null, column(kind))).toBeNull();
      expect(decode(null, column(kind))).toBeNull();
    }
    for (const kind of ['string', 'text', 'int', 'float', 'uuid', 'enum', 'objectId'] as const) expect(passthrough(column(kind))).toBe(true);
    expect(passthrough(column('id', { idStrategy: 'uuid' }))).toBe(true);
    for (const kind of ['bool', 'dateTime', 'decimal', 'bigint', 'json', 'stringArray', 'geoPoint'] as const) expect(passthrough(column(kind))).toBe(false);
    expect(passthrough(column('int', { dbType: 'bigint' }))).toBe(false);
    expect(encode('x', column('uuid'))).toBe('x');
  });
});

/** Values written with `execute` and read back with the options forge's connection uses. */
describe('mysqlCodec on the server', () => {
  const url = process.env.FORGE_TEST_MYSQL_URL;
  const db = `forge_codec_${process.pid}_${Date.now().toString(36)}`;
  let conn: mysql.Connection;
  const cols = {
    at: column('dateTime'),
    big: column('bigint'),
    dec: column('decimal'),
    flag: column('bool'),
    meta: column('json'),
    tags: column('stringArray'),
    nums: column('intArray'),
    geo: column('geoPoint'),
    bin: column('bytes'),
    u: column('uuid'),
  };

  beforeAll(async () => {
    const u = url ? new URL(url.replace(/^mariadb:/, 'mysql:')) : undefined;
    conn = await mysql.createConnection({
      host: u?.hostname ?? '127.0.0.1',
      port: u?.port ? Number(u.port) : 3306,
      user: u ? decodeURIComponent(u.username) : 'root',
      password: u ? decodeURIComponent(u.password) : undefined,
      charset: 'utf8mb4',
      timezone: 'Z',
      connectTimeout: 5000,
    });
    await conn.query(`CREATE DATABASE \`${db}\` CHARACTER SET utf8mb4`);
    await conn.query(`USE \`${db}\``);
    await conn.query(
      'CREATE TABLE v (id INT PRIMARY KEY, at DATETIME(3), big BIGINT, `dec` DECIMAL(20,4), flag TINYINT(1), meta JSON, tags JSON, nums JSON, geo TEXT, bin VARBINARY(16), u CHAR(36))',
    );
  });

  afterAll(async () => {
    await conn?.query(`DROP DATABASE IF EXISTS \`${db}\``);
    await conn?.end();
  });

  it('round trips every kind exactly', async () => {
    const value = {
      at: new Date('2024-02-29T23:59:59.999Z'),
      big: 9223372036854775807n,
      dec: '12345678901234.5678',
      flag: true,
      meta: { plan: 'pro', n: [1, 2.5, null], s: 'é"\\' },
      tags: ['a', 'b c'],
      nums: [1, 2, 3],
      geo: { lng: 2.35, lat: 48.85 },
      bin: Buffer.from([0, 255, 10]),
      u: '8c4a3f0e-2b1d-4c5e-9f6a-7b8c9d0e1f2a',
    };
    const names = Object.keys(cols) as Array<keyof typeof cols>;
    await conn.execute(`INSERT INTO v (id, ${names.map((n) => `\`${n}\``).join(', ')}) VALUES (?, ${names.map(() => '?').join(', ')})`, [
      1,
      ...names.map((n) => encode(value[n], cols[n])),
    ] as never);
    const [rows] = await conn.execute({
      sql: `SELECT ${names.map((n) => `\`${n}\``).join(', ')} FROM v WHERE id = ?`,
      rowsAsArray: true,
      dateStrings: true,
      supportBigNumbers: true,
      bigNumberStrings: true,
      timezone: 'Z',
    } as never, [1]);
    const row = (rows as unknown[][])[0];
    const decoded = Object.fromEntries(names.map((n, i) => [n, decode(row[i], cols[n])]));
    expect(decoded).toEqual(value);
    // A BIGINT beyond 2^53 compares exactly against the encoded text.
    const [hit] = await conn.execute({ sql: 'SELECT id FROM v WHERE big = ?', rowsAsArray: true } as never, [encode(9223372036854775807n, cols.big)]);
    expect(hit).toEqual([[1]]);
    const [miss] = await conn.execute({ sql: 'SELECT id FROM v WHERE big = ?', rowsAsArray: true } as never, [encode(9223372036854775806n, cols.big)]);
    expect(miss).toEqual([]);
    // A Date compares against the encoded DATETIME text.
    const [at] = await conn.execute({ sql: 'SELECT id FROM v WHERE at = ?', rowsAsArray: true } as never, [encode(value.at, cols.at)]);
    expect(at).toEqual([[1]]);
  });
});
