import fc from 'fast-check';
import type { Capabilities, FieldKind, IdStrategy, IndexMethod, ReferentialAction } from '@forge/core';
import type { FieldSpec, IndexSpec, ScalarKind, SchemaSpec, TableSpec } from './schema-spec.js';

export interface GenOptions {
  caps: Capabilities;
  unsupportedKinds: readonly FieldKind[];
  /** 12 unless a property needs smaller schemas. */
  maxTables?: number;
}

/** Names that break naive SQL building: reserved words, quotes, spaces, punctuation that means something to a driver. */
const HOSTILE_NAMES: readonly string[] = [
  'order', 'select', 'group', 'table', 'user', 'from', 'where', 'index', 'check', 'default', 'primary', 'limit', 'desc', 'key',
  'we"ird', "it's", 'back`tick', 'back\\slash', 'with space', ' lead', 'trail ', 'semi;colon', 'dash-name', 'dot.name',
  '$1', '?', ':name', '@p1', 'per%cent', 'brack[et]', 'paren(s)', '-- comment', '/* c */', 'Mixed', 'UPPER',
  'naïve', 'ünïcödé', '表格', 'emoji😀', 'ж', 'a"b\'c',
];

const ALL_KINDS: readonly ScalarKind[] = [
  'objectId', 'string', 'text', 'int', 'bigint', 'float', 'decimal', 'bool', 'dateTime', 'uuid',
  'json', 'enum', 'embed', 'embedMany', 'stringArray', 'intArray', 'geoPoint', 'vector', 'bytes',
];

/** Kinds a unique constraint or a composite key is declared on in practice: scalars that compare by value. */
const KEYABLE = new Set<ScalarKind>(['objectId', 'string', 'text', 'int', 'bigint', 'float', 'decimal', 'bool', 'dateTime', 'uuid', 'enum', 'bytes']);
/** What a method can index, by the access methods' own operator classes: GIN holds containers, BRIN and HASH scalars. */
const METHOD_KINDS: Partial<Record<IndexMethod, ReadonlySet<ScalarKind>>> = {
  gin: new Set(['json', 'embed', 'embedMany', 'stringArray', 'intArray']),
  brin: new Set(['int', 'bigint', 'float', 'decimal', 'dateTime', 'uuid', 'string', 'text']),
  hash: new Set(['string', 'text', 'int', 'bigint', 'uuid', 'dateTime']),
};

const utf8 = (s: string) => Buffer.byteLength(s, 'utf8');

/**
 * Identifiers: hostile names, random printable ASCII, random Unicode, and names exactly at the dialect's
 * length limit (`maxIdentifierLength`, counted in bytes as Postgres does).
 */
function identifierArb(caps: Capabilities): fc.Arbitrary<string> {
  const max = caps.maxIdentifierLength;
  const letters = fc.constantFrom(...'abcdefghijklmnopqrstuvwxyz_0123456789');
  return fc
    .oneof(
      { weight: 3, arbitrary: fc.constantFrom('id2', 'name', 'email', 'title', 'created', 'n', 'items', 'posts', 'users', 'a_b') },
      { weight: 4, arbitrary: fc.constantFrom(...HOSTILE_NAMES) },
      { weight: 2, arbitrary: fc.string({ unit: 'grapheme-ascii', minLength: 1, maxLength: 12 }) },
      { weight: 1, arbitrary: fc.string({ unit: 'grapheme', minLength: 1, maxLength: 6 }) },
      { weight: 1, arbitrary: fc.string({ unit: letters, minLength: max - 1, maxLength: max - 1 }).map((s) => `x${s}`) },
      { weight: 1, arbitrary: fc.constantFrom('"', "'").map((quote) => `q${quote}`.padEnd(max, 'z')) },
    )
    .filter((s) => s.length > 0 && utf8(s) <= max && !s.includes('\0'));
}

/** Text that is hard to put into a SQL literal: quotes, backslashes, placeholders, comments, Unicode. */
const hostileTextArb: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom("it's", 'say "hi"', 'back\\slash', '', '$1 ? :name @p', "'; DROP TABLE x; --", 'naïve 表 😀', '{a,b}', '%_', '\\x00'),
  fc.string({ maxLength: 16 }),
);

const int32 = fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 });

