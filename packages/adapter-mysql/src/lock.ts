import type { Connection } from '@forge/core';
import { chooseLockStrategy, DbKnownError, lockSettingsOf, withLockRow } from '@forge/core';
import { mysqlLockRowDialect } from './server.js';

/**
 * The named lock every forge push takes (seed 004's `forge_migrate`), per database: a MySQL lock name is
 * server-wide, and pushes to two databases of one server (tenants, test runs) have nothing to serialise.
 * Lock names are at most 64 characters, so a long database name is hashed.
 */
export const PUSH_LOCK_NAME = 'forge_migrate';
export const pushLockNameSql = `CONCAT('${PUSH_LOCK_NAME}:', IF(CHAR_LENGTH(DATABASE()) <= 50, DATABASE(), SHA1(DATABASE())))`;
/** Seconds a push waits for another push's lock. */
export const PUSH_LOCK_WAIT_S = 60;
/**
 * Seconds a DDL statement of a push waits for a metadata lock (a long transaction reading the table). The
 * server's default is a year, which makes a blocked push look hung; this makes it fail, and say why, quickly.
 */
export const DDL_LOCK_WAIT_S = 10;

/**
 * Serialise schema changes. Where GET_LOCK does not guard the database (Vitess routes it elsewhere, TiDB before
 * 5.0 ignores it) or `lockStrategy: 'row'` asks for it: the `_forge_lock` row (core's `withLockRow`), then the
 * push on one pinned session as below. Otherwise: `GET_LOCK` on one pinned session (MySQL DDL commits as it runs, so a transaction
 * cannot protect it; the named lock is the only guard), `lock_wait_timeout` lowered for the push's DDL, and
 * `RELEASE_LOCK` always, also when `fn` throws. A push that cannot get the lock within a minute fails with a
 * message saying another push holds it.
 */
export async function lock<T>(conn: Connection, fn: (conn: Connection) => Promise<T>): Promise<T> {
  if (!conn.inTransaction && mysqlLockStrategy(conn) === 'row') {
    const settings = lockSettingsOf(conn);
    return withLockRow(conn, mysqlLockRowDialect, () => conn.withSession((session) => withDdlWait(session, fn)), {
      leaseMs: settings.leaseMs,
      waitMs: settings.waitMs,
      onWait: settings.onWait,
    });
  }
  return conn.withSession(async (session) => {
    const [row] = await session.queryArrays(`SELECT GET_LOCK(${pushLockNameSql}, ?)`, [PUSH_LOCK_WAIT_S]);
    if (!row || Number(row[0]) !== 1) {
      throw new DbKnownError(
        'TIMEOUT',
        `Another forge push on this database holds the '${PUSH_LOCK_NAME}:<database>' lock and did not release it within ${PUSH_LOCK_WAIT_S} s. Wait for it to finish (SELECT IS_USED_LOCK(CONCAT('${PUSH_LOCK_NAME}:', DATABASE())) shows the session) and run push again.`,
      );
    }
    try {
      return await withDdlWait(session, fn);
    } finally {
      await session.queryArrays(`SELECT RELEASE_LOCK(${pushLockNameSql})`).catch(() => undefined);
    }
  });
}

/** Which push lock `conn` takes: `'row'` where GET_LOCK does not guard the database (Vitess, TiDB < 5) or the settings force it. */
export function mysqlLockStrategy(conn: Connection): 'native' | 'row' {
  const settings = lockSettingsOf(conn);
  return chooseLockStrategy(conn.engine, settings.strategy);
}

/** `fn` on `session` with `lock_wait_timeout` lowered for the push's DDL, and set back after. */
async function withDdlWait<T>(session: Connection, fn: (conn: Connection) => Promise<T>): Promise<T> {
  try {
    await session.execute(`SET SESSION lock_wait_timeout = ${DDL_LOCK_WAIT_S}`);
    return await fn(session);
  } finally {
    await session.execute('SET SESSION lock_wait_timeout = DEFAULT').catch(() => undefined);
  }
}

/** DDL commits as it runs on MySQL and a failed statement aborts nothing else: there is nothing to isolate. */
export async function runIsolated(conn: Connection, sql: string): Promise<void> {
  await conn.execute(sql);
}
