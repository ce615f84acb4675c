/**
 * Types inferred from `model()` declarations: rows, filters, write data and the shapes `select`/`include` produce.
 * There is no code generation step; everything here is computed by the compiler from the schema object.
 */
import type { AnyField, Field, FieldState, GeoPoint } from '../schema/fields.js';
import type { AnyModel, Model, RelationDef } from '../schema/model.js';

export type Simplify<T> = { [K in keyof T]: T[K] } & {};

type StateOf<F> = F extends Field<infer S> ? S : never;
type FieldsOf<M> = M extends Model<string, infer F, any> ? F : never;
type RelsOf<M> = M extends Model<string, any, infer R> ? R : never;

export type FieldOut<F> = StateOf<F> extends infer S extends FieldState ? (S['nullable'] extends true ? S['out'] | null : S['out']) : never;
type FieldIn<F> = StateOf<F> extends infer S extends FieldState ? (S['nullable'] extends true ? S['in'] | null : S['in']) : never;

/** The row type of a model: `Infer<typeof User>`. */
export type Infer<M> = Simplify<{ [K in keyof FieldsOf<M>]: FieldOut<FieldsOf<M>[K]> }>;
export type Row<M> = Infer<M>;

type RequiredOnCreate<M> = {
  [K in keyof FieldsOf<M>]: StateOf<FieldsOf<M>[K]>['nullable'] extends true
    ? never
    : StateOf<FieldsOf<M>[K]>['hasDefault'] extends true
      ? never
      : K;
}[keyof FieldsOf<M>];

/** The schema object passed to createDb: `{ user: User, post: Post }`. */
export type SchemaShape = Record<string, AnyModel>;

/** Find the model a relation points at, by table name. Thunk targets resolve to `AnyModel`. */
type TargetModel<S extends SchemaShape, R> = R extends RelationDef<any, infer T>
  ? string extends T
    ? AnyModel
    : Extract<S[keyof S], { name: T }> extends infer X extends AnyModel
      ? [X] extends [never]
        ? AnyModel
        : X
      : AnyModel
  : never;
type RelKind<R> = R extends RelationDef<infer K, any> ? K : never;
type RelOn<R> = R extends RelationDef<any, any, infer On> ? On : never;

// ---------- filters ----------

export interface ScalarFilterBase<T> {
  equals?: T | null;
  not?: T | null | ScalarFilterBase<T>;
  in?: readonly T[];
  notIn?: readonly T[];
  lt?: T;
  lte?: T;
  gt?: T;
  gte?: T;
}
export interface StringFilter extends ScalarFilterBase<string> {
  contains?: string;
  startsWith?: string;
  endsWith?: string;
  mode?: 'default' | 'insensitive';
  /** Full-text search on `.searchable()` fields. */
  search?: string;
}
export interface ArrayFilter<E> {
  has?: E;
  hasSome?: readonly E[];
  hasEvery?: readonly E[];
  equals?: readonly E[] | null;
  isEmpty?: boolean;
}
export interface JsonFilter {
  path?: readonly string[];
  equals?: unknown;
  not?: unknown;
  string_contains?: string;
  string_starts_with?: string;
  string_ends_with?: string;
  gt?: number;
  gte?: number;
  lt?: number;
  lte?: number;
}

type FilterFor<F> = StateOf<F> extends infer S extends FieldState
  ? S['out'] extends string
    ? S['out'] | null | StringFilter
    : S['out'] extends Date
      ? Date | string | null | ScalarFilterBase<Date | string>
      : S['out'] extends boolean
        ? boolean | null | ScalarFilterBase<boolean>
        : S['out'] extends readonly (infer E)[]
          ? E extends object
            ? JsonFilter
            : ArrayFilter<E>
          : S['out'] extends GeoPoint
            ? never
            : S['out'] extends number | bigint
              ? S['in'] | null | ScalarFilterBase<S['in']>
              : JsonFilter | null
  : never;

export type WhereInput<S extends SchemaShape, M> = {
  [K in keyof FieldsOf<M>]?: FilterFor<FieldsOf<M>[K]>;
} & {
  [R in keyof RelsOf<M>]?: RelKind<RelsOf<M>[R]> extends 'many'
    ? { some?: WhereInput<S, TargetModel<S, RelsOf<M>[R]>>; every?: WhereInput<S, TargetModel<S, RelsOf<M>[R]>>; none?: WhereInput<S, TargetModel<S, RelsOf<M>[R]>> }
    : { is?: WhereInput<S, TargetModel<S, RelsOf<M>[R]>> | null; isNot?: WhereInput<S, TargetModel<S, RelsOf<M>[R]>> | null } | null;
} & {
  AND?: WhereInput<S, M> | WhereInput<S, M>[];
  OR?: WhereInput<S, M>[];
  NOT?: WhereInput<S, M> | WhereInput<S, M>[];
};

