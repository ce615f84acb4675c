import { readdirSync, readFileSync } from 'node:fs';
import { createDb, f, model } from '@forge/core';
import { describe, expect, it } from 'vitest';
import { shown } from './helpers.js';
import { PG_LABEL, ledgerRows, postgresAnswers, query, pgWorkspace } from './postgres.js';

/**
 * Postgres enum types (`f.enumOf(values, { type })`) on a live server through the built CLI: push creates the type
 * and adds values in place (committed before the statements that use them), diff names what differs, diff apply
 * converts a text column to the type and replaces a type whose values were removed (refused while rows hold them),
 * rollback undoes each, generate + migrate run ADD VALUE outside the file's transaction, pull writes the type back.
 */
const pgUp = await postgresAnswers();
const suite = (name: string, fn: () => void) =>
  describe.skipIf(!pgUp).concurrent(`${name} (needs PostgreSQL at ${PG_LABEL}${pgUp ? '' : ' — no answer, skipped'})`, { timeout: 90_000 }, fn);
const step = it.sequential;

const schemaOf = (fields: string) =>
  `import { model, f } from '@forge/core';\nexport const Order = model('orders', { id: f.id({ type: 'int' }), ${fields} });\nexport const schema = { order: Order };\n`;
const status = (values: string[], extra = '') => `status: f.enumOf(${JSON.stringify(values)}, { type: 'order_status' })${extra}`;

/** Every enum type of the public schema with its values in sort order. */
async function typesOf(url: string): Promise<Record<string, string[]>> {
  const rows = await query<{ name: string; values: string[] }>(
    url,
    `SELECT t.typname AS name, array_agg(e.enumlabel::text ORDER BY e.enumsortorder) AS values
     FROM pg_type t JOIN pg_enum e ON e.enumtypid = t.oid JOIN pg_namespace n ON n.oid = t.typnamespace
     WHERE n.nspname = 'public' GROUP BY t.typname ORDER BY t.typname`,
  );
  return Object.fromEntries(rows.map((r) => [r.name, r.values]));
}

/** A column's type and default as the catalog prints them. */
async function columnOf(url: string, table: string, column: string): Promise<string> {
  const [r] = await query<{ type: string; def: string | null }>(
    url,
    `SELECT format_type(a.atttypid, a.atttypmod) AS type, pg_get_expr(d.adbin, d.adrelid) AS def
     FROM pg_attribute a LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
     WHERE a.attrelid = $1::regclass AND a.attname = $2`,
    [table, column],
  );
  return `${r.type}${r.def ? ` default ${r.def}` : ''}`;
}

const statuses = async (url: string) => (await query<{ status: string }>(url, 'SELECT status::text AS status FROM orders ORDER BY id')).map((r) => r.status);

const fallback = (values: string[], dflt: string) => `, fallback: f.enumOf(${JSON.stringify(values)}, { type: 'order_status' }).default('${dflt}')`;