/** A default of the field's type, in the plain-data form `FieldSpec.default` documents. */
function defaultArb(fs: FieldSpec): fc.Arbitrary<unknown> {
  switch (fs.kind) {
    case 'objectId':
    case 'string':
    case 'text':
      return hostileTextArb;
    case 'int':
      return int32;
    case 'bigint':
      return fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }).map(String);
    case 'float':
      return fc.double({ noNaN: true, noDefaultInfinity: true });
    case 'decimal': {
      const scale = fs.scale ?? 0;
      const whole = (fs.precision ?? 12) - scale;
      return fc
        .tuple(fc.boolean(), fc.string({ unit: fc.constantFrom(...'0123456789'), minLength: 1, maxLength: Math.max(1, whole) }), fc.string({ unit: fc.constantFrom(...'0123456789'), minLength: scale, maxLength: scale }))
        .map(([neg, w, s]) => `${neg ? '-' : ''}${whole > 0 ? w : '0'}${s ? `.${s}` : ''}`);
    }
    case 'bool':
      return fc.boolean();
    case 'dateTime':
      return fc.date({ min: new Date('1900-01-01T00:00:00Z'), max: new Date('2200-01-01T00:00:00Z'), noInvalidDate: true }).map((d) => d.toISOString());
    case 'uuid':
      return fc.uuid();
    case 'json':
      return fc.jsonValue({ maxDepth: 2 });
    case 'enum':
      return fc.constantFrom(...(fs.enumValues ?? ['a']));
    case 'embed':
      return fc.record({ k: hostileTextArb });
    case 'embedMany':
      return fc.array(fc.record({ k: hostileTextArb }), { maxLength: 2 });
    case 'stringArray':
      return fc.array(hostileTextArb, { maxLength: 3 });
    case 'intArray':
      return fc.array(int32, { maxLength: 3 });
    case 'geoPoint':
      return fc.record({ lng: fc.double({ min: -180, max: 180, noNaN: true }), lat: fc.double({ min: -90, max: 90, noNaN: true }) });
    case 'vector':
      return fc.array(fc.double({ noNaN: true, noDefaultInfinity: true, min: -1e6, max: 1e6 }), { minLength: fs.dims ?? 3, maxLength: fs.dims ?? 3 });
    case 'bytes':
      return fc.uint8Array({ maxLength: 8 }).map((b) => Buffer.from(b).toString('hex'));
  }
}

/** The onDelete actions drawn, where the dialect has them (`capabilities.referentialActions`; absent: all). */
const ACTIONS: readonly ReferentialAction[] = ['cascade', 'restrict', 'setNull', 'noAction'];

const ENUM_VALUES = ["a'b", 'c"d', 'plain', 'with space', 'ünï', '\\'];

/** `arb` once in `every` draws, `undefined` otherwise. */
const sometimes = <T>(arb: fc.Arbitrary<T>, every: number): fc.Arbitrary<T | undefined> =>
  fc.oneof({ weight: every - 1, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: arb });

/** A field before the schema-wide rules (unique names, valid references) are applied. */
function rawFieldArb(opts: GenOptions): fc.Arbitrary<FieldSpec & { refPick?: number }> {
  const kinds = ALL_KINDS.filter((k) => !opts.unsupportedKinds.includes(k));
  return fc
    .record({
      name: identifierArb(opts.caps),
      column: sometimes(identifierArb(opts.caps), 3),
      kind: fc.constantFrom(...kinds),
      optional: fc.boolean(),
      unique: fc.boolean(),
      hasDefault: fc.boolean(),
      updatedAt: fc.boolean(),
      searchable: fc.boolean(),
      refPick: sometimes(fc.nat(), 4),
      onDelete: fc.constantFrom<ReferentialAction | undefined>(undefined, ...ACTIONS.filter((a) => !opts.caps.referentialActions || opts.caps.referentialActions.includes(a))),
      enumValues: fc.subarray(ENUM_VALUES, { minLength: 1 }),
      dims: fc.integer({ min: 1, max: 4 }),
      decimal: fc.option(fc.integer({ min: 1, max: 18 }).chain((p) => fc.tuple(fc.constant(p), fc.integer({ min: 0, max: Math.min(p, 6) }))), { nil: undefined }),
      now: fc.boolean(),
    })
    .chain((r) => {
      const fs: FieldSpec & { refPick?: number } = { name: r.name, kind: r.kind, optional: r.optional, unique: r.unique && KEYABLE.has(r.kind) };
      if (r.column !== undefined) fs.column = r.column;
      if (r.kind === 'enum') fs.enumValues = r.enumValues;
      if (r.kind === 'vector') fs.dims = r.dims;
      if (r.kind === 'decimal' && r.decimal) [fs.precision, fs.scale] = r.decimal;
      if (r.kind === 'dateTime' && r.updatedAt) fs.updatedAt = true;
      if ((r.kind === 'string' || r.kind === 'text') && r.searchable && opts.caps.fullTextSearch) fs.searchable = true;
      if (r.refPick !== undefined) {
        fs.refPick = r.refPick;
        if (r.onDelete) fs.ref = { table: -1, onDelete: r.onDelete };
      }
      if (!r.hasDefault || r.refPick !== undefined) return fc.constant(fs);
      if (r.kind === 'dateTime' && r.now) return fc.constant({ ...fs, default: { now: true as const } });
      return defaultArb(fs).map((value) => ({ ...fs, default: { value } }));
    });
}

