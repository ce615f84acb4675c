import { requireTarget, runConformanceOn } from '@forge/testkit';
import { DuckDBInstance } from '@duckdb/node-api';
import { adapter, duckdbDriver } from '../src/index.js';

// DuckDB runs in process: every database is a file in its own temp folder (test-target registry), so these
// tests always run here.
const target = await requireTarget('duckdb', { adapter });
// The same suite as every adapter, on a URL forge opens itself...
runConformanceOn(target, { name: 'duckdb' });

// ...and on a DuckDBInstance the user opened (forge must not close it; the test does).
runConformanceOn(target, {
  name: 'duckdb (user-owned DuckDBInstance)',
  async connect(url) {
    const instance = await DuckDBInstance.create(url.replace(/^duckdb:/, ''));
    return { conn: await adapter.connect(duckdbDriver(instance)), after: async () => instance.closeSync() };
  },
});
