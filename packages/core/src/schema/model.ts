import { SchemaError } from '../errors.js';
import type { AnyField, RefTarget } from './fields.js';
import type { ColumnIR, EnumTypeIR, ForeignKeyIR, IndexDef, IndexIR, IndexKeyToken, ReferentialAction, SchemaIR, TableIR, ValidatorIR } from './ir.js';
import { foldIdentifier, generatedName, isIntegerLikeKey } from './names.js';

export interface RelationDef<K extends 'one' | 'many' = 'one' | 'many', Target extends string = string, On extends string = string> {
  readonly __relation: K;
  /** A table name (typed) or a thunk returning the model (resolved at run time). */
  readonly target: Target | (() => RefTarget);
  readonly on: On;
  readonly refs?: string;
  readonly onDelete?: ReferentialAction;
}

/**
 * A to-one relation. `on` names the linking field: on this model (belongs-to) or on the target (has-one).
 * Pass the target's table name for full typing of `include`.
 */
export function one<const T extends string, const On extends string>(
  target: T | (() => RefTarget),
  opts: { on: On; refs?: string; onDelete?: ReferentialAction },
): RelationDef<'one', T, On> {
  return { __relation: 'one', target, on: opts.on, refs: opts.refs, onDelete: opts.onDelete };
}

/** A to-many relation: `on` names the field on the target that points back at this model. */
export function many<const T extends string, const On extends string>(
  target: T | (() => RefTarget),
  opts: { on: On; refs?: string },
): RelationDef<'many', T, On> {
  return { __relation: 'many', target, on: opts.on, refs: opts.refs };
}

export interface ModelOptions<Fields extends Record<string, AnyField>, Rels extends Record<string, RelationDef>> {
  indexes?: IndexDef[];
  /** Composite unique constraints, by field name. */
  uniques?: Array<Array<keyof Fields & string>>;
  /** Typed and queryable, never pushed (a table another service owns). */
  readonly?: boolean;
  /** A view (or materialised view) instead of a table. */
  view?: { sql: string; materialized?: boolean };
  /** A composite primary key, by field name. */
  primaryKey?: Array<keyof Fields & string>;
  relations?: Rels;
  /** The table's previous name: push, diff apply and generate rename it (rows kept) instead of creating a new one. */
  renamedFrom?: string;
  /**
   * MongoDB: a `$jsonSchema` validator generated from the fields (types, required fields, enum values), created
   * with the collection and kept in step by push. `true` is `{ level: 'strict', action: 'error' }`. SQL dialects
   * type their columns already and emit nothing for it.
   */
  validator?: boolean | { level?: ValidatorIR['level']; action?: ValidatorIR['action'] };
}

export interface Model<
  Name extends string = string,
  Fields extends Record<string, AnyField> = Record<string, AnyField>,
  Rels extends Record<string, RelationDef> = Record<string, RelationDef>,
> extends RefTarget {
  readonly name: Name;
  readonly fields: Fields;
  readonly relations: Rels;
  readonly options: ModelOptions<Fields, Rels>;
  /** The table's IR, built lazily so that `.refs()` thunks can point at models declared later. */
  table(): TableIR;
  /** A copy of the model declared as a view. */
  asView(sql: string, opts?: { materialized?: boolean }): Model<Name, Fields, Rels>;
  /** A copy of the model whose table used to be called `oldName` (a rename hint for push and migrations). */
  renamedFrom(oldName: string): Model<Name, Fields, Rels>;
}

// `any` here keeps every concrete model assignable (ModelOptions is invariant in its field map).
export type AnyModel = Model<string, any, any>;
/** The same, with the members typed for code that walks a model at run time. */
type UntypedModel = Model<string, Record<string, AnyField>, Record<string, RelationDef>>;

const IDENT_MAX = 128;

