import { DbKnownError, type Connection } from '@forge/core';
import mssql from 'mssql';
import { describe, expect, it } from 'vitest';
import { bindType, codeOnly, isWriteStatement } from '../src/connection.js';
import { getAppLockSql, lock, lockWaitMs, runIsolated } from '../src/lock.js';
import { probeReport } from '../src/probe.js';

describe('bound parameter types', () => {
  const typeOf = (v: unknown) => {
    const t = bindType(v);
    const inst = typeof t === 'function' ? t() : t;
    return { type: (inst.type as unknown as { declaration?: string; name?: string }) === undefined ? undefined : inst.type, length: (inst as { length?: number }).length, scale: (inst as { scale?: number }).scale };
  };
  it('declared per JS type, so one statement shape keeps one plan', () => {
    expect(typeOf('x')).toMatchObject({ type: mssql.NVarChar, length: 4000 });
    expect(typeOf('x'.repeat(4001))).toMatchObject({ type: mssql.NVarChar, length: mssql.MAX });
    expect(typeOf(null)).toMatchObject({ type: mssql.NVarChar, length: 4000 });
    expect(typeOf(1)).toMatchObject({ type: mssql.Int });
    expect(typeOf(2 ** 31)).toMatchObject({ type: mssql.BigInt });
    expect(typeOf(1.5)).toMatchObject({ type: mssql.Float });
    expect(typeOf(5n)).toMatchObject({ type: mssql.BigInt });
    expect(typeOf(true)).toMatchObject({ type: mssql.Bit });
    expect(typeOf(new Date())).toMatchObject({ type: mssql.DateTime2, scale: 7 });
    expect(typeOf(Buffer.from([1]))).toMatchObject({ type: mssql.VarBinary, length: mssql.MAX });
  });
});

describe('read-only transactions refuse writes before they are sent', () => {
  it('finds write keywords outside literals, names and comments', () => {
    for (const sql of ['INSERT INTO t VALUES (1)', 'update t set a = 1', ' MERGE INTO t ...;', 'SELECT * INTO copy FROM t', 'WITH x AS (SELECT 1 AS a) DELETE FROM t', 'EXEC sp_rename', 'SELECT 1; DROP TABLE t']) {
      expect([sql, isWriteStatement(sql)]).toEqual([sql, true]);
    }
    for (const sql of ["SELECT 'INSERT' AS x", 'SELECT [update], [delete] FROM [insert]', 'SELECT a -- drop table\nFROM t', 'SELECT /* DELETE */ 1', 'SELECT a FROM t WITH (UPDLOCK)', "SELECT N'it''s DROP' AS x"]) {
      expect([sql, isWriteStatement(sql)]).toEqual([sql, false]);
    }
    expect(codeOnly("a 'b' [c] \"d\" -- e\n f")).toBe(`a${' '.repeat(8)}\n f`);
  });
});

/** A connection that records statements and answers the applock with `status`. */
function lockConn(status: number, fail?: string): { conn: Connection; sent: string[] } {
  const sent: string[] = [];
  const conn = {
    dialect: 'mssql',
    requestTimeoutMs: 60_000,
    inTransaction: true,
    async transaction(fn: (c: Connection) => Promise<unknown>) {
      sent.push('BEGIN TRANSACTION');
      try {
        const r = await fn(conn as never);
        sent.push('COMMIT TRANSACTION');
        return r;
      } catch (e) {
        sent.push('ROLLBACK');
        throw e;
      }
    },
    async queryArrays(sql: string) {
      sent.push(sql);
      return [[status]];
    },
    async execute(sql: string) {
      sent.push(sql);
      if (fail && sql === fail) throw new Error('boom');
      return { rowCount: 0 };
    },
  } as unknown as Connection;
  return { conn, sent };
}

