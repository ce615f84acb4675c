import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { buildSchemaIR, createDbWith, f, model, parseIgnoreList, runDiff, runDiffApply, runPush, runRollback, SchemaError, type AnyField, type AnyModel, type DriftItem, type SchemaShape } from '@forge/core';
import { describe, expect, it } from 'vitest';
import { itIf, itIfAction, supports, type ConformanceTarget, type FreshDatabase } from './target.js';

async function pushed(target: ConformanceTarget, schema: SchemaShape): Promise<FreshDatabase> {
  const fresh = await target.fresh();
  const report = await runPush({ adapter: target.adapter, conn: fresh.conn, ir: buildSchemaIR(schema) });
  if (report.failures.length) {
    await fresh.cleanup();
    throw new Error(`push failed: ${JSON.stringify(report.failures)}`);
  }
  return fresh;
}

/** Push `before`, run `mutate` (raw SQL a human or another tool ran), diff against `after`: exactly `expected`. */
async function expectDrift(
  target: ConformanceTarget,
  before: SchemaShape,
  after: SchemaShape,
  expected: Array<Partial<DriftItem>>,
  mutate?: (fresh: FreshDatabase) => Promise<void>,
): Promise<void> {
  const fresh = await pushed(target, before);
  try {
    await mutate?.(fresh);
    const report = await runDiff({ adapter: target.adapter, conn: fresh.conn, ir: buildSchemaIR(after) });
    expect(report.items).toHaveLength(expected.length);
    for (const [i, e] of expected.entries()) expect(report.items[i]).toMatchObject(e);
    expect(report.inSync).toBe(expected.length === 0);
  } finally {
    await fresh.cleanup();
  }
}

const q = (target: ConformanceTarget, name: string) => target.adapter.compiler.quoteIdent(name);
/** A boolean literal in raw SQL: T-SQL has no TRUE / FALSE (a bit column compares with 1 / 0). */
const boolSql = (target: ConformanceTarget, v: boolean) => (target.adapter.kind === 'mssql' ? (v ? '1' : '0') : v ? 'TRUE' : 'FALSE');

/**
 * After a rollback re-adds a dropped required column: every drift item must be that column's nullability (the
 * values are gone, so the column comes back nullable); returns the `table.column` names.
 */
async function nullableAgain(ctx: Parameters<typeof runDiff>[0], ir: ReturnType<typeof buildSchemaIR>): Promise<string[]> {
  const items = (await runDiff({ ...ctx, ir })).items;
  for (const i of items) expect(i).toMatchObject({ kind: 'column', direction: 'mismatch', property: 'nullable', schema: false, db: true });
  return items.map((i) => `${i.table}.${i.column}`);
}

