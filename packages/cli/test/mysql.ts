import { adapter } from '@forge/adapter-mysql';
import { requireTarget, type ReachedTarget } from '@forge/testkit';

/**
 * Plumbing shared by the CLI's MySQL / MariaDB suites: the server from the test-target registry
 * (`requireTarget('mysql')`: FORGE_TEST_MYSQL_URL, else MariaDB on 127.0.0.1:3306), and catalog reads through the
 * adapter itself.
 */
export const target: ReachedTarget = await requireTarget('mysql', { adapter });

export async function query<R = Record<string, unknown>>(url: string, sql: string, params: unknown[] = []): Promise<R[]> {
  const conn = await adapter.connect(url, { connectTimeoutMs: 5_000 });
  try {
    return await conn.query<R>(sql, params);
  } finally {
    await conn.close();
  }
}

export async function tablesOf(url: string): Promise<string[]> {
  const rows = await query<{ name: string }>(
    url,
    'SELECT table_name AS name FROM information_schema.tables WHERE table_schema = DATABASE() ORDER BY table_name',
  );
  return rows.map((r) => r.name);
}

export async function columnsOf(url: string, table: string): Promise<string[]> {
  const rows = await query<{ name: string }>(
    url,
    'SELECT column_name AS name FROM information_schema.columns WHERE table_schema = DATABASE() AND table_name = ? ORDER BY ordinal_position',
    [table],
  );
  return rows.map((r) => r.name);
}

/** Index names of `table` with their uniqueness, in code-point order (PRIMARY included). */
export async function indexesOf(url: string, table: string): Promise<Record<string, { unique: boolean }>> {
  const rows = await query<{ name: string; non_unique: number | string }>(
    url,
    'SELECT DISTINCT index_name AS name, non_unique FROM information_schema.statistics WHERE table_schema = DATABASE() AND table_name = ? ORDER BY index_name',
    [table],
  );
  // Sorted here: the catalog's collation orders names case-insensitively.
  return Object.fromEntries(rows.map((r) => [r.name, { unique: Number(r.non_unique) === 0 }] as const).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

export async function ledgerNames(url: string): Promise<string[]> {
  if (!(await tablesOf(url)).includes('_forge_migrations')) return [];
  return (await query<{ name: string }>(url, 'SELECT name FROM _forge_migrations ORDER BY name')).map((r) => r.name);
}