interface RawIndex {
  keys: Array<[number, 1 | -1]>;
  unique: boolean;
  name?: string;
  method: number;
  where?: number;
  lower?: number;
  include: number[];
}

function rawIndexArb(opts: GenOptions): fc.Arbitrary<RawIndex> {
  return fc.record(
    {
      keys: fc.array(fc.tuple(fc.nat(), fc.constantFrom<1 | -1>(1, -1)), { maxLength: 3 }),
      unique: fc.boolean(),
      name: identifierArb(opts.caps),
      method: fc.nat(),
      where: fc.nat(),
      lower: fc.nat(),
      include: fc.array(fc.nat(), { maxLength: 2 }),
    },
    { requiredKeys: ['keys', 'unique', 'method', 'include'] },
  );
}

interface RawTable {
  name: string;
  idName: string;
  idType: IdStrategy;
  composite: boolean;
  fields: Array<FieldSpec & { refPick?: number }>;
  indexes: RawIndex[];
  uniques: number[][];
}

function rawTableArb(opts: GenOptions): fc.Arbitrary<RawTable> {
  return fc.record({
    name: identifierArb(opts.caps),
    idName: fc.oneof({ weight: 3, arbitrary: fc.constant('id') }, { weight: 1, arbitrary: identifierArb(opts.caps) }),
    idType: fc.constantFrom<IdStrategy>('auto', 'uuid', 'int', 'bigserial', 'string'),
    composite: fc.boolean(),
    fields: fc.array(rawFieldArb(opts), { maxLength: 8 }),
    indexes: fc.array(rawIndexArb(opts), { maxLength: 4 }),
    uniques: fc.array(fc.array(fc.nat(), { minLength: 1, maxLength: 3 }), { maxLength: 2 }),
  });
}

/** Case-insensitive: SQLite folds ASCII case in table, column and index names, so `A` and `a` are one name there. */
const fold = (s: string) => s.toLowerCase();

/**
 * Names a user may not take: SQLite reserves `sqlite_*` (it refuses to create them), forge keeps its ledger,
 * and `__proto__` is not a plain object key. Names containing `_fts` are ordinary: the adapters recognise
 * forge's search objects exactly, and a name that collides with one is a SchemaError (checked below).
 */
function reserved(name: string): boolean {
  return /^sqlite_/i.test(name) || fold(name) === '_forge_migrations' || name === '__proto__';
}

function methodFor(opts: GenOptions, pick: number, kinds: ScalarKind[], unique: boolean): IndexMethod | undefined {
  const methods = opts.caps.indexMethods;
  const m = methods[pick % methods.length];
  if (m === 'btree' || unique) return undefined;
  const ok = METHOD_KINDS[m];
  if (!ok || !kinds.every((k) => ok.has(k))) return undefined;
  if (m === 'hash' && kinds.length !== 1) return undefined;
  return m;
}

/**
 * Turn raw tables into a schema: unique table names, unique field and column names per table, foreign keys
 * only to tables with a single id (the field takes the id's kind), and index shapes the capabilities allow.
 * Index names may collide with each other, with a table or with a search object: such a schema must be
 * refused with a SchemaError before any DDL (`namesCollide` says which schemas are).
 */
