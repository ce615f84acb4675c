import type { DdlEnv, EmittedDdl, EnumTypeColumn, EnumTypeOp } from '@forge/core';
import { columnType, defaultLiteral, quoteName, quoteString } from './column-type.js';

/**
 * Enum types (`CREATE TYPE ... AS ENUM`) for `f.enumOf(values, { type })`. References:
 * https://www.postgresql.org/docs/current/sql-createtype.html, https://www.postgresql.org/docs/current/sql-altertype.html
 * (ADD VALUE [ IF NOT EXISTS ] ... [ BEFORE | AFTER ]: inside a transaction block the new value cannot be used until
 * the transaction commits, so push commits it first and a migration file runs it outside its transaction), and
 * https://www.postgresql.org/docs/current/datatype-enum.html (values cannot be removed or reordered: the type is
 * replaced instead).
 */

const values = (list: readonly string[]) => list.map(quoteString).join(', ');

const createType = (name: string, list: readonly string[]) => `CREATE TYPE ${quoteName(name)} AS ENUM (${values(list)})`;

/** Each value of `next` that `was` lacks, placed after the value before it (or before the first one). */
function addValues(name: string, was: readonly string[], next: readonly string[]): string[] {
  const present = [...was];
  const sql: string[] = [];
  next.forEach((v, i) => {
    if (present.includes(v)) return;
    const before = next.slice(0, i).reverse().find((x) => present.includes(x));
    const place = before !== undefined ? ` AFTER ${quoteString(before)}` : present.length ? ` BEFORE ${quoteString(next.find((x) => present.includes(x))!)}` : '';
    sql.push(`ALTER TYPE ${quoteName(name)} ADD VALUE IF NOT EXISTS ${quoteString(v)}${place}`);
    present.push(v);
  });
  return sql;
}

/** The name the old type takes while its replacement is built (63 bytes at most, as every identifier). */
function oldName(name: string): string {
  const suffix = '__forge_old';
  let base = name;
  while (Buffer.byteLength(base + suffix) > 63) base = base.slice(0, -1);
  return base + suffix;
}

/**
 * A new type under the name, each column converted to it through text (its default dropped first, as the old one
 * does not cast, and set again after), the old type dropped. A column the schema moves off the type becomes text
 * here; its own column change then gives it the schema's type and default.
 */
function replaceType(name: string, list: readonly string[], columns: readonly EnumTypeColumn[], restoring: boolean, env?: DdlEnv): string[] {
  const type = quoteName(name);
  const sql = [`ALTER TYPE ${type} RENAME TO ${quoteName(oldName(name))}`, createType(name, list)];
  for (const c of columns) {
    const alter = (action: string) => `ALTER TABLE ${quoteName(c.table)} ALTER COLUMN ${quoteName(c.column)} ${action}`;
    const keep = restoring || c.next !== undefined;
    if (c.default) sql.push(alter('DROP DEFAULT'));
    sql.push(alter(keep ? `TYPE ${type} USING ${quoteName(c.column)}::text::${type}` : `TYPE text USING ${quoteName(c.column)}::text`));
    const def = !keep ? undefined : restoring || !c.next ? c.default : schemaDefault(c, env);
    if (def) sql.push(alter(`SET DEFAULT ${def}`));
  }
  sql.push(`DROP TYPE ${quoteName(oldName(name))}`);
  return sql;
}

/** The schema's default for a column kept on the type (a value literal), or the live one where it declares none. */
function schemaDefault(c: EnumTypeColumn, env?: DdlEnv): string | null | undefined {
  const d = c.next?.default;
  if (d?.kind === 'value') return defaultLiteral(d.value, c.next!, columnType(c.next!, env));
  return d ? c.default : null;
}

export function enumType(op: EnumTypeOp, reverse = false, env?: DdlEnv): EmittedDdl {
  switch (op.op) {
    case 'createEnumType':
      return { sql: [reverse ? `DROP TYPE IF EXISTS ${quoteName(op.name)}` : createType(op.name, op.values)] };
    case 'dropEnumType':
      return { sql: [reverse ? createType(op.name, op.was) : `DROP TYPE IF EXISTS ${quoteName(op.name)}`] };
    case 'addEnumValues':
      // A value cannot be taken out of an enum type: the down replaces the type with the old list.
      return { sql: reverse ? replaceType(op.name, op.was, op.columns, true, env) : addValues(op.name, op.was, op.values) };
    case 'replaceEnumType':
      return { sql: reverse ? replaceType(op.name, op.was, op.columns, true, env) : replaceType(op.name, op.values, op.columns, false, env) };
  }
}
