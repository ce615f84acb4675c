import type { Connection } from '@forge/core';
import { chooseLockStrategy, lockSettingsOf, withLockRow } from '@forge/core';
import { pgLockRowDialect } from './engine.js';

/** The advisory lock key every forge push takes (seed 004): two int4 halves, 'forg' and 0x65000001. */
export const PUSH_LOCK_KEY: readonly [number, number] = [0x6f6f7267, 0x65000001];

/** Which push lock `conn` takes: `'row'` where the engine has no working advisory lock or the settings force it. */
export function pgLockStrategy(conn: Connection): 'native' | 'row' {
  const settings = lockSettingsOf(conn);
  return chooseLockStrategy(conn.engine, settings.strategy);
}

/**
 * Serialise schema changes. PostgreSQL: a transaction whose first statement takes a transaction-scoped advisory
 * lock, so a second push waits for the first to commit instead of racing it on DDL; the lock ends with the
 * transaction. Where advisory locks do not work (CockroachDB, YugabyteDB) or `lockStrategy: 'row'` asks for it:
 * the `_forge_lock` row (core's `withLockRow`), then the push in one transaction where DDL is transactional, or
 * statement by statement where it is not (CockroachDB's schema changes, YugabyteDB's DDL).
 */
export async function lock<T>(conn: Connection, fn: (tx: Connection) => Promise<T>): Promise<T> {
  // Inside a caller's transaction the row's insert would stay invisible to other pushes until it commits.
  if (!conn.inTransaction && pgLockStrategy(conn) === 'row') {
    const settings = lockSettingsOf(conn);
    const transactional = (conn.engine?.ddl ?? 'transactional') === 'transactional';
    return withLockRow(conn, pgLockRowDialect, () => (transactional ? conn.transaction(fn) : fn(conn)), {
      leaseMs: settings.leaseMs,
      waitMs: settings.waitMs,
      onWait: settings.onWait,
    });
  }
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