function checkIdentifier(what: string, name: string): void {
  if (typeof name !== 'string' || name.length === 0) throw new SchemaError(`${what} must be a non-empty string`);
  if (name.length > IDENT_MAX) throw new SchemaError(`${what} '${name.slice(0, 40)}…' is longer than ${IDENT_MAX} characters`);
  if (name.includes('\0')) throw new SchemaError(`${what} contains a NUL character`);
}

/** Declare a model: `model('users', { id: f.id(), email: f.string().unique() }, { indexes: [...] })`. */
export function model<
  const Name extends string,
  Fields extends Record<string, AnyField>,
  Rels extends Record<string, RelationDef> = {},
>(name: Name, fields: Fields, options: ModelOptions<Fields, Rels> = {}): Model<Name, Fields, Rels> {
  checkIdentifier('A model name', name);
  if (!fields || typeof fields !== 'object') throw new SchemaError(`model('${name}') needs an object of fields as its second argument`);
  checkKeyObject(`model('${name}')`, 'field', fields);
  for (const [key, field] of Object.entries(fields)) {
    checkIdentifier(`Field name on model '${name}'`, key);
    if (isIntegerLikeKey(key)) {
      throw new SchemaError(
        `model('${name}') field '${key}' is named like an integer, and JavaScript lists such keys before all others, which would reorder the table's columns and index keys. ` +
          `Give the field a name that starts with a letter and keep the column name: e.g. n${key}: f.int().map('${key}')`,
      );
    }
    if (!field || typeof field !== 'object' || !('config' in field)) {
      throw new SchemaError(`model('${name}').${key} is not a field: declare it with f.string(), f.int(), ...`);
    }
  }
  const pkFields = Object.entries(fields).filter(([, fd]) => fd.config.primaryKey).map(([k]) => k);
  if (pkFields.length > 1) {
    throw new SchemaError(
      `model('${name}') declares two primary keys (${pkFields.join(', ')}): keep one f.id(), or use the model option primaryKey: [${pkFields.map((p) => `'${p}'`).join(', ')}] with plain fields`,
    );
  }
  if (options.primaryKey) {
    if (pkFields.length) throw new SchemaError(`model('${name}') has both f.id() field '${pkFields[0]}' and the option primaryKey: choose one`);
    for (const k of options.primaryKey) {
      if (!Object.hasOwn(fields, k)) throw new SchemaError(`model('${name}') primaryKey names unknown field '${k}'`);
    }
  }
  const relations = (options.relations ?? {}) as Rels;
  checkKeyObject(`model('${name}') relations`, 'relation', relations);
  for (const [rel, def] of Object.entries(relations)) {
    if (Object.hasOwn(fields, rel)) throw new SchemaError(`model('${name}') has a relation '${rel}' with the same name as a field`);
    if (!def || (def.__relation !== 'one' && def.__relation !== 'many')) {
      throw new SchemaError(`model('${name}').relations.${rel} is not a relation: use one(...) or many(...)`);
    }
  }

  let cached: TableIR | undefined;
  const m: Model<Name, Fields, Rels> = {
    __forgeModel: true,
    name,
    fields,
    relations,
    options,
    table() {
      cached ??= buildTable(m as unknown as UntypedModel);
      return cached;
    },
    asView(sql: string, opts = {}) {
      return model(name, fields, { ...options, view: { sql, materialized: opts.materialized } });
    },
    renamedFrom(oldName: string) {
      checkIdentifier(`model('${name}').renamedFrom()`, oldName);
      if (oldName === name) throw new SchemaError(`model('${name}').renamedFrom('${oldName}') names the model's own table: remove it`);
      return model(name, fields, { ...options, renamedFrom: oldName });
    },
  };
  // Validate eagerly what needs no other model, so a bad declaration fails where it is written.
  validateLocal(m as unknown as UntypedModel);
  return m;
}

/**
 * `{ __proto__: f.int() }` in an object literal sets the object's prototype instead of adding a key, so the
 * field would vanish without a word; an own `__proto__` key (JSON.parse, a computed key) would turn into a
 * prototype again in every row object built from it. Both are refused.
 */
