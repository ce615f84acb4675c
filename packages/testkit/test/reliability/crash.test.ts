import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { buildSchemaIR, planPush, runDiff, runDiffApply, runPush, type AnyModel, type Connection } from '@forge/core';
import { expect, it } from 'vitest';
import { cliProject, crashRun, eventually, shown } from '../../src/reliability/cli.js';
import { describeTargets } from '../../src/reliability/describe.js';
import { shopFor } from '../../src/reliability/fixtures/index.js';
import { recordCases, sample } from '../../src/reliability/runs.js';
import { loadTargets, type ReliabilityTarget } from '../../src/reliability/targets.js';

const targets = await loadTargets();

/*
 * Each killed run is `crash-runner.ts` (through `crashRun`): the real adapter, the project's schema file and
 * migrations folder, and the engine's `runPush` / `runDiffApply` with an `afterStatement` hook that SIGKILLs
 * the process after the k-th statement. Every other run is the built `forge` CLI, as users run it.
 */

async function pushInProcess(target: ReliabilityTarget, conn: Connection, schema: Record<string, AnyModel>): Promise<void> {
  const report = await runPush({ adapter: target.adapter, conn, ir: buildSchemaIR(schema) });
  expect(report.failures).toEqual([]);
}

async function ledgerNames(target: ReliabilityTarget, conn: Connection): Promise<string[]> {
  const q = (name: string) => target.adapter.compiler.quoteIdent(name);
  const rows = await conn.query<{ name: string }>(`SELECT ${q('name')} FROM ${q('_forge_migrations')}`);
  return rows.map((r) => r.name);
}

describeTargets('crash recovery (SIGKILL after statement k)', targets, (target) => {
  const caps = target.adapter.capabilities;
  const SHOP = shopFor(caps);

  for (const [name, from] of [['push from an empty database', undefined], ['push onto shop-v1', SHOP.v1.schema]] as const) {
    it(`${name}: killed after statement k, a re-push converges and no lock is left`, async (ctx) => {
      // How many statements the push runs: the kill points are 1..N.
      const probe = await target.fresh();
      let total: number;
      try {
        if (from) await pushInProcess(target, probe.conn, from);
        const plan = planPush(buildSchemaIR(SHOP.v2.schema), await target.adapter.introspect(probe.conn), target.adapter);
        total = plan.toApply.reduce((n, s) => n + s.sql.length, 0);
      } finally {
        await probe.cleanup();
      }
      const points = sample(Array.from({ length: total }, (_, i) => i + 1));
      await recordCases(ctx, { dialect: target.name, area: 'crash-recovery' }, async () => {
        for (const k of points) {
          const fresh = await target.fresh();
          const project = cliProject({ 'src/schema.ts': SHOP.v2.source });
          try {
            if (from) await pushInProcess(target, fresh.conn, from);
            const env = { DATABASE_URL: fresh.url };
            const killed = await crashRun(project, 'push', k, env);
            expect(killed.signal, `k=${k}: ${shown(killed)}`).toBe('SIGKILL');
            await eventually(() => target.assertLockFree(fresh.url));
            const again = await project.run(['push'], env);
            expect(again.code, `k=${k}: ${shown(again)}`).toBe(0);
            const check = await project.run(['diff', '--check'], env);
            expect(check.code, `k=${k}: ${shown(check)}`).toBe(0);
          } finally {
            project.cleanup();
            await fresh.cleanup();
          }
        }
        return points.length;
      });
    }, 600_000);
  }

  it(`diff apply killed after statement k: ${caps.transactionalDdl ? 'nothing applied, no ledger row' : 'a ledger row only with its DDL'}; forge diff says what is left; a re-run converges`, async (ctx) => {
    const v3 = buildSchemaIR(SHOP.v3.schema);
    const probe = await target.fresh();
    const scratch = mkdtempSync(path.join(tmpdir(), 'forge-rel-dry-'));
    let total: number;
    try {
      await pushInProcess(target, probe.conn, SHOP.v2.schema);
      const dry = await runDiffApply({ adapter: target.adapter, conn: probe.conn, ir: v3 }, { dir: scratch, dry: true });
      // The up block's statements, the ledger insert (every point before the commit), then the moment after
      // the commit, before the migration file is renamed from its pending name.
      total = dry.up.length + 2;
      expect(dry.up.length).toBeGreaterThan(0);
    } finally {
      rmSync(scratch, { recursive: true, force: true });
      await probe.cleanup();
    }
    const points = sample(Array.from({ length: total }, (_, i) => i + 1));
    await recordCases(ctx, { dialect: target.name, area: 'crash-recovery' }, async () => {
      for (const k of points) {
        const fresh = await target.fresh();
        const project = cliProject({ 'src/schema.ts': SHOP.v3.source });
        try {
          await pushInProcess(target, fresh.conn, SHOP.v2.schema);
          const ctxV3 = { adapter: target.adapter, conn: fresh.conn, ir: v3 };
          const before = await runDiff(ctxV3);
          const env = { DATABASE_URL: fresh.url };

          const killed = await crashRun(project, 'diff-apply', k, env);
          expect(killed.signal, `k=${k}: ${shown(killed)}`).toBe('SIGKILL');
          await eventually(() => target.assertLockFree(fresh.url));
          const ledger = await ledgerNames(target, fresh.conn);
          const after = await runDiff(ctxV3);
          // Never a ledger row for DDL that did not land.
          if (ledger.length) expect(after.items, `k=${k}: ledger ${ledger} without its DDL`).toEqual([]);
          const committed = k === total;
          if (committed) expect(ledger, `k=${k}: killed after the commit`).toHaveLength(1);
          if (caps.transactionalDdl && !committed) {
            expect(ledger, `k=${k}`).toEqual([]);
            expect(after.items, `k=${k}: a transactional diff apply left part of its DDL`).toEqual(before.items);
          }
          if (!after.inSync) {
            const diff = await project.run(['diff', '--check'], env);
            expect(diff.code, `k=${k}: ${shown(diff)}`).toBe(3);
            expect(diff.stdout, `k=${k}: forge diff names no next step`).toMatch(/→ `npx forge (push|diff apply)/);
          }

          const again = await project.run(['diff', 'apply'], env);
          expect(again.code, `k=${k}: ${shown(again)}`).toBe(0);
          const check = await project.run(['diff', '--check'], env);
          expect(check.code, `k=${k}: ${shown(check)}`).toBe(0);
          const applied = await ledgerNames(target, fresh.conn);
          expect(applied, `k=${k}`).toHaveLength(1);
          // Exactly the applied migration's file: no orphan from the killed run, nothing left pending.
          expect(readdirSync(project.file('migrations')), `k=${k}`).toEqual([`${applied[0]}.sql`]);
        } finally {
          project.cleanup();
          await fresh.cleanup();
        }
      }
      return points.length;
    });
  }, 600_000);
});
