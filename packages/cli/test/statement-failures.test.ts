import { existsSync, readdirSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeProject, type Project } from './helpers.js';
import { ledgerRows, tablesOf, withDb } from './sqlite.js';

const V1 = `import { model, f } from '@forge/core';
export const schema = { user: model('users', { id: f.id(), email: f.string() }) };
`;
/** email becomes unique, which two equal rows make impossible; a new table is fine. */
const V2 = `import { model, f } from '@forge/core';
export const schema = {
  user: model('users', { id: f.id(), email: f.string().unique() }),
  tag: model('tags', { id: f.id(), label: f.string() }),
};
`;

describe('a failing statement exits 2 and says what failed', () => {
  let p: Project;
  let env: Record<string, string>;
  beforeAll(() => {
    p = makeProject({ 'src/schema.ts': V1 });
    env = { DATABASE_URL: p.url };
    p.ok(['push'], env);
    withDb(p.db, (db) => db.exec("INSERT INTO users (id, email) VALUES ('a', 'same@x.io'), ('b', 'same@x.io')"));
    p.write('src/schema.ts', V2);
  });
  afterAll(() => p.cleanup());

  it('diff apply: the up block fails, exit 2, no file kept and no ledger row', () => {
    withDb(p.db, (db) => db.exec('CREATE TABLE tags (id TEXT PRIMARY KEY NOT NULL, label TEXT NOT NULL)'));
    // The preview counts the duplicates first: without consent nothing runs (exit 1, the finding named).
    const refused = p.run(['diff', 'apply'], env);
    expect(refused.code).toBe(1);
    expect(refused.stdout + refused.stderr).toContain('FORGE_UNIQUE_ON_DUPLICATES');
    expect(existsSync(p.file('migrations')) ? readdirSync(p.file('migrations')) : []).toEqual([]);
    const r = p.run(['diff', 'apply', '--accept-data-loss'], env);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^forge: \S+_drift failed at: CREATE UNIQUE INDEX/m);
    expect(r.stderr).toMatch(/UNIQUE/);
    expect(existsSync(p.file('migrations')) ? readdirSync(p.file('migrations')) : []).toEqual([]);
    expect(ledgerRows(p.db)).toEqual([]);
    withDb(p.db, (db) => db.exec('DROP TABLE tags'));
  });

  it('push: the failed statement is marked ✗, the others still apply, exit 2', () => {
    const r = p.run(['push'], env);
    expect(r.code).toBe(2);
    expect(r.stdout).toContain('+ create table tags');
    expect(r.stdout).toMatch(/^✗ index forge_users_uq_email: .*unique/im);
    expect(r.stdout).toMatch(/^applied: 1, skipped: \d+, failures: 1$/m);
    expect(r.stderr).toMatch(/^forge: 1 statement\(s\) failed/m);
    expect(tablesOf(p.db)).toContain('tags');
  });
});
