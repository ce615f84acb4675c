import { buildSchemaIR, f, model } from '@forge/core';
import { describe, expect, it } from 'vitest';
import { adapter } from '../src/index.js';

const ddl = adapter.ddl;
const statusColumn = buildSchemaIR({ o: model('orders', { id: f.id(), status: f.enumOf(['a', 'c'], { type: 'st' }).default('a') }) }).models.o.columns[1];

// The statements for `f.enumOf(values, { type })`, as https://www.postgresql.org/docs/current/sql-createtype.html and
// https://www.postgresql.org/docs/current/sql-altertype.html spell them.
describe('Postgres enum type DDL', () => {
  it('creates with quoted values and drops with IF EXISTS; each is the other one reversed', () => {
    const create = { op: 'createEnumType', name: 'Mood', values: ['ok', "it's"] } as const;
    expect(ddl.enumType!(create).sql).toEqual([`CREATE TYPE "Mood" AS ENUM ('ok', 'it''s')`]);
    expect(ddl.enumType!(create, true).sql).toEqual(['DROP TYPE IF EXISTS "Mood"']);
    const drop = { op: 'dropEnumType', name: 'Mood', was: ['ok'] } as const;
    expect(ddl.enumType!(drop).sql).toEqual(['DROP TYPE IF EXISTS "Mood"']);
    expect(ddl.enumType!(drop, true).sql).toEqual([`CREATE TYPE "Mood" AS ENUM ('ok')`]);
  });

  it('adds each new value next to its neighbour in the new list, so the sort order is the declared one', () => {
    const op = { op: 'addEnumValues', name: 'st', values: ['first', 'a', 'b', 'c', 'last'], was: ['a', 'c'], columns: [] } as const;
    expect(ddl.enumType!(op).sql).toEqual([
      `ALTER TYPE "st" ADD VALUE IF NOT EXISTS 'first' BEFORE 'a'`,
      `ALTER TYPE "st" ADD VALUE IF NOT EXISTS 'b' AFTER 'a'`,
      `ALTER TYPE "st" ADD VALUE IF NOT EXISTS 'last' AFTER 'c'`,
    ]);
  });

  it('the down of added values replaces the type with the old list, converting each column and restoring its default', () => {
    const op = {
      op: 'addEnumValues',
      name: 'st',
      values: ['a', 'b', 'c'],
      was: ['a', 'c'],
      columns: [{ table: 'orders', column: 'status', default: "'a'::st", next: statusColumn }],
    } as const;
    expect(ddl.enumType!(op, true).sql).toEqual([
      'ALTER TYPE "st" RENAME TO "st__forge_old"',
      `CREATE TYPE "st" AS ENUM ('a', 'c')`,
      'ALTER TABLE "orders" ALTER COLUMN "status" DROP DEFAULT',
      'ALTER TABLE "orders" ALTER COLUMN "status" TYPE "st" USING "status"::text::"st"',
      `ALTER TABLE "orders" ALTER COLUMN "status" SET DEFAULT 'a'::st`,
      'DROP TYPE "st__forge_old"',
    ]);
  });

  it("a replace sets the schema's default on a column it keeps, and makes a column the schema moves off the type text", () => {
    const op = {
      op: 'replaceEnumType',
      name: 'st',
      values: ['a', 'c'],
      was: ['a', 'b', 'c'],
      columns: [
        { table: 'orders', column: 'status', default: "'b'::st", next: statusColumn },
        { table: 'old_orders', column: 'status', default: null },
      ],
    } as const;
    expect(ddl.enumType!(op).sql).toEqual([
      'ALTER TYPE "st" RENAME TO "st__forge_old"',
      `CREATE TYPE "st" AS ENUM ('a', 'c')`,
      'ALTER TABLE "orders" ALTER COLUMN "status" DROP DEFAULT',
      'ALTER TABLE "orders" ALTER COLUMN "status" TYPE "st" USING "status"::text::"st"',
      `ALTER TABLE "orders" ALTER COLUMN "status" SET DEFAULT 'a'`,
      'ALTER TABLE "old_orders" ALTER COLUMN "status" TYPE text USING "status"::text',
      'DROP TYPE "st__forge_old"',
    ]);
    // The down puts every column back on the old list with the defaults the database had.
    expect(ddl.enumType!(op, true).sql).toContain(`ALTER TABLE "orders" ALTER COLUMN "status" SET DEFAULT 'b'::st`);
    expect(ddl.enumType!(op, true).sql).toContain('ALTER TABLE "old_orders" ALTER COLUMN "status" TYPE "st" USING "status"::text::"st"');
  });

  it('the name the old type takes aside fits in 63 bytes', () => {
    const name = 'é'.repeat(31);
    const [rename] = ddl.enumType!({ op: 'replaceEnumType', name, values: ['a'], was: ['a', 'b'], columns: [] }).sql;
    const aside = /RENAME TO "(.*)"$/.exec(rename)![1];
    expect(Buffer.byteLength(aside)).toBeLessThanOrEqual(63);
    expect(aside.endsWith('__forge_old')).toBe(true);
  });

  it('a column of an enum type is declared with the type and no CHECK; a plain f.enumOf keeps text and its CHECK', () => {
    const ir = buildSchemaIR({ o: model('orders', { id: f.id(), a: f.enumOf(['x'], { type: 'st' }), b: f.enumOf(['x']) }) });
    const sql = ddl.emit({ op: 'createTable', table: ir.models.o }).sql.join('\n');
    expect(sql).toContain('"a" "st" NOT NULL');
    expect(sql).not.toMatch(/CHECK \("a"/);
    expect(sql).toMatch(/"b" text NOT NULL CHECK/);
  });
});