function resolve(raw: RawTable[], opts: GenOptions): SchemaSpec {
  const caps = opts.caps;
  const relationNames = new Set<string>();
  const tables: Array<RawTable & { keep: boolean }> = [];
  for (const t of raw) {
    const keep = !reserved(t.name) && !relationNames.has(fold(t.name));
    if (keep) relationNames.add(fold(t.name));
    tables.push({ ...t, keep });
  }
  const kept = tables.filter((t) => t.keep);
  const out: TableSpec[] = [];
  for (const t of kept) {
    if (reserved(t.idName) || /^(0|[1-9]\d*)$/.test(t.idName)) t.idName = 'id';
    const columns = new Set<string>([fold(t.idName)]);
    const names = new Set<string>([t.idName]);
    const fields: FieldSpec[] = [];
    // capabilities.multipleCascadePaths false (SQL Server, error 1785): cascading keys form a forest, each table
    // cascading from at most one table before it, so no two cascade paths meet and none loops.
    let cascadesFrom: number | undefined;
    for (const raw of t.fields) {
      const column = raw.column ?? raw.name;
      // model() refuses a field key JavaScript would list first (integer-like): a SchemaError, not a case to converge.
      if (names.has(raw.name) || columns.has(fold(column)) || reserved(raw.name) || reserved(column) || /^(0|[1-9]\d*)$/.test(raw.name)) continue;
      names.add(raw.name);
      columns.add(fold(column));
      const { refPick, ...fs } = raw;
      if (refPick !== undefined) {
        // Without foreign-key cycles (capabilities.foreignKeyCycles false: DuckDB declares a key only in CREATE TABLE,
        // against a table that exists), a table references only the tables before it, never itself.
        const acyclic = caps.foreignKeyCycles === false;
        const before = kept.indexOf(t);
        if (acyclic && before === 0) continue;
        const target = kept[refPick % (acyclic ? before : kept.length)];
        if (target.composite && target.fields.length >= 2) continue;
        fs.kind = target.idType === 'int' ? 'int' : target.idType === 'bigserial' ? 'bigint' : target.idType === 'string' ? 'string' : 'uuid';
        fs.ref = { table: kept.indexOf(target), onDelete: fs.ref?.onDelete };
        fs.unique = fs.unique && KEYABLE.has(fs.kind);
        // Only what the new kind allows survives: no default (it would name a row that may not exist).
        for (const key of ['searchable', 'enumValues', 'updatedAt', 'default', 'dims', 'precision', 'scale'] as const) delete fs[key];
        if (caps.multipleCascadePaths === false && fs.ref.onDelete && fs.ref.onDelete !== 'restrict' && fs.ref.onDelete !== 'noAction') {
          if (cascadesFrom !== undefined || fs.ref.table >= kept.indexOf(t)) fs.ref = { ...fs.ref, onDelete: undefined };
          else cascadesFrom = fs.ref.table;
        }
      }
      fields.push(fs);
    }
    const byIndex = (i: number) => fields[i % fields.length];
    const keyFields = fields.filter((fs) => KEYABLE.has(fs.kind) && !fs.searchable);
    const composite = t.composite && keyFields.length >= 2 ? ([keyFields[0].name, keyFields[1].name] as [string, string]) : undefined;
    if (composite) {
      for (const fs of fields) if (composite.includes(fs.name)) fs.optional = false;
    }
    // 'setNull' on a column that cannot be NULL is a SchemaError of model building (buildSchemaIR), not a case to converge.
    const fallback = !caps.referentialActions || caps.referentialActions.includes('cascade') ? 'cascade' : undefined;
    for (const fs of fields) if (fs.ref?.onDelete === 'setNull' && !fs.optional) fs.ref = { ...fs.ref, onDelete: fallback };
    // Two unnamed indexes over the same columns would get the same generated name: a model() error, not a test.
    const declared = new Set<string>(fields.filter((fs) => fs.unique).map((fs) => `u\0${fs.name}`));
    const uniques: string[][] = [];
    for (const list of fields.length ? t.uniques : []) {
      const names = [...new Set(list.map((i) => byIndex(i)))].filter((fs) => KEYABLE.has(fs.kind)).map((fs) => fs.name);
      const sig = `u\0${names.join('\0')}`;
      if (names.length === 0 || declared.has(sig)) continue;
      declared.add(sig);
      uniques.push(names);
    }
    const indexes: IndexSpec[] = [];
    const indexNames = new Set<string>();
    for (const ri of fields.length ? t.indexes : []) {
      const keys: Array<[string, 1 | -1]> = [];
      for (const [i, dir] of ri.keys) {
        const fs = byIndex(i);
        if (!keys.some(([k]) => k === fs.name)) keys.push([fs.name, dir]);
      }
      const lowerField = ri.lower !== undefined && caps.expressionIndexes ? byIndex(ri.lower) : undefined;
      const lowerOf = lowerField && (lowerField.kind === 'string' || lowerField.kind === 'text') ? lowerField.name : undefined;
      if (keys.length === 0 && lowerOf === undefined) continue;
      const kinds = keys.map(([k]) => fields.find((fs) => fs.name === k)!.kind);
      const unique = ri.unique && kinds.every((k) => KEYABLE.has(k));
      const method = lowerOf === undefined ? methodFor(opts, ri.method, kinds, unique) : undefined;
      const ix: IndexSpec = { keys: method ? keys.map(([k]) => [k, 1]) : keys, unique };
      if (method) ix.method = method;
      if (lowerOf !== undefined) ix.lowerOf = lowerOf;
      if (ri.where !== undefined && caps.partialIndexes) ix.whereNotNull = byIndex(ri.where).name;
      if (!method && caps.coveringIndexes && ri.include.length) {
        const include = [...new Set(ri.include.map((i) => byIndex(i).name))].filter((n) => !keys.some(([k]) => k === n));
        if (include.length) ix.include = include;
      }
      // model() refuses one index name twice in a model (a SchemaError of its own); across tables it may repeat.
      if (ri.name !== undefined && !reserved(ri.name) && !indexNames.has(ri.name)) {
        indexNames.add(ri.name);
        ix.name = ri.name;
      } else {
        // `keys` becomes an object, where integer-like names move first: the generated name follows that order.
        const order = Object.keys(Object.fromEntries(keys));
        const sig = keys.length ? `${unique ? 'u' : 'i'}\0${order.join('\0')}` : `e\0${lowerOf}`;
        if (declared.has(sig)) continue;
        declared.add(sig);
      }
      indexes.push(ix);
    }
    out.push({
      name: t.name,
      key: composite ? { composite } : { id: t.idName, type: t.idType },
      fields,
      indexes,
      uniques,
    });
  }
  return { tables: out };
}

