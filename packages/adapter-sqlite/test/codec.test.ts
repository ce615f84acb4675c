import { describe, expect, it } from 'vitest';
import { ValidationError, buildSchemaIR, f, model, type ColumnIR } from '@forge/core';
import { sqliteCodec as codec, sqliteDdl } from '../src/index.js';
import { memory } from './helpers.js';

const Everything = model('everything', {
  id: f.id(),
  s: f.string(),
  t: f.text(),
  i: f.int(),
  big: f.bigint(),
  fl: f.float(),
  dec: f.decimal({ precision: 30, scale: 10 }),
  b: f.bool(),
  at: f.dateTime(),
  u: f.uuid(),
  j: f.json(),
  e: f.enumOf(['a', 'b'] as const),
  em: f.embed({ city: f.string() }),
  ems: f.embedMany({ sku: f.string() }),
  sa: f.stringArray(),
  ia: f.intArray(),
  geo: f.geoPoint(),
  vec: f.vector(3),
  bytes: f.bytes(),
});
const table = buildSchemaIR({ everything: Everything }).models.everything;
const column = (field: string): ColumnIR => table.columns.find((c) => c.field === field)!;

const sample: Record<string, unknown> = {
  id: 'b0a1c4f2-1111-4222-8333-444455556666',
  s: 'short',
  t: 'long text',
  i: 42,
  big: 9007199254740993n,
  fl: 1.5,
  dec: '12345678901234567890.0123456789',
  b: true,
  at: new Date('2024-02-29T23:59:59.123Z'),
  u: '7d444840-9dc0-11d1-b245-5ffdce74fad2',
  j: { nested: [1, 'two', null], ok: true },
  e: 'b',
  em: { city: 'Oslo' },
  ems: [{ sku: 'x' }, { sku: 'y' }],
  sa: ['a', 'b'],
  ia: [1, 2, 3],
  geo: { lng: 10.75, lat: 59.91 },
  vec: [0.1, 0.2, 0.3],
  bytes: new Uint8Array([0, 1, 254, 255]),
};

describe('codec round trips through a real table', () => {
  it('stores and reads back every field kind exactly', async () => {
    const conn = await memory();
    for (const sql of sqliteDdl.emit({ op: 'createTable', table }).sql) await conn.execute(sql);
    const cols = table.columns;
    await conn.execute(
      `INSERT INTO everything (${cols.map((c) => `"${c.name}"`).join(', ')}) VALUES (${cols.map(() => '?').join(', ')})`,
      cols.map((c) => codec.encode(sample[c.field], c)),
    );
    // The client asks for safe integers whenever a bigint column is selected; every INTEGER then arrives as bigint.
    const [row] = await conn.queryArrays(`SELECT ${cols.map((c) => `"${c.name}"`).join(', ')} FROM everything`, [], { safeIntegers: true });
    const decoded = Object.fromEntries(cols.map((c, i) => [c.field, codec.passthrough(c) ? row[i] : codec.decode(row[i], c)]));
    expect(decoded).toEqual(sample);
    expect(decoded.bytes).toBeInstanceOf(Uint8Array);
    expect(Buffer.isBuffer(decoded.bytes)).toBe(false);
    await conn.close();
  });

  it('stores the documented representations', async () => {
    expect(codec.encode(true, column('b'))).toBe(1);
    expect(codec.encode(false, column('b'))).toBe(0);
    expect(codec.encode(new Date('2024-01-02T03:04:05Z'), column('at'))).toBe('2024-01-02T03:04:05.000Z');
    expect(codec.encode('2024-01-02T04:04:05+01:00', column('at'))).toBe('2024-01-02T03:04:05.000Z');
    expect(codec.encode(1.25, column('dec'))).toBe('1.25');
    expect(codec.encode(12n, column('big'))).toBe(12n);
    expect(codec.encode(12, column('big'))).toBe(12);
    expect(codec.encode(['a'], column('sa'))).toBe('["a"]');
    expect(codec.encode(null, column('j'))).toBeNull();
    expect(codec.encode('plain', column('j'))).toBe('"plain"');
  });

  it('refuses values it would otherwise have to guess about', () => {
    expect(() => codec.encode('not a date', column('at'))).toThrow(ValidationError);
    expect(() => codec.encode(1714557600000, column('at'))).toThrow(ValidationError);
    expect(() => codec.encode('12abc', column('dec'))).toThrow(ValidationError);
    expect(() => codec.encode(1.5, column('big'))).toThrow(ValidationError);
    expect(() => codec.encode('yes', column('b'))).toThrow(ValidationError);
    expect(() => codec.encode('abc', column('bytes'))).toThrow(ValidationError);
  });

  it('decodes what other writers left behind', () => {
    expect(codec.decode('2024-01-02 03:04:05', column('at'))).toEqual(new Date('2024-01-02T03:04:05Z'));
    expect(codec.decode(5n, column('i'))).toBe(5);
    expect(codec.decode(7, column('big'))).toBe(7n);
    expect(codec.decode(3.5, column('dec'))).toBe('3.5');
    expect(codec.decode(0, column('b'))).toBe(false);
    expect(codec.decode(1n, column('b'))).toBe(true);
    expect(() => codec.decode('{oops', column('j'))).toThrow(/not JSON/);
  });

  it('is passthrough exactly where decode is the identity', () => {
    const pass = table.columns.filter((c) => codec.passthrough(c)).map((c) => c.field);
    expect(pass).toEqual(['id', 's', 't', 'fl', 'u', 'e']);
  });
});
