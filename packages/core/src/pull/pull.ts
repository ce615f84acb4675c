/**
 * `forge pull`: a schema file a person would have written, from what introspection read. Pure: a Snapshot and the
 * dialect's facts in, TypeScript text out, plus the list of what the file could not express.
 *
 * The contract is the one `forge diff` checks: the pulled schema diffs empty against the database it came from,
 * and `forge push` applies nothing there. Diff compares tables, columns (by type category), unique indexes by
 * shape, declared indexes by name, and foreign keys, so those are what the file must carry exactly; the rest
 * (nullability, defaults, names of the models) is written the way the project's convention would have it.
 */
import type { DialectFacts } from '../adapter.js';
import { parseDefault, SERVER_NUMBERED, sqliteAffinity } from '../diff/columns.js';
import { generatedName } from '../schema/names.js';
import type { Snapshot, SnapshotColumn, SnapshotForeignKey, SnapshotIndex, SnapshotTable, TypeCategory } from '../schema/ir.js';

export interface PullOptions {
  /** The module the file imports `f`, `model`, `one` and `many` from (default `forge-orm`). */
  importFrom?: string;
  /** Tables to leave out (forge's own are always left out). */
  exclude?: (table: string) => boolean;
}

export interface PullResult {
  /** The schema file's text. */
  source: string;
  /** Tables and views written as models. */
  models: string[];
  /** What the file could not express, one line each; each is also a comment in the file. */
  unexpressed: string[];
}

type Facts = Pick<DialectFacts, 'categoryOf'>;

const RESERVED = new Set(
  'break case catch class const continue debugger default delete do else enum export extends false finally for function if import in instanceof new null return super switch this throw true try typeof var void while with yield let static implements interface package private protected public await'.split(' '),
);

/** `order_lines` → `orderLines`, `ArtistId` → `artistId`, `we"ird` → `weIrd`; never empty. */
export function camelName(name: string): string {
  const words = name.split(/[^A-Za-z0-9]+/).filter(Boolean);
  if (words.length === 0) return '';
  const out = words
    .map((w, i) => {
      // A word written in capitals (`ID`, `URL`) reads as one word, not as letters.
      const word = /^[A-Z0-9]+$/.test(w) ? w.toLowerCase() : w;
      return i === 0 ? word[0].toLowerCase() + word.slice(1) : word[0].toUpperCase() + word.slice(1);
    })
    .join('');
  return /^[0-9]/.test(out) ? `_${out}` : out;
}

const pascalName = (name: string) => {
  const c = camelName(name);
  return c ? c[0].toUpperCase() + c.slice(1) : c;
};

const plural = (n: string) => (/s$/i.test(n) ? n : `${n}s`);
const isIdentifier = (s: string) => /^[A-Za-z_$][A-Za-z0-9_$]*$/.test(s);
/** A key of an object literal: bare where it can be, quoted otherwise. */
const key = (s: string) => (isIdentifier(s) ? s : JSON.stringify(s));
const str = (s: string) => JSON.stringify(s);

/** Native type → category where the dialect has none (SQLite reads types by affinity). */
function affinity(type: string): TypeCategory | 'bytes' | undefined {
  const t = type.toLowerCase();
  if (/^(big ?int|int8|unsigned big int)\b/.test(t)) return 'bigint';
  if (/^(int|integer|smallint|tinyint|mediumint|int2|int4)\b/.test(t)) return 'int';
  if (/^(real|double|float)/.test(t)) return 'float';
  if (/^(numeric|decimal)/.test(t)) return 'decimal';
  if (/^bool/.test(t)) return 'bool';
  if (/^(datetime|timestamp|date)/.test(t)) return 'datetime';
  if (/^json/.test(t)) return 'json';
  if (/^(blob|bytea|binary|varbinary|longblob|mediumblob|tinyblob)/.test(t)) return 'bytes';
  if (/(char|text|clob|string|uuid)/.test(t)) return 'string';
  return undefined;
}

