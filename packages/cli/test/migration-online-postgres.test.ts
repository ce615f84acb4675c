import { readdirSync, readFileSync } from 'node:fs';
import { adapter } from '@forge/adapter-postgres';
import type { Connection } from '@forge/core';
import { describe, expect, it } from 'vitest';
import { shown, type Project } from './helpers.js';
import { PG_LABEL, indexesOf, ledgerRows, postgresAnswers, query, pgWorkspace } from './postgres.js';

/**
 * Issue 14, Postgres: an index on a table that already exists is written CREATE INDEX CONCURRENTLY IF NOT EXISTS
 * and run outside the migration's transaction, under forge's session lock and a session lock_timeout. Through the
 * built CLI against a live server: a build blocked by another session's open write transaction fails fast naming
 * the lock, a failed unique build leaves an INVALID index that forge drops, reruns succeed, down drops it
 * concurrently, diff apply does the same, and concurrentIndexes: false keeps the plain form.
 */
const pgUp = await postgresAnswers();
const suite = (name: string, fn: () => void) =>
  describe.skipIf(!pgUp).concurrent(`${name} (needs PostgreSQL at ${PG_LABEL}${pgUp ? '' : ' — no answer, skipped'})`, { timeout: 90_000 }, fn);
const step = it.sequential;

const schemaOf = (indexes: string) =>
  `import { model, f } from '@forge/core';\n` +
  `export const User = model('users', { id: f.id(), email: f.string(), nickname: f.string().optional() }, { indexes: [${indexes}] });\n` +
  `export const schema = { user: User };\n`;
const PLAIN = schemaOf('');
const BY_EMAIL = schemaOf(`{ keys: { email: 1 }, name: 'users_email_idx' }`);
const UNIQUE_EMAIL = schemaOf(`{ keys: { email: 1 }, name: 'users_email_idx' }, { keys: { email: 1 }, name: 'users_email_uq', unique: true }`);

const sqlFiles = (p: Project) => readdirSync(p.file('migrations')).filter((f) => f.endsWith('.sql')).sort();
const newest = (p: Project) => readFileSync(p.file(`migrations/${sqlFiles(p).at(-1)}`), 'utf8');

/** Index name → whether Postgres marks it valid, for the users table. */
async function validity(url: string): Promise<Record<string, boolean>> {
  const rows = await query<{ name: string; valid: boolean }>(
    url,
    `SELECT c.relname AS name, i.indisvalid AS valid FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
     WHERE i.indrelid = 'users'::regclass AND NOT i.indisprimary ORDER BY 1`,
  );
  return Object.fromEntries(rows.map((r) => [r.name, r.valid]));
}

/**
 * Another session with an open transaction that wrote to users (a row lock and ROW EXCLUSIVE on the table, which
 * a CONCURRENTLY build must wait out), until `release()`; `done` is the transaction's end (committed).
 */
async function writerHolding(url: string): Promise<{ release(): void; done: Promise<void>; conn: Connection }> {
  const conn = await adapter.connect(url);
  let release!: () => void;
  const released = new Promise<void>((r) => (release = r));
  let holding!: () => void;
  const held = new Promise<void>((r) => (holding = r));
  const done = conn
    .transaction(async (t) => {
      await t.execute("UPDATE users SET nickname = 'busy' WHERE email = 'a@x'");
      holding();
      await released;
    })
    .finally(() => conn.close());
  await held;
  return { release, done, conn };
}

