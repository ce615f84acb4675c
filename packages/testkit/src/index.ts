import type { Connection } from '@forge/core';
import { describe, it } from 'vitest';
import { clientSuite } from './client.js';
import { ddlSuite } from './ddl.js';
import { driftSuite } from './drift.js';
import { geoSuite } from './geo.js';
import { runtimeSuite } from './runtime.js';
import { vectorSuite } from './vector.js';
import type { ConformanceTarget } from './target.js';
import type { ReachedTarget, SkippedTarget } from './targets.js';

export type { ConformanceTarget, FreshDatabase } from './target.js';
export { assertConverges, itIf, withPushed } from './target.js';
export { blogSchema } from './fixtures.js';
export { clientSuite } from './client.js';
export { ddlCases } from './ddl.js';
export { TEST_TARGETS, reachTarget, requireTarget, testServer } from './targets.js';
export type { DatabaseLifecycle, ReachedTarget, ServerLocation, SkippedTarget, TargetSpec, TestDatabase } from './targets.js';

/** The whole conformance suite for one adapter: every adapter's test file calls this with its target. */
export function runConformance(target: ConformanceTarget): void {
  describe(`conformance: ${target.name}`, () => {
    ddlSuite(target);
    driftSuite(target);
    clientSuite(target);
    geoSuite(target);
    vectorSuite(target);
    runtimeSuite(target);
  });
}

/**
 * A conformance target on a reached test target: each fresh database is connected with `connect` (default: the
 * adapter on the database URL), and cleanup closes the connection, then `after` (if any), then drops the database.
 */
export function conformanceTarget(
  target: ReachedTarget,
  opts: { name?: string; connect?: (url: string) => Promise<{ conn: Connection; after?: () => Promise<void> }> } = {},
): ConformanceTarget {
  return {
    name: opts.name ?? target.dialect,
    adapter: target.adapter,
    async fresh() {
      const db = await target.fresh();
      try {
        const { conn, after } = opts.connect ? await opts.connect(db.url) : { conn: await target.adapter.connect(db.url), after: undefined };
        return {
          url: db.url,
          conn,
          cleanup: async () => {
            await conn.close();
            await after?.();
            await db.drop();
          },
        };
      } catch (e) {
        await db.drop();
        throw e;
      }
    },
  };
}

/** The suite on a target from reachTarget, or one skipped case that names why the target is not here. */
export function runConformanceOn(target: ReachedTarget | SkippedTarget, opts: Parameters<typeof conformanceTarget>[1] = {}): void {
  if ('skip' in target) {
    describe.skip(`conformance: ${opts.name ?? target.dialect} [skipped: ${target.skip}]`, () => {
      it('every case', () => undefined);
    });
    return;
  }
  runConformance(conformanceTarget(target, opts));
}