function checkKeyObject(where: string, what: 'field' | 'relation', obj: object): void {
  const proto = Object.getPrototypeOf(obj);
  if (Object.prototype.hasOwnProperty.call(obj, '__proto__') || (proto !== Object.prototype && proto !== null)) {
    throw new SchemaError(
      `${where} declares a ${what} named '__proto__', which JavaScript objects cannot hold as a key (in an object literal it sets the prototype, and the ${what} is lost). Rename it` +
        (what === 'field' ? `, and keep the column name with .map('__proto__') if you need it` : ''),
    );
  }
}

function columnName(m: UntypedModel, field: string): string {
  const fd = m.fields[field];
  return fd?.config.column ?? field;
}

function validateLocal(m: UntypedModel): void {
  const known = new Set(Object.keys(m.fields));
  const columns = new Map<string, { field: string; column: string }>();
  for (const [k, fd] of Object.entries(m.fields)) {
    const col = fd.config.column ?? k;
    const other = columns.get(foldIdentifier(col));
    if (other?.column === col) throw new SchemaError(`model('${m.name}') maps two fields to column '${col}'`);
    if (other) {
      throw new SchemaError(
        `model('${m.name}') field '${k}' has column '${col}' and field '${other.field}' has column '${other.column}': names that differ only in case are one column on most dialects. Rename one (or .map() it to another column)`,
      );
    }
    columns.set(foldIdentifier(col), { field: k, column: col });
  }
  for (const [i, idx] of (m.options.indexes ?? []).entries()) {
    const label = idx.name ? `index '${idx.name}'` : `indexes[${i}]`;
    if (!idx.keys && !idx.expression) throw new SchemaError(`model('${m.name}') ${label} needs keys or an expression`);
    const keys = Object.keys(idx.keys ?? {});
    for (const k of keys) {
      if (isWildcardKey(k)) {
        const field = k === '$**' ? undefined : k.split('.')[0];
        if (field !== undefined && !known.has(field)) {
          throw new SchemaError(`model('${m.name}') ${label} has the wildcard key '${k}' under unknown field '${field}' (fields: ${[...known].join(', ')})`);
        }
        continue;
      }
      if (!known.has(k)) {
        throw new SchemaError(`model('${m.name}') ${label} is on unknown field '${k}' (fields: ${[...known].join(', ')}; a MongoDB wildcard index takes '$**' or 'field.$**')`);
      }
    }
    const wild = keys.filter(isWildcardKey);
    if (wild.length > 1) throw new SchemaError(`model('${m.name}') ${label} has ${wild.length} wildcard keys (${wild.join(', ')}): an index takes at most one`);
    if (wild.length && idx.unique) throw new SchemaError(`model('${m.name}') ${label}: a wildcard index ('${wild[0]}') cannot be unique`);
    for (const k of idx.include ?? []) {
      if (!known.has(k)) throw new SchemaError(`model('${m.name}') ${label} includes unknown field '${k}'`);
    }
    if (idx.name) checkIdentifier(`Index name on model '${m.name}'`, idx.name);
  }
  for (const [i, cols] of (m.options.uniques ?? []).entries()) {
    if (!Array.isArray(cols) || cols.length === 0) throw new SchemaError(`model('${m.name}') uniques[${i}] must be a non-empty list of fields`);
    for (const k of cols) if (!known.has(k)) throw new SchemaError(`model('${m.name}') uniques[${i}] names unknown field '${k}'`);
  }
  const v = m.options.validator;
  if (v !== undefined && typeof v !== 'boolean') {
    if (!v || typeof v !== 'object' || Array.isArray(v)) throw new SchemaError(`model('${m.name}') validator takes true, false or { level?, action? }`);
    const extra = Object.keys(v).find((k) => k !== 'level' && k !== 'action');
    if (extra) throw new SchemaError(`model('${m.name}') validator takes level and action, not '${extra}'`);
    if (v.level !== undefined && v.level !== 'strict' && v.level !== 'moderate') throw new SchemaError(`model('${m.name}') validator.level must be 'strict' or 'moderate', got ${JSON.stringify(v.level)}`);
    if (v.action !== undefined && v.action !== 'error' && v.action !== 'warn') throw new SchemaError(`model('${m.name}') validator.action must be 'error' or 'warn', got ${JSON.stringify(v.action)}`);
  }
  if (v && (m.options.view || m.options.readonly)) {
    throw new SchemaError(`model('${m.name}') validator: a ${m.options.view ? 'view' : 'readonly model'} is not pushed, so forge cannot put a validator on it; remove the option`);
  }
  const hasPk = Object.values(m.fields).some((fd) => fd.config.primaryKey) || (m.options.primaryKey?.length ?? 0) > 0;
  if (!hasPk && !m.options.view) {
    throw new SchemaError(`model('${m.name}') has no primary key: add id: f.id(), or the model option primaryKey: ['a', 'b']`);
  }
}

