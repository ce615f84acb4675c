import { describe, expect, it } from 'vitest';
import { buildSchemaIR, diffSchema, f, model, planDriftApply, planPush, snapshotFromSchema, type DdlEmitter, type Snapshot } from '../src/index.js';
import { fixtureEmitter, snapshotOf, tableOf } from './sync-fixtures.js';
import { lite, pg } from './facts-fixtures.js';

const Owner = model('owners', { id: f.id() });
const schema = (values: string[], onDelete?: 'cascade' | 'setNull') => ({
  Owner,
  Pet: model('pets', { id: f.id(), kind: f.enumOf(values as [string, ...string[]]), ownerId: f.string().optional().refs(() => Owner, onDelete ? { onDelete } : {}) }),
});

/** The live database as introspection reads it: `values` in the CHECK, `onDelete` on the key. */
function live(values: string[] | undefined, onDelete = 'noAction'): Snapshot {
  const snap = snapshotOf(buildSchemaIR(schema(['x'])));
  snap.enumChecksRead = true;
  const pets = tableOf(snap, 'pets');
  const kind = pets.columns.find((c) => c.name === 'kind')!;
  if (values) kind.enumCheck = { name: 'pets_kind_check', values };
  pets.foreignKeys = pets.foreignKeys.map((fk) => ({ ...fk, onDelete, onUpdate: 'noAction' }));
  return snap;
}

/** The fixture emitter plus a CHECK replacement that says what it was asked. */
function emitter(): DdlEmitter {
  return {
    ...fixtureEmitter(),
    enumCheck: (op, reverse) => ({ sql: [`CHECK ${op.table}.${op.column} ${reverse ? 'down' : 'up'} ${(reverse ? op.was : op.values)?.join('|') ?? 'none'}`] }),
  };
}

const withChecks = () => ({ ...pg({ enumChecks: true }), ddl: emitter() });

describe('enum CHECK drift', () => {
  it('a value added is a mismatch naming the refused value, and push widens the CHECK', () => {
    const ir = buildSchemaIR(schema(['cat', 'dog', 'bird']));
    const snap = live(['cat', 'dog']);
    const report = diffSchema(ir, snap, withChecks());
    expect(report.items).toEqual([
      expect.objectContaining({ kind: 'column', direction: 'mismatch', table: 'pets', column: 'kind', property: 'enumValues', schema: ['cat', 'dog', 'bird'], db: ['cat', 'dog'] }),
    ]);
    expect(report.items[0].detail).toBe(
      "column 'kind' allowed values: schema=('cat', 'dog', 'bird') db=('cat', 'dog'): the database refuses 'bird', which the schema allows; forge push widens the CHECK",
    );
    const push = planPush(ir, snap, withChecks());
    expect(push.toApply.map((s) => [s.label, s.sql])).toEqual([['pets.kind allowed values', ['CHECK pets.kind up cat|dog|bird']]]);
    expect(push.toApply[0].enumCheck).toMatchObject({ op: 'setEnumCheck', name: 'pets_kind_check', was: ['cat', 'dog'] });
  });

  it('order of the IN list is not drift', () => {
    expect(diffSchema(buildSchemaIR(schema(['dog', 'cat'])), live(['cat', 'dog']), withChecks()).inSync).toBe(true);
  });

  it('a value removed: push plans nothing and notes diff apply; diff apply narrows it, destructive, with a down', () => {
    const ir = buildSchemaIR(schema(['cat']));
    const snap = live(['cat', 'dog']);
    const push = planPush(ir, snap, withChecks());
    expect(push.toApply).toEqual([]);
    expect(push.notes.join('\n')).toContain("still accepts 'dog'");
    const { ops, deferred } = planDriftApply(diffSchema(ir, snap, withChecks()), ir, snap, withChecks());
    expect(deferred).toEqual([]);
    expect(ops.map((o) => o.change)).toEqual([{ text: "pets.kind allowed values: remove 'dog'", destructive: true }]);
  });

  it('a missing CHECK is drift only where the dialect writes one and introspection read them', () => {
    const ir = buildSchemaIR(schema(['cat']));
    expect(diffSchema(ir, live(undefined), withChecks()).items).toEqual([expect.objectContaining({ property: 'enumValues', db: null })]);
    expect(diffSchema(ir, live(undefined), pg({ enumChecks: false })).items).toEqual([]);
    const unread = live(undefined);
    delete unread.enumChecksRead;
    expect(diffSchema(ir, unread, withChecks()).items).toEqual([]);
  });

  it('a schema snapshot (what forge generate plans from) carries no CHECKs and so no enum drift', () => {
    const ir = buildSchemaIR(schema(['cat']));
    const snap = snapshotFromSchema(ir, { kind: 'postgres', ddl: emitter() });
    expect(diffSchema(ir, snap, withChecks()).inSync).toBe(true);
  });

  it('where the adapter cannot replace a CHECK, push says so and diff apply defers the item', () => {
    const ir = buildSchemaIR(schema(['cat', 'dog']));
    const snap = live(['cat']);
    const adapter = { ...lite(), ddl: fixtureEmitter() };
    expect(planPush(ir, snap, adapter).notes.join('\n')).toMatch(/forge cannot replace a CHECK on sqlite \(capabilities\.enumChecks is not set\)/);
    expect(planDriftApply(diffSchema(ir, snap, adapter), ir, snap, adapter).deferred).toEqual([expect.objectContaining({ property: 'enumValues' })]);
  });
});