interface ColumnPlan {
  field: string;
  column: SnapshotColumn;
  /** `f.int()` and friends, without modifiers. */
  builder: string;
  generatedKey?: boolean;
  comment?: string;
}

/**
 * The column's default as a `.default(...)` call for its builder, where forge reads the default as a value (diff
 * compares those); an expression, a server-numbered key, or a literal of a kind diff takes as equal (dates, JSON,
 * bytes) gets none.
 */
function defaultCall(c: SnapshotColumn, builder: string, dialect: string): string | undefined {
  if (!c.default || SERVER_NUMBERED.test(c.default)) return undefined;
  const d = parseDefault(c.default);
  // MySQL and MariaDB catalogs escape quotes and backslashes in a literal with a backslash.
  if (d.kind === 'string' && (dialect === 'mysql' || dialect === 'mariadb')) d.value = d.value.replace(/\\([\s\S])/g, '$1');
  const kind = /^f\.(\w+)\(/.exec(builder)?.[1] ?? '';
  const texty = ['string', 'text', 'uuid', 'enumOf', 'decimal'].includes(kind);
  const numeric = (v: string | number) => (typeof v === 'number' ? Number.isFinite(v) : v.trim() !== '' && Number.isFinite(Number(v)));
  switch (d.kind) {
    case 'now':
      return kind === 'dateTime' ? ".default('now')" : undefined;
    case 'string':
      if (texty) return `.default(${str(d.value)})`;
      if ((kind === 'int' || kind === 'float') && numeric(d.value)) return `.default(${Number(d.value)})`;
      if (kind === 'bigint' && /^[+-]?\d+$/.test(d.value.trim())) return `.default(${BigInt(d.value.trim())}n)`;
      if (kind === 'bool' && /^(t|f|true|false|0|1)$/i.test(d.value)) return `.default(${/^(t|true|1)$/i.test(d.value)})`;
      return undefined;
    case 'number':
      if (kind === 'int' || kind === 'float') return `.default(${d.text ?? String(d.value)})`;
      if (kind === 'bigint') return `.default(${d.text ?? String(Math.trunc(d.value))}n)`;
      if (kind === 'bool' && (d.value === 0 || d.value === 1)) return `.default(${d.value === 1})`;
      if (texty) return `.default(${str(d.text ?? String(d.value))})`;
      return undefined;
    case 'bool':
      if (kind === 'bool') return `.default(${d.value})`;
      if (kind === 'int') return `.default(${d.value ? 1 : 0})`;
      return undefined;
    default:
      return undefined;
  }
}

/** The type forge's SQLite emitter declares for a builder (see adapter-sqlite's columnType). */
function sqliteTypeOf(builder: string): string {
  return /^f\.(int|bigint|bool)\(/.test(builder) ? 'INTEGER' : /^f\.float\(/.test(builder) ? 'REAL' : 'TEXT';
}

type Built = { builder: string; generatedKey?: boolean; comment?: string };

/**
 * On SQLite the declared type decides how values are stored (its affinity), so where the type forge would declare
 * has another affinity than the database's (`numeric(10,2)`, `datetime`, `boolean` are NUMERIC), the field keeps the
 * database's type with `.dbType()`: diff compares affinities, and a push elsewhere declares the same column.
 */
function builderFor(c: SnapshotColumn, facts: Facts, pkOnly: boolean, dialect: string, enumTypes: ReadonlyMap<string, readonly string[]>): Built {
  // A column of a database enum type: the type's values, in its order, and its name.
  const values = c.enumType ? enumTypes.get(c.enumType) : undefined;
  if (values?.length) return { builder: `f.enumOf([${values.map(str).join(', ')}], { type: ${str(c.enumType!)} })` };
  const built = baseBuilderFor(c, facts, pkOnly, dialect);
  if (dialect !== 'sqlite' || built.generatedKey || built.builder.includes('.dbType(') || c.type.trim() === '') return built;
  if (sqliteAffinity(c.type) === sqliteAffinity(sqliteTypeOf(built.builder))) return built;
  return { ...built, builder: `${built.builder}.dbType(${str(c.type)})` };
}

function baseBuilderFor(c: SnapshotColumn, facts: Facts, pkOnly: boolean, dialect: string): Built {
  const type = c.type.toLowerCase();
  const category = facts.categoryOf(type) ?? affinity(type);
  // A single-column integer key the database numbers itself: f.id({ type: 'int' | 'bigserial' }).
  const generated =
    pkOnly &&
    (/nextval\(/i.test(c.default ?? '') || /auto_increment/i.test(c.default ?? '') || (dialect === 'sqlite' && type === 'integer'));
  if (generated && category === 'int') return { builder: "f.id({ type: 'int' })", generatedKey: true };
  if (generated && category === 'bigint') return { builder: "f.id({ type: 'bigserial' })", generatedKey: true };
  // A value-list CHECK introspection read back (how forge enforces f.enumOf where capabilities.enumChecks is set).
  if (c.enumCheck && c.enumCheck.values.length > 0 && (category === 'string' || category === undefined)) {
    return { builder: `f.enumOf([${c.enumCheck.values.map(str).join(', ')}])` };
  }
  // Arrays and vectors first: a catalog may give `float[3]` or `double precision[]` the element's category.
  const vector = /^(?:vector\((\d+)\)|float4?\[(\d+)\])$/.exec(type);
  if (vector) return { builder: `f.vector(${vector[1] ?? vector[2]})` };
  if (/^(text|varchar|character varying|string)(\(\d+\))?\[\]$|^_text$/.test(type)) return { builder: 'f.stringArray()' };
  if (/^(integer|int|int4|bigint|int8)\[\]$|^_int4$/.test(type)) return { builder: 'f.intArray()' };
  if (/\[\d*\]$/.test(type)) return { builder: `f.string().dbType(${str(c.type)})`, comment: `${c.name}: native type ${c.type} has no forge kind; read as a string` };
  switch (category) {
    case 'string':
      if (type === 'uuid') return { builder: 'f.uuid()' };
      return { builder: /^(text|clob|longtext|mediumtext|tinytext)$/.test(type) ? 'f.text()' : 'f.string()' };
    case 'int':
      return { builder: 'f.int()' };
    case 'bigint':
      return { builder: 'f.bigint()' };
    case 'float':
      return { builder: 'f.float()' };
    case 'decimal': {
      const m = /\(\s*(\d+)\s*(?:,\s*(\d+)\s*)?\)/.exec(type);
      return { builder: m ? `f.decimal({ precision: ${m[1]}, scale: ${m[2] ?? 0} })` : 'f.decimal()' };
    }
    case 'bool':
      return { builder: 'f.bool()' };
    case 'datetime':
      return { builder: 'f.dateTime()' };
    case 'json':
      return { builder: 'f.json()' };
    case 'bytes':
      return { builder: `f.bytes().dbType(${str(c.type)})` };
  }
  if (/^(geometry|geography)\b/.test(type) || type === 'point') return { builder: 'f.geoPoint()' };
  // No category: diff does not compare the type, so the native type is kept verbatim for push and DDL.
  return { builder: `f.string().dbType(${str(c.type)})`, comment: `${c.name}: native type ${c.type} has no forge kind; read as a string` };
}

const ACTIONS: Record<string, string> = { cascade: 'cascade', 'set null': 'setNull', setnull: 'setNull', restrict: 'restrict' };

/** A unique index that `.unique()` or `uniques` can declare: plain keys, ascending, nothing else. */
function plainUnique(ix: SnapshotIndex): boolean {
  return ix.unique && !ix.where && !ix.expression && !ix.include?.length && (!ix.method || ix.method === 'btree') && (ix.directions ?? []).every((d) => d === 1);
}

/** Write a schema file for the tables and views of `snap`. */
export function pullSchema(snap: Snapshot, facts: Facts, opts: PullOptions = {}): PullResult {
  const internal = new Set(snap.internal ?? []);
  const enumTypes = new Map((snap.enumTypes ?? []).map((t) => [t.name, t.values]));
  const skip = (name: string) => name.startsWith('_forge_') || internal.has(name) || (opts.exclude?.(name) ?? false);
  const tables = snap.tables.filter((t) => !skip(t.name));
  const views = snap.views.filter((v) => !skip(v.name) && !tables.some((t) => t.name === v.name));
  const unexpressed: string[] = [];

  // Names: one exported const per model, one schema key per model, all distinct.
  const used = new Set<string>(['f', 'model', 'one', 'many', 'schema']);
  const distinct = (base: string, fallback: string) => {
    let name = base && isIdentifier(base) && !RESERVED.has(base) ? base : fallback;
    for (let i = 2; used.has(name); i++) name = `${base || fallback}${i}`;
    used.add(name);
    return name;
  };
  const constOf = new Map<string, string>();
  for (const t of [...tables.map((x) => x.name), ...views.map((v) => v.name)]) constOf.set(t, distinct(pascalName(t), 'Model'));
  const keyOf = new Map<string, string>();
  const keys = new Set<string>();
  for (const t of constOf.keys()) {
    let k = camelName(t) || 'model';
    for (let i = 2; keys.has(k); i++) k = `${camelName(t) || 'model'}${i}`;
    keys.add(k);
    keyOf.set(t, k);
  }

  // Fields per table (camelCase, `.map()` where the column differs).
  const fieldsOf = new Map<string, Map<string, string>>();
  for (const t of tables) {
    const taken = new Set<string>();
    const map = new Map<string, string>();
    for (const c of t.columns) {
      let field = camelName(c.name) || c.name;
      for (let i = 2; taken.has(field); i++) field = `${camelName(c.name) || c.name}${i}`;
      taken.add(field);
      map.set(c.name, field);
    }
    fieldsOf.set(t.name, map);
  }
  const fieldOf = (table: string, column: string) => fieldsOf.get(table)?.get(column) ?? column;

  // Foreign keys forge can declare: one column, to a table in the file.
  const expressible = (t: SnapshotTable, fk: SnapshotForeignKey) => {
    if (fk.columns.length !== 1 || fk.refColumns.length !== 1) {
      unexpressed.push(`${t.name}: foreign key ${fk.name} (${fk.columns.join(', ')}) → ${fk.refTable}(${fk.refColumns.join(', ')}) has several columns; forge declares single-column keys (the database keeps it, but push would not create it elsewhere)`);
      return false;
    }
    if (!constOf.has(fk.refTable) || !tables.some((x) => x.name === fk.refTable)) {
      unexpressed.push(`${t.name}: foreign key ${fk.name} → ${fk.refTable} points outside the pulled tables`);
      return false;
    }
    return true;
  };
  const keysOf = new Map(tables.map((t) => [t.name, t.foreignKeys.filter((fk) => expressible(t, fk))]));
  /** The field a key references when it is not the target's primary key (`.refs(..., { field })`, `one(..., { refs })`). */
  const referencedField = (fk: SnapshotForeignKey): string | undefined => {
    const target = tables.find((x) => x.name === fk.refTable)!;
    const pk = target.columns.filter((c) => c.primaryKey).map((c) => c.name);
    return pk.length === 1 && pk[0] === fk.refColumns[0] ? undefined : fieldOf(target.name, fk.refColumns[0]);
  };

  // Relations both ways, named after the other side, never clashing with a field.
  const relationsOf = new Map<string, string[]>(tables.map((t) => [t.name, []]));
  const relationNames = new Map<string, Set<string>>(tables.map((t) => [t.name, new Set(fieldsOf.get(t.name)!.values())]));
  const relationName = (table: string, base: string) => {
    const taken = relationNames.get(table)!;
    let name = base && !RESERVED.has(base) ? base : 'related';
    for (let i = 2; taken.has(name); i++) name = `${base}${i}`;
    taken.add(name);
    return name;
  };
  for (const t of tables) {
    for (const fk of keysOf.get(t.name) ?? []) {
      const on = fieldOf(t.name, fk.columns[0]);
      const target = tables.find((x) => x.name === fk.refTable)!;
      const field = referencedField(fk);
      const refs = field === undefined ? '' : `, refs: ${str(field)}`;
      const toOne = relationName(t.name, camelName(fk.refTable) || 'parent');
      relationsOf.get(t.name)!.push(`${key(toOne)}: one(${str(fk.refTable)}, { on: ${str(on)}${refs} })`);
      // The to-many side reads as a plural (`albums`), a self-reference as its children.
      const toMany = relationName(target.name, target.name === t.name ? `${camelName(t.name) || 'item'}Children` : plural(camelName(t.name) || 'child'));
      relationsOf.get(target.name)!.push(`${key(toMany)}: many(${str(t.name)}, { on: ${str(on)}${refs} })`);
    }
  }

  const blocks: string[] = [];
  for (const t of tables) blocks.push(tableBlock(t));
  for (const v of views) {
    if (!v.sql) {
      unexpressed.push(`view ${v.name}: the database did not return its definition; it is left out`);
      continue;
    }
    const note = `// The view's columns are not read by pull: declare them as fields to query ${v.name} through the client.`;
    blocks.push(`${note}\nexport const ${constOf.get(v.name)} = model(${str(v.name)}, {}, { view: { sql: ${str(v.sql)}${v.materialized ? ', materialized: true' : ''} } });`);
  }

  function tableBlock(t: SnapshotTable): string {
    const pk = t.columns.filter((c) => c.primaryKey);
    const fk = new Map((keysOf.get(t.name) ?? []).map((k) => [k.columns[0], k]));
    const searchable = new Set(snap.search?.find((x) => x.table === t.name)?.columns ?? []);
    // Plain unique indexes are declared without a name (matched by shape): one per column set. A second index of
    // the same shape under another name keeps its name, as a named index, or the generated names would clash.
    const unnamed: SnapshotIndex[] = [];
    // The index whose name is the one forge would generate goes unnamed first, so no named one takes that name.
    const generatedFirst = [...t.indexes].sort((a, b) => Number(b.name === generatedName(t.name, 'uq', b.columns)) - Number(a.name === generatedName(t.name, 'uq', a.columns)));
    for (const ix of generatedFirst) {
      if (ix.primary || !plainUnique(ix) || samePk(ix, pk)) continue;
      if (!unnamed.some((u) => u.columns.join('\0') === ix.columns.join('\0'))) unnamed.push(ix);
    }
    // `.unique()` on a column of a composite key is not an index of its own: such a unique goes under `uniques`.
    const inKey = (ix: SnapshotIndex) => pk.some((c) => c.name === ix.columns[0]);
    const uniqueSingles = new Set(unnamed.filter((ix) => ix.columns.length === 1 && !inKey(ix)).map((ix) => ix.columns[0]));
    const plans: ColumnPlan[] = t.columns.map((c) => ({ field: fieldOf(t.name, c.name), column: c, ...builderFor(c, facts, pk.length === 1 && c.primaryKey, snap.dialect, enumTypes) }));
    const comments: string[] = [];
    const lines = plans.map((p) => {
      let s = p.builder;
      if (p.column.nullable && !p.column.primaryKey && !p.generatedKey) s += '.optional()';
      if (!p.generatedKey) s += defaultCall(p.column, p.builder, snap.dialect) ?? '';
      if (uniqueSingles.has(p.column.name)) s += '.unique()';
      // forge's own full-text object over this column (diff would report it extra otherwise).
      if (searchable.has(p.column.name) && /^f\.(string|text)\(\)$/.test(p.builder)) s += '.searchable()';
      const ref = fk.get(p.column.name);
      if (ref) {
        const field = referencedField(ref);
        const action = ACTIONS[(ref.onDelete ?? '').toLowerCase()];
        const parts = [field ? `field: ${str(field)}` : '', action && action !== 'restrict' ? `onDelete: ${str(action)}` : ''].filter(Boolean);
        s += `.refs(() => ${constOf.get(ref.refTable)}${parts.length ? `, { ${parts.join(', ')} }` : ''})`;
      }
      if (p.field !== p.column.name) s += `.map(${str(p.column.name)})`;
      if (p.comment) {
        comments.push(p.comment);
        unexpressed.push(`${t.name}.${p.comment}`);
      }
      return `  ${key(p.field)}: ${s},`;
    });
    const options: string[] = [];
    if (pk.length === 0) {
      unexpressed.push(`${t.name}: no primary key; forge needs one, so the model is readonly (typed and queryable, never pushed)`);
      options.push('readonly: true');
    } else if (!(pk.length === 1 && plans.find((p) => p.column === pk[0])?.generatedKey)) {
      options.push(`primaryKey: [${pk.map((c) => str(fieldOf(t.name, c.name))).join(', ')}]`);
    }
    const composite = unnamed.filter((ix) => ix.columns.length > 1 || inKey(ix));
    if (composite.length) options.push(`uniques: [${composite.map((ix) => `[${ix.columns.map((c) => str(fieldOf(t.name, c))).join(', ')}]`).join(', ')}]`);
    const named = t.indexes.filter((ix) => !ix.primary && !unnamed.includes(ix) && !(plainUnique(ix) && samePk(ix, pk)));
    if (named.length) options.push(`indexes: [\n${named.map((ix) => `    ${indexLiteral(t, ix)},`).join('\n')}\n  ]`);
    const rels = relationsOf.get(t.name) ?? [];
    if (rels.length) options.push(`relations: {\n${rels.map((r) => `    ${r},`).join('\n')}\n  }`);
    const head = comments.map((c) => `// ${c}\n`).join('');
    const opts = options.length ? `, {\n  ${options.join(',\n  ')},\n}` : '';
    return `${head}export const ${constOf.get(t.name)} = model(${str(t.name)}, {\n${lines.join('\n')}\n}${opts});`;
  }

  function indexLiteral(t: SnapshotTable, ix: SnapshotIndex): string {
    const parts = [`name: ${str(ix.name)}`];
    if (ix.columns.length) {
      const dirs = ix.directions ?? ix.columns.map(() => 1);
      parts.push(`keys: { ${ix.columns.map((c, i) => `${key(fieldOf(t.name, c))}: ${typeof dirs[i] === 'string' ? str(String(dirs[i])) : dirs[i] ?? 1}`).join(', ')} }`);
    }
    if (ix.unique) parts.push('unique: true');
    if (ix.method && ix.method !== 'btree') parts.push(`method: ${str(ix.method)}`);
    if (ix.where) parts.push(`where: ${str(ix.where)}`);
    if (ix.include?.length) parts.push(`include: [${ix.include.map((c) => str(fieldOf(t.name, c))).join(', ')}]`);
    if (ix.expression) parts.push(`expression: ${str(ix.expression)}`);
    return `{ ${parts.join(', ')} }`;
  }

  const names = [...constOf.entries()].filter(([t]) => tables.some((x) => x.name === t) || views.some((v) => v.name === t && v.sql));
  const schemaLine = `export const schema = {\n${names.map(([t, c]) => `  ${key(keyOf.get(t)!)}: ${c},`).join('\n')}\n};`;
  const header = [
    `// Written by \`forge pull\` from a ${snap.dialect} database. Edit it freely: this file is now the source of truth,`,
    '// and `forge diff --check` compares the database with it.',
    ...(unexpressed.length ? ['//', '// Not expressed here:', ...unexpressed.map((u) => `// - ${u}`)] : []),
  ].join('\n');
  const uses = ['f', 'model', ...(blocks.some((b) => b.includes('one(')) ? ['one'] : []), ...(blocks.some((b) => b.includes('many(')) ? ['many'] : [])];
  const source = `${header}\nimport { ${uses.join(', ')} } from ${str(opts.importFrom ?? 'forge-orm')};\n\n${blocks.join('\n\n')}\n\n${schemaLine}\n`;
  return { source, models: names.map(([t]) => t), unexpressed };
}

function samePk(ix: SnapshotIndex, pk: SnapshotColumn[]): boolean {
  return ix.unique && !ix.expression && pk.length > 0 && [...ix.columns].sort().join('\0') === pk.map((c) => c.name).sort().join('\0');
}
