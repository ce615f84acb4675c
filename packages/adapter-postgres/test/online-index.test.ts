import { buildSchemaIR, f, model, planMigration, runsOutsideTransaction, snapshotFromSchema } from '@forge/core';
import { describe, expect, it } from 'vitest';
import { adapter } from '../src/index.js';

/**
 * Issue 14, offline: the Postgres emitter's non-blocking index forms, and where the migration planner uses them
 * (an index on a table that exists before and after the migration), with concurrentIndexes off keeping the plain form.
 */
const online = adapter.ddl.onlineIndex!;

describe('Postgres onlineIndex', () => {
  it('rewrites the index statements the emitter writes, and nothing else', () => {
    expect(online.concurrently('CREATE INDEX IF NOT EXISTS "a" ON "t" USING btree ("x")')).toBe('CREATE INDEX CONCURRENTLY IF NOT EXISTS "a" ON "t" USING btree ("x")');
    expect(online.concurrently('CREATE UNIQUE INDEX IF NOT EXISTS "a" ON "t" ("x")')).toBe('CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS "a" ON "t" ("x")');
    expect(online.concurrently('DROP INDEX IF EXISTS "a"')).toBe('DROP INDEX CONCURRENTLY IF EXISTS "a"');
    expect(online.concurrently('CREATE INDEX CONCURRENTLY "a" ON "t" ("x")')).toBeUndefined();
    expect(online.concurrently('ALTER TABLE "t" ADD COLUMN "x" int')).toBeUndefined();
  });

  it('names the index a CONCURRENTLY build makes, quoted or not', () => {
    expect(online.indexBuilt('CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS "we""ird" ON "t" ("x")')).toBe('we"ird');
    expect(online.indexBuilt('create index concurrently plain_name on t (x)')).toBe('plain_name');
    expect(online.indexBuilt('CREATE INDEX "a" ON "t" ("x")')).toBeUndefined();
    expect(online.dropIndex('we"ird')).toBe('DROP INDEX CONCURRENTLY IF EXISTS "we""ird"');
  });

  it('tries its session lock (a boolean answer), never waits on it', () => {
    expect(online.sessionLock).toMatch(/^SELECT pg_try_advisory_lock\(/);
    expect(online.sessionLockTimeout(250)).toEqual(["SET lock_timeout = '250ms'"]);
  });
});

describe('planMigration with online indexes', () => {
  const Before = model('users', { id: f.id(), email: f.string() });
  const After = model('users', { id: f.id(), email: f.string() }, { indexes: [{ keys: { email: 1 }, name: 'users_email' }] });
  const Posts = model('posts', { id: f.id(), title: f.string() }, { indexes: [{ keys: { title: 1 }, name: 'posts_title' }] });
  const base = snapshotFromSchema(buildSchemaIR({ user: Before }), adapter);

  it('an index on an existing table is CONCURRENTLY both ways; a new table keeps its plain index', () => {
    const plan = planMigration(buildSchemaIR({ user: After, post: Posts }), base, adapter, {}, { concurrentIndexes: true });
    expect(plan.up).toContain('CREATE INDEX CONCURRENTLY IF NOT EXISTS "users_email" ON "users" USING btree ("email")');
    expect(plan.up).toContain('CREATE INDEX IF NOT EXISTS "posts_title" ON "posts" USING btree ("title")');
    expect(plan.down).toContain('DROP INDEX CONCURRENTLY IF EXISTS "users_email"');
    expect(plan.up.filter(runsOutsideTransaction)).toEqual(['CREATE INDEX CONCURRENTLY IF NOT EXISTS "users_email" ON "users" USING btree ("email")']);
    expect(plan.upComments[0]).toMatch(/CONCURRENTLY, outside the transaction/);
  });

  it('concurrentIndexes false, or not given (the programmatic default), writes the plain, transactional form', () => {
    for (const opts of [{ concurrentIndexes: false }, {}]) {
      const plan = planMigration(buildSchemaIR({ user: After }), base, adapter, {}, opts);
      expect(plan.up).toEqual(['CREATE INDEX IF NOT EXISTS "users_email" ON "users" USING btree ("email")']);
      expect(plan.down).toEqual(['DROP INDEX IF EXISTS "users_email"']);
      expect(plan.upComments).toEqual([]);
    }
  });
});
