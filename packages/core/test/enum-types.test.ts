import { adapter as postgres } from '@forge/adapter-postgres';
import { adapter as sqlite } from '@forge/adapter-sqlite';
import { describe, expect, it } from 'vitest';
import {
  buildSchemaIR,
  diffSchema,
  enumTypesOf,
  f,
  lintStatements,
  model,
  planDriftApply,
  planPush,
  runsOutsideTransaction,
  SchemaError,
  snapshotFromSchema,
  type Snapshot,
} from '../src/index.js';

const ordersOf = (values: readonly string[], extra: Record<string, ReturnType<typeof f.string>> = {}) => ({
  order: model('orders', { id: f.id(), status: f.enumOf(values as [string, ...string[]], { type: 'order_status' }), ...extra }),
});
const irOf = (values: readonly string[]) => buildSchemaIR(ordersOf(values));

/** The database as a push of `values` left it, as introspection reads it. */
function liveWith(values: readonly string[]): Snapshot {
  return { ...snapshotFromSchema(irOf(values), postgres), enumChecksRead: true };
}

describe('f.enumOf(values, { type }) in the schema', () => {
  it('refuses a value listed twice and a blank or padded type name', () => {
    expect(() => f.enumOf(['a', 'b', 'a'])).toThrow(/lists "a" twice/);
    expect(() => f.enumOf(['a'], { type: '' })).toThrow(SchemaError);
    expect(() => f.enumOf(['a'], { type: ' padded' })).toThrow(/without surrounding spaces/);
  });

  it('two fields naming one type must list the same values in the same order; the error names both', () => {
    const two = (a: string[], b: string[]) =>
      buildSchemaIR({
        x: model('xs', { id: f.id(), s: f.enumOf(a as [string], { type: 'st' }) }),
        y: model('ys', { id: f.id(), s: f.enumOf(b as [string], { type: 'st' }) }),
      });
    expect(enumTypesOf(two(['a', 'b'], ['a', 'b']))).toEqual([{ name: 'st', values: ['a', 'b'] }]);
    expect(() => two(['a', 'b'], ['b', 'a'])).toThrow(/ys\.s and xs\.s both name the enum type 'st' with different values/);
    expect(() =>
      buildSchemaIR({ x: model('xs', { id: f.id(), s: f.enumOf(['a'], { type: 'St' }), t: f.enumOf(['a'], { type: 'st' }) }) }),
    ).toThrow(/differ only in case/);
  });

  it('the Postgres column is the type; where the dialect has no enum types the name is ignored', () => {
    const ir = irOf(['draft', 'paid']);
    const pgSnap = snapshotFromSchema(ir, postgres);
    expect(pgSnap.enumTypes).toEqual([{ name: 'order_status', values: ['draft', 'paid'] }]);
    expect(pgSnap.tables[0].columns.find((c) => c.name === 'status')).toMatchObject({ enumType: 'order_status' });
    const liteSnap = snapshotFromSchema(ir, sqlite);
    expect(liteSnap.enumTypes).toBeUndefined();
    expect(liteSnap.tables[0].columns.find((c) => c.name === 'status')?.enumType).toBeUndefined();
    expect(planPush(ir, { dialect: 'sqlite', tables: [], views: [] }, sqlite).toApply.map((s) => s.sql.join('\n')).join('\n')).not.toMatch(/CREATE TYPE/);
  });
});

