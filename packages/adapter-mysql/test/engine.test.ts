import { chooseLockStrategy } from '@forge/core';
import { describe, expect, it } from 'vitest';
import { parseMysqlEngine, parseServerVersion } from '../src/server.js';

/** `SELECT VERSION()` and `@@version_comment` in the formats each engine's documentation shows (written down from the docs, not captured from live servers here). */
const RECORDED = {
  mysql: ['8.0.36', 'MySQL Community Server - GPL'],
  mariadb: ['10.11.6-MariaDB-0+deb12u1', 'Debian 12'],
  mariadbHandshake: ['5.5.5-10.11.6-MariaDB', 'mariadb.org binary distribution'],
  tidb75: ['8.0.11-TiDB-v7.5.0', 'TiDB Server (Apache License 2.0) Community Edition, MySQL 8.0 compatible'],
  tidb4: ['5.7.25-TiDB-v4.0.16', 'TiDB Server (Apache License 2.0) Community Edition, MySQL 5.7 compatible'],
  tidbCloud: ['8.0.11-TiDB-v7.1.1-serverless', 'TiDB Server (Apache License 2.0) Serverless Tier'],
  vitess: ['8.0.30-Vitess', 'Version: 19.0.4 (Git revision 5f1a1b6 branch \'HEAD\') built on Tue May 14 2024'],
  vitessOld: ['5.7.9-vitess-12.0.0', ''],
  planetscale: ['8.0.23', 'PlanetScale'],
};

describe('parseMysqlEngine', () => {
  it('reads MySQL and MariaDB as themselves: GET_LOCK, DDL committed per statement, no limits', () => {
    expect(parseMysqlEngine(...(RECORDED.mysql as [string, string]))).toEqual({ name: 'mysql', label: 'MySQL 8.0.36', version: '8.0.36', ddl: 'autocommit', nativeLock: true, limits: [] });
    expect(parseMysqlEngine(...(RECORDED.mariadb as [string, string]))).toMatchObject({ name: 'mariadb', label: 'MariaDB 10.11.6', nativeLock: true, limits: [] });
    expect(parseMysqlEngine(...(RECORDED.mariadbHandshake as [string, string]))).toMatchObject({ name: 'mariadb', version: '10.11.6' });
  });

  it('reads TiDB from its -TiDB-v release: GET_LOCK from v5.0 (a no-op before, so the row), DDL as owner jobs', () => {
    const e = parseMysqlEngine(...(RECORDED.tidb75 as [string, string]));
    expect(e).toMatchObject({ name: 'tidb', label: 'TiDB v7.5.0', version: '7.5.0', ddl: 'async', nativeLock: true });
    expect(e.limits.join('\n')).toMatch(/DDL owner/);
    expect(parseMysqlEngine(...(RECORDED.tidb4 as [string, string]))).toMatchObject({ name: 'tidb', version: '4.0.16', nativeLock: false });
    expect(parseMysqlEngine(...(RECORDED.tidbCloud as [string, string]))).toMatchObject({ name: 'tidb', version: '7.1.1-serverless', nativeLock: true });
    // The MySQL side of the answer still parses as MySQL 8 for the emitter and the introspector.
    expect(parseServerVersion(RECORDED.tidb75[0])).toMatchObject({ flavor: 'mysql', major: 8, minor: 0, patch: 11 });
  });

  it('reads Vitess from the version or the comment, and PlanetScale from the comment: the lock row', () => {
    expect(parseMysqlEngine(...(RECORDED.vitess as [string, string]))).toMatchObject({ name: 'vitess', label: 'Vitess, MySQL 8.0.30', ddl: 'async', nativeLock: false });
    expect(parseMysqlEngine(...(RECORDED.vitessOld as [string, string]))).toMatchObject({ name: 'vitess', version: '5.7.9' });
    const ps = parseMysqlEngine(...(RECORDED.planetscale as [string, string]));
    expect(ps).toMatchObject({ name: 'vitess', label: 'PlanetScale (Vitess), MySQL 8.0.23', nativeLock: false });
    expect(ps.limits.join('\n')).toMatch(/ddl_strategy=direct/);
  });

  it('never throws: an unreadable answer is MySQL', () => {
    expect(parseMysqlEngine('')).toMatchObject({ name: 'mysql', nativeLock: true });
    expect(parseMysqlEngine(undefined as unknown as string)).toMatchObject({ name: 'mysql' });
  });

  it('chooses the lock per engine', () => {
    const pick = (k: keyof typeof RECORDED, forced?: 'row' | 'native') => chooseLockStrategy(parseMysqlEngine(RECORDED[k][0], RECORDED[k][1]), forced);
    expect([pick('mysql'), pick('mariadb'), pick('tidb75'), pick('tidb4'), pick('vitess'), pick('planetscale')]).toEqual(['native', 'native', 'native', 'row', 'row', 'row']);
    expect(pick('mariadb', 'row')).toBe('row');
  });
});