/** Random schemas of 1 to `maxTables` tables, valid for the dialect the options describe. */
export function schemaArb(opts: GenOptions): fc.Arbitrary<SchemaSpec> {
  return fc
    .array(rawTableArb(opts), { minLength: 1, maxLength: opts.maxTables ?? 12 })
    .map((raw) => resolve(raw, opts))
    .filter((s) => s.tables.length > 0);
}

/** A field `forge push` can add to a table that already exists (a NOT NULL column needs something to fill it with). */
function addable(fs: FieldSpec): boolean {
  return fs.optional || fs.default !== undefined || fs.updatedAt === true;
}

/** Which parts of a schema to leave out: the difference is what a later push or diff apply has to create. */
export interface Omission {
  tables: number[];
  /** `[table, field name]`. */
  fields: Array<[number, string]>;
  /** `[table, index position]`. */
  indexes: Array<[number, number]>;
  /** `[table, uniques position]`. */
  uniques: Array<[number, number]>;
}

/**
 * `spec` without the omitted parts, and without whatever would dangle: indexes and uniques over an
 * omitted field, fields referencing an omitted table. Table positions are kept stable for references.
 */
export function omit(spec: SchemaSpec, o: Omission): SchemaSpec {
  const goneTables = new Set(o.tables);
  const keptIndex = spec.tables.map((_, i) => i).filter((i) => !goneTables.has(i));
  const renumber = new Map(keptIndex.map((old, i) => [old, i]));
  const tables = keptIndex.map((ti) => {
    const t = spec.tables[ti];
    const goneFields = new Set(o.fields.filter(([i]) => i === ti).map(([, name]) => name));
    for (const fs of t.fields) if (fs.ref && goneTables.has(fs.ref.table)) goneFields.add(fs.name);
    const fields = t.fields.filter((fs) => !goneFields.has(fs.name)).map((fs) => (fs.ref ? { ...fs, ref: { ...fs.ref, table: renumber.get(fs.ref.table)! } } : fs));
    const uses = (ix: IndexSpec) => [...ix.keys.map(([k]) => k), ix.whereNotNull, ix.lowerOf, ...(ix.include ?? [])].some((n) => n !== undefined && goneFields.has(n));
    const indexes = t.indexes.filter((ix, i) => !uses(ix) && !o.indexes.some(([a, b]) => a === ti && b === i));
    const uniques = t.uniques.filter((u, i) => !u.some((n) => goneFields.has(n)) && !o.uniques.some(([a, b]) => a === ti && b === i));
    return { ...t, fields, indexes, uniques };
  });
  return { tables };
}

