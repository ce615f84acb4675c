import { afterAll, describe, it } from 'vitest';
import type { LoadedTarget, ReliabilityTarget } from './targets.js';

/**
 * Register `body` once per reachable target; an unreachable one shows up as a skipped case that says why,
 * so a run that tested less never looks like one that tested everything.
 */
export function describeTargets(title: string, targets: readonly LoadedTarget[], body: (target: ReliabilityTarget) => void): void {
  for (const t of targets) {
    if ('unavailable' in t) {
      describe(`${t.name}: ${title}`, () => {
        it.skip(`[skipped: ${t.unavailable}]`, () => undefined);
      });
      continue;
    }
    describe(`${t.name}: ${title}`, () => {
      afterAll(() => t.target.release());
      body(t.target);
    });
  }
}