function buildTable(m: UntypedModel): TableIR {
  const pkFields = m.options.primaryKey?.length
    ? [...m.options.primaryKey]
    : Object.entries(m.fields).filter(([, fd]) => fd.config.primaryKey).map(([k]) => k);
  const columns: ColumnIR[] = Object.entries(m.fields).map(([field, fd]) => {
    const c = fd.config;
    const col: ColumnIR = {
      field,
      name: c.column ?? field,
      kind: c.kind,
      nullable: c.nullable,
      primaryKey: pkFields.includes(field),
      unique: c.unique,
    };
    if (c.default) col.default = c.default;
    if (c.updatedAt) col.updatedAt = true;
    if (c.searchable) col.searchable = true;
    if (c.idStrategy) col.idStrategy = c.idStrategy;
    if (c.dbType) col.dbType = c.dbType;
    if (c.precision !== undefined) col.precision = c.precision;
    if (c.scale !== undefined) col.scale = c.scale;
    if (c.enumValues) col.enumValues = c.enumValues;
    if (c.enumType) col.enumType = c.enumType;
    if (c.dims) col.dims = c.dims;
    if (c.metric) col.metric = c.metric;
    if (c.srid) col.srid = c.srid;
    if (c.geoFallback) col.geoFallback = c.geoFallback;
    if (c.renamedFrom) col.renamedFrom = c.renamedFrom;
    if (c.refs) {
      const target = c.refs.target();
      if (!target || (target as RefTarget).__forgeModel !== true) {
        throw new SchemaError(
          `model('${m.name}').${field}.refs() points at ${target === undefined ? 'undefined (an import cycle, or a model declared after use without a thunk?)' : 'something that is not a model'}`,
        );
      }
      const tm = target as unknown as UntypedModel;
      const refField = c.refs.field ?? pkOf(tm);
      if (!(refField in tm.fields)) throw new SchemaError(`model('${m.name}').${field}.refs() names unknown field '${refField}' on model '${tm.name}'`);
      col.references = { table: tm.name, column: columnName(tm, refField), onDelete: c.refs.onDelete, onUpdate: c.refs.onUpdate };
    }
    return col;
  });
  const colOf = (field: string) => columnName(m, field);
  // A wildcard key keeps its form; under a field (`meta.$**`) the field's column name leads the path.
  const keyOf = (key: string): string => {
    if (key === '$**') return key;
    if (!isWildcardKey(key)) return colOf(key);
    const [field, ...rest] = key.split('.');
    return [colOf(field), ...rest].join('.');
  };

  const indexes: IndexIR[] = [];
  for (const col of columns) {
    // The whole primary key is unique already; one column of a composite key is not, so its .unique() is an index.
    if (col.unique && !(col.primaryKey && pkFields.length === 1)) {
      indexes.push({
        name: generatedName(m.name, 'uq', [col.name]),
        columns: [col.name],
        directions: [1],
        unique: true,
        named: false,
        origin: 'field-unique',
      });
    }
  }
  for (const cols of m.options.uniques ?? []) {
    const names = cols.map(colOf);
    indexes.push({ name: generatedName(m.name, 'uq', names), columns: names, directions: names.map(() => 1 as const), unique: true, named: false, origin: 'uniques' });
  }
  for (const idx of m.options.indexes ?? []) {
    const keyEntries = Object.entries(idx.keys ?? {}) as Array<[string, IndexKeyToken]>;
    const names = keyEntries.map(([k]) => keyOf(k));
    const ir: IndexIR = {
      name: idx.name ?? generatedName(m.name, idx.unique ? 'uq' : 'idx', names.length ? names : ['expr', idx.expression ?? '']),
      columns: names,
      directions: keyEntries.map(([, d]) => d),
      unique: !!idx.unique,
      named: !!idx.name,
      origin: 'indexes',
    };
    if (idx.method) ir.method = idx.method;
    if (idx.where) ir.where = idx.where;
    if (idx.include?.length) ir.include = idx.include.map(colOf);
    if (idx.expression) ir.expression = idx.expression;
    if (idx.partialFilterExpression) ir.partialFilterExpression = idx.partialFilterExpression;
    if (idx.collation) ir.collation = idx.collation;
    if (idx.wildcardProjection) ir.wildcardProjection = idx.wildcardProjection;
    if (idx.expireAfterSeconds !== undefined) ir.expireAfterSeconds = idx.expireAfterSeconds;
    if (idx.parser) ir.parser = idx.parser;
    indexes.push(ir);
  }
  const seen = new Set<string>();
  for (const idx of indexes) {
    if (seen.has(idx.name)) throw new SchemaError(`model('${m.name}') declares index name '${idx.name}' twice`);
    seen.add(idx.name);
  }

  const foreignKeys: ForeignKeyIR[] = columns
    .filter((c) => c.references)
    .map((c) => ({
      name: generatedName(m.name, 'fk', [c.name]),
      columns: [c.name],
      refTable: c.references!.table,
      refColumns: [c.references!.column],
      onDelete: c.references!.onDelete,
      onUpdate: c.references!.onUpdate,
    }));

  const relations = Object.entries(m.relations).map(([rel, def]) => {
    const target = typeof def.target === 'function' ? (def.target() as unknown as AnyModel)?.name : def.target;
    if (!target) throw new SchemaError(`model('${m.name}').relations.${rel} points at undefined`);
    return { name: rel, kind: def.__relation, target, on: def.on, refs: def.refs, onDelete: def.onDelete };
  });

  return {
    name: m.name,
    columns,
    primaryKey: pkFields.map(colOf),
    indexes,
    foreignKeys,
    relations,
    readonly: !!m.options.readonly,
    view: m.options.view ? { sql: m.options.view.sql, materialized: !!m.options.view.materialized } : undefined,
    ...(m.options.renamedFrom ? { renamedFrom: m.options.renamedFrom } : {}),
    ...(m.options.validator ? { validator: validatorOf(m.options.validator) } : {}),
  };
}

