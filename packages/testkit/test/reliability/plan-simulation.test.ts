import fc from 'fast-check';
import { buildSchemaIR, diffSchema, SchemaError } from '@forge/core';
import { describe, expect, it } from 'vitest';
import { additiveOmissionArb, droppingOmissionArb, omit, schemaArb } from '../../src/reliability/arbitraries.js';
import { checkProperty, propertyRuns, propertyTimeout } from '../../src/reliability/runs.js';
import { buildSchema, type SchemaSpec, type TableSpec } from '../../src/reliability/schema-spec.js';
import { namesCollide, reusesFreedName, shapeDifference, simulatePushThenDiffApply, snapshotOf } from '../../src/reliability/simulate.js';
import { TARGETS } from '../../src/reliability/targets.js';

const runs = propertyRuns();

/**
 * Database-free: for random A and B (B adds what push creates and drops what diff apply drops), the
 * operations `forge push` then `forge diff apply` plan from snapshot(A) turn it into snapshot(B), with
 * each adapter's real capabilities and emitter deciding which operations run.
 */
describe('plan simulation: push + diff apply planned from snapshot(A) give snapshot(B)', () => {
  for (const entry of TARGETS) {
    it(`${entry.name} planner and emitter (${runs * 10} runs)`, async (ctx) => {
      const adapter = await entry.adapter();
      const caps = adapter.capabilities;
      const q = (name: string) => adapter.compiler.quoteIdent(name);
      const pair = schemaArb({ caps, unsupportedKinds: [] }).chain((base) =>
        fc.tuple(additiveOmissionArb(base, caps), droppingOmissionArb(base, caps)).map(([x, y]) => ({ a: omit(base, x), b: omit(base, y) })),
      );
      await checkProperty(
        ctx,
        { dialect: entry.name, area: 'plan-simulation' },
        fc.asyncProperty(pair, async ({ a, b }) => {
          const irA = buildSchemaIR(buildSchema(a, q));
          const irB = buildSchemaIR(buildSchema(b, q));
          const refused = (fn: () => unknown) => {
            try {
              fn();
            } catch (e) {
              if (e instanceof SchemaError) return;
              throw e;
            }
            throw new Error('a schema with colliding names was planned instead of refused with a SchemaError');
          };
          // Colliding names: planning refuses the schema before any operation.
          if (namesCollide(irA, adapter)) return refused(() => snapshotOf(irA, adapter));
          const from = snapshotOf(irA, adapter);
          if (namesCollide(irB, adapter)) return refused(() => simulatePushThenDiffApply(irB, from, adapter));
          // Known and reported in RELIABILITY.md: a name A's object holds and B gives to another object.
          fc.pre(!reusesFreedName(irA, irB));
          const got = simulatePushThenDiffApply(irB, from, adapter);
          const difference = shapeDifference(snapshotOf(irB, adapter), got);
          if (difference.length) throw new Error(`the planned operations do not give B:\n  ${difference.join('\n  ')}`);
          const drift = diffSchema(irB, got, adapter);
          if (!drift.inSync) throw new Error(`B's drift against the simulated database is not empty: ${JSON.stringify(drift.items, null, 2)}`);
        }),
        // Pure and fast: ten times the database properties' count costs a few seconds.
        runs * 10,
      );
    }, propertyTimeout(runs * 10));
  }
});

/**
 * Found by the mssql property (seed 1644869451, path "323:9264:0:0:0:0:0:6:9:9:5"), shrunk by hand to its cause:
 * where indexes are named per table (SQL Server, MySQL) two tables may each have an index `ix`. B drops the column
 * each one uses; diff apply must drop both indexes before their columns. It dropped only the first table's: core's
 * `dependentIndexDrops` (core/src/diff/drift-apply.ts) remembers the indexes it already planned by name alone, so
 * the second table's `ix` counted as planned, its DROP COLUMN ran with the index in place, and SQL Server refuses
 * that (error 5074). The fix keys that memory by table and name.
 */
describe('plan simulation: regression cases', () => {
  const table = (name: string, withColumn: boolean): TableSpec => ({
    name,
    key: { id: 'id', type: 'int' },
    fields: withColumn ? [{ name: 'x', kind: 'int', optional: true, unique: false }] : [],
    indexes: withColumn ? [{ keys: [['x', 1]], unique: false, name: 'ix' }] : [],
    uniques: [],
  });
  const a: SchemaSpec = { tables: [table('a', true), table('b', true)] };
  const b: SchemaSpec = { tables: [table('a', false), table('b', false)] };

  /** Push then diff apply, planned from snapshot(A) on `dialect`'s adapter, give snapshot(B), and B diffs empty against it. */
  async function expectPlansToB(dialect: string, specA: SchemaSpec, specB: SchemaSpec): Promise<void> {
    const adapter = await TARGETS.find((t) => t.name === dialect)!.adapter();
    const q = (name: string) => adapter.compiler.quoteIdent(name);
    const irA = buildSchemaIR(buildSchema(specA, q));
    const irB = buildSchemaIR(buildSchema(specB, q));
    expect(namesCollide(irA, adapter) || namesCollide(irB, adapter)).toBe(false);
    const got = simulatePushThenDiffApply(irB, snapshotOf(irA, adapter), adapter);
    expect(shapeDifference(snapshotOf(irB, adapter), got)).toEqual([]);
    expect(diffSchema(irB, got, adapter).items).toEqual([]);
  }

  it('mssql: two tables each with an index ix over a dropped column get both indexes dropped first', async () => {
    await expectPlansToB('mssql', a, b);
  });

  /**
   * Found by the same mssql property once the case above was fixed (seed -1560282749): a column named `n ` and one
   * named `n`; an index filtered on `[n ] IS NOT NULL`; B drops `n`. Core's `usesColumn` looks for the bare word `n`
   * in the filter and finds it inside the bracketed `[n ]`, so diff apply drops an index B keeps (push had already
   * run, nothing recreates it). The fix blanks quoted names and string literals before the bare-word test.
   */
  it('mssql: a filter on [n ] does not use column n', async () => {
    const spec = (withN: boolean): SchemaSpec => ({
      tables: [
        {
          name: 't',
          key: { id: 'id', type: 'int' },
          fields: [{ name: 'n ', kind: 'int', optional: true, unique: false }, ...(withN ? [{ name: 'm', column: 'n', kind: 'int' as const, optional: true, unique: false }] : [])],
          indexes: [{ keys: [['n ', 1]], unique: false, whereNotNull: 'n ', name: 'ix' }],
          uniques: [],
        },
      ],
    });
    await expectPlansToB('mssql', spec(true), spec(false));
  });

  /**
   * Found by the postgres property (seed -1634310536): A has a unique index on x that INCLUDEs y; B drops y and
   * declares an unnamed unique index on x. Push counted A's index as B's (the identity leaves INCLUDE out), diff
   * apply dropped A's index with y, and nothing created B's. diff apply now creates it after the drop.
   */
  it('postgres: a unique index met by another index that INCLUDEs a dropped column is created again', async () => {
    const spec = (withY: boolean): SchemaSpec => ({
      tables: [
        {
          name: 't',
          key: { id: 'id', type: 'int' },
          fields: [{ name: 'x', kind: 'int', optional: true, unique: false }, ...(withY ? [{ name: 'y', kind: 'int' as const, optional: true, unique: false }] : [])],
          indexes: withY ? [{ keys: [['x', 1]], unique: true, include: ['y'], name: 'ix_cover' }] : [{ keys: [['x', 1]], unique: true }],
          uniques: [],
        },
      ],
    });
    await expectPlansToB('postgres', spec(true), spec(false));
  });
});