suite('enum types through push, diff, diff apply and rollback on Postgres', () => {
  const w = pgWorkspace(schemaOf(status(['draft', 'paid'])));
  step('push creates the type, then the table with a column of it; a re-run applies nothing', async () => {
    const r = await w.ok(['push']);
    expect(r.stdout).toMatch(/\+ enum type order_status\n\+ create table orders/);
    expect(await typesOf(w.db.url)).toEqual({ order_status: ['draft', 'paid'] });
    expect(await columnOf(w.db.url, 'orders', 'status')).toBe('order_status');
    await query(w.db.url, "INSERT INTO orders (id, status) VALUES (1, 'paid'), (2, 'draft'), (3, 'paid')");
    expect((await w.ok(['push'])).stdout).toContain('applied: 0,');
    expect((await w.ok(['diff', '--check'])).stdout).toContain('no drift');
  });
  step('a value the database refuses is drift naming it, and the database refuses it', async () => {
    w.p.write('src/schema.ts', schemaOf(status(['draft', 'sent', 'paid']) + fallback(['draft', 'sent', 'paid'], 'sent')));
    const d = await w.forge(['diff', '--check']);
    expect(d.code, shown(d)).not.toBe(0);
    expect(d.stdout).toContain("enum type 'order_status' values: schema=('draft', 'sent', 'paid') db=('draft', 'paid'): the database lacks 'sent'; forge push adds them");
    await expect(query(w.db.url, "INSERT INTO orders (id, status) VALUES (9, 'sent')")).rejects.toThrow(/invalid input value for enum order_status: "sent"/);
  });
  step('push adds the value in its place, committed first, so a new column in the same run can default to it', async () => {
    const r = await w.ok(['push']);
    expect(r.stdout).toContain('enum type order_status values');
    expect(await typesOf(w.db.url)).toEqual({ order_status: ['draft', 'sent', 'paid'] });
    expect(await columnOf(w.db.url, 'orders', 'fallback')).toBe("order_status default 'sent'::order_status");
    expect((await w.ok(['diff', '--check'])).stdout).toContain('no drift');
    expect(await statuses(w.db.url)).toEqual(['paid', 'draft', 'paid']);
  });
  step('the client sorts by the declared order, filters with gt, contains and insensitive, and refuses an unknown value', async () => {
    const values = ['draft', 'sent', 'paid'] as const;
    const Order = model('orders', { id: f.id({ type: 'int' }), status: f.enumOf(values, { type: 'order_status' }), fallback: f.enumOf(values, { type: 'order_status' }).default('sent') });
    const db = await createDb({ url: w.db.url, schema: { order: Order } });
    try {
      expect(await db.order.create({ data: { id: 4, status: 'sent' } })).toMatchObject({ id: 4, status: 'sent', fallback: 'sent' });
      const sorted = await db.order.findMany({ orderBy: [{ status: 'asc' }, { id: 'asc' }] });
      expect(sorted.map((o) => `${o.id}:${o.status}`)).toEqual(['2:draft', '4:sent', '1:paid', '3:paid']);
      expect((await db.order.findMany({ where: { status: { gt: 'draft' } }, orderBy: { id: 'asc' } })).map((o) => o.id)).toEqual([1, 3, 4]);
      expect((await db.order.findMany({ where: { status: { contains: 'ai' } }, orderBy: { id: 'asc' } })).map((o) => o.id)).toEqual([1, 3]);
      expect((await db.order.findMany({ where: { status: { equals: 'DRAFT' as never, mode: 'insensitive' } } })).map((o) => o.id)).toEqual([2]);
      expect((await db.order.findMany({ where: { status: { in: ['sent', 'draft'] } }, orderBy: { id: 'asc' } })).map((o) => o.id)).toEqual([2, 4]);
      await expect(db.order.create({ data: { id: 5, status: 'lost' as never } })).rejects.toThrow(/status/);
    } finally {
      await db.$disconnect();
    }
  });
  step('a value removed: push leaves it, diff apply without a terminal refuses, counting the rows that hold it', async () => {
    await query(w.db.url, 'DELETE FROM orders WHERE id = 4');
    await query(w.db.url, "UPDATE orders SET status = 'sent' WHERE id = 3");
    w.p.write('src/schema.ts', schemaOf(status(['draft', 'paid']) + fallback(['draft', 'paid'], 'draft')));
    const push = await w.ok(['push']);
    expect(push.stdout).toContain('forge diff apply replaces the type');
    expect(await typesOf(w.db.url)).toEqual({ order_status: ['draft', 'sent', 'paid'] });
    const r = await w.forge(['diff', 'apply']);
    expect(r.code, shown(r)).toBe(1);
    expect(r.stdout).toContain("FORGE_ENUM_VALUES_REMOVED convert orders.status to the replaced enum type order_status ('draft', 'paid') (1 row holds a value the new type lacks");
    expect(r.stdout).toContain("FORGE_ENUM_VALUES_REMOVED convert orders.fallback to the replaced enum type order_status ('draft', 'paid') (3 rows hold values the new type lacks");
    expect(r.stderr).toContain('--accept-data-loss');
    expect(await typesOf(w.db.url)).toEqual({ order_status: ['draft', 'sent', 'paid'] });
    expect(await ledgerRows(w.db.url)).toEqual([]);
  });
  step('with consent while rows still hold the value, the database refuses and nothing changes', async () => {
    const r = await w.forge(['diff', 'apply', '--accept-data-loss']);
    expect(r.code, shown(r)).not.toBe(0);
    expect(r.stderr).toMatch(/invalid input value for enum order_status: "sent"/);
    expect(r.stderr).toContain('Nothing was changed');
    expect(await typesOf(w.db.url)).toEqual({ order_status: ['draft', 'sent', 'paid'] });
    expect(await columnOf(w.db.url, 'orders', 'fallback')).toBe("order_status default 'sent'::order_status");
  });
  step('once the rows are changed it replaces the type, converts both columns, keeps the rows and sets the new default', async () => {
    await query(w.db.url, "UPDATE orders SET status = 'paid' WHERE id = 3");
    await query(w.db.url, "UPDATE orders SET fallback = 'draft'");
    const r = await w.ok(['diff', 'apply', '--accept-data-loss']);
    expect(r.stdout).toContain("replace enum type order_status: ('draft', 'sent', 'paid') to ('draft', 'paid'), removing 'sent'; converts orders.status, orders.fallback");
    const file = readdirSync(w.p.file('migrations')).find((x) => x.endsWith('.sql'))!;
    const text = readFileSync(w.p.file(`migrations/${file}`), 'utf8');
    expect(text).toContain('ALTER TYPE "order_status" RENAME TO "order_status__forge_old";');
    expect(text).toContain(`CREATE TYPE "order_status" AS ENUM ('draft', 'paid');`);
    expect(text).toContain('ALTER TABLE "orders" ALTER COLUMN "status" TYPE "order_status" USING "status"::text::"order_status";');
    expect(await typesOf(w.db.url)).toEqual({ order_status: ['draft', 'paid'] });
    expect(await columnOf(w.db.url, 'orders', 'status')).toBe('order_status');
    expect(await columnOf(w.db.url, 'orders', 'fallback')).toBe("order_status default 'draft'::order_status");
    expect(await statuses(w.db.url)).toEqual(['paid', 'draft', 'paid']);
    expect((await w.ok(['diff', '--check'])).stdout).toContain('no drift');
  });
  step('rollback brings the old type back with its values and the old default; the rows are kept', async () => {
    await w.ok(['rollback']);
    expect(await typesOf(w.db.url)).toEqual({ order_status: ['draft', 'sent', 'paid'] });
    expect(await columnOf(w.db.url, 'orders', 'fallback')).toBe("order_status default 'sent'::order_status");
    expect(await statuses(w.db.url)).toEqual(['paid', 'draft', 'paid']);
    expect(await ledgerRows(w.db.url)).toEqual([]);
  });
});