describe('enum type drift and plans', () => {
  it('in sync when the values and their order match', () => {
    expect(diffSchema(irOf(['draft', 'paid']), liveWith(['draft', 'paid']), postgres).inSync).toBe(true);
  });

  it('a missing type: push creates it before the table that uses it', () => {
    const ir = irOf(['draft', 'paid']);
    const plan = planPush(ir, { dialect: 'postgres', tables: [], views: [], enumTypes: [] }, postgres);
    expect(plan.toApply.map((s) => s.label)).toEqual(['enum type order_status', 'orders']);
    expect(plan.toApply[0].sql).toEqual([`CREATE TYPE "order_status" AS ENUM ('draft', 'paid')`]);
  });

  it('values added: drift names them; push adds each in its place, marked to commit before the rest', () => {
    const ir = irOf(['new', 'draft', 'sent', 'paid']);
    const snap = liveWith(['draft', 'paid']);
    const [item] = diffSchema(ir, snap, postgres).items;
    expect(item).toMatchObject({ kind: 'enumType', direction: 'mismatch', table: 'order_status', property: 'values', db: ['draft', 'paid'] });
    expect(item.detail).toContain("the database lacks 'new', 'sent'; forge push adds them");
    const plan = planPush(ir, snap, postgres);
    expect(plan.toApply).toHaveLength(1);
    expect(plan.toApply[0]).toMatchObject({ label: 'enum type order_status values', commitFirst: true });
    expect(plan.toApply[0].sql).toEqual([
      `ALTER TYPE "order_status" ADD VALUE IF NOT EXISTS 'new' BEFORE 'draft'`,
      `ALTER TYPE "order_status" ADD VALUE IF NOT EXISTS 'sent' AFTER 'draft'`,
    ]);
    expect(plan.toApply[0].sql.every(runsOutsideTransaction)).toBe(true);
  });

  it('a value removed or the order changed: push plans nothing; diff apply replaces the type, destructive, with a down', () => {
    for (const values of [['draft'], ['paid', 'draft']]) {
      const ir = irOf(values);
      const snap = liveWith(['draft', 'paid']);
      expect(planPush(ir, snap, postgres).toApply).toEqual([]);
      const report = diffSchema(ir, snap, postgres);
      expect(report.items[0].detail).toContain('forge diff apply replaces the type and converts its columns');
      const { ops, deferred } = planDriftApply(report, ir, snap, postgres);
      expect(deferred).toEqual([]);
      expect(ops).toHaveLength(1);
      expect(ops[0].change.destructive).toBe(true);
      expect(ops[0].enumType).toMatchObject({ op: 'replaceEnumType', values, was: ['draft', 'paid'], columns: [{ table: 'orders', column: 'status' }] });
    }
    expect(diffSchema(irOf(['paid', 'draft']), liveWith(['draft', 'paid']), postgres).items[0].detail).toContain('the values are in another order');
  });

  it('a type no field names is extra, unless a table the diff ignores uses it; diff apply drops it after the tables', () => {
    const snap = liveWith(['draft', 'paid']);
    snap.enumTypes!.push({ name: 'legacy_mood', values: ['ok'] });
    const ir = irOf(['draft', 'paid']);
    const report = diffSchema(ir, snap, postgres);
    expect(report.items.map((i) => i.detail)).toEqual(["enum type 'legacy_mood' ('ok') in DB but not in schema"]);
    const { ops } = planDriftApply(report, ir, snap, postgres);
    expect(ops.map((o) => o.enumType?.op)).toEqual(['dropEnumType']);
    snap.tables.push({ name: 'legacy', columns: [{ name: 'mood', type: 'legacy_mood', nullable: true, primaryKey: false, enumType: 'legacy_mood' }], indexes: [], foreignKeys: [] });
    expect(diffSchema(ir, snap, postgres, { ignore: ['legacy'] }).inSync).toBe(true);
  });

  it("a replaced type sets the schema's default on the columns it keeps: no separate default change that could run first", () => {
    const schema = (values: string[], dflt: string) => ({
      order: model('orders', { id: f.id(), status: f.enumOf(values as [string], { type: 'order_status' }).default(dflt) }),
    });
    const snap = { ...snapshotFromSchema(buildSchemaIR(schema(['draft', 'sent', 'paid'], 'sent')), postgres), enumChecksRead: true };
    const ir = buildSchemaIR(schema(['draft', 'paid'], 'draft'));
    const { ops } = planDriftApply(diffSchema(ir, snap, postgres), ir, snap, postgres);
    expect(ops.map((o) => o.enumType?.op ?? o.alter?.op ?? o.op.op)).toEqual(['replaceEnumType']);
  });
});

describe('the lint and the file runner see enum type changes', () => {
  it('FORGE_ENUM_VALUES_REMOVED for each column a replaced type converts, with the new values', () => {
    const sql = [
      'ALTER TYPE "order_status" RENAME TO "order_status__forge_old"',
      `CREATE TYPE "order_status" AS ENUM ('draft', 'it''s')`,
      'ALTER TABLE "orders" ALTER COLUMN "status" TYPE "order_status" USING "status"::text::"order_status"',
      'DROP TYPE "order_status__forge_old"',
    ];
    const findings = lintStatements(sql);
    expect(findings.map((x) => [x.code, x.table, x.column, x.enumValues])).toEqual([['FORGE_ENUM_VALUES_REMOVED', 'orders', 'status', ['draft', "it's"]]]);
    // A CREATE TYPE that replaces nothing, and a column moved to text, are not this finding.
    expect(lintStatements([`CREATE TYPE "t" AS ENUM ('a')`, 'ALTER TABLE "x" ALTER COLUMN "c" TYPE "t" USING "c"::text::"t"']).map((x) => x.code)).not.toContain(
      'FORGE_ENUM_VALUES_REMOVED',
    );
  });

  it('ALTER TYPE ... ADD VALUE runs outside the transaction, whatever the quoting; other ALTER TYPE statements do not', () => {
    expect(runsOutsideTransaction(`ALTER TYPE "order status" ADD VALUE 'x'`)).toBe(true);
    expect(runsOutsideTransaction(`alter type public.mood add value if not exists 'x' after 'y'`)).toBe(true);
    expect(runsOutsideTransaction('ALTER TYPE mood RENAME TO mood2')).toBe(false);
    expect(runsOutsideTransaction(`ALTER TYPE mood RENAME VALUE 'a' TO 'b'`)).toBe(false);
  });
});
