import type { Adapter, EnumTypeColumn, EnumTypeOp } from '../adapter.js';
import type { ColumnIR, SchemaIR, Snapshot } from '../schema/ir.js';
import { enumTypesOf } from '../schema/model.js';
import type { DriftItem, PlannedStatement } from './types.js';

/**
 * Database enum types (`f.enumOf(values, { type })` where `capabilities.enumTypes` is set, Postgres): their drift,
 * and the operations push and diff apply make of it. A type is compared by its list of values in order, since the
 * order is the type's sort order. Adding values keeps every row valid: push does it (`ALTER TYPE ... ADD VALUE`, in
 * a transaction committed before the rest of the push, so the statements after it may use them). Removing or
 * reordering values is diff apply's, which replaces the type and converts its columns.
 */

type TypesAdapter = Pick<Adapter, 'capabilities' | 'ddl'>;

/** Whether this adapter and this snapshot take part: the dialect has enum types and introspection read them. */
export function enumTypesApply(adapter: Pick<Adapter, 'capabilities'>, snap: Snapshot): boolean {
  return adapter.capabilities.enumTypes === true && snap.enumTypes !== undefined;
}

/** The enum type a schema column is declared with, where the dialect has enum types. */
export function declaredEnumType(col: ColumnIR, adapter: Pick<Adapter, 'capabilities'>): string | undefined {
  return adapter.capabilities.enumTypes && col.kind === 'enum' && col.enumValues?.length ? col.enumType : undefined;
}

/** `was` in `values`, in the same relative order: the new list only adds values. */
export function onlyAddsValues(was: readonly string[], values: readonly string[]): boolean {
  let at = -1;
  for (const v of was) {
    const i = values.indexOf(v);
    if (i <= at) return false;
    at = i;
  }
  return true;
}

const list = (values: readonly string[]) => values.map((v) => `'${v}'`).join(', ');

/**
 * Type-level drift: a declared type missing, a live one with other values (`property: 'values'`, both lists), a
 * live one no field declares (unless a table the diff ignores uses it). `table` carries the type's name.
 */
export function enumTypeDrift(ir: SchemaIR, snap: Snapshot, adapter: Pick<Adapter, 'capabilities'>, ignored: (table: string) => boolean): DriftItem[] {
  if (!enumTypesApply(adapter, snap)) return [];
  const declared = enumTypesOf(ir);
  const live = new Map(snap.enumTypes!.map((t) => [t.name, t]));
  const items: DriftItem[] = [];
  for (const t of declared) {
    const have = live.get(t.name);
    if (!have) {
      items.push({ kind: 'enumType', direction: 'missing', table: t.name, schema: [...t.values], detail: `enum type '${t.name}' (${list(t.values)})` });
      continue;
    }
    if (have.values.length === t.values.length && have.values.every((v, i) => v === t.values[i])) continue;
    const added = t.values.filter((v) => !have.values.includes(v));
    const removed = have.values.filter((v) => !t.values.includes(v));
    const parts: string[] = [];
    if (added.length) parts.push(`the database lacks ${list(added)}`);
    if (removed.length) parts.push(`the database still has ${list(removed)}`);
    if (!removed.length && !onlyAddsValues(have.values, t.values)) parts.push('the values are in another order (the order is how the type sorts)');
    const next = onlyAddsValues(have.values, t.values)
      ? 'forge push adds them'
      : `forge diff apply replaces the type and converts its columns${removed.length ? ` (rows holding ${list(removed)} must be changed first)` : ''}`;
    items.push({
      kind: 'enumType',
      direction: 'mismatch',
      table: t.name,
      property: 'values',
      schema: [...t.values],
      db: [...have.values],
      detail: `enum type '${t.name}' values: schema=(${list(t.values)}) db=(${list(have.values)}): ${parts.join('; ')}; ${next}`,
    });
  }
  const names = new Set(declared.map((t) => t.name));
  const usedByIgnored = new Set(snap.tables.filter((t) => ignored(t.name)).flatMap((t) => t.columns.flatMap((c) => (c.enumType ? [c.enumType] : []))));
  for (const t of snap.enumTypes!) {
    if (names.has(t.name) || usedByIgnored.has(t.name) || ignored(t.name)) continue;
    items.push({ kind: 'enumType', direction: 'extra', table: t.name, db: [...t.values], detail: `enum type '${t.name}' (${list(t.values)}) in DB but not in schema` });
  }
  return items;
}

