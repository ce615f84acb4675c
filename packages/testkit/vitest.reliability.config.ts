import { defineConfig } from 'vitest/config';
import { sharedTestConfig } from '../../vitest.shared';

const shared = sharedTestConfig(import.meta.url);
// Set here, not only in `test.env`: the reporter runs in this process and prints the value it ran with.
process.env.FORGE_PROPERTY_RUNS ??= '100';

/**
 * `pnpm test:reliability`: the reliability harness at full size (100 cases per property unless
 * FORGE_PROPERTY_RUNS says otherwise, every crash point, five concurrency rounds). Files run one at a time:
 * the concurrency and crash cases spawn CLI processes and measure what a lock lets through. The reporter
 * writes the figures into RELIABILITY.md.
 */
export default defineConfig({
  ...shared,
  test: {
    ...shared.test,
    include: ['test/reliability/**/*.test.ts'],
    env: { FORGE_PROPERTY_RUNS: process.env.FORGE_PROPERTY_RUNS },
    fileParallelism: false,
    reporters: ['default', './src/reliability/reporter.ts'],
  },
});
