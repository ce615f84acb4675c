import { chooseLockStrategy, engineNotes } from '@forge/core';
import { describe, expect, it } from 'vitest';
import { parsePgEngine } from '../src/engine.js';

/** `SELECT version()` answers in the formats each engine's documentation shows (written down from the docs, not captured from live servers here). */
const RECORDED = {
  postgres16: 'PostgreSQL 16.4 (Debian 16.4-1.pgdg120+2) on x86_64-pc-linux-gnu, compiled by gcc (Debian 12.2.0-14) 12.2.0, 64-bit',
  postgres13: 'PostgreSQL 13.16 on aarch64-unknown-linux-musl, compiled by gcc (Alpine 13.2.1_git20240309) 13.2.1 20240309, 64-bit',
  crdb23: 'CockroachDB CCL v23.1.11 (x86_64-pc-linux-gnu, built 2023/09/27 01:53:43, go1.19.10)',
  crdbOss: 'CockroachDB OSS v21.2.4 (x86_64-unknown-linux-gnu, built 2022/01/10 18:50:15, go1.16.6)',
  crdbBeta: 'CockroachDB CCL v24.3.0-beta.1 (aarch64-unknown-linux-gnu, built 2024/10/21 16:13:12, go1.22.5 X:nocoverageredesign)',
  yb218: 'PostgreSQL 11.2-YB-2.18.0.0-b0 on x86_64-pc-linux-gnu, compiled by clang version 15.0.3 (https://github.com/yugabyte/llvm-project.git 0b8d1183745fd3998d8beffeec8cbe99c1b20529), 64-bit',
  yb2025: 'PostgreSQL 15.2-YB-2025.1.0.0-b0 on x86_64-pc-linux-gnu, compiled by clang version 17.0.6, 64-bit',
};

describe('parsePgEngine', () => {
  it('reads PostgreSQL as itself: transactional DDL, the advisory lock, no limits', () => {
    expect(parsePgEngine(RECORDED.postgres16)).toEqual({ name: 'postgres', label: 'PostgreSQL 16.4', version: '16.4', ddl: 'transactional', nativeLock: true, limits: [] });
    expect(parsePgEngine(RECORDED.postgres13).version).toBe('13.16');
  });

  it('reads CockroachDB (CCL, OSS, pre-release tags): no advisory lock, schema changes async', () => {
    const e = parsePgEngine(RECORDED.crdb23);
    expect(e).toMatchObject({ name: 'cockroachdb', label: 'CockroachDB v23.1.11', version: '23.1.11', ddl: 'async', nativeLock: false });
    expect(e.lockNote).toMatch(/_forge_lock/);
    expect(engineNotes(e)[0]).toBe(e.lockNote);
    expect(e.limits.join('\n')).toMatch(/online background jobs/);
    expect(parsePgEngine(RECORDED.crdbOss)).toMatchObject({ name: 'cockroachdb', version: '21.2.4' });
    expect(parsePgEngine(RECORDED.crdbBeta)).toMatchObject({ name: 'cockroachdb', version: '24.3.0-beta.1' });
  });

  it('reads YugabyteDB from the -YB- release in the Postgres banner: the lock row, DDL committed per statement', () => {
    expect(parsePgEngine(RECORDED.yb218)).toMatchObject({ name: 'yugabytedb', label: 'YugabyteDB 2.18.0.0 (PostgreSQL 11.2)', version: '2.18.0.0', ddl: 'autocommit', nativeLock: false });
    expect(parsePgEngine(RECORDED.yb2025)).toMatchObject({ name: 'yugabytedb', version: '2025.1.0.0' });
  });

  it('never throws: an unknown or empty answer is plain PostgreSQL', () => {
    expect(parsePgEngine('')).toMatchObject({ name: 'postgres', nativeLock: true });
    expect(parsePgEngine('SomethingElse 1.0')).toMatchObject({ name: 'postgres' });
    expect(parsePgEngine(undefined as unknown as string)).toMatchObject({ name: 'postgres' });
  });

  it('chooses the lock per engine: the row where advisory locks do not work, the advisory lock elsewhere, forced either way', () => {
    expect(chooseLockStrategy(parsePgEngine(RECORDED.postgres16))).toBe('native');
    expect(chooseLockStrategy(parsePgEngine(RECORDED.crdb23))).toBe('row');
    expect(chooseLockStrategy(parsePgEngine(RECORDED.yb218))).toBe('row');
    expect(chooseLockStrategy(parsePgEngine(RECORDED.postgres16), 'row')).toBe('row');
    expect(chooseLockStrategy(parsePgEngine(RECORDED.crdb23), 'native')).toBe('native');
    expect(chooseLockStrategy(undefined)).toBe('native');
  });

  it("words the lock as the strategy in force has it: a forced 'native' on CockroachDB is a warning, a forced 'row' on PostgreSQL says so", () => {
    const crdb = parsePgEngine(RECORDED.crdb23);
    expect(engineNotes(crdb, 'row')[0]).toBe(crdb.lockNote);
    const native = engineNotes(crdb, 'native');
    expect(native[0]).toMatch(/lockStrategy 'native' is set, but CockroachDB v23\.1\.11's own lock does not serialise pushes here/);
    expect(native.join('\n')).not.toMatch(/push takes its lock as a row/);
    expect(native.slice(1)).toEqual(crdb.limits);
    const pg = parsePgEngine(RECORDED.postgres16);
    expect(engineNotes(pg)).toEqual([]);
    expect(engineNotes(pg, 'native')).toEqual([]);
    expect(engineNotes(pg, 'row')).toEqual([expect.stringMatching(/lockStrategy 'row' is set: push takes its lock as a row of _forge_lock/)]);
    expect(engineNotes(undefined, 'row')).toEqual([]);
  });
});
