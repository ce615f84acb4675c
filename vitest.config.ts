import { defineConfig } from 'vitest/config';

/** One run over every package, so the whole suite ends with one summary line. */
export default defineConfig({
  test: {
    projects: ['packages/*', 'apps/*/vitest.config.ts'],
    reporters: ['default', './scripts/summary-reporter.ts'],
  },
});