/**
 * A MongoDB wildcard index key: `'$**'` (every field) or `'field.$**'` (everything under one field). The schema
 * takes it in `indexes[].keys` like a field; only MongoDB can build it (`wildcardIndexProblem`).
 */
export function isWildcardKey(key: string): boolean {
  return key === '$**' || key.endsWith('.$**');
}

/**
 * Why `dialect` cannot hold the schema's indexes as declared: a wildcard key (`$**`) is a MongoDB index and has no
 * SQL form, so on every other dialect it is refused naming the dialect, the model and the index. Undefined when
 * every index fits.
 */
export function wildcardIndexProblem(ir: SchemaIR, dialect: string): string | undefined {
  if (dialect === 'mongo') return undefined;
  for (const t of Object.values(ir.models)) {
    for (const ix of t.indexes) {
      const key = ix.columns.find(isWildcardKey);
      if (key) {
        return `index '${ix.name}' on '${t.name}' has the wildcard key '${key}', which only MongoDB indexes; ${dialect} has no wildcard indexes. Index the fields by name (keys: { field: 1 }) for ${dialect}`;
      }
    }
  }
  return undefined;
}

/** `wildcardIndexProblem` as a SchemaError, for the places that check a schema against the dialect it is pushed to. */
export function assertIndexKeysFit(ir: SchemaIR, dialect: string): void {
  const problem = wildcardIndexProblem(ir, dialect);
  if (problem) throw new SchemaError(problem);
}