/** A where that must name a primary key or unique field (findUnique, update, delete, upsert). */
export type WhereUniqueInput<S extends SchemaShape, M> = WhereInput<S, M>;

export type SortOrder = 'asc' | 'desc';
export type OrderByInput<M> =
  | { [K in keyof FieldsOf<M>]?: SortOrder | { sort: SortOrder; nulls?: 'first' | 'last' } }
  | Array<{ [K in keyof FieldsOf<M>]?: SortOrder | { sort: SortOrder; nulls?: 'first' | 'last' } }>;

// ---------- select / include ----------

type RelArgs<S extends SchemaShape, T> = {
  where?: WhereInput<S, T>;
  orderBy?: OrderByInput<T>;
  take?: number;
  skip?: number;
  select?: SelectInput<S, T>;
  include?: IncludeInput<S, T>;
  omit?: OmitInput<T>;
};

export type SelectInput<S extends SchemaShape, M> = { [K in keyof FieldsOf<M>]?: boolean } & {
  [R in keyof RelsOf<M>]?: boolean | RelArgs<S, TargetModel<S, RelsOf<M>[R]>>;
};
export type IncludeInput<S extends SchemaShape, M> = {
  [R in keyof RelsOf<M>]?: boolean | RelArgs<S, TargetModel<S, RelsOf<M>[R]>>;
};
export type OmitInput<M> = { [K in keyof FieldsOf<M>]?: boolean };

type RelPayload<S extends SchemaShape, R, A> = RelKind<R> extends 'many'
  ? Array<Payload<S, TargetModel<S, R>, A extends object ? A : {}>>
  : Payload<S, TargetModel<S, R>, A extends object ? A : {}> | null;

type SelectedRow<S extends SchemaShape, M, Sel> = {
  [K in keyof Sel as Sel[K] extends false | undefined ? never : K]: K extends keyof FieldsOf<M>
    ? FieldOut<FieldsOf<M>[K]>
    : K extends keyof RelsOf<M>
      ? RelPayload<S, RelsOf<M>[K], Sel[K]>
      : never;
};
type IncludedRow<S extends SchemaShape, M, Inc> = {
  [K in keyof Inc as Inc[K] extends false | undefined ? never : K]: K extends keyof RelsOf<M> ? RelPayload<S, RelsOf<M>[K], Inc[K]> : never;
};
type OmittedRow<M, O> = Omit<Infer<M>, { [K in keyof O]: O[K] extends true ? K : never }[keyof O]>;

/** The row shape a call returns, computed from its `select` / `include` / `omit`. */
export type Payload<S extends SchemaShape, M, A> = Simplify<
  A extends { select: infer Sel extends object }
    ? SelectedRow<S, M, Sel>
    : (A extends { omit: infer O extends object } ? OmittedRow<M, O> : Infer<M>) &
        (A extends { include: infer Inc extends object } ? IncludedRow<S, M, Inc> : {})
>;

// ---------- writes ----------

type ScalarCreate<M> = Simplify<
  { [K in RequiredOnCreate<M> & keyof FieldsOf<M>]: FieldIn<FieldsOf<M>[K]> } & {
    [K in Exclude<keyof FieldsOf<M>, RequiredOnCreate<M>>]?: FieldIn<FieldsOf<M>[K]>;
  }
>;

type NestedCreateOne<S extends SchemaShape, T, On extends string = never> = {
  create?: ChildCreate<S, T, On>;
  connect?: WhereUniqueInput<S, T>;
  connectOrCreate?: { where: WhereUniqueInput<S, T>; create: ChildCreate<S, T, On> };
};
/** Foreign-key fields of belongs-to relations: a nested `connect`/`create` may supply them instead. */
type BelongsToKeys<M> = {
  [R in keyof RelsOf<M>]: RelKind<RelsOf<M>[R]> extends 'one' ? (RelOn<RelsOf<M>[R]> extends keyof FieldsOf<M> ? RelOn<RelsOf<M>[R]> : never) : never;
}[keyof RelsOf<M>];
/** For a `one` relation, the target's linking field is filled from this row only when it lives on the target (has-one). */
type HasOneOn<M, R> = RelOn<R> extends keyof FieldsOf<M> ? never : RelOn<R>;
/** Rows created through a to-many relation get the linking field from the parent, so it is optional there. */
type ChildCreate<S extends SchemaShape, T, On extends string> = Omit<CreateInput<S, T>, On> & { [K in On & keyof FieldsOf<T>]?: FieldIn<FieldsOf<T>[K]> };
type NestedCreateMany<S extends SchemaShape, T, On extends string = never> = {
  create?: ChildCreate<S, T, On> | ChildCreate<S, T, On>[];
  connect?: WhereUniqueInput<S, T> | WhereUniqueInput<S, T>[];
  connectOrCreate?: { where: WhereUniqueInput<S, T>; create: ChildCreate<S, T, On> } | Array<{ where: WhereUniqueInput<S, T>; create: ChildCreate<S, T, On> }>;
};

