import { describe, expect, it } from 'vitest';
import { buildSchemaIR, diffSchema, f, model, planDriftApply, type Capabilities, type Snapshot } from '../src/index.js';
import { col, fixtureEmitter, idx, pgCaps, snapshotOf, sqliteCaps, tableOf } from './sync-fixtures.js';
import { lite, pg } from './facts-fixtures.js';

const User = model(
  'users',
  { id: f.id(), email: f.string(), emailVerifiedAt: f.dateTime().optional().map('email_verified_at'), age: f.int() },
  { indexes: [{ name: 'idx_email', keys: { email: 1 }, method: 'hash' }, { keys: { age: 1 } }] },
);
const Session = model('sessions', { id: f.id(), userId: f.string().map('user_id').refs(() => User) });
const Fresh = model('fresh', { id: f.id() });
const Shared = model('accounts', { id: f.id(), plan: f.string() }, { readonly: true });
const ir = buildSchemaIR({ User, Session, Fresh, Shared });

/** The seed's scenario: a column to add, a column and a table to drop, plus everything diff apply must defer. */
function driftedSnapshot(): Snapshot {
  const snap = snapshotOf(ir);
  snap.tables = snap.tables.filter((t) => t.name !== 'fresh');
  const users = tableOf(snap, 'users');
  users.columns = users.columns.filter((c) => c.name !== 'email_verified_at');
  users.columns.find((c) => c.name === 'age')!.type = 'text';
  users.indexes = users.indexes.filter((i) => i.name !== 'forge_users_idx_age');
  users.indexes.find((i) => i.name === 'idx_email')!.method = 'btree';
  const sessions = tableOf(snap, 'sessions');
  sessions.columns.push(col('legacy_token', 'character varying(64)'));
  sessions.foreignKeys = [];
  tableOf(snap, 'accounts').columns = [col('id', 'uuid', { primaryKey: true })];
  snap.tables.push({ name: 'audit_old', columns: [col('id')], indexes: [], foreignKeys: [] });
  return snap;
}

function plan(caps: Capabilities = pgCaps(), snap = driftedSnapshot()) {
  const facts = caps.dialect === 'sqlite' ? lite().facts : pg().facts;
  return planDriftApply(diffSchema(ir, snap, { capabilities: caps, facts }), ir, snap, { capabilities: caps, facts, ddl: fixtureEmitter() });
}

