import { f, model, ValidationError, type ColumnIR, type Connection, type DdlEnv, type TableIR } from '@forge/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pointFromHexEwkb } from '../src/geo.js';
import { adapter, postgresCodec as codec } from '../src/index.js';
import { User } from './fixtures/schema.js';
import { createTestDatabase, extensionAvailable, type TestDatabase } from './helpers.js';

const users: TableIR = User.table();
const colOf = (field: string, table: TableIR = users): ColumnIR => table.columns.find((c) => c.field === field)!;

/** One value per field kind, as a user writes it (`in`) and as forge reads it back (`out`). */
const sample: Record<string, { in: unknown; out?: unknown }> = {
  id: { in: '6f1c1f7e-3f3a-4b8e-9d2c-0d5d1b7c9a11' },
  email: { in: "o'brien@example.com" },
  name: { in: null },
  bio: { in: 'multi\nline "text" \\ with backslash' },
  age: { in: 42 },
  balance: { in: 9007199254740993n },
  score: { in: 0.1 + 0.2 },
  price: { in: 1234.5, out: '1234.50' },
  ratio: { in: '3.14159265358979323846264338327950288' },
  active: { in: false },
  createdAt: { in: '2024-02-29T23:59:59.123Z', out: new Date('2024-02-29T23:59:59.123Z') },
  updatedAt: { in: new Date('2001-01-01T00:00:00.000Z') },
  externalId: { in: '00000000-0000-4000-8000-000000000000' },
  meta: { in: { list: [1, 'two', { three: null }], nested: { a: true } } },
  role: { in: "it's me" },
  address: { in: { city: 'Zürich' } },
  phones: { in: [{ number: '+41 1' }, { number: '+41 2' }] },
  tags: { in: ['a', 'b,c', 'd"e', '{f}', 'NULL'] },
  lucky: { in: [7, -3, 0] },
  home: { in: { lng: 8.5417, lat: 47.3769 } },
  embedding: { in: [0.25, -1, 3.5] },
  avatar: { in: Buffer.from([0, 1, 2, 254, 255]) },
  legacyId: { in: '507f1f77bcf86cd799439011' },
  handle: { in: 'short' },
};

async function roundTrip(conn: Connection): Promise<Record<string, unknown>> {
  const columns = users.columns;
  const insert = adapter.compiler.compile({
    t: 'insert',
    table: users.name,
    columns: columns.map((c) => c.name),
    rows: [columns.map((c) => ({ t: 'param', value: codec.encode(sample[c.field].in, c) }))],
  });
  await conn.execute(insert.sql, insert.params);
  const select = adapter.compiler.compile({
    t: 'select',
    from: { table: users.name, alias: 'u' },
    columns: columns.map((c) => ({ expr: { t: 'col', table: 'u', name: c.name }, alias: c.field })),
  });
  const [row] = await conn.queryArrays(select.sql, select.params);
  return Object.fromEntries(columns.map((c, i) => [c.field, codec.passthrough(c) ? row[i] : codec.decode(row[i], c)]));
}

function expectedRow(): Record<string, unknown> {
  return Object.fromEntries(Object.entries(sample).map(([k, v]) => [k, 'out' in v ? v.out : v.in]));
}

async function databaseWith(env: DdlEnv): Promise<{ db: TestDatabase; conn: Connection }> {
  const db = await createTestDatabase();
  const conn = await adapter.connect(db.url);
  for (const name of env.extensions) await conn.execute(adapter.ddl.emit({ op: 'createExtension', name }, env).sql[0]);
  await conn.execute(adapter.ddl.emit({ op: 'createTable', table: users }, env).sql[0]);
  return { db, conn };
}

describe('round trips with geo as TEXT (JSON) and vectors as float8[]', () => {
  let db: TestDatabase;
  let conn: Connection;
  beforeAll(async () => ({ db, conn } = await databaseWith({ extensions: [] })));
  afterAll(async () => {
    await conn.close();
    await db.drop();
  });

  it('reads back every field kind as it was written', async () => {
    expect(await roundTrip(conn)).toEqual(expectedRow());
  });

  it('stores the fallback geo point as JSON text and jsonb arrays as JSON arrays', async () => {
    const [[home, phones, kind]] = await conn.queryArrays('SELECT home, phones::text, jsonb_typeof(phones) FROM users');
    expect(JSON.parse(home as string)).toEqual({ lng: 8.5417, lat: 47.3769 });
    expect(phones).toBe('[{"number": "+41 1"}, {"number": "+41 2"}]');
    expect(kind).toBe('array');
  });

  it('filters JSON paths with quoted keys through the bound text[] path', async () => {
    await conn.execute(`UPDATE users SET meta = $1`, [codec.encode({ 'we"ird': { "it's": 5 } }, colOf('meta'))]);
    const q = adapter.compiler.compileExpr({ t: 'jsonPath', expr: { t: 'col', name: 'meta' }, path: ['we"ird', "it's"], as: 'number' });
    expect(await conn.queryArrays(`SELECT ${q.sql} > 4 FROM users`, q.params)).toEqual([[true]]);
  });
});