/** `create({ data })`: required fields must be present; relations accept nested writes. */
export type CreateInput<S extends SchemaShape, M> = Omit<ScalarCreate<M>, BelongsToKeys<M>> &
  Partial<Pick<ScalarCreate<M>, BelongsToKeys<M> & keyof ScalarCreate<M>>> & {
    [R in keyof RelsOf<M>]?: RelKind<RelsOf<M>[R]> extends 'many'
      ? NestedCreateMany<S, TargetModel<S, RelsOf<M>[R]>, RelOn<RelsOf<M>[R]>>
      : NestedCreateOne<S, TargetModel<S, RelsOf<M>[R]>, HasOneOn<M, RelsOf<M>[R]>>;
  };

type NumericOps<T> = { set?: T; increment?: T; decrement?: T; multiply?: T; divide?: T };
type ScalarUpdate<M> = {
  [K in keyof FieldsOf<M>]?: FieldIn<FieldsOf<M>[K]> | (StateOf<FieldsOf<M>[K]>['out'] extends number | bigint ? NumericOps<FieldIn<FieldsOf<M>[K]>> : { set?: FieldIn<FieldsOf<M>[K]> });
};
type NestedUpdateMany<S extends SchemaShape, T, On extends string> = NestedCreateMany<S, T, On> & {
  disconnect?: WhereUniqueInput<S, T> | WhereUniqueInput<S, T>[];
  delete?: WhereUniqueInput<S, T> | WhereUniqueInput<S, T>[];
  deleteMany?: WhereInput<S, T>;
  update?: { where: WhereUniqueInput<S, T>; data: UpdateInput<S, T> } | Array<{ where: WhereUniqueInput<S, T>; data: UpdateInput<S, T> }>;
  updateMany?: { where: WhereInput<S, T>; data: UpdateInput<S, T> };
};
type NestedUpdateOne<S extends SchemaShape, T> = NestedCreateOne<S, T, string> & {
  disconnect?: boolean;
  delete?: boolean;
  update?: UpdateInput<S, T>;
};
export type UpdateInput<S extends SchemaShape, M> = ScalarUpdate<M> & {
  [R in keyof RelsOf<M>]?: RelKind<RelsOf<M>[R]> extends 'many'
    ? NestedUpdateMany<S, TargetModel<S, RelsOf<M>[R]>, RelOn<RelsOf<M>[R]>>
    : NestedUpdateOne<S, TargetModel<S, RelsOf<M>[R]>>;
};

// ---------- arguments ----------

export interface FindManyArgs<S extends SchemaShape, M> {
  where?: WhereInput<S, M>;
  orderBy?: OrderByInput<M>;
  take?: number;
  skip?: number;
  cursor?: WhereUniqueInput<S, M>;
  distinct?: Array<keyof FieldsOf<M> & string>;
  select?: SelectInput<S, M>;
  include?: IncludeInput<S, M>;
  omit?: OmitInput<M>;
}
export type ShapeArgs<S extends SchemaShape, M> = Pick<FindManyArgs<S, M>, 'select' | 'include' | 'omit'>;

type NumericFieldKeys<M> = { [K in keyof FieldsOf<M>]: StateOf<FieldsOf<M>[K]>['out'] extends number | bigint | string ? K : never }[keyof FieldsOf<M>];
type FieldFlags<M, Keys extends PropertyKey = keyof FieldsOf<M>> = { [K in Keys & keyof FieldsOf<M>]?: true };

export interface AggregateArgs<S extends SchemaShape, M> {
  where?: WhereInput<S, M>;
  _count?: true | ({ _all?: true } & FieldFlags<M>);
  _sum?: FieldFlags<M, NumericFieldKeys<M>>;
  _avg?: FieldFlags<M, NumericFieldKeys<M>>;
  _min?: FieldFlags<M>;
  _max?: FieldFlags<M>;
}

type AggOut<M, A, Key extends string, V> = A extends { [P in Key]: infer F extends object } ? { [P in Key]: { [K in keyof F]: K extends keyof FieldsOf<M> ? V | null : never } } : {};
export type AggregateResult<M, A> = Simplify<
  (A extends { _count: true } ? { _count: number } : A extends { _count: infer C extends object } ? { _count: { [K in keyof C]: number } } : {}) &
    AggOut<M, A, '_sum', number> &
    AggOut<M, A, '_avg', number> &
    AggOut<M, A, '_min', unknown> &
    AggOut<M, A, '_max', unknown>
