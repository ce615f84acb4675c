import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeProject, shown, type Project, type RunResult } from './helpers.js';
import { ledgerNames, query, target } from './mysql.js';

/**
 * Issue 14 on MariaDB / MySQL 8 through the built CLI: a column's type, nullability or default change is one
 * MODIFY COLUMN with the full definition (NULL rows first set to the default where the column becomes required),
 * refused by push, consented to by row count where it narrows, and restated as it was by the down block.
 */
const schemaOf = (fields: string) =>
  `import { model, f } from '@forge/core';\nexport const User = model('users', { id: f.id({ type: 'string' }), email: f.string(), ${fields} });\nexport const schema = { user: User };\n`;

async function shapeOf(url: string): Promise<Record<string, string>> {
  const rows = await query<{ name: string; type: string; nullable: string; dflt: string | null }>(
    url,
    'SELECT COLUMN_NAME AS name, COLUMN_TYPE AS type, IS_NULLABLE AS nullable, COLUMN_DEFAULT AS dflt FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ? ORDER BY ORDINAL_POSITION',
    ['users'],
  );
  return Object.fromEntries(rows.map((r) => [r.name, `${r.type.replace(/\(\d+\)$/, (m) => (/^(int|bigint|tinyint|smallint)/.test(r.type) ? '' : m))} ${r.nullable === 'YES' ? 'null' : 'not null'}${r.dflt !== null && r.dflt !== 'NULL' ? ` default ${r.dflt}` : ''}`]));
}

describe(`column changes on ${target.label}`, { timeout: 90_000 }, () => {
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
    p = makeProject({ 'src/schema.ts': schemaOf("age: f.string().optional(), score: f.int().optional(), plan: f.string().default('free')") });
  });
  afterAll(async () => {
    p?.cleanup();
    await db?.drop();
  });

  it('push refuses; diff apply MODIFYs with consent for the narrowing, rows kept and cast; rollback restates the columns', async () => {
    await ok(['push']);
    await query(db.url, "INSERT INTO users (id, email, age, score) VALUES ('1', 'a@x', '41', 7), ('2', 'b@x', NULL, NULL), ('3', 'c@x', '9', 3)");
    const before = await shapeOf(db.url);
    p.write('src/schema.ts', schemaOf("age: f.int().optional(), score: f.bigint().default(0n), plan: f.string().default('pro')"));
    const pushed = await ok(['push']);
    expect(pushed.stdout).toContain('push does not change column types: users.age');
    expect(pushed.stdout).toContain('run forge diff apply');

    const refused = await forge(['diff', 'apply']);
    expect(refused.code, shown(refused)).toBe(1);
    expect(refused.stdout).toMatch(/✗ FORGE_TYPE_CHANGE change the type of users\.age from \S+ to INT[^\n]*\(2 rows hold values that are converted\)/);
    // int to bigint widens, and score's NULL row gets the default: no consent for either.
    expect(refused.stdout).not.toMatch(/FORGE_TYPE_CHANGE[^\n]*users\.score/);
    expect(refused.stdout).toContain('· FORGE_SET_NOT_NULL make users.score required (NULL rows get its default) (1 row holds NULL and gets the default)');
    expect(await shapeOf(db.url)).toEqual(before);

    const applied = await ok(['diff', 'apply', '--accept-data-loss']);
    expect(applied.stdout + applied.stderr).toContain('change users.age: type');
    const after = await shapeOf(db.url);
    expect(after.age).toBe('int null');
    expect(after.score).toBe('bigint not null default 0');
    expect(after.plan).toMatch(/^varchar\(\d+\) not null default '?pro'?$/);
    // BIGINT comes back from mysql2 as a string.
    expect(await query(db.url, 'SELECT id, age, score FROM users ORDER BY id')).toEqual([
      { id: '1', age: 41, score: '7' },
      { id: '2', age: null, score: '0' },
      { id: '3', age: 9, score: '3' },
    ]);
    expect((await ok(['diff', '--check'])).stdout).toContain('no drift');

    await ok(['rollback']);
    expect(await shapeOf(db.url)).toEqual(before);
    expect(await query(db.url, 'SELECT id, age FROM users ORDER BY id')).toEqual([
      { id: '1', age: '41' },
      { id: '2', age: null },
      { id: '3', age: '9' },
    ]);
    expect(await ledgerNames(db.url)).toEqual([]);
  });
});
