/**
 * The schema IR: plain, JSON-serialisable data that every other part of forge reads.
 * Declarations (`model`, `f.*`) compile to it; introspection produces a `Snapshot` in the same vocabulary.
 */

export type FieldKind =
  | 'id'
  | 'objectId'
  | 'string'
  | 'text'
  | 'int'
  | 'bigint'
  | 'float'
  | 'decimal'
  | 'bool'
  | 'dateTime'
  | 'uuid'
  | 'json'
  | 'enum'
  | 'embed'
  | 'embedMany'
  | 'stringArray'
  | 'intArray'
  | 'geoPoint'
  | 'vector'
  | 'bytes';

/** Coarse type categories used by the drift comparison (seed 004, "Category-based type comparison"). */
export type TypeCategory = 'string' | 'int' | 'bigint' | 'float' | 'decimal' | 'bool' | 'datetime' | 'json';

export type IdStrategy = 'auto' | 'uuid' | 'int' | 'bigserial' | 'string';

export type DefaultValue =
  | { kind: 'now' }
  | { kind: 'value'; value: string | number | boolean | null | object }
  | { kind: 'generated'; strategy: IdStrategy };

export type ReferentialAction = 'cascade' | 'restrict' | 'setNull' | 'noAction';

export interface ColumnIR {
  /** The field name used in queries. */
  field: string;
  /** The column name in the database (`.map()` changes it). */
  name: string;
  kind: FieldKind;
  nullable: boolean;
  primaryKey: boolean;
  unique: boolean;
  default?: DefaultValue;
  updatedAt?: boolean;
  searchable?: boolean;
  idStrategy?: IdStrategy;
  /** `.dbType('varchar(120)')`: emitted verbatim, compared by category. */
  dbType?: string;
  precision?: number;
  scale?: number;
  enumValues?: readonly string[];
  /**
   * `f.enumOf(values, { type })`: the database enum type that holds the column where `capabilities.enumTypes` is set
   * (Postgres). Every column naming one type lists the same values in the same order (`buildSchemaIR` checks).
   */
  enumType?: string;
  dims?: number;
  metric?: string;
  srid?: number;
  geoFallback?: 'text' | 'error';
  renamedFrom?: string;
  references?: { table: string; column: string; onDelete?: ReferentialAction; onUpdate?: ReferentialAction };
}

export type IndexKeyToken = 1 | -1 | 'text' | '2dsphere' | '2d' | 'hashed';
export type IndexMethod = 'btree' | 'gin' | 'gist' | 'brin' | 'hash' | 'spatial' | 'fulltext' | 'vector';

export interface IndexDef {
  keys?: Record<string, IndexKeyToken>;
  name?: string;
  unique?: boolean;
  method?: IndexMethod;
  where?: string;
  include?: string[];
  expression?: string;
  partialFilterExpression?: Record<string, unknown>;
  collation?: Record<string, unknown>;
  wildcardProjection?: Record<string, unknown>;
  /** A TTL index (MongoDB): documents expire this many seconds after the date in its one key. */
  expireAfterSeconds?: number;
  parser?: string;
}

export interface IndexIR {
  name: string;
  /** Column names (database names) in key order; empty for a pure expression index. */
  columns: string[];
  /** Direction per column, in the same order. */
  directions: IndexKeyToken[];
  unique: boolean;
  /** True when the name was declared by the user, which enables the deep-field comparison. */
  named: boolean;
  method?: IndexMethod;
  where?: string;
  include?: string[];
  expression?: string;
  partialFilterExpression?: Record<string, unknown>;
  collation?: Record<string, unknown>;
  wildcardProjection?: Record<string, unknown>;
  expireAfterSeconds?: number;
  parser?: string;
  /** Where the index came from, for messages. */
  origin: 'field-unique' | 'uniques' | 'indexes';
}

export interface ForeignKeyIR {
  name: string;
  columns: string[];
  refTable: string;
  refColumns: string[];
  onDelete?: ReferentialAction;
  onUpdate?: ReferentialAction;
}

export interface RelationIR {
  name: string;
  kind: 'one' | 'many';
  /** The target table name. */
  target: string;
  /** The FK column (field name) that links the two: on this model for belongs-to, on the target otherwise. */
  on: string;
  /** The referenced field on the other side (defaults to its primary key). */
  refs?: string;
  onDelete?: ReferentialAction;
}

export interface ViewIR {
  sql: string;
  materialized: boolean;
}

