import type { Adapter, Connection } from '../adapter.js';
import { LEDGER_TABLE } from '../diff/ignore.js';
import type { DbKnownError } from '../errors.js';

type LedgerAdapter = Pick<Adapter, 'compiler' | 'mapError'>;

export interface LedgerRow {
  name: string;
  appliedAt: string;
}

/**
 * Create the two-column ledger when it is missing. The name is lower-case and unquoted on purpose: it
 * reads the same in every SQL dialect, so no adapter is needed to spell it.
 */
export async function ensureLedger(conn: Connection): Promise<void> {
  const columns = `(name VARCHAR(255) PRIMARY KEY, applied_at VARCHAR(64))`;
  // SQL Server has no CREATE TABLE IF NOT EXISTS.
  const sql =
    conn.dialect === 'mssql'
      ? `IF OBJECT_ID(N'${LEDGER_TABLE}', N'U') IS NULL CREATE TABLE ${LEDGER_TABLE} ${columns}`
      : `CREATE TABLE IF NOT EXISTS ${LEDGER_TABLE} ${columns}`;
  await conn.execute(sql);
}

export async function recordMigration(conn: Connection, adapter: LedgerAdapter, name: string, appliedAt: string | Date): Promise<void> {
  const q = adapter.compiler;
  const at = typeof appliedAt === 'string' ? appliedAt : appliedAt.toISOString();
  await conn.execute(
    `INSERT INTO ${q.quoteIdent(LEDGER_TABLE)} (${q.quoteIdent('name')}, ${q.quoteIdent('applied_at')}) VALUES (${q.placeholder(1)}, ${q.placeholder(2)})`,
    [name, at],
  );
}

export async function deleteMigration(conn: Connection, adapter: LedgerAdapter, name: string): Promise<void> {
  const q = adapter.compiler;
  await conn.execute(`DELETE FROM ${q.quoteIdent(LEDGER_TABLE)} WHERE ${q.quoteIdent('name')} = ${q.placeholder(1)}`, [name]);
}

/**
 * The most recently applied migration (by `applied_at`, then name), or undefined when the ledger is empty
 * or does not exist yet. All rows are read and ordered here because the ledger is small and LIMIT is not
 * portable (SQL Server).
 */
export async function latestMigration(conn: Connection, adapter: LedgerAdapter): Promise<LedgerRow | undefined> {
  const q = adapter.compiler;
  let rows: Array<{ name: unknown; applied_at: unknown }>;
  try {
    rows = await conn.query(`SELECT ${q.quoteIdent('name')}, ${q.quoteIdent('applied_at')} FROM ${q.quoteIdent(LEDGER_TABLE)}`);
  } catch (e) {
    const mapped = adapter.mapError(e);
    // Compared by code, not instanceof: an adapter may carry its own copy of @forge/core.
    if ((mapped as Partial<DbKnownError> | undefined)?.code === 'MISSING_TABLE') return undefined;
    throw mapped;
  }
  const ledger = rows.map((r) => ({ name: String(r.name), appliedAt: String(r.applied_at ?? '') }));
  ledger.sort((a, b) => (a.appliedAt === b.appliedAt ? (a.name < b.name ? -1 : 1) : a.appliedAt < b.appliedAt ? -1 : 1));
  return ledger.at(-1);
}
