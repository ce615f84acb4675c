import { createDbWith, f, model, runPush, buildSchemaIR, SqlExecutor, type Adapter, type SqlBuilder } from '@forge/core';
import { describe, expect, it } from 'vitest';
import { adapter, SqliteCompiler } from '../src/index.js';
import { memory } from './helpers.js';

/**
 * A compiler that binds OFFSET before LIMIT (`LIMIT ?, ?`, SQLite's other spelling, which is how SQL Server's
 * `OFFSET @p ROWS FETCH NEXT @p` orders them) and WHERE values last-field-first. The client caches must notice
 * and stop caching; if they only counted parameters, every later call would swap take and skip.
 */
class ReorderingCompiler extends SqliteCompiler {
  constructor() {
    super();
    // Bound LIMIT, so both values are parameters (SqliteCompiler's own field is the literal type `true`).
    Object.defineProperty(this, 'inlineLimit', { value: false });
  }
  protected override limitOffset(b: SqlBuilder, limit: number | undefined, offset: number | undefined): void {
    if (limit === undefined && !offset) return;
    b.push(' LIMIT ').bind(offset ?? 0).push(', ').bind(limit ?? -1);
  }
}

const Item = model('items', { id: f.id(), n: f.int(), tag: f.string(), note: f.string().optional() });
const schema = { item: Item };

async function dbWith(compiler: SqliteCompiler) {
  const conn = await memory();
  const a: Adapter = { ...adapter, compiler, executor: new SqlExecutor(compiler) };
  await runPush({ adapter: a, conn, ir: buildSchemaIR(schema) });
  const db = createDbWith(a, conn, schema);
  for (let n = 1; n <= 9; n++) await db.item.create({ data: { id: `i${n}`, n, tag: n % 2 ? 'odd' : 'even' } });
  return db;
}

describe('client caches with a compiler that orders parameters its own way', () => {
  it('reads page correctly when LIMIT and OFFSET are bound in the other order, call after call', async () => {
    const db = await dbWith(new ReorderingCompiler());
    const page = async (take: number, skip: number) => (await db.item.findMany({ orderBy: { n: 'asc' }, take, skip, select: { n: true } })).map((r) => r.n);
    // Equal take and skip first: a check that compares values could not tell them apart and would cache the shape.
    expect(await page(2, 2)).toEqual([3, 4]);
    expect(await page(3, 1)).toEqual([2, 3, 4]);
    expect(await page(1, 5)).toEqual([6]);
    expect(await page(4, 2)).toEqual([3, 4, 5, 6]);
    await db.$disconnect();
  });

  it('writes bind each value to its own column whatever the order in which shapes were first seen', async () => {
    const db = await dbWith(new ReorderingCompiler());
    // The same text twice ('x', 'x') on the first call of a shape, then different values.
    await db.item.update({ where: { id: 'i1' }, data: { tag: 'x', note: 'x' } });
    await db.item.update({ where: { id: 'i2' }, data: { tag: 'tag2', note: 'note2' } });
    expect(await db.item.findUnique({ where: { id: 'i2' }, select: { tag: true, note: true } })).toEqual({ tag: 'tag2', note: 'note2' });
    const found = await db.item.findMany({ where: { tag: 'odd', n: 3 }, select: { id: true } });
    expect(found).toEqual([{ id: 'i3' }]);
    await db.$disconnect();
  });
});