describe('the push lock', () => {
  it("sp_getapplock on 'forge_migrate', Exclusive, owned by the push's transaction, with a timeout", () => {
    expect(getAppLockSql(55_000)).toBe(
      "DECLARE @forge_lock int; EXEC @forge_lock = sys.sp_getapplock @Resource = N'forge_migrate', @LockMode = N'Exclusive', @LockOwner = N'Transaction', @LockTimeout = 55000, @DbPrincipal = N'public'; SELECT @forge_lock AS status",
    );
    expect(lockWaitMs(60_000)).toBe(55_000);
    expect(lockWaitMs(15_000)).toBe(10_000);
    expect(lockWaitMs(0)).toBe(60_000);
    expect(lockWaitMs(3_000)).toBe(1_000);
  });
  it('runs fn inside the transaction, with DDL lock waits bounded and reset', async () => {
    const { conn, sent } = lockConn(0);
    expect(await lock(conn, async (tx) => (await tx.execute('CREATE TABLE [t] (a int)'), 'done'))).toBe('done');
    expect(sent).toEqual(['BEGIN TRANSACTION', getAppLockSql(55_000), 'SET LOCK_TIMEOUT 10000', 'CREATE TABLE [t] (a int)', 'SET LOCK_TIMEOUT -1', 'COMMIT TRANSACTION']);
  });
  it('a lock not granted is a TIMEOUT that says another push holds it; nothing else runs', async () => {
    const { conn, sent } = lockConn(-1);
    const err = await lock(conn, async () => 'ran').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DbKnownError);
    expect(err).toMatchObject({ code: 'TIMEOUT', message: expect.stringMatching(/timed out after waiting up to 55000 ms: another forge push on this database holds it/) });
    expect(sent).toEqual(['BEGIN TRANSACTION', getAppLockSql(55_000), 'ROLLBACK']);
  });
  it('runIsolated: a savepoint per statement, rolled back to on failure', async () => {
    const { conn, sent } = lockConn(0, 'BAD DDL');
    await runIsolated(conn, 'GOOD DDL');
    await expect(runIsolated(conn, 'BAD DDL')).rejects.toThrow('boom');
    expect(sent).toEqual([
      expect.stringMatching(/^SAVE TRANSACTION forge_stmt_\d+$/),
      'GOOD DDL',
      expect.stringMatching(/^SAVE TRANSACTION forge_stmt_\d+$/),
      'BAD DDL',
      expect.stringMatching(/^IF XACT_STATE\(\) = 1 ROLLBACK TRANSACTION forge_stmt_\d+$/),
    ]);
  });
});

describe('the doctor probe', () => {
  const row = {
    version_text: 'Microsoft SQL Server 2022 (RTM-CU14) (KB5038325) - 16.0.4135.4 (X64) \n\tJul 10 2024 14:09:09 \n\tDeveloper Edition (64-bit) on Linux',
    version: '16.0.4135.4',
    edition: 'Developer Edition (64-bit)',
    engine_edition: 3,
    db: 'app',
    compatibility_level: 160,
    collation: 'SQL_Latin1_General_CP1_CI_AS',
    has_geography: true,
    has_vector: false,
  };
  it('reports version, edition, compatibility level, GEOGRAPHY and VECTOR', () => {
    expect(probeReport(row)).toEqual({
      dialect: 'mssql',
      version: '16.0.4135.4',
      features: {
        versionText: 'Microsoft SQL Server 2022 (RTM-CU14) (KB5038325) - 16.0.4135.4 (X64)',
        edition: 'Developer Edition (64-bit)',
        azure: false,
        compatibilityLevel: '160',
        collation: 'SQL_Latin1_General_CP1_CI_AS',
        geography: true,
        vector: false,
        caseInsensitiveCollation: true,
      },
      actions: [],
      featureActions: [
        {
          feature: 'vector',
          action:
            'No VECTOR type on this server (SQL Server 2025 and Azure SQL have it): f.vector() fields are stored as JSON arrays in nvarchar(max), and forge cannot compute distances in the database.',
        },
      ],
    });
  });
  it('old servers and low compatibility levels get their next step', () => {
    const old = probeReport({ ...row, version: '13.0.5026.0', compatibility_level: 120, has_vector: true, collation: 'Latin1_General_100_CS_AS' });
    expect(old.actions).toEqual([
      expect.stringMatching(/^Upgrade SQL Server to 2017 or later \(found 13\.0\.5026\.0\)/),
      'Raise the database\'s compatibility level (now 120): OPENJSON, which array filters use, needs 130 or more. ALTER DATABASE [app] SET COMPATIBILITY_LEVEL = 140;',
    ]);
    expect(old.features.caseInsensitiveCollation).toBe(false);
  });
});
