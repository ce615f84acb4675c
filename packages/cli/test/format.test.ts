import pc from 'picocolors';
import type { DiffApplyResult, DriftReport, PlannedStatement, TableIR } from '@forge/core';
import { describe, expect, it } from 'vitest';
import { changeList, deferredLines, driftJson, driftReport, ignoredLine, pushSummary, statementLine } from '../src/format.js';

const plain = pc.createColors(false);
const table = { name: 'users' } as TableIR;

describe('push lines', () => {
  it('one line per outcome', () => {
    const create: PlannedStatement = { op: { op: 'createTable', table }, label: 'users', sql: ['CREATE TABLE "users" ()'] };
    const index: PlannedStatement = {
      op: { op: 'createIndex', table: 'users', index: { name: 'forge_users_uq_email', columns: ['email'], directions: [1], unique: true, named: false, origin: 'field-unique' } },
      label: 'forge_users_uq_email',
      sql: [],
    };
    const fk: PlannedStatement = {
      op: { op: 'addForeignKey', table: 'posts', fk: { name: 'forge_posts_fk_author', columns: ['author'], refTable: 'users', refColumns: ['id'] } },
      label: 'forge_posts_fk_author',
      sql: [],
      comment: 'SQLite cannot ALTER ADD FK',
    };
    expect(statementLine(plain, create, 'applied')).toBe('+ create table users');
    expect(statementLine(plain, index, 'applied')).toBe('+ index forge_users_uq_email');
    expect(statementLine(plain, index, 'failed', 'duplicate key')).toBe('✗ index forge_users_uq_email: duplicate key');
    expect(statementLine(plain, fk, 'note')).toBe('! foreign key forge_posts_fk_author: SQLite cannot ALTER ADD FK');
  });

  it('ends with the counts, notes first', () => {
    const lines = pushSummary(plain, { applied: ['a', 'b'], skipped: ['c'], failures: [{ label: 'x', sql: '', error: 'e' }], notes: ['will not drop users.legacy'], transactional: true });
    expect(lines).toEqual(['! will not drop users.legacy', 'applied: 2, skipped: 1, failures: 1']);
  });
});

describe('drift report', () => {
  const report: DriftReport = {
    dialect: 'postgres',
    inSync: false,
    ignored: ['logs'],
    items: [
      { kind: 'column', direction: 'missing', table: 'users', detail: "column 'email_verified_at'" },
      { kind: 'index', direction: 'extra', table: 'users', detail: 'unique index u:legacy_email in DB but not in schema' },
      { kind: 'index', direction: 'mismatch', table: 'users', detail: "index 'idx_email_active' method: schema=gin db=btree" },
    ],
  };

  it('marks each direction, summarises, and always lists what was ignored', () => {
    expect(driftReport(plain, report)).toEqual([
      "+ [column] users: column 'email_verified_at'",
      '- [index] users: unique index u:legacy_email in DB but not in schema',
      "≠ [index] users: index 'idx_email_active' method: schema=gin db=btree",
      '',
      '3 drift item(s): 1 missing, 1 extra, 1 mismatch',
      '  → `npx forge push` creates what is missing',
      '  → `npx forge diff apply --dry` previews a migration for the rest',
      'ignored 1 table: logs',
    ]);
  });

  it('in sync, with the ignored list on the same line', () => {
    const ok: DriftReport = { dialect: 'postgres', inSync: true, items: [], ignored: ['hdb_catalog', '_atlas_meta'] };
    expect(driftReport(plain, ok)).toEqual(['✓ no drift — live postgres schema matches forge schema (ignored 2 tables: hdb_catalog, _atlas_meta)']);
  });

  it('says collections on Mongo, and nothing when nothing was ignored', () => {
    expect(ignoredLine({ dialect: 'mongo', ignored: ['a', 'b'] })).toBe('ignored 2 collections: a, b');
    expect(ignoredLine({ dialect: 'sqlite', ignored: [] })).toBeUndefined();
  });

  it('--json has exactly the four report keys', () => {
    const withExtra = { ...report, debug: true } as DriftReport;
    expect(Object.keys(JSON.parse(driftJson(withExtra)))).toEqual(['dialect', 'items', 'inSync', 'ignored']);
  });
});

describe('diff apply lines', () => {
  const result: DiffApplyResult = {
    name: '20260624T143052_drift',
    up: ['ALTER TABLE "users" ADD COLUMN "x" TEXT'],
    down: [],
    content: '',
    applied: true,
    changes: [
      { text: 'add users.email_verified_at', destructive: false },
      { text: 'drop table audit_old', destructive: true },
    ],
    deferred: [{ kind: 'table', direction: 'missing', table: 'orders', detail: "table 'orders'" }],
  };

  it('the change list as in seed 004', () => {
    expect(changeList(plain, result)).toEqual(['[forge:diff:apply] 2 change(s):', '  • add users.email_verified_at', '  • drop table audit_old']);
  });

  it('deferred items point at forge push', () => {
    const lines = deferredLines(plain, result);
    expect(lines[0]).toBe('! not in this migration (1):');
    expect(lines[1]).toBe("    + [table] orders: table 'orders'");
    expect(lines[2]).toContain('forge push');
  });
});