describe('foreign-key action drift', () => {
  it('RESTRICT and NO ACTION are the same; an unread action is not compared', () => {
    const snap = live(['x'], 'restrict');
    expect(diffSchema(buildSchemaIR(schema(['x'])), snap, pg()).inSync).toBe(true);
    tableOf(snap, 'pets').foreignKeys.forEach((fk) => delete fk.onDelete);
    expect(diffSchema(buildSchemaIR(schema(['x'], 'cascade')), snap, pg()).inSync).toBe(true);
  });

  it('a different ON DELETE: push drops the key, then adds it with the schema actions; the drop carries the old key for the down', () => {
    const ir = buildSchemaIR(schema(['x'], 'setNull'));
    const snap = live(['x'], 'cascade');
    const item = diffSchema(ir, snap, pg()).items[0];
    expect(item).toMatchObject({ kind: 'foreignKey', direction: 'mismatch', property: 'onDelete', schema: 'setNull', db: 'cascade' });
    expect(item.detail).toContain('in the database deleting a row of owners takes the referencing rows with it, the schema says it sets their key to NULL');
    const push = planPush(ir, snap, { ...pg(), ddl: fixtureEmitter() });
    expect(push.toApply.map((s) => s.op.op)).toEqual(['dropForeignKey', 'addForeignKey']);
    expect(push.toApply[0].op).toMatchObject({ was: { onDelete: 'cascade' } });
    const { ops } = planDriftApply(diffSchema(ir, snap, pg()), ir, snap, { ...pg(), ddl: fixtureEmitter() });
    expect(ops.map((o) => o.op.op)).toEqual(['dropForeignKey', 'addForeignKey']);
  });

  it('without ALTER ... ADD FOREIGN KEY the drift is reported and deferred, with the reason', () => {
    const ir = buildSchemaIR(schema(['x'], 'cascade'));
    const snap = live(['x']);
    const adapter = { ...lite(), ddl: fixtureEmitter() };
    const report = diffSchema(ir, snap, adapter);
    expect(report.items[0].detail).toMatch(/cannot change a foreign key in place/);
    expect(planPush(ir, snap, adapter).toApply).toEqual([]);
    expect(planDriftApply(report, ir, snap, adapter).deferred).toHaveLength(1);
  });
});