suite('CONCURRENTLY index builds through forge generate / migrate / migrate down', () => {
  const w = pgWorkspace(PLAIN);
  step('generate writes a new table\'s index plain, and an index on an existing table CONCURRENTLY with a concurrent down', async () => {
    w.p.write('src/schema.ts', BY_EMAIL);
    await w.ok(['generate', '--name', 'init', '--dialect', 'postgres']);
    // The table is new in this file: its index commits with it, in the transaction.
    expect(newest(w.p)).toContain('CREATE INDEX IF NOT EXISTS "users_email_idx" ON "users"');
    expect(newest(w.p)).not.toContain('CONCURRENTLY');
    await w.ok(['migrate']);
    await query(w.db.url, "INSERT INTO users (id, email) VALUES (gen_random_uuid(), 'a@x'), (gen_random_uuid(), 'b@x'), (gen_random_uuid(), 'a@x')");

    w.p.write('src/schema.ts', UNIQUE_EMAIL);
    await w.ok(['generate', '--name', 'unique_email']);
    const text = newest(w.p);
    expect(text).toMatch(/-- up\n-- indexes on existing tables build CONCURRENTLY[^\n]*\nCREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS "users_email_uq" ON "users" USING btree \("email"\);/);
    expect(text).toMatch(/-- down\nDROP INDEX CONCURRENTLY IF EXISTS "users_email_uq";/);
  });

  step('a unique build over duplicates fails, leaves an INVALID index, and forge drops it and says so', async () => {
    const r = await w.forge(['migrate', '--accept-data-loss']);
    expect(r.code, shown(r)).toBe(2);
    expect(r.stdout).toMatch(/failed at: CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS "users_email_uq"[^\n]*\n\s+Unique constraint users_email_uq failed on users: Key \(email\)=\(a@x\) is duplicated/);
    expect(r.stdout).toContain('The failed build left the INVALID index users_email_uq; forge dropped it (DROP INDEX CONCURRENTLY IF EXISTS "users_email_uq")');
    expect(await validity(w.db.url)).toEqual({ users_email_idx: true });
    expect((await ledgerRows(w.db.url)).map((x) => x.name)).toEqual([sqlFiles(w.p)[0].replace(/\.sql$/, '')]);
  });

  step('after the duplicates are fixed, the rerun builds the index (valid) and records the file', async () => {
    await query(w.db.url, "DELETE FROM users WHERE email = 'a@x' AND ctid <> (SELECT min(ctid) FROM users WHERE email = 'a@x')");
    const r = await w.ok(['migrate']);
    expect(r.stdout).toMatch(/applied 0002_\S+_unique_email \(1 statement\)/);
    expect(await validity(w.db.url)).toEqual({ users_email_idx: true, users_email_uq: true });
    expect(JSON.parse((await w.ok(['migrate', 'status', '--json'])).stdout)).toMatchObject({ clean: true });
  });

  step('a build blocked by another session\'s open write transaction fails fast, naming the lock; the rerun after its commit succeeds', async () => {
    await w.ok(['migrate', 'down']);
    expect(await validity(w.db.url)).toEqual({ users_email_idx: true });
    const holder = await writerHolding(w.db.url);
    try {
      const started = Date.now();
      const r = await w.forge(['migrate'], { FORGE_LOCK_TIMEOUT: '300ms' });
      expect(r.code, shown(r)).toBe(2);
      expect(Date.now() - started).toBeLessThan(20_000);
      expect(r.stdout).toMatch(/gave up after waiting 300 ms for the lock on table users/);
      expect(r.stdout).toContain('pg_stat_activity');
      // The build got as far as the catalog entry: the INVALID index stays until the lock is gone.
      expect(r.stdout).toMatch(/left the INVALID index users_email_uq, and forge could not drop it yet/);
      expect(await validity(w.db.url)).toEqual({ users_email_idx: true, users_email_uq: false });
      expect(await ledgerRows(w.db.url)).toHaveLength(1);
    } finally {
      holder.release();
      await holder.done;
    }
    const again = await w.ok(['migrate'], { FORGE_LOCK_TIMEOUT: '300ms' });
    expect(again.stdout).toMatch(/applied 0002_/);
    expect(await validity(w.db.url)).toEqual({ users_email_idx: true, users_email_uq: true });
  });

  step('migrate down drops it CONCURRENTLY (outside a transaction) and removes the ledger row', async () => {
    const r = await w.ok(['migrate', 'down']);
    expect(r.stdout).toContain('DROP INDEX CONCURRENTLY IF EXISTS "users_email_uq"');
    expect(await validity(w.db.url)).toEqual({ users_email_idx: true });
    expect(await ledgerRows(w.db.url)).toHaveLength(1);
  });

  step('two migrates at once: both exit 0, the index is built once', async () => {
    const [a, b] = await Promise.all([w.forge(['migrate']), w.forge(['migrate'])]);
    expect(a.code, shown(a)).toBe(0);
    expect(b.code, shown(b)).toBe(0);
    expect(`${a.stdout}${b.stdout}`.match(/applied 0002_/g)).toHaveLength(1);
    expect(await validity(w.db.url)).toEqual({ users_email_idx: true, users_email_uq: true });
    expect(await ledgerRows(w.db.url)).toHaveLength(2);
  });
});