suite('a text column moved onto an enum type, and back, on Postgres', () => {
  const w = pgWorkspace(schemaOf("kind: f.string().default('a')"));
  step('diff apply converts the text rows to the new type; rollback makes it text again', async () => {
    await w.ok(['push']);
    await query(w.db.url, "INSERT INTO orders (id, kind) VALUES (1, 'b'), (2, 'a')");
    w.p.write('src/schema.ts', schemaOf("kind: f.enumOf(['a', 'b'], { type: 'order_kind' }).default('a')"));
    const push = await w.ok(['push']);
    // push creates the type (additive) and leaves the column's type change to diff apply.
    expect(push.stdout).toContain('push does not change column types');
    expect(await typesOf(w.db.url)).toEqual({ order_kind: ['a', 'b'] });
    expect(await columnOf(w.db.url, 'orders', 'kind')).toBe("text default 'a'::text");
    await w.ok(['diff', 'apply', '--accept-data-loss']);
    expect(await columnOf(w.db.url, 'orders', 'kind')).toBe("order_kind default 'a'::order_kind");
    expect((await query<{ kind: string }>(w.db.url, 'SELECT kind::text AS kind FROM orders ORDER BY id')).map((r) => r.kind)).toEqual(['b', 'a']);
    expect((await w.ok(['diff', '--check'])).stdout).toContain('no drift');
    await w.ok(['rollback']);
    expect(await columnOf(w.db.url, 'orders', 'kind')).toBe("text default 'a'::text");
    expect((await query<{ kind: string }>(w.db.url, 'SELECT kind FROM orders ORDER BY id')).map((r) => r.kind)).toEqual(['b', 'a']);
  });
  step('a type no field names is drift; diff apply drops it and rollback creates it again', async () => {
    w.p.write('src/schema.ts', schemaOf("kind: f.string().default('a')"));
    const d = await w.forge(['diff', '--check']);
    expect(d.code, shown(d)).not.toBe(0);
    expect(d.stdout).toContain("enum type 'order_kind' ('a', 'b') in DB but not in schema");
    await w.ok(['diff', 'apply', '--accept-data-loss']);
    expect(await typesOf(w.db.url)).toEqual({});
    await w.ok(['rollback']);
    expect(await typesOf(w.db.url)).toEqual({ order_kind: ['a', 'b'] });
  });
});