/**
 * What may be left out of A so that A → B is additive (what `forge push` creates): whole tables nobody
 * else references, fields push can add to an existing table, any index or composite unique.
 */
export function additiveOmissionArb(spec: SchemaSpec, caps?: Capabilities): fc.Arbitrary<Omission> {
  const referenced = new Set(spec.tables.flatMap((t, ti) => t.fields.filter((fs) => fs.ref && fs.ref.table !== ti).map((fs) => fs.ref!.table)));
  const tables = spec.tables.map((_, i) => i).filter((i) => !referenced.has(i));
  // capabilities.alterIndexedTable false (DuckDB): a NOT NULL column cannot be added to a table with an index or
  // one a foreign key references (a SchemaError before DDL), so only optional fields are left out of those.
  const indexedOrReferenced = (t: TableSpec, ti: number) =>
    t.indexes.length > 0 || t.uniques.length > 0 || t.fields.some((fs) => fs.unique) || spec.tables.some((o) => o.fields.some((fs) => fs.ref?.table === ti));
  const fields = spec.tables.flatMap((t, ti) =>
    t.fields
      .filter((fs) => addable(fs) && !('composite' in t.key && t.key.composite.includes(fs.name)))
      .filter((fs) => caps?.alterIndexedTable !== false || fs.optional || !indexedOrReferenced(t, ti))
      // capabilities.addColumnReferences false (DuckDB): a key field added later has no key, which diff reports.
      .filter((fs) => caps?.addColumnReferences !== false || !fs.ref)
      .map((fs): [number, string] => [ti, fs.name]),
  );
  const indexes = spec.tables.flatMap((t, ti) => t.indexes.map((_, i): [number, number] => [ti, i]));
  const uniques = spec.tables.flatMap((t, ti) => t.uniques.map((_, i): [number, number] => [ti, i]));
  return fc.record({
    tables: fc.subarray(tables, { maxLength: Math.min(tables.length, spec.tables.length - 1) }),
    fields: fc.subarray(fields),
    indexes: fc.subarray(indexes),
    uniques: fc.subarray(uniques),
  });
}

/**
 * Where a dialect cannot drop an indexed column (capabilities.alterIndexedTable false, DuckDB): a column can go
 * only from a table without indexes, composite uniques or a composite key, and only when neither it nor any column
 * after it is a unique field or a foreign key (DuckDB refuses a drop before a column a key or constraint depends on).
 */
function unkeyedFrom(t: TableSpec, i: number): boolean {
  if (t.indexes.length || t.uniques.length || 'composite' in t.key) return false;
  return t.fields.slice(i).every((fs) => !fs.unique && !fs.ref && !fs.searchable);
}

/**
 * What may be left out of B so that A → B drops it (what `forge diff apply` removes): whole tables, and
 * fields that are not part of a composite key where the dialect can drop a column. Indexes are not left
 * out on their own (diff apply never drops an index by itself), but the ones over a dropped field go with
 * it (`omit`), as does the table's search object when its last searchable field goes.
 */
export function droppingOmissionArb(spec: SchemaSpec, caps: Capabilities): fc.Arbitrary<Omission> {
  const droppable = spec.tables.map(
    (t) => new Set(t.fields.filter((fs, i) => caps.dropColumn && !('composite' in t.key && t.key.composite.includes(fs.name)) && (caps.alterIndexedTable !== false || unkeyedFrom(t, i))).map((fs) => fs.name)),
  );
  const fields = spec.tables.flatMap((t, ti) => [...droppable[ti]].map((name): [number, string] => [ti, name]));
  // Dropping a table drops the fields of other tables that reference it, so those must be droppable too.
  const tables = spec.tables
    .map((_, i) => i)
    .filter((i) => spec.tables.every((t, ti) => ti === i || t.fields.every((fs) => fs.ref?.table !== i || droppable[ti].has(fs.name))));
  return fc.record({
    tables: fc.subarray(tables, { maxLength: Math.min(tables.length, spec.tables.length - 1) }),
    fields: fc.subarray(fields),
    indexes: fc.constant<Array<[number, number]>>([]),
    uniques: fc.constant<Array<[number, number]>>([]),
  });
}
