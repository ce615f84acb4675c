import type { Connection } from '@forge/core';
import { DuckdbConnection } from './connection.js';
import { Gate } from './gate.js';

/** One push at a time per database file in this process (another process cannot open the file meanwhile at all). */
const pushGates = new Map<string, Gate>();

/** The pushes whose transaction saw a statement fail: DuckDB has no SAVEPOINT, so the whole push rolls back. */
const failedPushes = new WeakMap<Connection, { first?: string }>();

/**
 * Serialise schema changes and make them all or nothing: DuckDB's DDL is transactional but it has no SAVEPOINT,
 * and a failed statement aborts the transaction it ran in. So a push runs in one transaction; after the first
 * failure the rest are not attempted (`runIsolated` says why) and the transaction is rolled back instead of
 * committed, leaving the database as it was.
 */
export async function lock<T>(conn: Connection, fn: (conn: Connection) => Promise<T>): Promise<T> {
  // A connection that wraps forge's (it opens the file per call): take its session, which is a DuckdbConnection.
  if (!(conn instanceof DuckdbConnection)) return conn.withSession((inner) => (inner instanceof DuckdbConnection ? lock(inner, fn) : inner.transaction(fn)));
  const key = conn.target;
  let gate = pushGates.get(key);
  if (!gate) pushGates.set(key, (gate = new Gate()));
  const state: { first?: string } = {};
  const body = (tx: Connection) => {
    failedPushes.set(tx, state);
    return fn(tx);
  };
  return gate.run(() => conn.transaction(body, { rollbackIf: () => state.first !== undefined }));
}

/** One push statement; once one has failed in this push, the others are not run (the transaction rolls back). */
export async function runIsolated(conn: Connection, sql: string): Promise<void> {
  const state = failedPushes.get(conn);
  if (state?.first !== undefined) {
    throw new Error(`not run: an earlier statement of this push failed (${state.first}), and DuckDB rolls the whole push back (it has no SAVEPOINT); nothing of this push is applied`);
  }
  try {
    await conn.execute(sql);
  } catch (e) {
    if (state) state.first = (e instanceof Error ? e.message : String(e)).split('\n')[0];
    throw e;
  }
}