describe('planDriftApply: the safe slice', () => {
  it('adds before it drops, with the seed change texts', () => {
    const { ops } = plan();
    expect(ops.map((o) => o.change)).toEqual([
      { text: 'add users.email_verified_at', destructive: false },
      { text: 'add index forge_users_idx_age on users', destructive: false },
      { text: 'add foreign key sessions.user_id -> users.id', destructive: false },
      { text: 'drop sessions.legacy_token', destructive: true },
      { text: 'drop table audit_old', destructive: true },
    ]);
    expect(ops.map((o) => o.op.op)).toEqual(['addColumn', 'createIndex', 'addForeignKey', 'dropColumn', 'dropTable']);
  });

  it('keeps the introspected column on a drop so the down block can add it back with its type', () => {
    const drop = plan().ops.find((o) => o.op.op === 'dropColumn')!.op;
    expect(drop).toEqual({ op: 'dropColumn', table: 'sessions', column: 'legacy_token', was: col('legacy_token', 'character varying(64)') });
  });

  it('defers missing tables, type changes, index shape changes and readonly models', () => {
    expect(plan().deferred.map((i) => `${i.kind}/${i.direction}/${i.table}`)).toEqual([
      'column/missing/accounts',
      'table/missing/fresh',
      'columnType/mismatch/users',
      'index/mismatch/users',
    ]);
  });

  it('defers what the dialect cannot ALTER: foreign keys on SQLite, drops without DROP COLUMN', () => {
    const { ops, deferred } = plan(sqliteCaps({ dropColumn: false }));
    expect(ops.map((o) => o.change.text)).toEqual(['add users.email_verified_at', 'add index forge_users_idx_age on users', 'drop table audit_old']);
    expect(deferred.map((i) => i.kind)).toEqual(expect.arrayContaining(['foreignKey', 'column']));
  });

  it('defers a missing index whose name is taken by a live index of another shape', () => {
    const snap = driftedSnapshot();
    tableOf(snap, 'users').indexes.push(idx('forge_users_idx_age', ['email']));
    const { ops, deferred } = plan(pgCaps(), snap);
    expect(ops.map((o) => o.op.op)).not.toContain('createIndex');
    expect(deferred).toContainEqual(expect.objectContaining({ kind: 'index', direction: 'missing', index: 'forge_users_idx_age' }));
  });

  it('drops a table before the tables its foreign keys point at (found by the reliability harness)', () => {
    const snap = snapshotOf(ir);
    // ' parent' sorts before 'child', so report order alone would drop the referenced table first.
    snap.tables.push(
      { name: ' parent', columns: [col('id', 'uuid', { primaryKey: true })], indexes: [], foreignKeys: [] },
      { name: 'child', columns: [col('id', 'uuid', { primaryKey: true }), col('p', 'uuid')], indexes: [], foreignKeys: [{ name: 'fk', columns: ['p'], refTable: ' parent', refColumns: ['id'] }] },
    );
    expect(plan(pgCaps(), snap).ops.map((o) => o.change.text)).toEqual(['drop table child', 'drop table  parent']);
  });

  it('drops the foreign keys of tables that reference each other in a cycle first, where the dialect can', () => {
    const snap = snapshotOf(ir);
    const fk = (name: string, refTable: string) => ({ name, columns: ['o'], refTable, refColumns: ['id'] });
    const table = (name: string, other: string) => ({ name, columns: [col('id', 'uuid', { primaryKey: true }), col('o', 'uuid')], indexes: [], foreignKeys: [fk(`fk_${name}`, other)] });
    snap.tables.push(table('a', 'b'), table('b', 'a'));
    expect(plan(pgCaps(), snap).ops.map((o) => o.op)).toEqual([
      { op: 'dropForeignKey', table: 'a', fk: 'fk_a' },
      // b still references a, so b goes first.
      { op: 'dropTable', table: 'b' },
      { op: 'dropTable', table: 'a' },
    ]);
    // Without ALTER TABLE ... DROP CONSTRAINT the drops stay in report order (SQLite does not refuse them).
    expect(plan(sqliteCaps(), snap).ops.map((o) => o.op.op)).toEqual(['dropTable', 'dropTable']);
  });

  it('rebuilds the search object around a dropped searchable column, and drops it with its table', () => {
    const Note = model('notes', { id: f.id(), title: f.string().searchable() });
    const irN = buildSchemaIR({ Note });
    const snap = snapshotOf(irN);
    tableOf(snap, 'notes').columns.push(col('body'));
    snap.search = [{ table: 'notes', columns: ['title', 'body'], complete: true }];
    snap.tables.push({ name: 'old', columns: [col('id'), col('t')], indexes: [], foreignKeys: [] });
    snap.search.push({ table: 'old', columns: ['t'], complete: true });
    const report = diffSchema(irN, snap, pg());
    const { ops, deferred } = planDriftApply(report, irN, snap, { ...pg(), ddl: fixtureEmitter() });
    expect(deferred).toEqual([]);
    expect(ops.map((o) => o.op)).toEqual([
      { op: 'dropSearch', table: 'notes', columns: ['title', 'body'] },
      { op: 'dropSearch', table: 'old' },
      { op: 'dropColumn', table: 'notes', column: 'body', was: col('body') },
      expect.objectContaining({ op: 'createSearch', columns: [expect.objectContaining({ name: 'title' })] }),
      { op: 'dropTable', table: 'old' },
    ]);
  });

  it('finds the indexes of a dropped column whose name needs quoting (found by the plan simulation)', () => {
    const snap = snapshotOf(ir);
    const users = tableOf(snap, 'users');
    users.columns.push(col('we"ird'), col('name'));
    users.indexes.push(
      idx('ix_quoted', ['email'], { where: '("we""ird" IS NOT NULL)' }),
      idx('ix_other', ['email'], { where: `("dash-name" IS NOT NULL AND kind = 'name')` }),
    );
    const dropped = plan(pgCaps(), snap).ops.filter((o) => o.op.op === 'dropIndex').map((o) => (o.op as { index: string }).index);
    expect(dropped).toEqual(['ix_quoted']);
  });

  it('finds the indexes of a dropped column named in brackets in a filtered index predicate (SQL Server spelling)', () => {
    const snap = snapshotOf(ir);
    const users = tableOf(snap, 'users');
    users.columns.push(col('we]ird'));
    users.indexes.push(idx('ix_bracketed', ['email'], { where: '([we]]ird] IS NOT NULL)' }), idx('ix_unrelated', ['email'], { where: '([we] IS NOT NULL)' }));
    const dropped = plan(pgCaps(), snap).ops.filter((o) => o.op.op === 'dropIndex').map((o) => (o.op as { index: string }).index);
    expect(dropped).toEqual(['ix_bracketed']);
  });

  it('has nothing to do for an in-sync database', () => {
    const snap = snapshotOf(ir);
    expect(plan(pgCaps(), snap)).toEqual({ ops: [], deferred: [] });
  });
});
