import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeProject, shown, type Project, type RunResult } from './helpers.js';
import { columnsOf, ledgerNames, query, tablesOf, target } from './mysql.js';

/**
 * Issue 14 where DDL is not transactional (MariaDB / MySQL 8): generate, migrate, a rename that keeps rows,
 * consent without a terminal, status and down N, through the built CLI, in a fresh database.
 */
const schemaOf = (fields: string) =>
  `import { model, f } from '@forge/core';\nexport const User = model('users', { id: f.id({ type: 'string' }), email: f.string(), ${fields} });\nexport const schema = { user: User };\n`;

describe('migration files on MariaDB / MySQL', { timeout: 60_000 }, () => {
  let p: Project;
  let db: { url: string; drop(): Promise<void> };
  const forge = (args: string[]) => p.runAsync(args, { DATABASE_URL: db.url });
  const ok = async (args: string[]): Promise<RunResult> => {
    const r = await forge(args);
    expect(r.code, shown(r)).toBe(0);
    return r;
  };
  beforeAll(async () => {
    db = await target.fresh();
    p = makeProject({ 'src/schema.ts': schemaOf('nickname: f.string().optional()') });
  });
  afterAll(async () => {
    p?.cleanup();
    await db?.drop();
  });

  it('generate, migrate, rename with rows kept, consent, status, down 2', async () => {
    await ok(['generate', '--name', 'init']);
    await ok(['migrate']);
    await query(db.url, "INSERT INTO users (id, email, nickname) VALUES ('1', 'a@x', 'ann')");
    p.write('src/schema.ts', schemaOf("handle: f.string().optional().renamedFrom('nickname'), age: f.int().optional()"));
    await ok(['generate', '--name', 'rename']);
    await ok(['migrate']);
    expect(await query(db.url, 'SELECT handle FROM users')).toEqual([{ handle: 'ann' }]);
    p.write('src/schema.ts', schemaOf('age: f.int().optional()'));
    await ok(['generate', '--name', 'drop_handle', '--accept-data-loss']);
    const refused = await forge(['migrate']);
    expect(refused.code, shown(refused)).toBe(1);
    expect(refused.stdout).toContain('FORGE_DROP_COLUMN');
    expect(await columnsOf(db.url, 'users')).toContain('handle');
    await ok(['migrate', '--accept-data-loss']);
    expect(await columnsOf(db.url, 'users')).not.toContain('handle');
    const s = JSON.parse((await ok(['migrate', 'status', '--json'])).stdout);
    expect(s).toMatchObject({ clean: true });
    expect(s.applied).toHaveLength(3);
    await ok(['migrate', 'down', '2']);
    expect(await columnsOf(db.url, 'users')).toEqual(['id', 'email', 'nickname']);
    expect(await ledgerNames(db.url)).toHaveLength(1);
    expect(await tablesOf(db.url)).toContain('users');
  });
});
