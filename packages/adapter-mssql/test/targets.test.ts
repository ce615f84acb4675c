import { TEST_TARGETS, testServer } from '@forge/testkit';
import { describe, expect, it } from 'vitest';
import { adapter } from '../src/index.js';
import { parseMssqlUrl } from '../src/url.js';

describe('the mssql test target (testkit registry)', () => {
  const spec = TEST_TARGETS.mssql;
  it('is skipped by name without FORGE_TEST_MSSQL_URL (there is no default server)', () => {
    if (spec.kind !== 'server') throw new Error('mssql is a server target');
    expect(spec.env).toBe('FORGE_TEST_MSSQL_URL');
    expect(spec.defaultUrl).toBeUndefined();
    if (!process.env.FORGE_TEST_MSSQL_URL) expect(testServer('mssql')).toEqual({ dialect: 'mssql', kind: 'server', skip: 'FORGE_TEST_MSSQL_URL is not set' });
  });
  it('creates and drops databases with the adapter quoting; the drop disconnects other sessions first', () => {
    if (spec.kind !== 'server' || !spec.databases) throw new Error('mssql has no database lifecycle');
    const q = adapter.compiler.quoteIdent('forge_test_0a1b');
    expect(spec.databases.create(q)).toBe('CREATE DATABASE [forge_test_0a1b]');
    expect(spec.databases.drop(q)).toBe(
      "IF DB_ID(N'forge_test_0a1b') IS NOT NULL BEGIN ALTER DATABASE [forge_test_0a1b] SET SINGLE_USER WITH ROLLBACK IMMEDIATE; DROP DATABASE [forge_test_0a1b]; END",
    );
    expect(spec.databases.drop(adapter.compiler.quoteIdent("o'dd]"))).toBe(
      "IF DB_ID(N'o''dd]') IS NOT NULL BEGIN ALTER DATABASE [o'dd]]] SET SINGLE_USER WITH ROLLBACK IMMEDIATE; DROP DATABASE [o'dd]]]; END",
    );
    const url = spec.databases.urlFor('mssql://sa:Pass%40word1@localhost:1433/master?trustServerCertificate=true', 'forge_test_0a1b');
    expect(parseMssqlUrl(url)).toEqual({ server: 'localhost', port: 1433, database: 'forge_test_0a1b', user: 'sa', password: 'Pass@word1', encrypt: true, trustServerCertificate: true });
  });
});