suite('enum types in migration files, pull and ensureDeleted on Postgres', () => {
  const w = pgWorkspace(schemaOf(status(['draft', 'paid'])));
  step('generate writes CREATE TYPE before the table; ADD VALUE runs outside the transaction, with the default after it', async () => {
    await w.ok(['generate', '--name', 'init', '--dialect', 'postgres']);
    w.p.write('src/schema.ts', schemaOf(status(['new', 'draft', 'paid'], ".default('new')")));
    await w.ok(['generate', '--name', 'add_new', '--dialect', 'postgres']);
    const files = readdirSync(w.p.file('migrations')).filter((x) => x.endsWith('.sql')).sort();
    const init = readFileSync(w.p.file(`migrations/${files[0]}`), 'utf8');
    expect(init.indexOf('CREATE TYPE "order_status"')).toBeLessThan(init.indexOf('CREATE TABLE'));
    const add = readFileSync(w.p.file(`migrations/${files[1]}`), 'utf8');
    expect(add).toContain(`ALTER TYPE "order_status" ADD VALUE IF NOT EXISTS 'new' BEFORE 'draft';`);
    const m = await w.ok(['migrate']);
    expect(m.stdout).toMatch(/applied 0001_.*\n.*applied 0002_/);
    expect(await typesOf(w.db.url)).toEqual({ order_status: ['new', 'draft', 'paid'] });
    expect(await columnOf(w.db.url, 'orders', 'status')).toBe("order_status default 'new'::order_status");
    expect((await w.ok(['diff', '--check'])).stdout).toContain('no drift');
  });
  step('migrate down replaces the type with the old values; migrate re-applies', async () => {
    await w.ok(['migrate', 'down', '1']);
    expect(await typesOf(w.db.url)).toEqual({ order_status: ['draft', 'paid'] });
    await w.ok(['migrate']);
    expect(await typesOf(w.db.url)).toEqual({ order_status: ['new', 'draft', 'paid'] });
  });
  step('pull writes the field back with the type name and its values in order; diff of the pulled schema is clean', async () => {
    const r = await w.ok(['pull', '--out', 'src/pulled.ts', '--force']);
    expect(r.stdout, shown(r)).toContain('1 model(s)');
    const pulled = readFileSync(w.p.file('src/pulled.ts'), 'utf8');
    expect(pulled).toContain(`status: f.enumOf(["new", "draft", "paid"], { type: "order_status" }).default("new")`);
    expect((await w.ok(['diff', '--check', '--schema', 'src/pulled.ts'])).stdout).toContain('no drift');
  });
  step('analyze names the type operations, with their statements, and runs nothing', async () => {
    const more = (values: string[]) => model('orders', { id: f.id({ type: 'int' }), status: f.enumOf(values, { type: 'order_status' }).default('new') });
    const widen = await createDb({ url: w.db.url, schema: { order: more(['new', 'draft', 'paid', 'void']) } });
    try {
      const a = await widen.$analyze();
      expect(a.operations.map((o) => [o.type, o.name, o.destructive])).toEqual([['alter_enum', 'order_status', false]]);
      expect(a.operations[0].sql).toEqual([`ALTER TYPE "order_status" ADD VALUE IF NOT EXISTS 'void' AFTER 'paid'`]);
    } finally {
      await widen.$disconnect();
    }
    const narrow = await createDb({ url: w.db.url, schema: { order: more(['new', 'paid']) } });
    try {
      expect((await narrow.$analyze()).operations.map((o) => [o.type, o.name, o.destructive])).toEqual([['replace_enum', 'order_status', true]]);
    } finally {
      await narrow.$disconnect();
    }
    expect(await typesOf(w.db.url)).toEqual({ order_status: ['new', 'draft', 'paid'] });
  });
  step('ensureDeleted drops the tables and then the schema types', async () => {
    const Order = model('orders', { id: f.id({ type: 'int' }), status: f.enumOf(['new', 'draft', 'paid'], { type: 'order_status' }).default('new') });
    const db = await createDb({ url: w.db.url, schema: { order: Order } });
    try {
      const r = await db.$ensureDeleted();
      expect(r.dropped).toEqual(['orders', 'enum type order_status']);
    } finally {
      await db.$disconnect();
    }
    expect(await typesOf(w.db.url)).toEqual({});
  });
});