export function driftSuite(target: ConformanceTarget): void {
  const caps = target.adapter.capabilities;
  const users = (extra: Record<string, AnyField> = {}) => ({ user: model('users', { id: f.id(), email: f.string(), ...extra }) });

  describe(`${target.name}: drift rules (seed 004) produce exactly the documented item`, () => {
    it('table missing', () => expectDrift(target, users(), { ...users(), audit: model('audit', { id: f.id() }) }, [{ kind: 'table', direction: 'missing', table: 'audit' }]));
    it('table extra', () => expectDrift(target, { ...users(), audit: model('audit', { id: f.id() }) }, users(), [{ kind: 'table', direction: 'extra', table: 'audit' }]));
    it('column missing', () => expectDrift(target, users(), users({ name: f.string().optional() }), [{ kind: 'column', direction: 'missing', table: 'users', column: 'name' }]));
    it('column extra', () => expectDrift(target, users({ legacy: f.string().optional() }), users(), [{ kind: 'column', direction: 'extra', table: 'users', column: 'legacy' }]));
    itIf(caps, 'compareTypes', 'columnType mismatch by category', () =>
      expectDrift(target, { t: model('t', { id: f.id(), n: f.int() }) }, { t: model('t', { id: f.id(), n: f.string() }) }, [{ kind: 'columnType', direction: 'mismatch', table: 't', column: 'n' }]),
    );
    itIf(caps, 'compareTypes', 'text vs varchar(255) is not drift (same category)', () =>
      expectDrift(target, { t: model('t', { id: f.id(), n: f.string().dbType('varchar(255)') }) }, { t: model('t', { id: f.id(), n: f.string() }) }, []),
    );
    it('index missing (by column set and uniqueness)', () =>
      expectDrift(target, users(), { user: model('users', { id: f.id(), email: f.string().unique() }) }, [{ kind: 'index', direction: 'missing', table: 'users' }]),
    );
    it('extra unique index drifts', () =>
      expectDrift(target, users(), users(), [{ kind: 'index', direction: 'extra', table: 'users' }], async (fresh) => {
        await fresh.conn.execute(`CREATE UNIQUE INDEX ${q(target, 'u_legacy_email')} ON ${q(target, 'users')} (${q(target, 'email')})`);
      }),
    );
    it('extra non-unique index does not drift', () =>
      expectDrift(target, users(), users(), [], async (fresh) => {
        await fresh.conn.execute(`CREATE INDEX ${q(target, 'ix_ops_email')} ON ${q(target, 'users')} (${q(target, 'email')})`);
      }),
    );
    itIf(caps, 'partialIndexes', 'named index deep-field mismatch on where', () =>
      expectDrift(
        target,
        { user: model('users', { id: f.id(), email: f.string(), active: f.bool() }, { indexes: [{ keys: { email: 1 }, name: 'idx_email_active', where: 'active = true' }] }) },
        { user: model('users', { id: f.id(), email: f.string(), active: f.bool() }, { indexes: [{ keys: { email: 1 }, name: 'idx_email_active', where: 'active = false' }] }) },
        [{ kind: 'index', direction: 'mismatch', table: 'users', index: 'idx_email_active', property: 'where' }],
      ),
    );
    itIf(caps, 'alterAddForeignKey', 'foreign key missing', () => {
      const Owner = model('owners', { id: f.id() });
      return expectDrift(
        target,
        { owner: Owner, pet: model('pets', { id: f.id(), ownerId: f.string() }) },
        { owner: Owner, pet: model('pets', { id: f.id(), ownerId: f.string().refs(() => Owner) }) },
        [{ kind: 'foreignKey', direction: 'missing', table: 'pets' }],
      );
    });
    itIf(caps, 'views', 'view missing', () =>
      expectDrift(target, users(), { ...users(), v: model('user_emails', { email: f.string() }, { view: { sql: 'SELECT email FROM users' } }) }, [{ kind: 'view', direction: 'missing', table: 'user_emails' }]),
    );
    it('_forge_migrations is never drift; a table named like a search object is, when no search object is there', () =>
      expectDrift(target, users(), users(), [{ kind: 'table', direction: 'extra', table: 'notes_fts' }], async (fresh) => {
        await fresh.conn.execute(`CREATE TABLE ${q(target, '_forge_migrations')} (name VARCHAR(255) PRIMARY KEY, applied_at VARCHAR(64))`);
        await fresh.conn.execute(`CREATE TABLE ${q(target, 'notes_fts')} (x INTEGER)`);
      }),
    );
    it('names containing _fts are the user\'s: an index idx_notes_fts_lookup is created by push and reported when missing', async () => {
      const schema = {
        note: model('notes', { id: f.id(), tag: f.string(), body_fts: f.string().optional() }, { indexes: [{ keys: { tag: 1 }, name: 'idx_notes_fts_lookup' }] }),
        lookup: model('notes_fts_lookup', { id: f.id() }),
      };
      const fresh = await pushed(target, schema);
      try {
        const snap = await target.adapter.introspect(fresh.conn);
        expect(snap.tables.map((t) => t.name).sort()).toEqual(['notes', 'notes_fts_lookup']);
        expect(snap.tables.find((t) => t.name === 'notes')!.indexes.map((i) => i.name)).toContain('idx_notes_fts_lookup');
        const ctx = { adapter: target.adapter, conn: fresh.conn, ir: buildSchemaIR(schema) };
        expect((await runDiff(ctx)).inSync).toBe(true);
        // Index names are per table on MySQL, so its DROP INDEX names the table too.
        const onTable = target.adapter.facts.indexNamespace === 'table' ? ` ON ${q(target, 'notes')}` : '';
        await fresh.conn.execute(`DROP INDEX ${q(target, 'idx_notes_fts_lookup')}${onTable}`);
        expect((await runDiff(ctx)).items).toEqual([expect.objectContaining({ kind: 'index', direction: 'missing', index: 'idx_notes_fts_lookup' })]);
      } finally {
        await fresh.cleanup();
      }
    });
    itIf(caps, 'partialIndexes', 'an unnamed unique index is not satisfied by a partial unique index on the same columns', async () => {
      const schema = { user: model('users', { id: f.id(), email: f.string(), active: f.bool() }) };
      const uniqueEmail = { user: model('users', { id: f.id(), email: f.string().unique(), active: f.bool() }) };
      const fresh = await pushed(target, schema);
      try {
        await fresh.conn.execute(`CREATE UNIQUE INDEX ${q(target, 'u_active_email')} ON ${q(target, 'users')} (${q(target, 'email')}) WHERE ${q(target, 'active')} = ${boolSql(target, true)}`);
        const ctx = { adapter: target.adapter, conn: fresh.conn, ir: buildSchemaIR(uniqueEmail) };
        expect((await runDiff(ctx)).items).toContainEqual(expect.objectContaining({ kind: 'index', direction: 'missing', index: 'forge_users_uq_email' }));
        const report = await runPush(ctx);
        expect(report.applied).toContain('forge_users_uq_email');
        const insert = `INSERT INTO ${q(target, 'users')} (${q(target, 'id')}, ${q(target, 'email')}, ${q(target, 'active')}) VALUES`;
        await fresh.conn.execute(`${insert} ('00000000-0000-4000-8000-000000000001', 'a@x.io', ${boolSql(target, false)})`);
        await expect(fresh.conn.execute(`${insert} ('00000000-0000-4000-8000-000000000002', 'a@x.io', ${boolSql(target, false)})`)).rejects.toThrow();
      } finally {
        await fresh.cleanup();
      }
    });
    it('index names that collide with each other or with a table are a SchemaError before any DDL', async () => {
      const fresh = await target.fresh();
      try {
        const clash = {
          a: model('a_things', { id: f.id(), x: f.string() }, { indexes: [{ keys: { x: 1 }, name: 'idx_shared' }] }),
          b: model('b_things', { id: f.id(), x: f.string() }, { indexes: [{ keys: { x: 1 }, name: 'idx_shared' }] }),
        };
        if (target.adapter.facts.indexNamespace === 'table') {
          // Index names are per table here (MySQL): the same name on two tables, or a table's name, is no clash.
          const report = await runPush({ adapter: target.adapter, conn: fresh.conn, ir: buildSchemaIR(clash) });
          expect(report.failures).toEqual([]);
          expect((await runDiff({ adapter: target.adapter, conn: fresh.conn, ir: buildSchemaIR(clash) })).inSync).toBe(true);
          return;
        }
        await expect(runPush({ adapter: target.adapter, conn: fresh.conn, ir: buildSchemaIR(clash) })).rejects.toThrow(SchemaError);
        const likeTable = { a: model('a_things', { id: f.id(), x: f.string() }, { indexes: [{ keys: { x: 1 }, name: 'b_things' }] }), b: model('b_things', { id: f.id() }) };
        await expect(runPush({ adapter: target.adapter, conn: fresh.conn, ir: buildSchemaIR(likeTable) })).rejects.toThrow(/same name 'b_things'/);
        expect((await target.adapter.introspect(fresh.conn)).tables).toEqual([]);
      } finally {
        await fresh.cleanup();
      }
    });
    itIf(caps, 'fullTextSearch', 'a second .searchable() field is indexed: push rebuilds the search object, diff reports it first', async () => {
      const v1 = { note: model('notes', { id: f.id(), title: f.string().searchable(), body: f.text() }) };
      const v2 = { note: model('notes', { id: f.id(), title: f.string().searchable(), body: f.text().searchable() }) };
      const fresh = await pushed(target, v1);
      try {
        await createDbWith(target.adapter, fresh.conn, v1).note.create({ data: { title: 'hello', body: 'turnips and leeks' } });
        const ctx = { adapter: target.adapter, conn: fresh.conn, ir: buildSchemaIR(v2) };
        expect((await runDiff(ctx)).items).toEqual([expect.objectContaining({ kind: 'index', direction: 'mismatch', table: 'notes', search: true })]);
        const report = await runPush(ctx);
        expect(report.failures).toEqual([]);
        expect((await runDiff(ctx)).inSync).toBe(true);
        const db = createDbWith(target.adapter, fresh.conn, v2);
        expect((await db.note.findMany({ where: { body: { search: 'turnips' } } })).map((n) => n.title)).toEqual(['hello']);
        expect((await db.note.findMany({ where: { title: { search: 'hello' } } })).map((n) => n.title)).toEqual(['hello']);
        expect((await runPush(ctx)).applied).toEqual([]);
      } finally {
        await fresh.cleanup();
      }
    });
    it('ignore patterns (exact and /regex/flags) hide tables and report them', async () => {
      const fresh = await pushed(target, { ...users(), a: model('logs', { id: f.id() }), b: model('_atlas_meta', { id: f.id() }), c: model('audit', { id: f.id() }) });
      try {
        const report = await runDiff({ adapter: target.adapter, conn: fresh.conn, ir: buildSchemaIR(users()) }, { ignore: parseIgnoreList('logs,/^_ATLAS_/i') });
        expect(report.ignored).toEqual(['_atlas_meta', 'logs']);
        expect(report.items).toEqual([expect.objectContaining({ kind: 'table', direction: 'extra', table: 'audit' })]);
      } finally {
        await fresh.cleanup();
      }
    });
  });

  describe(`${target.name}: diff apply and rollback`, () => {
    it('remove a field: diff apply writes up/down and a ledger row; rollback restores the column and deletes the row', async () => {
      const dir = mkdtempSync(path.join(tmpdir(), 'forge-mig-'));
      const withLegacy = { user: model('users', { id: f.id(), email: f.string(), legacy: f.string().optional() }) };
      const fresh = await pushed(target, withLegacy);
      try {
        const ctx = { adapter: target.adapter, conn: fresh.conn, ir: buildSchemaIR(users()) };
        const result = await runDiffApply(ctx, { dir, now: new Date('2026-06-24T14:30:52Z') });
        expect(result.applied).toBe(true);
        expect(result.name).toBe('20260624T143052_drift');
        const files = readdirSync(dir);
        expect(files).toEqual(['20260624T143052_drift.sql']);
        const text = readFileSync(path.join(dir, files[0]), 'utf8');
        expect(text).toMatch(/-- up[\s\S]*DROP COLUMN[\s\S]*-- down[\s\S]*\bADD\b/);
        const ledger = await fresh.conn.query<{ name: string }>(`SELECT name FROM ${q(target, '_forge_migrations')}`);
        expect(ledger.map((r) => r.name)).toEqual(['20260624T143052_drift']);
        expect((await runDiff(ctx)).inSync).toBe(true);

        const back = await runRollback({ adapter: target.adapter, conn: fresh.conn }, { dir });
        expect(back.name).toBe('20260624T143052_drift');
        const after = await runDiff({ ...ctx, ir: buildSchemaIR(withLegacy) });
        expect(after.inSync).toBe(true);
        expect(await fresh.conn.query(`SELECT name FROM ${q(target, '_forge_migrations')}`)).toEqual([]);
      } finally {
        await fresh.cleanup();
        rmSync(dir, { recursive: true, force: true });
      }
    });

    itIf(caps, 'alterIndexedTable', 'removing an indexed field: its indexes are dropped first and restored by rollback', async () => {
      const dir = mkdtempSync(path.join(tmpdir(), 'forge-mig-'));
      const v1 = { user: model('users', { id: f.id(), email: f.string().unique(), handle: f.string() }, { indexes: [{ keys: { handle: 1, email: 1 }, name: 'idx_handle_email' }] }) };
      const v2 = { user: model('users', { id: f.id(), handle: f.string() }) };
      const fresh = await pushed(target, v1);
      try {
        await fresh.conn.execute(`INSERT INTO ${q(target, 'users')} (${q(target, 'id')}, ${q(target, 'email')}, ${q(target, 'handle')}) VALUES ('00000000-0000-4000-8000-000000000001', 'a@x.io', 'ada')`);
        const ctx = { adapter: target.adapter, conn: fresh.conn, ir: buildSchemaIR(v2) };
        const result = await runDiffApply(ctx, { dir, now: new Date('2026-06-24T14:30:52Z') });
        expect(result.applied).toBe(true);
        expect(result.deferred).toEqual([]);
        expect(result.changes.map((c) => c.text)).toEqual(expect.arrayContaining(['drop users.email', expect.stringMatching(/^drop index forge_users_uq_email/)]));
        expect((await runDiff(ctx)).inSync).toBe(true);
        await runRollback({ adapter: target.adapter, conn: fresh.conn }, { dir });
        // The dropped column comes back with its index, but nullable: its values are gone and the table has rows.
        // diff says so, rather than calling a column that holds NULL in sync with a required field.
        expect(await nullableAgain(ctx, buildSchemaIR(v1))).toEqual(['users.email']);
        const rows = await fresh.conn.query<{ handle: string }>(`SELECT ${q(target, 'handle')} FROM ${q(target, 'users')}`);
        expect(rows.map((r) => r.handle)).toEqual(['ada']);
      } finally {
        await fresh.cleanup();
        rmSync(dir, { recursive: true, force: true });
      }
    });

    itIf(caps, 'fullTextSearch', 'removing a .searchable() field: the search object is rebuilt around the drop, and rollback restores both', async () => {
      const dir = mkdtempSync(path.join(tmpdir(), 'forge-mig-'));
      const v1 = { note: model('notes', { id: f.id(), title: f.string().searchable(), body: f.text().searchable() }) };
      const v2 = { note: model('notes', { id: f.id(), title: f.string().searchable() }) };
      const fresh = await pushed(target, v1);
      try {
        await createDbWith(target.adapter, fresh.conn, v1).note.create({ data: { title: 'hello', body: 'turnips' } });
        const ctx = { adapter: target.adapter, conn: fresh.conn, ir: buildSchemaIR(v2) };
        const result = await runDiffApply(ctx, { dir, now: new Date('2026-06-24T14:30:52Z') });
        expect(result.applied).toBe(true);
        expect(result.deferred).toEqual([]);
        expect((await runDiff(ctx)).inSync).toBe(true);
        const db = createDbWith(target.adapter, fresh.conn, v2);
        expect((await db.note.findMany({ where: { title: { search: 'hello' } } })).map((n) => n.title)).toEqual(['hello']);
        await db.note.create({ data: { title: 'world' } });
        expect((await db.note.findMany({ where: { title: { search: 'world' } } })).map((n) => n.title)).toEqual(['world']);

        await runRollback({ adapter: target.adapter, conn: fresh.conn }, { dir });
        expect(await nullableAgain(ctx, buildSchemaIR(v1))).toEqual(['notes.body']);
        const back = createDbWith(target.adapter, fresh.conn, v1);
        expect((await back.note.findMany({ where: { title: { search: 'world' } } })).map((n) => n.title)).toEqual(['world']);
      } finally {
        await fresh.cleanup();
        rmSync(dir, { recursive: true, force: true });
      }
    });

    itIf(caps, 'foreignKeyCycles', 'dropping tables that reference each other in a cycle', async () => {
      const dir = mkdtempSync(path.join(tmpdir(), 'forge-mig-'));
      const A: AnyModel = model('cyc_a', { id: f.id(), bId: f.string().optional().refs(() => B) });
      const B: AnyModel = model('cyc_b', { id: f.id(), aId: f.string().optional().refs(() => A) });
      const fresh = await pushed(target, { ...users(), a: A, b: B });
      try {
        const ctx = { adapter: target.adapter, conn: fresh.conn, ir: buildSchemaIR(users()) };
        const result = await runDiffApply(ctx, { dir, now: new Date('2026-06-24T14:30:52Z') });
        expect(result.applied).toBe(true);
        expect((await runDiff(ctx)).inSync).toBe(true);
        expect((await target.adapter.introspect(fresh.conn)).tables.map((t) => t.name).filter((n) => n !== '_forge_migrations')).toEqual(['users']);
      } finally {
        await fresh.cleanup();
        rmSync(dir, { recursive: true, force: true });
      }
    });

    it('a diff apply killed before its commit leaves no migration file; one killed after it gets its file on the next run', async () => {
      const dir = mkdtempSync(path.join(tmpdir(), 'forge-mig-'));
      const withLegacy = { user: model('users', { id: f.id(), email: f.string(), legacy: f.string().optional() }) };
      const fresh = await pushed(target, withLegacy);
      try {
        // What a kill leaves: the file under its pending name, with (after the commit) or without its ledger row.
        writeFileSync(path.join(dir, '.20260101T000000_drift.sql.pending'), '-- up\nSELECT 1;\n-- down\n');
        const ctx = { adapter: target.adapter, conn: fresh.conn, ir: buildSchemaIR(users()) };
        const result = await runDiffApply(ctx, { dir, now: new Date('2026-06-24T14:30:52Z') });
        expect(result.applied).toBe(true);
        expect(readdirSync(dir)).toEqual(['20260624T143052_drift.sql']);

        await fresh.conn.execute(`INSERT INTO ${q(target, '_forge_migrations')} (name, applied_at) VALUES ('20260625T000000_drift', '2026-06-25T00:00:00.000Z')`);
        writeFileSync(path.join(dir, '.20260625T000000_drift.sql.pending'), '-- up\nSELECT 1;\n-- down\n');
        await runDiffApply(ctx, { dir, now: new Date('2026-06-26T00:00:00Z') });
        expect(readdirSync(dir).sort()).toEqual(['20260624T143052_drift.sql', '20260625T000000_drift.sql']);
      } finally {
        await fresh.cleanup();
        rmSync(dir, { recursive: true, force: true });
      }
    });

    it('--dry writes nothing and applies nothing', async () => {
      const dir = mkdtempSync(path.join(tmpdir(), 'forge-mig-'));
      const fresh = await pushed(target, { user: model('users', { id: f.id(), email: f.string(), legacy: f.string().optional() }) });
      try {
        const result = await runDiffApply({ adapter: target.adapter, conn: fresh.conn, ir: buildSchemaIR(users()) }, { dir, dry: true });
        expect(result.applied).toBe(false);
        expect(result.content).toContain('-- up');
        expect(readdirSync(dir)).toEqual([]);
        const report = await runDiff({ adapter: target.adapter, conn: fresh.conn, ir: buildSchemaIR(users()) });
        expect(report.items).toEqual([expect.objectContaining({ kind: 'column', direction: 'extra' })]);
      } finally {
        await fresh.cleanup();
        rmSync(dir, { recursive: true, force: true });
      }
    });

    it('push is additive: it never drops what the schema removed', async () => {
      const fresh = await pushed(target, { ...users({ legacy: f.string().optional() }), old: model('old_stuff', { id: f.id() }) });
      try {
        const report = await runPush({ adapter: target.adapter, conn: fresh.conn, ir: buildSchemaIR(users()) });
        expect(report.applied).toEqual([]);
        const snap = await target.adapter.introspect(fresh.conn);
        expect(snap.tables.map((t) => t.name).sort()).toEqual(['old_stuff', 'users']);
        expect(snap.tables.find((t) => t.name === 'users')!.columns.map((c) => c.name)).toContain('legacy');
      } finally {
        await fresh.cleanup();
      }
    });
  });

  describe(`${target.name}: enum CHECK drift and foreign-key action drift (issue 14)`, () => {
    const posts = (values: readonly string[]) => ({ post: model('posts', { id: f.id(), status: f.enumOf(values as [string, ...string[]]) }) });
    // f.id() is a uuid on some dialects: the rows' keys are uuids written as text.
    const uuid = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;
    const insertStatus = (fresh: FreshDatabase, id: string, status: string) =>
      fresh.conn.execute(`INSERT INTO ${q(target, 'posts')} (${q(target, 'id')}, ${q(target, 'status')}) VALUES ('${uuid(Number(id.slice(1)))}', '${status}')`);

    itIf(caps, 'enumChecks', 'a value added to f.enumOf is drift; push widens the CHECK and the new value is accepted', async () => {
      const fresh = await pushed(target, posts(['draft', 'live']));
      try {
        await expect(insertStatus(fresh, 'p1', 'archived')).rejects.toThrow();
        const ctx = { adapter: target.adapter, conn: fresh.conn, ir: buildSchemaIR(posts(['draft', 'live', 'archived'])) };
        const report = await runDiff(ctx);
        expect(report.inSync).toBe(false);
        expect(report.items).toEqual([
          expect.objectContaining({ kind: 'column', direction: 'mismatch', table: 'posts', column: 'status', property: 'enumValues', schema: ['draft', 'live', 'archived'], db: ['draft', 'live'] }),
        ]);
        expect(report.items[0].detail).toContain("refuses 'archived'");
        const push = await runPush(ctx);
        expect(push.failures).toEqual([]);
        expect(push.applied).toEqual(['posts.status allowed values']);
        expect((await runDiff(ctx)).inSync).toBe(true);
        await insertStatus(fresh, 'p1', 'archived');
        // The CHECK still refuses what no version of the schema allowed.
        await expect(insertStatus(fresh, 'p2', 'bogus')).rejects.toThrow();
      } finally {
        await fresh.cleanup();
      }
    });

    itIf(caps, 'enumChecks', 'a value removed from f.enumOf: push leaves it (a note); diff apply narrows the CHECK with a down; rollback restores it', async () => {
      const dir = mkdtempSync(path.join(tmpdir(), 'forge-mig-'));
      const wide = posts(['draft', 'live', 'archived']);
      const narrow = posts(['draft', 'live']);
      const fresh = await pushed(target, wide);
      try {
        const ctx = { adapter: target.adapter, conn: fresh.conn, ir: buildSchemaIR(narrow) };
        expect((await runDiff(ctx)).items).toEqual([expect.objectContaining({ kind: 'column', direction: 'mismatch', column: 'status', property: 'enumValues', schema: ['draft', 'live'], db: ['draft', 'live', 'archived'] })]);
        const push = await runPush(ctx);
        expect(push.applied).toEqual([]);
        expect(push.notes.join('\n')).toMatch(/posts\.status[\s\S]*still accepts 'archived'[\s\S]*run forge diff apply/);
        await insertStatus(fresh, 'p1', 'archived');

        // A row holds the removed value: the narrowed CHECK cannot be added, and nothing changes.
        await expect(runDiffApply(ctx, { dir, now: new Date('2026-06-24T14:30:52Z') })).rejects.toThrow();
        expect(readdirSync(dir)).toEqual([]);
        expect((await runDiff(ctx)).items).toHaveLength(1);

        await fresh.conn.execute(`UPDATE ${q(target, 'posts')} SET ${q(target, 'status')} = 'live'`);
        const result = await runDiffApply(ctx, { dir, now: new Date('2026-06-24T14:30:52Z') });
        expect(result.applied).toBe(true);
        expect(result.changes).toEqual([{ text: "posts.status allowed values: remove 'archived'", destructive: true }]);
        expect(result.content).toMatch(/-- up[\s\S]*CHECK[\s\S]*-- down[\s\S]*'archived'/);
        expect((await runDiff(ctx)).inSync).toBe(true);
        await expect(insertStatus(fresh, 'p2', 'archived')).rejects.toThrow();

        await runRollback({ adapter: target.adapter, conn: fresh.conn }, { dir });
        expect((await runDiff({ ...ctx, ir: buildSchemaIR(wide) })).inSync).toBe(true);
        await insertStatus(fresh, 'p2', 'archived');
      } finally {
        await fresh.cleanup();
        rmSync(dir, { recursive: true, force: true });
      }
    });

    itIf(caps, 'enumChecks', 'an f.enum column whose CHECK was dropped by hand is drift; diff apply adds it back', async () => {
      const dir = mkdtempSync(path.join(tmpdir(), 'forge-mig-'));
      const schema = posts(['draft', 'live']);
      const fresh = await pushed(target, schema);
      try {
        const snap = await target.adapter.introspect(fresh.conn);
        const check = snap.tables.find((t) => t.name === 'posts')!.columns.find((c) => c.name === 'status')!.enumCheck!;
        expect(check.values).toEqual(['draft', 'live']);
        await fresh.conn.execute(`ALTER TABLE ${q(target, 'posts')} DROP CONSTRAINT ${q(target, check.name)}`);
        const ctx = { adapter: target.adapter, conn: fresh.conn, ir: buildSchemaIR(schema) };
        expect((await runDiff(ctx)).items).toEqual([expect.objectContaining({ kind: 'column', direction: 'mismatch', column: 'status', property: 'enumValues', db: null })]);
        const result = await runDiffApply(ctx, { dir });
        expect(result.changes).toEqual([{ text: "add a CHECK on posts.status allowing only 'draft', 'live'", destructive: true }]);
        expect((await runDiff(ctx)).inSync).toBe(true);
        await expect(insertStatus(fresh, 'p1', 'bogus')).rejects.toThrow();
      } finally {
        await fresh.cleanup();
        rmSync(dir, { recursive: true, force: true });
      }
    });

    const Owner = model('owners', { id: f.id() });
    const withPets = (onDelete?: 'cascade' | 'restrict' | 'setNull', onUpdate?: 'cascade') => ({
      owner: Owner,
      pet: model('pets', { id: f.id(), ownerId: f.string().optional().refs(() => Owner, { ...(onDelete ? { onDelete } : {}), ...(onUpdate ? { onUpdate } : {}) }) }),
    });
    const seedPets = async (fresh: FreshDatabase) => {
      await fresh.conn.execute(`INSERT INTO ${q(target, 'owners')} (${q(target, 'id')}) VALUES ('${uuid(1)}')`);
      await fresh.conn.execute(`INSERT INTO ${q(target, 'pets')} (${q(target, 'id')}, ${q(target, 'ownerId')}) VALUES ('${uuid(2)}', '${uuid(1)}')`);
    };
    const deleteOwner = (fresh: FreshDatabase) => fresh.conn.execute(`DELETE FROM ${q(target, 'owners')} WHERE ${q(target, 'id')} = '${uuid(1)}'`);
    const petCount = async (fresh: FreshDatabase) => Number((await fresh.conn.query<{ n: unknown }>(`SELECT COUNT(*) AS n FROM ${q(target, 'pets')}`))[0].n);

    itIfAction(caps, 'cascade', 'an ON DELETE that differs is drift, in words that say what a delete does', async () => {
      const fresh = await pushed(target, withPets());
      try {
        const report = await runDiff({ adapter: target.adapter, conn: fresh.conn, ir: buildSchemaIR(withPets('cascade')) });
        expect(report.items).toEqual([expect.objectContaining({ kind: 'foreignKey', direction: 'mismatch', table: 'pets', column: 'ownerId', property: 'onDelete', schema: 'cascade' })]);
        expect(report.items[0].detail).toMatch(/deleting a row of owners is refused while rows reference it, the schema says it takes the referencing rows with it/);
        // RESTRICT and NO ACTION both refuse: not drift.
        expect((await runDiff({ adapter: target.adapter, conn: fresh.conn, ir: buildSchemaIR(withPets('restrict')) })).inSync).toBe(true);
      } finally {
        await fresh.cleanup();
      }
    });

    if (supports(caps, 'alterAddForeignKey')) {
      itIfAction(caps, 'cascade', 'push replaces a key whose ON DELETE differs: a delete then cascades as the schema says', async () => {
        const fresh = await pushed(target, withPets());
        try {
          await seedPets(fresh);
          await expect(deleteOwner(fresh)).rejects.toThrow();
          const ctx = { adapter: target.adapter, conn: fresh.conn, ir: buildSchemaIR(withPets('cascade')) };
          const push = await runPush(ctx);
          expect(push.failures).toEqual([]);
          expect(push.applied).toEqual(['forge_pets_fk_ownerId (drop to replace)', 'forge_pets_fk_ownerId']);
          expect((await runDiff(ctx)).inSync).toBe(true);
          await deleteOwner(fresh);
          expect(await petCount(fresh)).toBe(0);
        } finally {
          await fresh.cleanup();
        }
      });

      itIfAction(caps, 'cascade', 'diff apply replaces a key whose ON DELETE / ON UPDATE differ, with a down; rollback brings the old actions back', async () => {
        const dir = mkdtempSync(path.join(tmpdir(), 'forge-mig-'));
        const fresh = await pushed(target, withPets('cascade'));
        try {
          const ctx = { adapter: target.adapter, conn: fresh.conn, ir: buildSchemaIR(withPets(undefined, 'cascade')) };
          const drift = await runDiff(ctx);
          expect(drift.items.map((i) => [i.kind, i.direction, i.property])).toEqual([
            ['foreignKey', 'mismatch', 'onDelete'],
            ['foreignKey', 'mismatch', 'onUpdate'],
          ]);
          const result = await runDiffApply(ctx, { dir });
          expect(result.applied).toBe(true);
          expect(result.changes.map((c) => c.text)).toEqual([
            "drop foreign key forge_pets_fk_ownerId on pets to add it again with the schema's actions",
            'add foreign key pets.ownerId -> owners.id (ON DELETE noAction, ON UPDATE cascade)',
          ]);
          expect((await runDiff(ctx)).inSync).toBe(true);
          await seedPets(fresh);
          await expect(deleteOwner(fresh)).rejects.toThrow();

          await runRollback({ adapter: target.adapter, conn: fresh.conn }, { dir });
          expect((await runDiff({ ...ctx, ir: buildSchemaIR(withPets('cascade')) })).inSync).toBe(true);
          await deleteOwner(fresh);
          expect(await petCount(fresh)).toBe(0);
        } finally {
          await fresh.cleanup();
          rmSync(dir, { recursive: true, force: true });
        }
      });
    } else {
      itIfAction(caps, 'cascade', 'an ON DELETE change cannot be altered here: push notes it, diff apply defers it, nothing changes', async () => {
        const dir = mkdtempSync(path.join(tmpdir(), 'forge-mig-'));
        const fresh = await pushed(target, withPets());
        try {
          const ctx = { adapter: target.adapter, conn: fresh.conn, ir: buildSchemaIR(withPets('cascade')) };
          const push = await runPush(ctx);
          expect(push.applied).toEqual([]);
          expect(push.notes.join('\n')).toMatch(/cannot change a foreign key in place/);
          const result = await runDiffApply(ctx, { dir });
          expect(result.applied).toBe(false);
          expect(result.deferred).toEqual([expect.objectContaining({ kind: 'foreignKey', direction: 'mismatch', property: 'onDelete' })]);
          expect(readdirSync(dir)).toEqual([]);
        } finally {
          await fresh.cleanup();
          rmSync(dir, { recursive: true, force: true });
        }
      });
    }
  });
}
