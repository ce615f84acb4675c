import { readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeProject, shown, type Project, type RunResult } from './helpers.js';
import * as pg from './postgres.js';
import * as lite from './sqlite.js';

/**
 * Issue 14, code migrations (seed 003): `migrations/NNNN_<stamp>_<name>.ts` exporting up(db) / down(db), loaded
 * like the schema with no build step, run by `forge migrate` in order with the .sql files, in the migration's
 * transaction, and recorded with a checksum. The data backfill of seed 004: add a column (SQL file), backfill it
 * (code file, through the typed client and $executeRaw), down 2 restores. The same flow on SQLite and Postgres.
 */
const pgUp = await pg.postgresAnswers();

const V1 = `import { model, f } from '@forge/core';\nexport const User = model('users', { id: f.id({ type: 'string' }), email: f.string() });\nexport const schema = { user: User };\n`;
const V2 = V1.replace('email: f.string() }', 'email: f.string(), status: f.string().optional() }');

const BACKFILL = `import type { Db } from '@forge/core';
import type { schema } from '../src/schema';

export async function up(db: Db<typeof schema>): Promise<void> {
  await db.user.updateMany({ where: { status: null }, data: { status: 'active' } });
  await db.$executeRaw\`UPDATE users SET status = \${'vip'} WHERE email = \${'a@x'}\`;
}

export async function down(db: Db<typeof schema>): Promise<void> {
  await db.$executeRaw\`UPDATE users SET status = NULL\`;
}
`;

/** Updates every row, then throws: in a transaction, nothing of it stays. */
const BROKEN = `export async function up(db: { $executeRaw(q: TemplateStringsArray, ...v: unknown[]): Promise<number> }) {
  await db.$executeRaw\`UPDATE users SET status = \${'gone'}\`;
  throw new Error('backfill found a row it cannot handle');
}
`;

interface Target {
  label: string;
  skip?: string;
  setup(): Promise<void>;
  teardown(): Promise<void>;
  url(): string;
  rows(sql: string): Promise<Array<Record<string, unknown>>>;
  columns(table: string): Promise<string[]>;
}

function sqliteTarget(): Target {
  let p: Project | undefined;
  return {
    label: 'SQLite',
    async setup() {},
    async teardown() {},
    url: () => p!.url,
    bind(project: Project) {
      p = project;
    },
    async rows(sql) {
      return lite.withDb(p!.db, (db) => {
        const st = db.prepare(sql) as ReturnType<typeof db.prepare> & { reader: boolean };
        return st.reader ? (st.all() as Array<Record<string, unknown>>) : (st.run(), []);
      });
    },
    async columns(table) {
      return lite.columnsOf(p!.db, table);
    },
  } as Target & { bind(p: Project): void };
}

function postgresTarget(): Target {
  let db: pg.TestDatabase | undefined;
  return {
    label: `Postgres (needs PostgreSQL at ${pg.PG_LABEL}${pgUp ? '' : ' — no answer, skipped'})`,
    ...(pgUp ? {} : { skip: 'no server' }),
    async setup() {
      db = await pg.createTestDatabase();
    },
    async teardown() {
      await db?.drop();
    },
    url: () => db!.url,
    rows: (sql) => pg.query(db!.url, sql),
    columns: (table) => pg.columnsOf(db!.url, table),
  };
}

