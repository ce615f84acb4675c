import { describe } from 'vitest';
import { clientSuite } from './client.js';
import { ddlSuite } from './ddl.js';
import { driftSuite } from './drift.js';
import { runtimeSuite } from './runtime.js';
import type { ConformanceTarget } from './target.js';

export type { ConformanceTarget, FreshDatabase } from './target.js';
export { assertConverges, itIf, withPushed } from './target.js';
export { blogSchema } from './fixtures.js';
export { ddlCases } from './ddl.js';

/** The whole conformance suite for one adapter: every adapter's test file calls this with its target. */
export function runConformance(target: ConformanceTarget): void {
  describe(`conformance: ${target.name}`, () => {
    ddlSuite(target);
    driftSuite(target);
    clientSuite(target);
    runtimeSuite(target);
  });
}
