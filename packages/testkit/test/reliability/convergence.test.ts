import fc from 'fast-check';
import { it } from 'vitest';
import { additiveOmissionArb, omit, schemaArb } from '../../src/reliability/arbitraries.js';
import { assertConvergesOrRefused, assertPullRoundTrips } from '../../src/reliability/converge.js';
import { describeTargets } from '../../src/reliability/describe.js';
import { checkProperty, propertyRuns, propertyTimeout } from '../../src/reliability/runs.js';
import { buildSchema } from '../../src/reliability/schema-spec.js';
import { loadTargets } from '../../src/reliability/targets.js';

const targets = await loadTargets();
const runs = propertyRuns();

describeTargets('random schemas', targets, (target) => {
  const caps = target.adapter.capabilities;
  const q = (name: string) => target.adapter.compiler.quoteIdent(name);
  const gen = { caps, unsupportedKinds: target.unsupportedKinds };

  it(`converge: push, diff is empty, a second push applies 0, forge pull writes a schema that diffs empty; colliding names are a SchemaError before any DDL (${runs} runs)`, async (ctx) => {
    await checkProperty(
      ctx,
      { dialect: target.name, area: 'convergence' },
      fc.asyncProperty(schemaArb(gen), async (spec) => {
        const fresh = await target.fresh();
        try {
          // What forge pull writes for the database push made describes it: diff empty, push applies 0.
          if ((await assertConvergesOrRefused(target, fresh.conn, buildSchema(spec, q))) === 'converged') await assertPullRoundTrips(target, fresh.conn);
        } finally {
          await fresh.cleanup();
        }
      }),
    );
  }, propertyTimeout(runs));

  it(`additive A → B: push A, push B, diff is empty (${runs} runs)`, async (ctx) => {
    const pair = schemaArb(gen).chain((b) => additiveOmissionArb(b, gen.caps).map((o) => ({ a: omit(b, o), b })));
    await checkProperty(
      ctx,
      { dialect: target.name, area: 'additive-pairs' },
      fc.asyncProperty(pair, async ({ a, b }) => {
        const fresh = await target.fresh();
        try {
          // A refused A leaves the database empty; B is then pushed onto it, which is a fine start too.
          await assertConvergesOrRefused(target, fresh.conn, buildSchema(a, q));
          await assertConvergesOrRefused(target, fresh.conn, buildSchema(b, q));
        } finally {
          await fresh.cleanup();
        }
      }),
    );
  }, propertyTimeout(runs));
});