function flow(t: Target) {
  describe.skipIf(!!t.skip)(`code migrations on ${t.label}`, { timeout: 90_000 }, () => {
    let p: Project;
    const forge = (args: string[]): Promise<RunResult> => p.runAsync(args, { DATABASE_URL: t.url() });
    const ok = async (args: string[]) => {
      const r = await forge(args);
      expect(r.code, shown(r)).toBe(0);
      return r;
    };
    const files = () => readdirSync(p.file('migrations')).filter((f) => !f.startsWith('.')).sort();
    const ledger = async () => (await t.rows('SELECT name, checksum FROM _forge_migrations ORDER BY name')) as Array<{ name: string; checksum: string | null }>;
    const statuses = async () => (await t.rows('SELECT email, status FROM users ORDER BY email')).map((r) => `${r.email}:${r.status ?? 'null'}`);

    beforeAll(async () => {
      await t.setup();
      p = makeProject({ 'src/schema.ts': V1 });
      (t as Target & { bind?(p: Project): void }).bind?.(p);
    });
    afterAll(async () => {
      p?.cleanup();
      await t.teardown();
    });

    it('add a column (SQL file), backfill it (code file), status, edit, down 2, migrate again', async () => {
      await ok(['generate', '--name', 'init']);
      await ok(['migrate']);
      await t.rows("INSERT INTO users (id, email) VALUES ('1', 'a@x'), ('2', 'b@x')");

      p.write('src/schema.ts', V2);
      await ok(['generate', '--name', 'add_status']);
      const scaffold = await ok(['generate', '--empty', '--name', 'backfill status']);
      expect(scaffold.stdout).toMatch(/wrote migrations\/0003_\d{8}_\d{6}_backfill_status\.ts/);
      const ts = files().find((f) => f.endsWith('.ts'))!;
      const template = readFileSync(p.file(`migrations/${ts}`), 'utf8');
      // The package the project has: forge-orm where it resolves (it does from this test's folder), else @forge/core.
      expect(template).toMatch(/^import type \{ Db \} from "(forge-orm|@forge\/core)";$/m);
      expect(template).toContain(`import type { schema } from "../src/schema";`);
      expect(template).toContain('export async function up(db: Db<typeof schema>): Promise<void> {');
      expect(template).toContain('export async function down(db: Db<typeof schema>): Promise<void> {');
      // The scaffold's snapshot repeats the previous one: the schema is still covered.
      expect((await forge(['generate', '--check'])).code).toBe(0);

      writeFileSync(p.file(`migrations/${ts}`), BACKFILL);
      const pending = JSON.parse((await ok(['migrate', 'status', '--json'])).stdout);
      expect(pending.pending).toEqual([expect.stringMatching(/^0002_.*_add_status$/), ts.replace(/\.ts$/, '')]);
      const m = await ok(['migrate']);
      expect(m.stdout).toMatch(/applied 0002_\S+_add_status \(1 statement\)\n.*applied 0003_\S+_backfill_status \(code migration\)/);
      expect(await statuses()).toEqual(['a@x:vip', 'b@x:active']);
      const rows = await ledger();
      expect(rows.map((r) => r.name)).toEqual(files().map((f) => f.replace(/\.(sql|ts)$/, '')));
      expect(rows.every((r) => /^[0-9a-f]{64}$/.test(r.checksum ?? ''))).toBe(true);
      expect(JSON.parse((await ok(['migrate', 'status', '--json'])).stdout)).toMatchObject({ clean: true });

      // An edited code migration is edited-after-apply, like an edited .sql file.
      writeFileSync(p.file(`migrations/${ts}`), BACKFILL.replace("'vip'", "'gold'"));
      expect(JSON.parse((await ok(['migrate', 'status', '--json'])).stdout).edited).toEqual([ts.replace(/\.ts$/, '')]);
      writeFileSync(p.file(`migrations/${ts}`), BACKFILL);

      const down = await ok(['migrate', 'down', '2', '--accept-data-loss']);
      expect(down.stdout).toMatch(/undid 0003_\S+ \(migrations\/0003_\S+\.ts, its down\(db\)\)[\s\S]*undid 0002_/);
      expect(await t.columns('users')).toEqual(['id', 'email']);
      expect((await ledger()).map((r) => r.name)).toEqual([files()[0].replace(/\.sql$/, '')]);

      await ok(['migrate']);
      expect(await statuses()).toEqual(['a@x:vip', 'b@x:active']);
    });

    it('a code migration that throws rolls back whole: rows as they were, not recorded, exit 2 naming it', async () => {
      p.write('migrations/0004_20300101_000000_broken.ts', BROKEN);
      try {
        const r = await forge(['migrate']);
        expect(r.code, shown(r)).toBe(2);
        expect(r.stdout).toContain('0004_20300101_000000_broken failed in its code migration: backfill found a row it cannot handle');
        expect(r.stdout).toContain('Nothing was changed');
        expect(await statuses()).toEqual(['a@x:vip', 'b@x:active']);
        expect((await ledger()).map((x) => x.name)).not.toContain('0004_20300101_000000_broken');
      } finally {
        rmSync(p.file('migrations/0004_20300101_000000_broken.ts'));
      }
    });

    it('a code migration without up(db) is refused before anything runs; one without down(db) cannot be undone', async () => {
      p.write('migrations/0004_20300101_000000_noop.ts', 'export const nothing = 1;\n');
      p.write('migrations/0005_20300101_000001_later.sql', '-- up\nCREATE TABLE later (id int);\n-- down\nDROP TABLE later;\n');
      const r = await forge(['migrate']);
      expect(r.code, shown(r)).toBe(1);
      expect(r.stderr).toContain('exports no up(db) function');
      expect((await ledger()).map((x) => x.name)).not.toContain('0005_20300101_000001_later');
      p.write('migrations/0004_20300101_000000_noop.ts', 'export async function up() {}\n');
      await ok(['migrate']);
      const d = await forge(['migrate', 'down', '2']);
      expect(d.code, shown(d)).toBe(1);
      expect(d.stderr).toContain('cannot undo 0004_20300101_000000_noop: 0004_20300101_000000_noop.ts exports no down(db)');
      expect((await ledger()).map((x) => x.name)).toContain('0005_20300101_000001_later');
    });

    it('generate --empty --sql writes an empty -- up / -- down file that migrate applies', async () => {
      const r = await ok(['generate', '--empty', '--sql', '--name', 'by_hand']);
      expect(r.stdout).toMatch(/wrote migrations\/0006_\d{8}_\d{6}_by_hand\.sql/);
      const sql = files().find((f) => f.endsWith('_by_hand.sql'))!;
      expect(readFileSync(p.file(`migrations/${sql}`), 'utf8')).toMatch(/-- up\n-- write the statements to apply here, each ending with ;\n\n-- down\n/);
      const m = await ok(['migrate']);
      expect(m.stdout).toMatch(/applied 0006_\S+_by_hand \(0 statements\)/);
    });
  });
}

flow(sqliteTarget());
flow(postgresTarget());