function validatorOf(v: NonNullable<ModelOptions<Record<string, AnyField>, Record<string, RelationDef>>['validator']>): ValidatorIR {
  const o = v === true ? {} : (v as Exclude<typeof v, boolean>);
  return { level: o.level ?? 'strict', action: o.action ?? 'error' };
}

function pkOf(m: UntypedModel): string {
  if (m.options.primaryKey?.length === 1) return m.options.primaryKey[0];
  const pk = Object.entries(m.fields).find(([, fd]) => fd.config.primaryKey);
  if (!pk) throw new SchemaError(`model('${m.name}') has no single-column primary key to reference`);
  return pk[0];
}

export function isModel(v: unknown): v is AnyModel {
  return !!v && typeof v === 'object' && (v as RefTarget).__forgeModel === true;
}

/**
 * Build and validate the whole schema: duplicate table names, relations and refs to models that are not
 * declared, FK columns that do not exist. Every error names the model and field.
 */
export function buildSchemaIR(schema: Record<string, AnyModel>): SchemaIR {
  if (!schema || typeof schema !== 'object') throw new SchemaError('The schema must be an object of models: { user: User, post: Post }');
  const models: Record<string, TableIR> = {};
  const byTable = new Map<string, string>();
  /** Folded table name → the schema key and table name that took it (see foldIdentifier). */
  const byFolded = new Map<string, { key: string; name: string }>();
  for (const [key, m] of Object.entries(schema)) {
    if (!isModel(m)) throw new SchemaError(`schema.${key} is not a model: declare it with model('table', { ... })`);
    const other = byTable.get(m.name);
    if (other) throw new SchemaError(`schema.${key} and schema.${other} both use the table name '${m.name}'`);
    const folded = byFolded.get(foldIdentifier(m.name));
    if (folded) {
      throw new SchemaError(
        `schema.${key} (table '${m.name}') and schema.${folded.key} (table '${folded.name}') differ only in case: most dialects see one table. Rename one of them`,
      );
    }
    byTable.set(m.name, key);
    byFolded.set(foldIdentifier(m.name), { key, name: m.name });
    models[key] = m.table();
  }
  for (const [key, t] of Object.entries(models)) {
    for (const rel of t.relations) {
      const targetKey = byTable.get(rel.target);
      if (!targetKey) {
        throw new SchemaError(`model('${t.name}').relations.${rel.name} points at table '${rel.target}', which no model in the schema declares`);
      }
      const target = models[targetKey];
      const local = t.columns.some((c) => c.field === rel.on);
      const remote = target.columns.some((c) => c.field === rel.on);
      if (rel.kind === 'many' && !remote) {
        throw new SchemaError(`model('${t.name}').relations.${rel.name}: many('${rel.target}', { on: '${rel.on}' }) needs field '${rel.on}' on '${rel.target}'`);
      }
      if (rel.kind === 'one' && !local && !remote) {
        throw new SchemaError(`model('${t.name}').relations.${rel.name}: field '${rel.on}' exists on neither '${t.name}' nor '${rel.target}'`);
      }
      // A relation implies a foreign key on the side that holds `on` (seed 004: FK drift comes from relations).
      const [holder, other] = rel.kind === 'one' && local ? [t, target] : [target, t];
      const fkCol = holder.columns.find((c) => c.field === rel.on)!;
      const refCol = rel.refs ? other.columns.find((c) => c.field === rel.refs) : other.columns.find((c) => c.primaryKey);
      if (!refCol) throw new SchemaError(`model('${t.name}').relations.${rel.name}: '${other.name}' has no field '${rel.refs ?? 'primary key'}' to reference`);
      if (fkCol.primaryKey && other.primaryKey.length === 1 && holder === t && !rel.refs) continue;
      if (!holder.foreignKeys.some((fk) => fk.columns.length === 1 && fk.columns[0] === fkCol.name)) {
        holder.foreignKeys.push({
          name: generatedName(holder.name, 'fk', [fkCol.name]),
          columns: [fkCol.name],
          refTable: other.name,
          refColumns: [refCol.name],
          onDelete: rel.onDelete,
        });
      }
    }
    void key;
  }
  for (const t of Object.values(models)) assertSetNullNullable(t);
  enumTypesOf({ models });
  return { models };
}