const postgisReady = await extensionAvailable('postgis');
describe.skipIf(!postgisReady)('round trips with PostGIS geography (skipped: the server has no postgis package to CREATE EXTENSION from)', () => {
  let db: TestDatabase;
  let conn: Connection;
  beforeAll(async () => ({ db, conn } = await databaseWith({ extensions: ['postgis'] })));
  afterAll(async () => {
    await conn.close();
    await db.drop();
  });

  it('binds geo points as EWKT and reads the hex EWKB back as { lng, lat }', async () => {
    expect(await roundTrip(conn)).toEqual(expectedRow());
    const [[type, srid, wkt]] = await conn.queryArrays('SELECT GeometryType(home), ST_SRID(home), ST_AsText(home) FROM users');
    expect([type, srid, wkt]).toEqual(['POINT', 4326, 'POINT(8.5417 47.3769)']);
  });
});

describe('encode validation and decode forms', () => {
  it('accepts Dates and ISO strings, refuses anything else with ValidationError', () => {
    const c = colOf('createdAt');
    expect(codec.encode('2020-01-01T00:00:00Z', c)).toEqual(new Date('2020-01-01T00:00:00Z'));
    expect(() => codec.encode('not a date', c)).toThrow(ValidationError);
    expect(() => codec.encode(new Date(Number.NaN), c)).toThrow(/createdAt/);
    expect(() => codec.encode(1700000000000, c)).toThrow(ValidationError);
  });

  it('keeps decimals exact, bigints as bigint and JSON arrays as JSON', () => {
    expect(codec.encode('12.30', colOf('price'))).toBe('12.30');
    expect(() => codec.encode('12,30', colOf('price'))).toThrow(ValidationError);
    expect(codec.encode(5, colOf('balance'))).toBe(5n);
    expect(codec.decode('9223372036854775807', colOf('balance'))).toBe(9223372036854775807n);
    // A JSON document, never a bare array (pg would bind that as a Postgres array); text for a non-JSON dbType.
    expect(JSON.stringify(codec.encode([1, 2], colOf('meta')))).toBe('[1,2]');
    const asText = model('t', { id: f.id(), doc: f.json().dbType('text') }).table();
    expect(codec.encode([1, 2], colOf('doc', asText))).toBe('[1,2]');
    expect(codec.decode('[1,2]', colOf('doc', asText))).toEqual([1, 2]);
    expect(codec.encode(null, colOf('meta'))).toBeNull();
  });

  it('validates geo points and vector dimensions', () => {
    expect(() => codec.encode({ lng: 200, lat: 0 }, colOf('home'))).toThrow(ValidationError);
    expect(() => codec.encode([1, 2], colOf('embedding'))).toThrow(/3 numbers/);
    expect(JSON.stringify(codec.encode({ lng: 1, lat: 2 }, colOf('home')))).toBe('{"lng":1,"lat":2}');
  });

  it('decodes geo points from hex EWKB, EWKT, JSON and GeoJSON', () => {
    const home = colOf('home');
    expect(codec.decode('0101000020E6100000000000000000F03F0000000000000040', home)).toEqual({ lng: 1, lat: 2 });
    expect(codec.decode('SRID=4326;POINT(-1.5 2.25)', home)).toEqual({ lng: -1.5, lat: 2.25 });
    expect(codec.decode('{"lng":3,"lat":4}', home)).toEqual({ lng: 3, lat: 4 });
    expect(codec.decode('{"type":"Point","coordinates":[5,6]}', home)).toEqual({ lng: 5, lat: 6 });
    expect(() => codec.decode('garbage', home)).toThrow(/not a point/);
    // Big-endian WKB without SRID.
    expect(pointFromHexEwkb('00000000013FF00000000000004000000000000000')).toEqual({ lng: 1, lat: 2 });
  });

  it('decodes pgvector text and float8[] alike', () => {
    expect(codec.decode('[1,2.5,-3]', colOf('embedding'))).toEqual([1, 2.5, -3]);
    expect(codec.decode([1, 2.5, -3], colOf('embedding'))).toEqual([1, 2.5, -3]);
  });

  it('skips decode only where the driver value is already final', () => {
    expect(codec.passthrough(colOf('email'))).toBe(true);
    expect(codec.passthrough(colOf('createdAt'))).toBe(true);
    expect(codec.passthrough(colOf('balance'))).toBe(false);
    expect(codec.passthrough(colOf('home'))).toBe(false);
    expect(codec.passthrough(colOf('embedding'))).toBe(false);
  });
});
