import type { Connection } from '@forge/core';
import { DbKnownError } from '@forge/core';

/** The application lock every forge push takes (seed 004's `forge_migrate`); applocks are per database. */
export const PUSH_LOCK_RESOURCE = 'forge_migrate';
/** The longest a push waits for another push's lock. */
export const PUSH_LOCK_WAIT_MS = 60_000;
/**
 * How long a DDL statement of a push waits for a table lock (a long transaction reading the table): the server's
 * default is forever, which makes a blocked push look hung; this makes it fail with error 1222, and say why.
 */
export const DDL_LOCK_WAIT_MS = 10_000;

/**
 * The lock wait, kept under the pool's requestTimeout (mssql's default is 15 s): a wait the driver cancels
 * would be reported as a request timeout instead of "another push holds the lock".
 */
export function lockWaitMs(requestTimeoutMs: number | undefined): number {
  if (!requestTimeoutMs || requestTimeoutMs <= 0) return PUSH_LOCK_WAIT_MS;
  return Math.max(1_000, Math.min(PUSH_LOCK_WAIT_MS, requestTimeoutMs - 5_000));
}

/** The batch that takes the lock and returns sp_getapplock's status (>= 0 granted, -1 timeout, -2 cancelled, -3 deadlock, -999 error). */
export function getAppLockSql(waitMs: number): string {
  return (
    `DECLARE @forge_lock int; ` +
    `EXEC @forge_lock = sys.sp_getapplock @Resource = N'${PUSH_LOCK_RESOURCE}', @LockMode = N'Exclusive', @LockOwner = N'Transaction', @LockTimeout = ${Math.trunc(waitMs)}, @DbPrincipal = N'public'; ` +
    `SELECT @forge_lock AS status`
  );
}

const STATUS: Record<number, string> = { [-1]: 'timed out', [-2]: 'was cancelled', [-3]: 'was chosen as a deadlock victim', [-999]: 'was refused (parameter or call error)' };

/**
 * Serialise schema changes: one transaction (DDL is transactional on SQL Server, so the push commits whole or
 * not at all) whose first statement takes the `forge_migrate` application lock, owned by the transaction: a
 * second push waits for the first to commit, and the lock ends with the transaction whatever happens. DDL
 * statements wait at most DDL_LOCK_WAIT_MS for table locks.
 */
export function lock<T>(conn: Connection, fn: (conn: Connection) => Promise<T>): Promise<T> {
  const waitMs = lockWaitMs((conn as { requestTimeoutMs?: number }).requestTimeoutMs);
  return conn.transaction(async (tx) => {
    const [row] = await tx.queryArrays(getAppLockSql(waitMs));
    const status = Number(row?.[0]);
    if (!(status >= 0)) {
      throw new DbKnownError(
        'TIMEOUT',
        `The forge push lock ('${PUSH_LOCK_RESOURCE}', sp_getapplock) ${STATUS[status] ?? `failed (status ${String(row?.[0])})`} after waiting up to ${waitMs} ms: another forge push on this database holds it. Wait for it to finish (SELECT * FROM sys.dm_tran_locks WHERE resource_type = 'APPLICATION' shows the session) and run push again.`,
        { status },
      );
    }
    await tx.execute(`SET LOCK_TIMEOUT ${DDL_LOCK_WAIT_MS}`);
    try {
      return await fn(tx);
    } finally {
      await tx.execute('SET LOCK_TIMEOUT -1').catch(() => undefined);
    }
  });
}

let savepointSeq = 0;

/**
 * Run one push statement so its failure rolls back only itself: a savepoint before it, rolled back to when it
 * fails (while the transaction can still commit; a failure that dooms it fails the push). Outside a
 * transaction there is nothing to protect.
 */
export async function runIsolated(conn: Connection, sql: string): Promise<void> {
  if (!conn.inTransaction) {
    await conn.execute(sql);
    return;
  }
  const name = `forge_stmt_${++savepointSeq}`;
  await conn.execute(`SAVE TRANSACTION ${name}`);
  try {
    await conn.execute(sql);
  } catch (e) {
    await conn.execute(`IF XACT_STATE() = 1 ROLLBACK TRANSACTION ${name}`).catch(() => undefined);
    throw e;
  }
}