/** The live columns of type `name`, with the schema's column where the schema keeps it on that type. */
export function columnsOfType(name: string, snap: Snapshot, ir: SchemaIR): EnumTypeColumn[] {
  const models = new Map(Object.values(ir.models).map((t) => [t.name, t]));
  const out: EnumTypeColumn[] = [];
  for (const t of snap.tables) {
    for (const c of t.columns) {
      if (c.enumType !== name) continue;
      const next = models.get(t.name)?.columns.find((x) => x.name === c.name && x.enumType === name);
      out.push({ table: t.name, column: c.name, default: c.default ?? null, ...(next ? { next } : {}) });
    }
  }
  return out;
}

/** An `EnumTypeOp` as a planned statement (`op` carries it too, typed loosely: read `enumType` first). */
export function enumTypeStatement(adapter: TypesAdapter, op: EnumTypeOp, label: string): PlannedStatement {
  const e = adapter.ddl.enumType!(op);
  const s: PlannedStatement = { op: op as unknown as PlannedStatement['op'], enumType: op, label, sql: e.sql };
  if (e.comment) s.comment = e.comment;
  // New values are committed before the push's other statements run: Postgres refuses a value added in the same
  // transaction (a column default, an index predicate naming it).
  if (op.op === 'addEnumValues') s.commitFirst = true;
  return s;
}

/** Push's part: create the declared types that are missing, add the values a live type lacks (in their place). */
export function planEnumTypes(ir: SchemaIR, snap: Snapshot, adapter: TypesAdapter): PlannedStatement[] {
  if (!enumTypesApply(adapter, snap) || typeof adapter.ddl.enumType !== 'function') return [];
  const live = new Map(snap.enumTypes!.map((t) => [t.name, t]));
  const out: PlannedStatement[] = [];
  for (const t of enumTypesOf(ir)) {
    const have = live.get(t.name);
    if (!have) out.push(enumTypeStatement(adapter, { op: 'createEnumType', name: t.name, values: t.values }, `enum type ${t.name}`));
    else if (t.values.some((v) => !have.values.includes(v)) && onlyAddsValues(have.values, t.values)) {
      out.push(enumTypeStatement(adapter, { op: 'addEnumValues', name: t.name, values: t.values, was: have.values, columns: columnsOfType(t.name, snap, ir) }, `enum type ${t.name} values`));
    }
  }
  return out;
}

/** diff apply's step for a type drift item, or undefined when it has none (push creates a missing type). */
export function enumTypeOpFor(item: DriftItem, ir: SchemaIR, snap: Snapshot): EnumTypeOp | undefined {
  const live = snap.enumTypes?.find((t) => t.name === item.table);
  if (item.direction === 'missing') return { op: 'createEnumType', name: item.table, values: item.schema as string[] };
  if (!live) return undefined;
  if (item.direction === 'extra') return { op: 'dropEnumType', name: live.name, was: live.values };
  const values = item.schema as string[];
  const columns = columnsOfType(live.name, snap, ir);
  return onlyAddsValues(live.values, values)
    ? { op: 'addEnumValues', name: live.name, values, was: live.values, columns }
    : { op: 'replaceEnumType', name: live.name, values, was: live.values, columns };
}

/** Words for a type operation, the line diff apply and generate print. */
export function describeEnumTypeOp(op: EnumTypeOp): string {
  switch (op.op) {
    case 'createEnumType':
      return `create enum type ${op.name} (${list(op.values)})`;
    case 'dropEnumType':
      return `drop enum type ${op.name} (${list(op.was)})`;
    case 'addEnumValues':
      return `add ${list(op.values.filter((v) => !op.was.includes(v)))} to enum type ${op.name}`;
    case 'replaceEnumType': {
      const removed = op.was.filter((v) => !op.values.includes(v));
      const cols = op.columns.map((c) => `${c.table}.${c.column}`).join(', ');
      return `replace enum type ${op.name}: (${list(op.was)}) to (${list(op.values)})${removed.length ? `, removing ${list(removed)}` : ''}${cols ? `; converts ${cols}` : ''}`;
    }
  }
}

