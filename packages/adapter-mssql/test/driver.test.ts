import { ConfigError, createDb, DbKnownError, f, model } from '@forge/core';
import { describe, expect, it } from 'vitest';
import { adapter, mssqlDriver } from '../src/index.js';
import { addressOf, poolConfig } from '../src/driver.js';
import { parseMssqlUrl } from '../src/url.js';

// Port 1 on the loopback: nothing listens there, so the connection is refused at once.
const CLOSED = 'mssql://sa:S3cret%40Pass@127.0.0.1:1/forge?trustServerCertificate=true';

describe('connecting to a server that is not there', () => {
  it('adapter.connect fails fast with CONNECTION_FAILED naming host, port and the next step, never the password', async () => {
    const started = Date.now();
    const err = await adapter.connect(CLOSED, { connectTimeoutMs: 5_000 }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(err).toBeInstanceOf(DbKnownError);
    const e = err as DbKnownError;
    expect(e.code).toBe('CONNECTION_FAILED');
    expect(e.message).toContain('127.0.0.1:1');
    expect(e.message).toMatch(/Check that the server is running/);
    expect(e.message).not.toContain('S3cret');
    expect(e.message).not.toContain('S3cret%40Pass');
  });

  it('createDb({ url }) rejects the same way (no hang)', async () => {
    const schema = { user: model('users', { id: f.id(), email: f.string() }) };
    const started = Date.now();
    await expect(createDb({ url: CLOSED, schema, adapter } as never)).rejects.toMatchObject({ code: 'CONNECTION_FAILED', message: expect.stringContaining('127.0.0.1:1') });
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  it('a blackholed connect is bounded by connectTimeoutMs', async () => {
    // 10.255.255.1 is a non-routable address: the SYN goes unanswered.
    const started = Date.now();
    const err = await adapter.connect('mssql://sa:x@10.255.255.1:1433/forge', { connectTimeoutMs: 1_500 }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(Date.now() - started).toBeLessThan(6_000);
    expect(err).toMatchObject({ code: 'CONNECTION_FAILED' });
    expect((err as Error).message).toContain('10.255.255.1:1433');
  });

  it('a malformed URL is a ConfigError before any socket is opened', async () => {
    await expect(adapter.connect('mssql://sa:pw@host:99999/db')).rejects.toBeInstanceOf(ConfigError);
  });
});

describe('the pool forge opens', () => {
  it('takes requestTimeout from the URL, else 60 s (seed 000), and encrypt / trustServerCertificate / instance', () => {
    const cfg = poolConfig(parseMssqlUrl('mssql://sa:pw@db.internal:1433/app?trustServerCertificate=true'), 15_000);
    expect(cfg).toEqual({
      server: 'db.internal',
      port: 1433,
      database: 'app',
      user: 'sa',
      password: 'pw',
      connectionTimeout: 15_000,
      requestTimeout: 60_000,
      pool: { max: 10, min: 0, idleTimeoutMillis: 30_000 },
      options: { encrypt: true, trustServerCertificate: true, useUTC: true, appName: 'forge', lowerCaseGuids: true },
    });
    const named = poolConfig(parseMssqlUrl('sqlserver://u:p@host\\SQLEXPRESS/app?requestTimeout=0&connection_limit=4&encrypt=false'), 5_000);
    expect(named).toMatchObject({ server: 'host', requestTimeout: 0, pool: { max: 4 }, options: { instanceName: 'SQLEXPRESS', encrypt: false } });
    expect(named.port).toBeUndefined();
    expect(addressOf({ server: 'host', instanceName: 'SQLEXPRESS' })).toBe('host\\SQLEXPRESS');
    expect(addressOf({ server: '::1', port: 1434 })).toBe('[::1]:1434');
  });
});

describe('mssqlDriver(pool)', () => {
  it('refuses what is not an mssql ConnectionPool, with the fix', () => {
    expect(() => mssqlDriver({} as never)).toThrow(ConfigError);
    expect(() => mssqlDriver(null as never)).toThrow(/new sql\.ConnectionPool/);
  });

  it('wraps a pool; a pool that cannot connect fails like a URL does', async () => {
    const sql = (await import('mssql')).default;
    const pool = new sql.ConnectionPool({ server: '127.0.0.1', port: 1, user: 'sa', password: 'pw', options: { trustServerCertificate: true }, connectionTimeout: 3_000 });
    pool.on('error', () => undefined);
    const handle = mssqlDriver(pool);
    expect(handle).toMatchObject({ __forgeDriver: true, dialect: 'mssql', flavor: 'mssql' });
    await expect(adapter.connect(handle)).rejects.toMatchObject({ code: 'CONNECTION_FAILED', message: expect.stringContaining('127.0.0.1:1') });
  });
});