>;

export interface GroupByArgs<S extends SchemaShape, M> extends AggregateArgs<S, M> {
  by: Array<keyof FieldsOf<M> & string>;
  having?: { [K in keyof FieldsOf<M>]?: { _count?: ScalarFilterBase<number>; _sum?: ScalarFilterBase<number>; _avg?: ScalarFilterBase<number>; _min?: ScalarFilterBase<unknown>; _max?: ScalarFilterBase<unknown> } };
  orderBy?: OrderByInput<M>;
  take?: number;
  skip?: number;
}
export type GroupByResult<M, A> = A extends { by: Array<infer B> } ? Simplify<{ [K in B & keyof FieldsOf<M>]: FieldOut<FieldsOf<M>[K]> } & AggregateResult<M, A>> : never;

/** Promise returned by every model call: lazy until awaited, so `$transaction([...])` can run it inside the transaction. */
export interface ForgePromise<T> extends Promise<T> {
  readonly __forgeQuery: true;
}

export interface ModelClient<S extends SchemaShape, M> {
  findMany<A extends ShapeArgs<S, M> = {}>(args?: FindManyArgs<S, M> & A): ForgePromise<Payload<S, M, A>[]>;
  findFirst<A extends ShapeArgs<S, M> = {}>(args?: FindManyArgs<S, M> & A): ForgePromise<Payload<S, M, A> | null>;
  findFirstOrThrow<A extends ShapeArgs<S, M> = {}>(args?: FindManyArgs<S, M> & A): ForgePromise<Payload<S, M, A>>;
  findUnique<A extends ShapeArgs<S, M> = {}>(args: { where: WhereUniqueInput<S, M> } & A): ForgePromise<Payload<S, M, A> | null>;
  findUniqueOrThrow<A extends ShapeArgs<S, M> = {}>(args: { where: WhereUniqueInput<S, M> } & A): ForgePromise<Payload<S, M, A>>;
  findManyStream<A extends ShapeArgs<S, M> = {}>(args?: FindManyArgs<S, M> & A & { chunkSize?: number }): AsyncIterable<Payload<S, M, A>>;
  count(args?: { where?: WhereInput<S, M>; take?: number; skip?: number }): ForgePromise<number>;
  aggregate<A extends AggregateArgs<S, M>>(args: A): ForgePromise<AggregateResult<M, A>>;
  groupBy<A extends GroupByArgs<S, M>>(args: A): ForgePromise<GroupByResult<M, A>[]>;
  create<A extends ShapeArgs<S, M> = {}>(args: { data: CreateInput<S, M> } & A): ForgePromise<Payload<S, M, A>>;
  createMany(args: { data: ScalarCreate<M>[]; skipDuplicates?: boolean }): ForgePromise<{ count: number }>;
  update<A extends ShapeArgs<S, M> = {}>(args: { where: WhereUniqueInput<S, M>; data: UpdateInput<S, M> } & A): ForgePromise<Payload<S, M, A>>;
  updateMany(args: { where: WhereInput<S, M>; data: UpdateInput<S, M> }): ForgePromise<{ count: number }>;
  upsert<A extends ShapeArgs<S, M> = {}>(args: { where: WhereUniqueInput<S, M>; create: CreateInput<S, M>; update: UpdateInput<S, M> } & A): ForgePromise<Payload<S, M, A>>;
  delete<A extends ShapeArgs<S, M> = {}>(args: { where: WhereUniqueInput<S, M> } & A): ForgePromise<Payload<S, M, A>>;
  /** `where` is required: pass `{ where: {} }` to delete every row on purpose. */
  deleteMany(args: { where: WhereInput<S, M> }): ForgePromise<{ count: number }>;
  /** The SQL and parameters a call would run, without running it. */
  readonly compile: {
    findMany(args?: FindManyArgs<S, M>): { sql: string; params: unknown[] };
    findFirst(args?: FindManyArgs<S, M>): { sql: string; params: unknown[] };
    findUnique(args: { where: WhereUniqueInput<S, M> }): { sql: string; params: unknown[] };
    count(args?: { where?: WhereInput<S, M> }): { sql: string; params: unknown[] };
    create(args: { data: CreateInput<S, M> }): { sql: string; params: unknown[] };
    update(args: { where: WhereUniqueInput<S, M>; data: UpdateInput<S, M> }): { sql: string; params: unknown[] };
    delete(args: { where: WhereUniqueInput<S, M> }): { sql: string; params: unknown[] };
    deleteMany(args: { where: WhereInput<S, M> }): { sql: string; params: unknown[] };
  };
}

export type AnyFieldMap = Record<string, AnyField>;
