import { buildSchemaIR, planPush } from '@forge/core';
import { expect, it } from 'vitest';
import { cliProject, eventually, shown, type CliRun } from '../../src/reliability/cli.js';
import { describeTargets } from '../../src/reliability/describe.js';
import { shopFor } from '../../src/reliability/fixtures/index.js';
import { fullRun, recordCases } from '../../src/reliability/runs.js';
import { loadTargets, type ReliabilityTarget } from '../../src/reliability/targets.js';

const targets = await loadTargets();
const PROCESSES = 8;
/** One round in the regular suite; the reliability run repeats the race five times. */
const rounds = fullRun() ? 5 : 1;

const appliedCount = (r: CliRun) => Number(/applied: (\d+)/.exec(r.stdout)?.[1] ?? NaN);

/**
 * Eight `forge push` processes at once on one database. All exit 0; the statements the plan needs are
 * applied exactly once between them (the lock makes the others find the work done); diff --check then
 * exits 0 and no push lock is left held.
 */
async function race(target: ReliabilityTarget, prepushed: boolean): Promise<void> {
  const SHOP = shopFor(target.adapter.capabilities);
  const fresh = await target.fresh();
  const project = cliProject({ 'src/schema.ts': SHOP.v1.source });
  try {
    const env = { DATABASE_URL: fresh.url };
    if (prepushed) {
      const first = await project.run(['push'], env);
      expect(first.code, shown(first)).toBe(0);
    }
    const before = await target.adapter.introspect(fresh.conn);
    const expected = planPush(buildSchemaIR(SHOP.v2.schema), before, target.adapter).summary.apply;
    expect(expected).toBeGreaterThan(0);
    project.write('src/schema.ts', SHOP.v2.source);

    const runs = await Promise.all(Array.from({ length: PROCESSES }, () => project.run(['push'], env)));
    for (const r of runs) expect(r.code, shown(r)).toBe(0);
    expect(runs.map(appliedCount).reduce((a, b) => a + b, 0), runs.map(shown).join('\n')).toBe(expected);

    const check = await project.run(['diff', '--check'], env);
    expect(check.code, shown(check)).toBe(0);
    await eventually(() => target.assertLockFree(fresh.url));
  } finally {
    project.cleanup();
    await fresh.cleanup();
  }
}

describeTargets(`${PROCESSES} concurrent forge push processes`, targets, (target) => {
  for (const [name, prepushed] of [['on an empty database', false], ['on a database that needs changes', true]] as const) {
    it(`${name} (${rounds} round(s))`, async (ctx) => {
      await recordCases(ctx, { dialect: target.name, area: 'concurrency' }, async () => {
        for (let i = 0; i < rounds; i++) await race(target, prepushed);
        return rounds * PROCESSES;
      });
    }, 120_000 * rounds);
  }
});
