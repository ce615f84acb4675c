import type { Adapter, Connection } from '../adapter.js';
import { LEDGER_TABLE } from '../diff/ignore.js';
import type { DbKnownError } from '../errors.js';

type LedgerAdapter = Pick<Adapter, 'compiler' | 'mapError'>;

export interface LedgerRow {
  name: string;
  appliedAt: string;
}

/**
 * Create the two-column ledger when it is missing, with the statement the dialect gives
 * (`adapter.facts.ledgerDdl`: not every dialect has CREATE TABLE IF NOT EXISTS).
 */
export async function ensureLedger(conn: Connection, adapter: Pick<Adapter, 'facts'>): Promise<void> {
  await conn.execute(adapter.facts.ledgerDdl(LEDGER_TABLE));
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

/** Every ledger row, oldest first (by `applied_at`, then name); none when the ledger does not exist yet. */
async function readLedger(conn: Connection, adapter: LedgerAdapter): Promise<LedgerRow[]> {
  const q = adapter.compiler;
  let rows: Array<{ name: unknown; applied_at: unknown }>;
  try {
    rows = await conn.query(`SELECT ${q.quoteIdent('name')}, ${q.quoteIdent('applied_at')} FROM ${q.quoteIdent(LEDGER_TABLE)}`);
  } catch (e) {
    const mapped = adapter.mapError(e);
    // Compared by code, not instanceof: an adapter may carry its own copy of @forge/core.
    if ((mapped as Partial<DbKnownError> | undefined)?.code === 'MISSING_TABLE') return [];
    throw mapped;
  }
  const ledger = rows.map((r) => ({ name: String(r.name), appliedAt: String(r.applied_at ?? '') }));
  ledger.sort((a, b) => (a.appliedAt === b.appliedAt ? (a.name < b.name ? -1 : 1) : a.appliedAt < b.appliedAt ? -1 : 1));
  return ledger;
}

/**
 * The most recently applied migration, or undefined when the ledger is empty or does not exist yet. All
 * rows are read and ordered here because the ledger is small and LIMIT is not portable.
 */
export async function latestMigration(conn: Connection, adapter: LedgerAdapter): Promise<LedgerRow | undefined> {
  return (await readLedger(conn, adapter)).at(-1);
}

/** The names of every applied migration, oldest first. */
export async function appliedMigrations(conn: Connection, adapter: LedgerAdapter): Promise<string[]> {
  return (await readLedger(conn, adapter)).map((r) => r.name);
}
