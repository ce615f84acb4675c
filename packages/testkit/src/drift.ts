import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { buildSchemaIR, f, model, parseIgnoreList, runDiff, runDiffApply, runPush, runRollback, type AnyField, type DriftItem, type SchemaShape } from '@forge/core';
import { describe, expect, it } from 'vitest';
import { itIf, type ConformanceTarget, type FreshDatabase } from './target.js';

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
    it('_forge_migrations and *_fts tables are never drift', () =>
      expectDrift(target, users(), users(), [], async (fresh) => {
        await fresh.conn.execute(`CREATE TABLE ${q(target, '_forge_migrations')} (name VARCHAR(255) PRIMARY KEY, applied_at VARCHAR(64))`);
        await fresh.conn.execute(`CREATE TABLE ${q(target, 'notes_fts')} (x INTEGER)`);
      }),
    );
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
        expect(text).toMatch(/-- up[\s\S]*DROP COLUMN[\s\S]*-- down[\s\S]*ADD COLUMN/);
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

    it('removing an indexed field: its indexes are dropped first and restored by rollback', async () => {
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
        expect((await runDiff({ ...ctx, ir: buildSchemaIR(v1) })).items).toEqual([]);
        const rows = await fresh.conn.query<{ handle: string }>(`SELECT ${q(target, 'handle')} FROM ${q(target, 'users')}`);
        expect(rows.map((r) => r.handle)).toEqual(['ada']);
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
}
