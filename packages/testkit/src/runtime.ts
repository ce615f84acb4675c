import { DbKnownError, type QueryEvent } from '@forge/core';
import { describe, expect, it } from 'vitest';
import { blogSchema } from './fixtures.js';
import { itIf, withPushed, type ConformanceTarget } from './target.js';

export function runtimeSuite(target: ConformanceTarget): void {
  const caps = target.adapter.capabilities;
  const run = (fn: Parameters<typeof withPushed<ReturnType<typeof blogSchema>>>[2]) => () => withPushed(target, blogSchema(target.adapter.capabilities), fn);

  describe(`${target.name}: transactions`, () => {
    it('commits on return and rolls back on throw', run(async (db) => {
      await db.$transaction(async (tx) => {
        await tx.counter.create({ data: { name: 'kept' } });
      });
      await expect(
        db.$transaction(async (tx) => {
          await tx.counter.create({ data: { name: 'lost' } });
          throw new Error('boom');
        }),
      ).rejects.toThrow('boom');
      expect((await db.counter.findMany({ select: { name: true } })).map((c) => c.name)).toEqual(['kept']);
    }));

    it('root db calls inside the callback join the transaction (AsyncLocalStorage)', run(async (db) => {
      await expect(
        db.$transaction(async () => {
          await db.counter.create({ data: { name: 'via-root' } });
          await db.$executeRaw`UPDATE counters SET n = 5`;
          throw new Error('undo');
        }),
      ).rejects.toThrow('undo');
      expect(await db.counter.count()).toBe(0);
    }));

    it('the array form runs the calls inside one transaction', run(async (db) => {
      const [a, b] = await db.$transaction([db.counter.create({ data: { name: 'a' } }), db.counter.create({ data: { name: 'b' } })]);
      expect([a.name, b.name]).toEqual(['a', 'b']);
      await expect(db.$transaction([db.counter.create({ data: { name: 'c' } }), db.counter.create({ data: { name: 'a' } })])).rejects.toMatchObject({ code: 'UNIQUE_VIOLATION' });
      expect(await db.counter.count()).toBe(2);
    }));

    itIf(caps, 'savepoints', 'a nested $transaction is a savepoint: its failure leaves the outer work intact', run(async (db) => {
      await db.$transaction(async (tx) => {
        await tx.counter.create({ data: { name: 'outer' } });
        await expect(
          tx.$transaction(async (inner) => {
            await inner.counter.create({ data: { name: 'inner' } });
            throw new Error('inner fails');
          }),
        ).rejects.toThrow('inner fails');
      });
      expect((await db.counter.findMany({ select: { name: true } })).map((c) => c.name)).toEqual(['outer']);
    }));

    it('a root query issued while a transaction is open does not join it', run(async (db) => {
      let release!: () => void;
      const gate = new Promise<void>((r) => (release = r));
      const tx = db.$transaction(async (t) => {
        await t.counter.create({ data: { name: 'in-tx' } });
        await gate;
        throw new Error('rollback');
      });
      // Started outside the callback's async context: it must not see or become part of the open transaction.
      const outside = Promise.resolve().then(() => db.counter.create({ data: { name: 'outside' } }));
      setTimeout(release, 20);
      await expect(tx).rejects.toThrow('rollback');
      await outside;
      expect((await db.counter.findMany({ select: { name: true } })).map((c) => c.name)).toEqual(['outside']);
    }));
  });

  describe(`${target.name}: query events`, () => {
    it('$on(query) reports op, model, sql, params, duration and row count; unsubscribe works', run(async (db) => {
      const events: QueryEvent[] = [];
      const off = db.$on('query', (e) => events.push(e));
      await db.user.create({ data: { email: 'e@x.io' } });
      await db.user.findMany({ where: { email: 'e@x.io' } });
      off();
      await db.user.count();
      // Without RETURNING the create is two statements (the insert, then its row read back by key): two events.
      // The handle's capabilities are its server's (MariaDB 10.5+ returns rows from INSERT where MySQL cannot).
      const caps = db.adapter.capabilities;
      const createEvents = caps.returning || caps.returningStatements?.includes('insert') ? 1 : 2;
      expect(events).toHaveLength(createEvents + 1);
      expect(events[0]).toMatchObject({ op: 'create', semanticOp: 'insert', model: 'user', adapter: target.adapter.kind, rowCount: 1 });
      const read = events[createEvents];
      expect(read).toMatchObject({ op: 'findMany', semanticOp: 'select', model: 'user', rowCount: 1 });
      expect(read.params).toContain('e@x.io');
      expect(typeof read.duration_ms).toBe('number');
      expect(read.sql).toMatch(/SELECT/i);
    }));

    it('a throwing listener never reaches the query; $on(error) sees failures', run(async (db) => {
      db.$on('query', () => {
        throw new Error('listener bug');
      });
      const errors: string[] = [];
      db.$on('error', (e) => errors.push(`${e.op}:${(e.error as DbKnownError).code ?? e.error.name}`));
      await db.counter.create({ data: { name: 'x' } });
      await expect(db.counter.create({ data: { name: 'x' } })).rejects.toBeInstanceOf(DbKnownError);
      await expect(db.counter.findUniqueOrThrow({ where: { name: 'nope' } })).rejects.toBeInstanceOf(DbKnownError);
      expect(errors).toEqual(['create:UNIQUE_VIOLATION', 'findUniqueOrThrow:NOT_FOUND']);
    }));
  });

  describe(`${target.name}: error codes`, () => {
    it('unique, foreign key, not null, missing table and missing column map to DbKnownError codes', run(async (db) => {
      const u = await db.user.create({ data: { email: 'dup@x.io' } });
      await expect(db.user.create({ data: { email: 'dup@x.io' } })).rejects.toMatchObject({ name: 'DbKnownError', code: 'UNIQUE_VIOLATION' });
      await expect(db.post.create({ data: { title: 't', authorId: '00000000-0000-0000-0000-000000000000' } })).rejects.toMatchObject({ code: 'FOREIGN_KEY_VIOLATION' });
      await expect(db.$executeRaw`INSERT INTO comments (id, text) VALUES (${'9b2f5a3c-1d4e-4f6a-8b7c-0d1e2f3a4b5c'}, ${'no post'})`).rejects.toMatchObject({ code: 'NOT_NULL_VIOLATION' });
      await expect(db.$queryRaw`SELECT * FROM no_such_table`).rejects.toMatchObject({ code: 'MISSING_TABLE' });
      await expect(db.$queryRaw`SELECT no_such_column FROM users`).rejects.toMatchObject({ code: 'MISSING_COLUMN' });
      expect(u.email).toBe('dup@x.io');
    }));
  });

  describe(`${target.name}: runtime $diff / $migrate / $doctor`, () => {
    it('$migrate creates what is missing and reports destructive drift as pending', async () => {
      const fresh = await target.fresh();
      try {
        const { createDbWith, f, model } = await import('@forge/core');
        const v1 = { item: model('items', { id: f.id(), name: f.string(), legacy: f.string().optional() }) };
        const db1 = createDbWith(target.adapter, fresh.conn, v1);
        const first = await db1.$migrate();
        expect(first.failures).toEqual([]);
        expect(first.applied.length).toBeGreaterThan(0);
        const v2 = { item: model('items', { id: f.id(), name: f.string(), email: f.string().optional() }) };
        const db2 = createDbWith(target.adapter, fresh.conn, v2);
        const second = await db2.$migrate();
        expect(second.alteredColumns).toEqual(['items.email']);
        expect(second.pending).toEqual([expect.objectContaining({ kind: 'column', direction: 'extra', table: 'items', column: 'legacy' })]);
        const diff = await db2.$diff();
        expect(diff.items.map((i) => `${i.kind}:${i.direction}`)).toEqual(['column:extra']);
        const doctor = await db2.$doctor();
        expect(doctor.dialect).toBe(target.adapter.kind);
        expect(doctor.version).toBeTruthy();
      } finally {
        await fresh.cleanup();
      }
    });
  });
}
