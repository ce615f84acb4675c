import type { Connection } from '@forge/core';

/** The advisory lock key every forge push takes (seed 004): two int4 halves, 'forg' and 0x65000001. */
export const PUSH_LOCK_KEY: readonly [number, number] = [0x6f6f7267, 0x65000001];

/**
 * Serialise schema changes: a transaction whose first statement takes a transaction-scoped advisory lock,
 * so a second push waits for the first to commit instead of racing it on DDL. The lock ends with the transaction.
 */
export function lock<T>(conn: Connection, fn: (tx: Connection) => Promise<T>): Promise<T> {
  return conn.transaction(async (tx) => {
    await tx.execute('SELECT pg_advisory_xact_lock($1, $2)', [...PUSH_LOCK_KEY]);
    return fn(tx);
  });
}

let savepointSeq = 0;

/**
 * Run one push statement so its failure rolls back only itself: inside a transaction a failed statement
 * would otherwise abort every statement after it. Outside a transaction there is nothing to protect.
 */
export async function runIsolated(conn: Connection, sql: string): Promise<void> {
  if (!conn.inTransaction) {
    await conn.execute(sql);
    return;
  }
  const name = `forge_stmt_${++savepointSeq}`;
  await conn.execute(`SAVEPOINT ${name}`);
  try {
    await conn.execute(sql);
  } catch (e) {
    await conn.execute(`ROLLBACK TO SAVEPOINT ${name}`);
    throw e;
  }
  await conn.execute(`RELEASE SAVEPOINT ${name}`);
}
