import { duckdbTarget } from './targets/duckdb.js';
import { mssqlTarget } from './targets/mssql.js';
import { mysqlTarget } from './targets/mysql.js';
import { postgresTarget } from './targets/postgres.js';
import { sqliteTarget } from './targets/sqlite.js';
import type { ReliabilityTarget, TargetEntry } from './targets/types.js';

export type { ReliabilityTarget, TargetEntry } from './targets/types.js';

/** Every adapter the reliability harness runs against; a new adapter joins with one line here. */
export const TARGETS: readonly TargetEntry[] = [
  sqliteTarget,
  postgresTarget,
  mysqlTarget,
  duckdbTarget,
  mssqlTarget,
];

export type LoadedTarget = { name: string; target: ReliabilityTarget } | { name: string; unavailable: string };

/** Load every target once per test file: the reachable ones, and the others with the reason they are skipped. */
export async function loadTargets(): Promise<LoadedTarget[]> {
  return Promise.all(
    TARGETS.map(async (entry) => {
      const loaded = await entry.load();
      return 'unavailable' in loaded ? { name: entry.name, unavailable: loaded.unavailable } : { name: entry.name, target: loaded };
    }),
  );
}
