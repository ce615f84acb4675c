import { f, model, type AnyField, type FieldKind, type AnyModel, type IdStrategy, type IndexDef, type IndexMethod, type ReferentialAction } from '@forge/core';

/**
 * A generated schema as plain data: fast-check shrinks and prints it, and `buildSchema` turns it into
 * real `model()` declarations. Plain data keeps a reported counterexample readable and replayable.
 */
export interface SchemaSpec {
  tables: TableSpec[];
}

/** Every field kind except the primary key, which a table spec declares separately. */
export type ScalarKind = Exclude<FieldKind, 'id'>;

export interface FieldSpec {
  /** The field key (also the column name unless `column` maps it). */
  name: string;
  column?: string;
  kind: ScalarKind;
  optional: boolean;
  unique: boolean;
  /** `'now'`, or a value of the field's type (bytes as hex, bigints as decimal text, dates as ISO text). */
  default?: { now: true } | { value: unknown };
  updatedAt?: boolean;
  searchable?: boolean;
  /** A foreign key to another table's id, by index into `SchemaSpec.tables`. */
  ref?: { table: number; onDelete?: ReferentialAction };
  enumValues?: string[];
  dims?: number;
  precision?: number;
  scale?: number;
}

export interface IndexSpec {
  /** Field names with their direction. */
  keys: Array<[string, 1 | -1]>;
  unique: boolean;
  name?: string;
  method?: IndexMethod;
  /** Partial index: the named field `IS NOT NULL`. */
  whereNotNull?: string;
  /** Expression index: `lower(<field's column>)`. */
  lowerOf?: string;
  include?: string[];
}

export interface TableSpec {
  name: string;
  /** A single `f.id()` key, or a composite primary key over two of the fields. */
  key: { id: string; type: IdStrategy } | { composite: [string, string] };
  fields: FieldSpec[];
  indexes: IndexSpec[];
  uniques: string[][];
}

/** The model key of table `i` in the built schema (`db.t0`, ...). */
const modelKey = (i: number): string => `t${i}`;

/** The column a field is stored in. */
function columnOf(table: TableSpec, field: string): string {
  return table.fields.find((fs) => fs.name === field)?.column ?? field;
}

/** Decode a default value from its plain-data form (what fast-check prints) into what `.default()` takes. */
function defaultValue(fs: FieldSpec, value: unknown): unknown {
  if (value === null) return null;
  switch (fs.kind) {
    case 'bigint':
      return BigInt(value as string);
    case 'dateTime':
      return new Date(value as string);
    case 'bytes':
      return Buffer.from(value as string, 'hex');
    default:
      return value;
  }
}

function fieldOf(fs: FieldSpec, refs: (i: number) => AnyModel): AnyField {
  let fd: AnyField;
  switch (fs.kind) {
    case 'enum':
      fd = f.enumOf(fs.enumValues ?? ['a']);
      break;
    case 'embed':
      fd = f.embed({ k: f.string(), n: f.int().optional() });
      break;
    case 'embedMany':
      fd = f.embedMany({ k: f.string() });
      break;
    case 'vector':
      fd = f.vector(fs.dims ?? 3);
      break;
    case 'decimal':
      fd = f.decimal({ precision: fs.precision, scale: fs.scale });
      break;
    default:
      fd = (f[fs.kind] as () => AnyField)();
  }
  if (fs.optional) fd = fd.optional();
  if (fs.unique) fd = fd.unique();
  if (fs.default) fd = 'now' in fs.default ? fd.default('now') : fd.default(defaultValue(fs, fs.default.value) as never);
  if (fs.updatedAt) fd = fd.updatedAt();
  if (fs.searchable) fd = fd.searchable();
  if (fs.column !== undefined) fd = fd.map(fs.column);
  if (fs.ref) {
    const target = fs.ref.table;
    fd = fd.refs(() => refs(target), { onDelete: fs.ref.onDelete });
  }
  return fd;
}

/**
 * Build `{ t0: model(...), t1: ... }` from a spec. `quoteIdent` is the dialect's: partial-index predicates
 * and index expressions are SQL text, and the generated identifiers need quoting there like anywhere else.
 */
export function buildSchema(spec: SchemaSpec, quoteIdent: (name: string) => string): Record<string, AnyModel> {
  const models: AnyModel[] = [];
  const refs = (i: number) => models[i];
  for (const t of spec.tables) {
    // Entries, not assignments: a generated name must become a key, never reach a setter on Object.prototype.
    const entries: Array<[string, AnyField]> = t.fields.map((fs) => [fs.name, fieldOf(fs, refs)]);
    if ('id' in t.key) entries.unshift([t.key.id, f.id({ type: t.key.type })]);
    const fields: Record<string, AnyField> = Object.fromEntries(entries);
    const indexes: IndexDef[] = t.indexes.map((ix) => {
      const def: IndexDef = { unique: ix.unique };
      if (ix.keys.length) def.keys = Object.fromEntries(ix.keys);
      if (ix.name !== undefined) def.name = ix.name;
      if (ix.method) def.method = ix.method;
      if (ix.whereNotNull !== undefined) def.where = `${quoteIdent(columnOf(t, ix.whereNotNull))} IS NOT NULL`;
      if (ix.lowerOf !== undefined) def.expression = `lower(${quoteIdent(columnOf(t, ix.lowerOf))})`;
      if (ix.include?.length) def.include = ix.include;
      return def;
    });
    models.push(
      model(t.name, fields, {
        indexes,
        uniques: t.uniques,
        ...('composite' in t.key ? { primaryKey: t.key.composite } : {}),
      }),
    );
  }
  return Object.fromEntries(models.map((m, i) => [modelKey(i), m]));
}