export interface TableIR {
  name: string;
  columns: ColumnIR[];
  primaryKey: string[];
  indexes: IndexIR[];
  foreignKeys: ForeignKeyIR[];
  relations: RelationIR[];
  readonly: boolean;
  view?: ViewIR;
  /** The table's previous name (`.renamedFrom('old')` on the model): migrations emit RENAME instead of drop + create. */
  renamedFrom?: string;
  /** The model option `validator` (document stores: a `$jsonSchema` from the fields). */
  validator?: ValidatorIR;
}

export interface SchemaIR {
  /** Keyed by the schema object's keys (`db.user`), in declaration order. */
  models: Record<string, TableIR>;
}

/** What introspection read from a live database, in the IR's vocabulary. */
export interface SnapshotColumn {
  name: string;
  /** The native type as the catalog reports it, lower-cased (`varchar(255)`, `integer`, `timestamp with time zone`). */
  type: string;
  nullable: boolean;
  primaryKey: boolean;
  default?: string | null;
  /**
   * A CHECK on this column alone that limits it to a list of values (`CHECK (col IN ('a', 'b'))`, however the
   * catalog spells it back), as the adapter recognised it: how an `f.enum` is enforced where
   * `capabilities.enumChecks` is set. `name` is the constraint's, so a change can drop it.
   */
  enumCheck?: { name: string; values: string[] };
  /** The database enum type of the column (in the connection's schema), as introspection read it. */
  enumType?: string;
}

/** A database enum type (`CREATE TYPE name AS ENUM (...)`): its values in their declared order. */
export interface EnumTypeIR {
  name: string;
  values: readonly string[];
}

export interface SnapshotIndex {
  name: string;
  columns: string[];
  directions?: IndexKeyToken[];
  unique: boolean;
  primary: boolean;
  method?: string;
  where?: string;
  include?: string[];
  expression?: string;
  partialFilterExpression?: Record<string, unknown>;
  collation?: Record<string, unknown>;
  wildcardProjection?: Record<string, unknown>;
  expireAfterSeconds?: number;
}

export interface SnapshotForeignKey {
  name: string;
  columns: string[];
  refTable: string;
  refColumns: string[];
  onDelete?: string;
  /** The ON UPDATE action in `ReferentialAction` words; absent when the adapter did not read it. */
  onUpdate?: string;
}

export interface SnapshotTable {
  name: string;
  columns: SnapshotColumn[];
  indexes: SnapshotIndex[];
  foreignKeys: SnapshotForeignKey[];
  /** A document store's collection validator as the server reports it (MongoDB's `listCollections` options), when it has one. */
  validator?: SnapshotValidator;
}

export interface SnapshotValidator {
  document: Record<string, unknown>;
  level?: string;
  action?: string;
}

/**
 * A model's document validator (MongoDB `$jsonSchema`, generated from its fields): `level` and `action` are the
 * collection's `validationLevel` ('strict': every insert and update; 'moderate': updates of documents that
 * already pass) and `validationAction` ('error' refuses, 'warn' logs). SQL dialects type their columns already
 * and emit nothing for it.
 */
export interface ValidatorIR {
  level: 'strict' | 'moderate';
  action: 'error' | 'warn';
}

export interface SnapshotView {
  name: string;
  materialized: boolean;
  sql?: string;
}

/**
 * The full-text object forge made for one table, as the adapter recognised it by its own knowledge of what
 * its `createSearch` emits. Its parts are never reported as the user's tables, columns or indexes.
 */
export interface SnapshotSearch {
  table: string;
  /** The columns it indexes, as the database holds them. */
  columns: string[];
  /** False when only part of it exists (a push killed half-way): planning rebuilds it. */
  complete: boolean;
}

export interface Snapshot {
  dialect: string;
  tables: SnapshotTable[];
  views: SnapshotView[];
  /**
   * Names of objects the engine or forge owns that the adapter recognised exactly (the engine's catalog and
   * shadow tables, forge's search tables and triggers, extension-owned relations): never drift. Core matches
   * no name pattern to guess them.
   */
  internal?: string[];
  /** Forge's full-text objects, one per table that has one. */
  search?: SnapshotSearch[];
  /** Installed extensions, read with the catalog. */
  extensions?: string[];
  /**
   * True when introspection read the columns' value-list CHECKs (`SnapshotColumn.enumCheck`), so a column
   * without one has none. Absent (a snapshot written from a schema, an adapter that does not read them): the
   * diff does not call an `f.enum` column unchecked.
   */
  enumChecksRead?: boolean;
  /**
   * The enum types of the connection's schema, where the dialect has them (`capabilities.enumTypes`); absent where
   * introspection does not read them.
   */
  enumTypes?: EnumTypeIR[];
}
