import { buildSchemaIR, createDbWith, f, model, runPush, ValidationError, type Adapter, type Capabilities, type QueryEvent } from '@forge/core';
import { clientSuite, conformanceTarget, reachTarget } from '@forge/testkit';
import { describe, expect, it } from 'vitest';
import { adapter } from '../src/index.js';
import { memory } from './helpers.js';

/**
 * Every client-side capability flag changes what the client does: each case runs the same calls on the SQLite
 * adapter with the flag as declared and flipped, and checks the difference. The flags read by diff and the
 * planner are covered by the drift and DDL suites, which skip or change cases by flag.
 */
const with_ = (flags: Partial<Capabilities>): Adapter => ({ ...adapter, capabilities: { ...adapter.capabilities, ...flags } });

const Note = model('notes', { id: f.id(), seq: f.int(), title: f.string().searchable(), meta: f.json().optional() });
const Counter = model('counters', { id: f.id({ type: 'int' }), label: f.string() });
const schema = { note: Note, counter: Counter };

async function open(a: Adapter) {
  const conn = await memory();
  await runPush({ adapter: a, conn, ir: buildSchemaIR(schema) });
  const db = createDbWith(a, conn, schema);
  const sql: string[] = [];
  db.$on('query', (e: QueryEvent) => sql.push(String(e.sql)));
  return { db, sql };
}

describe('capability flags change behaviour', () => {
  it('returning: without it, writes read their row back by key (client-side id, driver insert id, or the key read first)', async () => {
    for (const returning of [true, false]) {
      const { db, sql } = await open(with_({ returning }));
      const a = await db.note.create({ data: { seq: 1, title: 'a' } });
      const c = await db.counter.create({ data: { label: 'first' } });
      expect(c.id, 'an auto-increment key comes back from the driver').toBe(1);
      expect((await db.note.update({ where: { id: a.id }, data: { seq: 2 } })).seq).toBe(2);
      expect((await db.note.upsert({ where: { id: a.id }, create: { seq: 9, title: 'no' }, update: { seq: 3 } })).seq).toBe(3);
      expect((await db.note.upsert({ where: { id: 'n2' }, create: { id: 'n2', seq: 7, title: 'b' }, update: {} })).seq).toBe(7);
      expect((await db.note.delete({ where: { id: a.id } })).title).toBe('a');
      await expect(db.note.update({ where: { id: 'missing' }, data: { seq: 1 } })).rejects.toMatchObject({ code: 'NOT_FOUND' });
      await expect(db.note.delete({ where: { id: 'missing' } })).rejects.toMatchObject({ code: 'NOT_FOUND' });
      expect(await db.note.count()).toBe(1);
      const usedReturning = sql.some((s) => /\bRETURNING\b/i.test(s));
      expect(usedReturning, `RETURNING in SQL with returning: ${returning}`).toBe(returning);
      await db.$disconnect();
    }
  });

  it('savepoints: without them a nested $transaction is refused, never flattened', async () => {
    for (const savepoints of [true, false]) {
      const { db } = await open(with_({ savepoints }));
      const nested = db.$transaction(async (tx) => {
        await tx.note.create({ data: { seq: 1, title: 'outer' } });
        await tx.$transaction(async (inner) => inner.note.create({ data: { seq: 2, title: 'inner' } }));
      });
      if (savepoints) await expect(nested).resolves.toBeUndefined();
      else await expect(nested).rejects.toThrow(/nested \$transaction needs savepoints/);
      expect(await db.note.count()).toBe(savepoints ? 2 : 0);
      await db.$disconnect();
    }
  });

  it('nativeCursor: without it, findManyStream reads pages (LIMIT/OFFSET ordered to the key) with the same rows', async () => {
    for (const nativeCursor of [true, false]) {
      const { db, sql } = await open(with_({ nativeCursor }));
      for (let i = 0; i < 25; i++) await db.note.create({ data: { id: `n${String(i).padStart(2, '0')}`, seq: i % 3, title: `t${i}` } });
      sql.length = 0;
      const seen: string[] = [];
      for await (const row of db.note.findManyStream({ orderBy: { seq: 'asc' }, chunkSize: 4, skip: 2, take: 19 })) seen.push(row.id);
      const expected = (await db.note.findMany({ orderBy: [{ seq: 'asc' }, { id: 'asc' }], skip: 2, take: 19 })).map((r) => r.id);
      if (nativeCursor) expect(new Set(seen)).toEqual(new Set(expected));
      else expect(seen).toEqual(expected);
      // Pages: ceil(19 / 4) = 5 reads; a cursor is one statement.
      expect(sql.filter((s) => s.startsWith('SELECT')).length - 1).toBe(nativeCursor ? 1 : 5);
      await db.$disconnect();
    }
  });

  it('transactionalDdl: without it, push says each statement commits on its own', async () => {
    for (const transactionalDdl of [true, false]) {
      const a = with_({ transactionalDdl });
      const conn = await memory();
      const report = await runPush({ adapter: a, conn, ir: buildSchemaIR(schema) });
      expect(report.transactional).toBe(transactionalDdl);
      expect(report.notes.some((n) => /not transactional: each statement commits as it runs/.test(n))).toBe(!transactionalDdl);
      expect(report.applied.length).toBeGreaterThan(0);
      await conn.close();
    }
  });

  it('fullTextSearch and jsonPath: without them, search and JSON path filters are refused naming the flag', async () => {
    const on = await open(adapter);
    await on.db.note.create({ data: { seq: 1, title: 'red apple', meta: { k: 'v' } } });
    expect(await on.db.note.count({ where: { title: { search: 'apple' } } })).toBe(1);
    expect(await on.db.note.count({ where: { meta: { path: ['k'], equals: 'v' } } })).toBe(1);
    const off = await open(with_({ fullTextSearch: false, jsonPath: false }));
    await expect(off.db.note.count({ where: { title: { search: 'apple' } } })).rejects.toThrow(/capabilities\.fullTextSearch is false/);
    await expect(off.db.note.count({ where: { meta: { path: ['k'], equals: 'v' } } })).rejects.toBeInstanceOf(ValidationError);
    await expect(off.db.note.count({ where: { meta: { path: ['k'], equals: 'v' } } })).rejects.toThrow(/capabilities\.jsonPath is false/);
    await on.db.$disconnect();
    await off.db.$disconnect();
  });
});

// The whole client conformance suite once more on SQLite with RETURNING and cursors off: the code paths a
// dialect without them (MySQL, SQL Server's drivers) takes.
const reached = await reachTarget('sqlite', { adapter: with_({ returning: false, nativeCursor: false }) });
const title = 'client conformance with returning: false, nativeCursor: false';
if ('skip' in reached) describe.skip(`${title} [skipped: ${reached.skip}]`, () => it('every case', () => undefined));
else describe(title, () => clientSuite(conformanceTarget(reached, { name: 'sqlite-no-returning' })));