suite('CONCURRENTLY through forge diff apply / rollback, and concurrentIndexes: false', () => {
  const w = pgWorkspace(PLAIN);
  step('diff apply builds an index on an existing table CONCURRENTLY; rollback drops it the same way', async () => {
    await w.ok(['push']);
    w.p.write('src/schema.ts', BY_EMAIL);
    const r = await w.ok(['diff', 'apply']);
    const file = readdirSync(w.p.file('migrations')).find((f) => f.endsWith('_drift.sql'))!;
    const text = readFileSync(w.p.file(`migrations/${file}`), 'utf8');
    expect(text).toContain('CREATE INDEX CONCURRENTLY IF NOT EXISTS "users_email_idx" ON "users"');
    expect(text).toContain('DROP INDEX CONCURRENTLY IF EXISTS "users_email_idx"');
    expect(r.stdout).toContain('applied');
    expect(await validity(w.db.url)).toEqual({ users_email_idx: true });
    const back = await w.ok(['rollback']);
    expect(back.stdout).toContain('DROP INDEX CONCURRENTLY IF EXISTS "users_email_idx"');
    expect(await indexesOf(w.db.url, 'users')).not.toHaveProperty('users_email_idx');
  });

  step('with concurrentIndexes: false in forge.config the statements are the plain, transactional form', async () => {
    w.p.write('forge.config.ts', "export default { concurrentIndexes: false };\n");
    const applied = await w.ok(['diff', 'apply']);
    // The file this run wrote, by its own line: in the same second as the last one it is <stamp>_drift_2.sql.
    const file = /wrote (\S+\.sql)/.exec(applied.stdout)?.[1];
    expect(file, applied.stdout).toBeDefined();
    const text = readFileSync(w.p.file(file!), 'utf8');
    expect(text).toContain('CREATE INDEX IF NOT EXISTS "users_email_idx" ON "users"');
    expect(text).not.toContain('CONCURRENTLY');
    expect(await validity(w.db.url)).toEqual({ users_email_idx: true });
    w.p.write('forge.config.ts', "export default { concurrentIndexes: 'yes' };\n");
    const bad = await w.forge(['diff', 'apply']);
    expect(bad.code, shown(bad)).toBe(1);
    expect(bad.stderr).toContain('`concurrentIndexes` must be true or false');
  });
});

suite('a diff apply killed between its segments is settled like one where DDL is not transactional', () => {
  const WITH_AGE = `import { model, f } from '@forge/core';\nexport const User = model('users', { id: f.id(), email: f.string(), nickname: f.string().optional(), age: f.int().optional() }, { indexes: [{ keys: { age: 1 }, name: 'users_age' }] });\nexport const schema = { user: User };\n`;
  const PENDING = '.20300101T000000_drift.sql.pending';
  const pendingText = '-- forge migration: 20300101T000000_drift\n\n-- up\nALTER TABLE "users" ADD COLUMN "age" INTEGER;\nCREATE INDEX CONCURRENTLY IF NOT EXISTS "users_age" ON "users" USING btree ("age");\n\n-- down\nDROP INDEX CONCURRENTLY IF EXISTS "users_age";\nALTER TABLE "users" DROP COLUMN IF EXISTS "age";\n';
  const w = pgWorkspace(PLAIN);
  step('first segment committed, build not run: migrate refuses naming it; diff apply removes it and applies what is left', async () => {
    await w.ok(['push']);
    w.p.write('src/schema.ts', WITH_AGE);
    // What a kill after the first segment leaves: its ALTER committed, the pending file, no ledger row.
    w.p.write(`migrations/${PENDING}`, pendingText);
    await query(w.db.url, 'ALTER TABLE "users" ADD COLUMN "age" INTEGER');
    const m = await w.forge(['migrate']);
    expect(m.code, shown(m)).toBe(1);
    expect(m.stderr).toContain('a killed forge diff apply left 20300101T000000_drift pending, and on postgres some of its statements may have been applied');
    const r = await w.ok(['diff', 'apply']);
    expect(r.stdout).toContain('applied');
    const files = readdirSync(w.p.file('migrations'));
    expect(files).toHaveLength(1);
    expect(files[0]).toMatch(/_drift\.sql$/);
    expect(files[0]).not.toBe('20300101T000000_drift.sql');
    expect(readFileSync(w.p.file(`migrations/${files[0]}`), 'utf8')).toMatch(/-- up\n-- indexes on existing tables[^\n]*\nCREATE INDEX CONCURRENTLY IF NOT EXISTS "users_age"[^\n]*;\n\n-- down/);
    expect(await validity(w.db.url)).toEqual({ users_age: true });
    expect((await w.ok(['diff', '--check'])).stdout).toContain('no drift');
  });
  step('every statement landed: the next diff apply records the pending file under its own name', async () => {
    await w.ok(['rollback']);
    await w.ok(['push']);
    w.p.write(`migrations/${PENDING}`, pendingText);
    expect(await validity(w.db.url)).toEqual({ users_age: true });
    const r = await w.ok(['diff', 'apply']);
    expect(r.stdout).toContain('had already applied every statement of 20300101T000000_drift');
    expect((await ledgerRows(w.db.url)).map((x) => x.name)).toContain('20300101T000000_drift');
    expect(readdirSync(w.p.file('migrations'))).toContain('20300101T000000_drift.sql');
  });
});