/**
 * The enum types the schema's fields name (`f.enumOf(values, { type })`), in the order they are first named. Two
 * fields that name one type with different values (or another order, which is the type's sort order) are a
 * SchemaError naming both.
 */
export function enumTypesOf(ir: SchemaIR): EnumTypeIR[] {
  const out = new Map<string, EnumTypeIR & { at: string }>();
  const folded = new Map<string, string>();
  for (const t of Object.values(ir.models)) {
    for (const c of t.columns) {
      if (!c.enumType || !c.enumValues) continue;
      const at = `${t.name}.${c.name}`;
      const seen = out.get(c.enumType);
      if (!seen) {
        const other = folded.get(foldIdentifier(c.enumType));
        if (other !== undefined) {
          throw new SchemaError(`${at} names the enum type '${c.enumType}' and another field names '${other}': they differ only in case, which most databases do not tell apart. Use one name`);
        }
        folded.set(foldIdentifier(c.enumType), c.enumType);
        out.set(c.enumType, { name: c.enumType, values: [...c.enumValues], at });
        continue;
      }
      if (seen.values.length !== c.enumValues.length || seen.values.some((v, i) => v !== c.enumValues![i])) {
        const list = (v: readonly string[]) => v.map((x) => JSON.stringify(x)).join(', ');
        throw new SchemaError(
          `${at} and ${seen.at} both name the enum type '${c.enumType}' with different values ([${list(c.enumValues)}] and [${list(seen.values)}]): one type has one list, in one order. Share one array between the fields`,
        );
      }
    }
  }
  return [...out.values()].map(({ at: _at, ...e }) => e);
}

/**
 * `setNull` on a column that cannot hold NULL (required, or part of the primary key) is a schema mistake
 * Prisma refuses too: MySQL rejects the constraint at DDL time, and Postgres and SQLite accept it and then
 * fail the first delete of a referenced row. Refused here, on every dialect, before anything runs.
 */
function assertSetNullNullable(t: TableIR): void {
  for (const fk of t.foreignKeys) {
    const action = fk.onDelete === 'setNull' ? 'onDelete' : fk.onUpdate === 'setNull' ? 'onUpdate' : undefined;
    if (!action) continue;
    for (const name of fk.columns) {
      const col = t.columns.find((c) => c.name === name);
      const inKey = t.primaryKey.includes(name);
      if (!col || (col.nullable && !inKey)) continue;
      const why = inKey ? 'it is part of the primary key' : 'it is required';
      throw new SchemaError(
        `model('${t.name}').${col.field}: ${action}: 'setNull' needs a column that can be NULL, and ${why}. Make the field .optional(), or use 'cascade' or 'restrict'.`,
      );
    }
  }
}
