import { createServer } from 'node:net';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { buildSchemaIR, ConfigError, createDb, createDbWith, DbKnownError, f, model, runPush, SchemaError, ValidationError, type JsonValue } from '@forge/core';
import { describe, expect, it } from 'vitest';
import { capturing } from '../../src/reliability/capture.js';
import { describeTargets } from '../../src/reliability/describe.js';
import { recordCases } from '../../src/reliability/runs.js';
import { loadTargets, TARGETS } from '../../src/reliability/targets.js';

const targets = await loadTargets();

/** A port on 127.0.0.1 that nothing listens on: bound by the OS, then released. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

const Vals = model('vals', {
  id: f.id(),
  i: f.int().optional(),
  b: f.bigint().optional(),
  fl: f.float().optional(),
  d: f.decimal({ precision: 12, scale: 2 }).optional(),
  s: f.string().optional(),
  tx: f.text().optional(),
  u: f.uuid().optional(),
  bo: f.bool().default(false),
  dt: f.dateTime().optional(),
  e: f.enumOf(['a', 'b'] as const).optional(),
  j: f.json().optional(),
  by: f.bytes().optional(),
  sa: f.stringArray().optional(),
  ia: f.intArray().optional(),
  v: f.vector(2).optional(),
  g: f.geoPoint().optional(),
});
const schema = { vals: Vals };

function nested(depth: number, leaf: JsonValue = 1): JsonValue {
  let v = leaf;
  for (let i = 0; i < depth; i++) v = i % 2 ? [v] : { a: v };
  return v;
}

/** Values of the wrong type or beyond what the field can hold, each with the field its message must name. */
const WRONG: Array<[field: string, value: unknown, message: RegExp]> = [
  ['i', '1', /vals\.i expects an integer/],
  ['i', 1.5, /vals\.i expects an integer/],
  ['i', true, /vals\.i expects an integer/],
  ['i', Number.NaN, /vals\.i expects an integer/],
  ['i', Number.MAX_SAFE_INTEGER + 2, /vals\.i expects an integer/],
  ['i', 2 ** 31, /vals\.i expects an integer \(32-bit/],
  ['i', -(2 ** 31) - 1, /vals\.i expects an integer \(32-bit/],
  ['i', {}, /vals\.i expects an integer.*, got an object/],
  ['i', [1], /vals\.i expects an integer.*, got an array/],
  ['b', 2n ** 63n, /vals\.b expects a bigint .*64-bit/],
  ['b', -(2n ** 63n) - 1n, /vals\.b expects a bigint .*64-bit/],
  ['b', 1.5, /vals\.b expects a bigint/],
  ['b', '5', /vals\.b expects a bigint/],
  ['fl', Number.POSITIVE_INFINITY, /vals\.fl expects a finite number/],
  ['fl', Number.NaN, /vals\.fl expects a finite number/],
  ['fl', '1.0', /vals\.fl expects a finite number/],
  ['d', 'abc', /vals\.d expects a decimal string/],
  ['d', '1e', /vals\.d expects a decimal string/],
  ['d', {}, /vals\.d expects a decimal string/],
  ['d', '12345678901.5', /vals\.d expects a decimal with at most 10 digits before the point and 2 after/],
  ['d', '1.234', /vals\.d expects a decimal with at most 10 digits .* 2 after/],
  ['d', 1e21, /vals\.d expects a decimal with at most 10 digits/],
  ['d', '-0.0001e1', /vals\.d expects a decimal with at most/],
  ['s', 42, /vals\.s expects a string, got number 42/],
  ['s', ['a'], /vals\.s expects a string, got an array/],
  ['s', { toString: () => 'x' }, /vals\.s expects a string, got an object/],
  ['s', 'a\0b', /vals\.s expects a string without NUL characters/],
  ['s', 'lone \ud800 surrogate', /vals\.s expects well-formed Unicode text/],
  ['tx', 'x\udc00', /vals\.tx expects well-formed Unicode text/],
  ['u', 'not-a-uuid', /vals\.u expects a UUID string/],
  ['bo', 'true', /vals\.bo expects a boolean/],
  ['bo', 1, /vals\.bo expects a boolean/],
  ['bo', null, /vals\.bo is required and cannot be null/],
  ['dt', 'yesterday', /vals\.dt expects a Date or an ISO-8601 string/],
  ['dt', new Date('nope'), /vals\.dt expects a valid Date/],
  ['dt', '2024-13-45', /vals\.dt expects a Date or an ISO-8601 string/],
  ['dt', 12345, /vals\.dt expects a Date/],
  ['e', 'c', /vals\.e expects one of "a", "b"/],
  ['j', nested(10_000), /vals\.j expects a JSON value .*nested at most \d+ deep/],
  ['j', { f: () => 1 }, /vals\.j expects a JSON value/],
  ['j', new Map([['a', 1]]), /vals\.j expects a JSON value/],
  ['j', { n: 1n }, /vals\.j expects a JSON value/],
  ['j', [Number.NaN], /vals\.j expects a JSON value/],
  ['by', 'abc', /vals\.by expects a Uint8Array/],
  ['sa', 'a', /vals\.sa expects an array of strings/],
  ['sa', [1], /vals\.sa expects an array of strings/],
  ['ia', [1.5], /vals\.ia expects an array of integers/],
  ['ia', [2 ** 31], /vals\.ia expects an array of integers/],
  ['v', [1], /vals\.v expects an array of 2 finite numbers/],
  ['v', ['a', 'b'], /vals\.v expects an array of 2 finite numbers/],
  ['g', { lng: 200, lat: 0 }, /vals\.g expects \{ lng, lat \}/],
  ['g', 'POINT(0 0)', /vals\.g expects \{ lng, lat \}/],
];

describe('bad input for the API: configuration and connections', () => {
  it('createDb refuses a missing, blank or unknown URL and an invalid schema before connecting (ConfigError, SchemaError)', async (ctx) => {
    const dir = mkdtempSync(path.join(tmpdir(), 'forge-rel-api-'));
    const file = path.join(dir, 'never.db');
    const cases: Array<[unknown, new (...args: never[]) => Error, RegExp]> = [
      [undefined, ConfigError, /takes an options object/],
      [{ url: 'sqlite::memory:' }, ConfigError, /needs a schema/],
      [{ schema }, ConfigError, /needs a url .* or a driver/],
      [{ url: '   ', schema }, ConfigError, /URL is empty/],
      [{ url: 'oracle://scott:tiger@db/orcl', schema }, ConfigError, /unknown prefix/],
      [{ url: `sqlite:${file}`, schema: { vals: 42 } }, SchemaError, /schema\.vals is not a model/],
      [{ url: `sqlite:${file}`, schema: { a: model('t', { id: f.id() }), b: model('t', { id: f.id() }) } }, SchemaError, /both use the table name 't'/],
    ];
    await recordCases(ctx, { dialect: 'any', area: 'bad-input' }, async () => {
      try {
        for (const [opts, cls, message] of cases) {
          const attempt = createDb(opts as never);
          await expect(attempt, JSON.stringify(opts)?.slice(0, 80)).rejects.toBeInstanceOf(cls);
          await expect(attempt).rejects.toThrow(message);
          await expect(attempt).rejects.not.toThrow(/tiger/);
        }
        expect(existsSync(file)).toBe(false);
        return cases.length;
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  });

  for (const entry of TARGETS.filter((e) => e.unreachableUrl)) {
    it(`${entry.name}: an unreachable host fails within the connect timeout (DbKnownError CONNECTION_FAILED)`, async (ctx) => {
      await recordCases(ctx, { dialect: entry.name, area: 'bad-input' }, async () => {
        const adapter = await entry.adapter();
        const url = entry.unreachableUrl!(await closedPort());
        const started = Date.now();
        const attempt = adapter.connect(url, { connectTimeoutMs: 2_000 });
        await expect(attempt).rejects.toBeInstanceOf(DbKnownError);
        await expect(attempt).rejects.toMatchObject({ code: 'CONNECTION_FAILED' });
        expect(Date.now() - started).toBeLessThan(5_000);
        return 1;
      });
    });
  }
});

describeTargets('bad input for the API: values, arguments and models', targets, (target) => {
  it(`${WRONG.length} wrong or oversized values: ValidationError naming model.field, no SQL sent, no row written`, async (ctx) => {
    await recordCases(ctx, { dialect: target.name, area: 'bad-input' }, async () => {
      const fresh = await target.fresh();
      try {
        await runPush({ adapter: target.adapter, conn: fresh.conn, ir: buildSchemaIR(schema) });
        const { conn, log } = capturing(fresh.conn);
        const db = createDbWith(target.adapter, conn, schema);
        for (const [field, value, message] of WRONG) {
          const shownValue = typeof value === 'bigint' ? `${value}n` : String(value).slice(0, 40);
          await expect(db.vals.create({ data: { [field]: value } as never }), `${field} = ${shownValue}`).rejects.toThrow(message);
          await expect(db.vals.create({ data: { [field]: value } as never })).rejects.toBeInstanceOf(ValidationError);
          await expect(db.vals.updateMany({ where: {}, data: { [field]: value } as never }), `update ${field} = ${shownValue}`).rejects.toBeInstanceOf(ValidationError);
        }
        expect(log.map((l) => l.sql)).toEqual([]);
        expect(await db.vals.count()).toBe(0);
        return WRONG.length;
      } finally {
        await fresh.cleanup();
      }
    });
  }, 120_000);

  it('wrong argument shapes: ValidationError naming the argument, no SQL sent', async (ctx) => {
    const calls: Array<[string, (db: ReturnType<typeof createDbWith<typeof schema>>) => Promise<unknown>, RegExp]> = [
      ['create without data', (db) => db.vals.create({} as never), /needs data/],
      ['create with data: string', (db) => db.vals.create({ data: 'x' } as never), /needs data/],
      ['create with an unknown field', (db) => db.vals.create({ data: { nope: 1 } as never }), /unknown field 'nope'/],
      ['where: an array', (db) => db.vals.findMany({ where: [] as never }), /'where' on vals must be an object/],
      ['take: -1', (db) => db.vals.findMany({ take: -1 }), /take must be a non-negative integer/],
      ['skip: 1.5', (db) => db.vals.findMany({ skip: 1.5 }), /skip must be a non-negative integer/],
      ['orderBy direction', (db) => db.vals.findMany({ orderBy: { s: 'sideways' as never } }), /orderBy\.s must be 'asc' or 'desc'/],
      ['orderBy unknown field', (db) => db.vals.findMany({ orderBy: { 'nope; DROP TABLE vals': 'asc' } as never }), /Unknown field 'nope; DROP TABLE vals'/],
      ['select unknown field', (db) => db.vals.findMany({ select: { nope: true } as never }), /select names unknown field 'nope'/],
      ['an unknown argument', (db) => db.vals.findMany({ limit: 1 } as never), /unknown argument 'limit'/],
      ['in: not an array', (db) => db.vals.findMany({ where: { s: { in: 'a' as never } } }), /vals\.s\.in takes an array/],
      ['$queryRaw with a plain string', (db) => db.$queryRaw('SELECT 1' as never), /refuses a plain string/],
    ];
    await recordCases(ctx, { dialect: target.name, area: 'bad-input' }, async () => {
      const fresh = await target.fresh();
      try {
        await runPush({ adapter: target.adapter, conn: fresh.conn, ir: buildSchemaIR(schema) });
        const { conn, log } = capturing(fresh.conn);
        const db = createDbWith(target.adapter, conn, schema);
        for (const [name, call, message] of calls) {
          // Every call returns a promise that rejects: none throws before the caller's await (a plain-string $queryRaw included).
          const attempt = () => {
            let p: Promise<unknown> | undefined;
            expect(() => (p = call(db)), `${name} threw synchronously`).not.toThrow();
            return p!;
          };
          await expect(attempt(), name).rejects.toBeInstanceOf(ValidationError);
          await expect(attempt(), name).rejects.toThrow(message);
        }
        expect(log.map((l) => l.sql)).toEqual([]);
        return calls.length;
      } finally {
        await fresh.cleanup();
      }
    });
  });

  // JSON as deep as the server takes (100, MariaDB 31: capabilities.maxJsonDepth); one deeper is a ValidationError above.
  it('oversized but valid values are stored whole, through bound parameters: a 10 MB string, JSON nested as deep as the server takes', async (ctx) => {
    await recordCases(ctx, { dialect: target.name, area: 'bad-input' }, async () => {
      const fresh = await target.fresh();
      try {
        await runPush({ adapter: target.adapter, conn: fresh.conn, ir: buildSchemaIR(schema) });
        const { conn, log } = capturing(fresh.conn);
        const db = createDbWith(target.adapter, conn, schema);
        const big = 'ab\u00e9'.repeat(3_500_000).slice(0, 10 * 1024 * 1024);
        const deep = nested(db.adapter.capabilities.maxJsonDepth ?? 100, 'leaf');
        const row = await db.vals.create({ data: { tx: big, j: deep } });
        const back = await db.vals.findUniqueOrThrow({ where: { id: row.id } });
        expect(back.tx === big, 'the 10 MB string came back changed').toBe(true);
        expect(back.j).toEqual(deep);
        expect(Math.max(...log.map((l) => l.sql.length))).toBeLessThan(10_000);
        return 2;
      } finally {
        await fresh.cleanup();
      }
    });
  }, 120_000);

  it(`an identifier longer than ${target.adapter.capabilities.maxIdentifierLength} bytes is refused before any DDL runs (SchemaError)`, async (ctx) => {
    const max = target.adapter.capabilities.maxIdentifierLength;
    const cases = [
      () => ({ t: model('t'.repeat(max + 1), { id: f.id() }) }),
      () => ({ t: model('t', { id: f.id(), x: f.string().map('ü'.repeat(Math.ceil((max + 1) / 2))) }) }),
    ];
    await recordCases(ctx, { dialect: target.name, area: 'bad-input' }, async () => {
      const fresh = await target.fresh();
      try {
        for (const make of cases) {
          // model() itself refuses names over 128 characters; anything it lets through must meet the dialect's limit.
          const push = async () => runPush({ adapter: target.adapter, conn: fresh.conn, ir: buildSchemaIR(make()) });
          await expect(push()).rejects.toBeInstanceOf(SchemaError);
          await expect(push()).rejects.toThrow(/bytes long|longer than 128 characters/);
        }
        expect((await target.adapter.introspect(fresh.conn)).tables).toEqual([]);
        return cases.length;
      } finally {
        await fresh.cleanup();
      }
    });
  });
});
