import { createHash } from 'node:crypto';
import type { Adapter, Connection } from '../adapter.js';
import { LEDGER_TABLE } from '../diff/ignore.js';
import type { DbKnownError } from '../errors.js';

type LedgerAdapter = Pick<Adapter, 'compiler' | 'mapError'>;

export interface LedgerRow {
  name: string;
  appliedAt: string;
  /** SHA-256 of the file as applied (line endings ignored); absent for rows written before checksums, or by hand. */
  checksum?: string;
}

/**
 * SHA-256 of a migration file's text with every line ending read as `\n`, so a checkout that turned LF into
 * CRLF (or back) is not an edit.
 */
export function migrationChecksum(text: string): string {
  return createHash('sha256').update(text.replace(/\r\n?/g, '\n')).digest('hex');
}

/** Connections whose ledger has been checked for the checksum column this process. */
const upgraded = new WeakSet<Connection>();

/**
 * Create the ledger when it is missing, with the statement the dialect gives (`adapter.facts.ledgerDdl`: not
 * every dialect has CREATE TABLE IF NOT EXISTS), and upgrade one created before checksums in place: the
 * `checksum` column is added, nullable, so the rows already there and the seed 004 data-migration sample (which
 * inserts `name, applied_at` only) keep working. Outside a transaction only: a failed probe would abort one.
 */
export async function ensureLedger(conn: Connection, adapter: Pick<Adapter, 'facts'> & Partial<LedgerAdapter>): Promise<void> {
  await conn.execute(adapter.facts.ledgerDdl(LEDGER_TABLE));
  if (!adapter.compiler || conn.inTransaction || upgraded.has(conn)) return;
  const q = adapter.compiler;
  try {
    await conn.query(`SELECT ${q.quoteIdent('checksum')} FROM ${q.quoteIdent(LEDGER_TABLE)} WHERE 1 = 0`);
  } catch {
    await conn.execute(`ALTER TABLE ${q.quoteIdent(LEDGER_TABLE)} ADD COLUMN ${q.quoteIdent('checksum')} VARCHAR(64)`);
  }
  upgraded.add(conn);
}

export async function recordMigration(
  conn: Connection,
  adapter: LedgerAdapter,
  name: string,
  appliedAt: string | Date,
  checksum?: string,
): Promise<void> {
  const q = adapter.compiler;
  const at = typeof appliedAt === 'string' ? appliedAt : appliedAt.toISOString();
  const cols = [q.quoteIdent('name'), q.quoteIdent('applied_at')];
  const values: unknown[] = [name, at];
  if (checksum !== undefined) {
    cols.push(q.quoteIdent('checksum'));
    values.push(checksum);
  }
  await conn.execute(
    `INSERT INTO ${q.quoteIdent(LEDGER_TABLE)} (${cols.join(', ')}) VALUES (${values.map((_, i) => q.placeholder(i + 1)).join(', ')})`,
    values,
  );
}

export async function deleteMigration(conn: Connection, adapter: LedgerAdapter, name: string): Promise<void> {
  const q = adapter.compiler;
  await conn.execute(`DELETE FROM ${q.quoteIdent(LEDGER_TABLE)} WHERE ${q.quoteIdent('name')} = ${q.placeholder(1)}`, [name]);
}

const isMissingTable = (adapter: LedgerAdapter, e: unknown) =>
  // Compared by code, not instanceof: an adapter may carry its own copy of @forge/core.
  (adapter.mapError(e) as Partial<DbKnownError> | undefined)?.code === 'MISSING_TABLE';

/** Every ledger row, oldest first (by `applied_at`, then name); none when the ledger does not exist yet. */
export async function readLedger(conn: Connection, adapter: LedgerAdapter): Promise<LedgerRow[]> {
  const q = adapter.compiler;
  const from = `FROM ${q.quoteIdent(LEDGER_TABLE)}`;
  let rows: Array<{ name: unknown; applied_at: unknown; checksum?: unknown }>;
  try {
    // A ledger from before checksums has no such column; read it without (inside a transaction the probe is
    // skipped: ensureLedger upgraded it before the transaction began).
    if (!conn.inTransaction) {
      try {
        rows = await conn.query(`SELECT ${q.quoteIdent('name')}, ${q.quoteIdent('applied_at')}, ${q.quoteIdent('checksum')} ${from}`);
      } catch (e) {
        if (isMissingTable(adapter, e)) return [];
        rows = await conn.query(`SELECT ${q.quoteIdent('name')}, ${q.quoteIdent('applied_at')} ${from}`);
      }
    } else {
      rows = await conn.query(`SELECT ${q.quoteIdent('name')}, ${q.quoteIdent('applied_at')}${upgraded.has(conn) ? `, ${q.quoteIdent('checksum')}` : ''} ${from}`);
    }
  } catch (e) {
    if (isMissingTable(adapter, e)) return [];
    throw adapter.mapError(e);
  }
  const ledger = rows.map((r) => {
    const row: LedgerRow = { name: String(r.name), appliedAt: String(r.applied_at ?? '') };
    if (r.checksum !== undefined && r.checksum !== null && r.checksum !== '') row.checksum = String(r.checksum);
    return row;
  });
  ledger.sort((a, b) => (a.appliedAt === b.appliedAt ? (a.name < b.name ? -1 : 1) : a.appliedAt < b.appliedAt ? -1 : 1));
  return ledger;
}

/**
 * The most recently applied migration, or undefined when the ledger is empty or does not exist yet. All
 * rows are read and ordered here because the ledger is small and LIMIT is not portable.
 */
export async function latestMigration(conn: Connection, adapter: LedgerAdapter): Promise<LedgerRow | undefined> {
  const last = (await readLedger(conn, adapter)).at(-1);
  // The shape it always had ({ name, appliedAt }); readLedger gives the checksums.
  return last && { name: last.name, appliedAt: last.appliedAt };
}

/** The names of every applied migration, oldest first. */
export async function appliedMigrations(conn: Connection, adapter: LedgerAdapter): Promise<string[]> {
  return (await readLedger(conn, adapter)).map((r) => r.name);
}
