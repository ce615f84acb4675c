/**
 * Types inferred from `model()` declarations: rows, filters, write data and the shapes `select`/`include` produce.
 * There is no code generation step; everything here is computed by the compiler from the schema object.
 */
import type { AnyField, Field, FieldState, GeoPoint } from '../schema/fields.js';
import type { AnyModel, Model, RelationDef } from '../schema/model.js';
import type { Dialect } from '../adapter.js';
import type { CompiledQuery } from '../query/ast.js';

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

/** A point given to a geo filter: `{ lng, lat }` or `[lng, lat]`. */
export type GeoPointInput = { lng: number; lat: number } | readonly [lng: number, lat: number];
/** Filters on `f.geoPoint()` fields. `near` is a great-circle radius in metres; `withinPolygon` a ring of 3+ vertices. */
export interface GeoFilter {
  near?: { lng: number; lat: number; maxMeters: number };
  withinPolygon?: readonly GeoPointInput[];
  /** `not: null`: the point is set. */
  not?: null;
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
            ? GeoFilter | null
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

// ---------- unique where ----------

/**
 * Fields whose state carries the type-level `unique: true` mark (a primary key, `.unique()`), and the model's
 * compound uniques (a phantom `__uniques` tuple list). Both marks come from the schema builders; a model
 * declared without them keeps the plain `WhereInput` (the run-time check still refuses a non-unique where).
 */
export type UniqueFieldKeys<M> = { [K in keyof FieldsOf<M>]: StateOf<FieldsOf<M>[K]> extends { unique: true } ? K : never }[keyof FieldsOf<M>];
export type CompoundUniques<M> = M extends { readonly __uniques?: infer U extends ReadonlyArray<ReadonlyArray<string>> } ? U[number] : never;
type UniqueValue<F> = FieldIn<F> extends infer V ? Exclude<V, null> | { equals: Exclude<V, null> } : never;
/** One way to pin a row: every field of one unique set, each given a value. */
type UniqueChoice<M> =
  | { [K in UniqueFieldKeys<M>]: { [P in K]: UniqueValue<FieldsOf<M>[P]> } }[UniqueFieldKeys<M>]
  | (CompoundUniques<M> extends infer Set ? (Set extends readonly [] ? never : Set extends ReadonlyArray<string> ? { [P in Set[number] & keyof FieldsOf<M>]: UniqueValue<FieldsOf<M>[P]> } : never) : never);

/** A where that must name a primary key or unique field (findUnique, update, delete, upsert): one unique set, plus any other filters. */
export type WhereUniqueInput<S extends SchemaShape, M> = [UniqueFieldKeys<M> | CompoundUniques<M>] extends [never] ? WhereInput<S, M> : WhereInput<S, M> & UniqueChoice<M>;

export type SortOrder = 'asc' | 'desc';
export type SortSpec = SortOrder | { sort: SortOrder; nulls?: 'first' | 'last' };
/** To-many relations of a model: the ones `_count` counts and `orderBy: { rel: { _count } }` sorts by. */
type ManyRelKeys<M> = { [R in keyof RelsOf<M>]: RelKind<RelsOf<M>[R]> extends 'many' ? R : never }[keyof RelsOf<M>];
/** Order a geo point field by distance from a point: nearest first, or farthest with `sort: 'desc'`. */
export interface GeoOrder {
  nearTo: GeoPointInput;
  sort?: SortOrder;
}
/**
 * Order an `f.vector(n)` field by distance from a vector of n numbers: nearest first, or farthest with `sort:
 * 'desc'`; rows without a vector last. `metric` defaults to the field's declared one (`f.vector(n, { metric })`).
 */
export interface VectorOrder {
  nearTo: readonly number[] | Float32Array | Float64Array;
  metric?: 'cosine' | 'l2' | 'ip';
  sort?: SortOrder;
}
type FieldOrder<F> = StateOf<F> extends infer S extends FieldState
  ? S extends { vector: true }
    ? SortSpec | VectorOrder
    : S['out'] extends GeoPoint
      ? SortSpec | GeoOrder
      : SortSpec
  : SortSpec;
export type OrderByObject<M> = { [K in keyof FieldsOf<M>]?: FieldOrder<FieldsOf<M>[K]> } & { [R in ManyRelKeys<M>]?: { _count: SortSpec } };
export type OrderByInput<M> = OrderByObject<M> | OrderByObject<M>[];

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

/** `_count: true` (every to-many relation) or `{ select: { posts: true, comments: { where } } }`. */
export type RelationCountInput<S extends SchemaShape, M> =
  | true
  | { select: { [R in ManyRelKeys<M>]?: boolean | { where?: WhereInput<S, TargetModel<S, RelsOf<M>[R]>> } } };

export type SelectInput<S extends SchemaShape, M> = { [K in keyof FieldsOf<M>]?: boolean } & {
  [R in keyof RelsOf<M>]?: boolean | RelArgs<S, TargetModel<S, RelsOf<M>[R]>>;
} & { _count?: RelationCountInput<S, M> };
export type IncludeInput<S extends SchemaShape, M> = {
  [R in keyof RelsOf<M>]?: boolean | RelArgs<S, TargetModel<S, RelsOf<M>[R]>>;
} & { _count?: RelationCountInput<S, M> };
export type OmitInput<M> = { [K in keyof FieldsOf<M>]?: boolean };

/**
 * A belongs-to relation whose foreign key is a required field always has its row (the foreign key sees to it),
 * so it is not `| null`; a has-one, or a belongs-to on an optional key, may have none.
 */
type RequiredBelongsTo<M, R> = RelOn<R> extends keyof FieldsOf<M> ? (StateOf<FieldsOf<M>[RelOn<R>]>['nullable'] extends true ? false : true) : false;
type RelPayload<S extends SchemaShape, M, R, A> = RelKind<R> extends 'many'
  ? Array<Payload<S, TargetModel<S, R>, A extends object ? A : {}>>
  : RequiredBelongsTo<M, R> extends true
    ? Payload<S, TargetModel<S, R>, A extends object ? A : {}>
    : Payload<S, TargetModel<S, R>, A extends object ? A : {}> | null;

/** The `_count` object a `_count` in select / include returns. */
type CountPayload<M, C> = C extends true
  ? { [R in ManyRelKeys<M>]: number }
  : C extends { select: infer Sel }
    ? { [R in keyof Sel as Sel[R] extends false | undefined ? never : R]: number }
    : never;

type SelectedRow<S extends SchemaShape, M, Sel> = {
  [K in keyof Sel as Sel[K] extends false | undefined ? never : K]: K extends keyof FieldsOf<M>
    ? FieldOut<FieldsOf<M>[K]>
    : K extends keyof RelsOf<M>
      ? RelPayload<S, M, RelsOf<M>[K], Sel[K]>
      : K extends '_count'
        ? Simplify<CountPayload<M, Sel[K]>>
        : never;
};
type IncludedRow<S extends SchemaShape, M, Inc> = {
  [K in keyof Inc as Inc[K] extends false | undefined ? never : K]: K extends keyof RelsOf<M>
    ? RelPayload<S, M, RelsOf<M>[K], Inc[K]>
    : K extends '_count'
      ? Simplify<CountPayload<M, Inc[K]>>
      : never;
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

/**
 * Fields `_sum` / `_avg` apply to: int, float and bigint (read as numbers or bigints) and decimal, which reads as a
 * string but accepts a number (`in` includes number); a text field is a string both ways, so it is left out.
 */
export type NumericFieldKeys<M> = {
  [K in keyof FieldsOf<M>]: StateOf<FieldsOf<M>[K]> extends infer St extends FieldState
    ? St['out'] extends number | bigint
      ? K
      : St['out'] extends string
        ? number extends St['in']
          ? K
          : never
        : never
    : never;
}[keyof FieldsOf<M>];
type FieldFlags<M, Keys extends PropertyKey = keyof FieldsOf<M>> = { [K in Keys & keyof FieldsOf<M>]?: true };

export interface AggregateArgs<S extends SchemaShape, M> {
  where?: WhereInput<S, M>;
  _count?: true | ({ _all?: true } & FieldFlags<M>);
  _sum?: FieldFlags<M, NumericFieldKeys<M>>;
  _avg?: FieldFlags<M, NumericFieldKeys<M>>;
  _min?: FieldFlags<M>;
  _max?: FieldFlags<M>;
}

/** What `_sum` of a field reads as: a bigint for bigint fields, a decimal string for decimal ones, else a number. */
type SumOut<F> = FieldOut<F> extends infer V ? (Exclude<V, null> extends bigint ? bigint : Exclude<V, null> extends string ? string : number) : never;
/** `_min` / `_max` read as the field's own type (a Date stays a Date), null when no row has a value. */
type MinMaxOut<F> = Exclude<FieldOut<F>, null>;

type AggOut<M, A, Key extends '_sum' | '_avg' | '_min' | '_max'> = A extends { [P in Key]: infer F extends object }
  ? {
      [P in Key]: {
        [K in keyof F as F[K] extends false | undefined ? never : K]: K extends keyof FieldsOf<M>
          ? (Key extends '_sum' ? SumOut<FieldsOf<M>[K]> : Key extends '_avg' ? number : MinMaxOut<FieldsOf<M>[K]>) | null
          : never;
      };
    }
  : {};
export type AggregateResult<M, A> = Simplify<
  (A extends { _count: true } ? { _count: number } : A extends { _count: infer C extends object } ? { _count: { [K in keyof C as C[K] extends false | undefined ? never : K]: number } } : {}) &
    AggOut<M, A, '_sum'> &
    AggOut<M, A, '_avg'> &
    AggOut<M, A, '_min'> &
    AggOut<M, A, '_max'>
>;

/** Filters on one aggregate in `having`: numbers for counts, sums and averages, the field's own type for min / max. */
export interface AggregateFilter<T> {
  equals?: T | null;
  not?: T | null;
  in?: readonly T[];
  notIn?: readonly T[];
  lt?: T;
  lte?: T;
  gt?: T;
  gte?: T;
}
type NumericHaving<F> = { _sum?: AggregateFilter<Exclude<FieldIn<F>, null>>; _avg?: AggregateFilter<number> };
type FieldHaving<F> = { _count?: AggregateFilter<number>; _min?: AggregateFilter<Exclude<FieldIn<F>, null>>; _max?: AggregateFilter<Exclude<FieldIn<F>, null>> };
/** `having: { total: { _sum: { gt: 100 } } }`; `_sum` / `_avg` only on numeric fields; plain filters apply to fields of `by`. */
export type HavingInput<M> = {
  [K in keyof FieldsOf<M>]?: FieldHaving<FieldsOf<M>[K]> &
    (K extends NumericFieldKeys<M> ? NumericHaving<FieldsOf<M>[K]> : {}) &
    (FilterFor<FieldsOf<M>[K]> extends infer Fl ? (Fl extends object ? Omit<Fl, 'search' | 'path'> : {}) : {});
} & {
  AND?: HavingInput<M> | HavingInput<M>[];
  OR?: HavingInput<M>[];
  NOT?: HavingInput<M> | HavingInput<M>[];
};

/** groupBy's orderBy: a field (of `by`, checked at run time) or an aggregate (`{ _sum: { total: 'desc' } }`). */
export type GroupByOrderByObject<M> = { [K in keyof FieldsOf<M>]?: SortSpec } & {
  _count?: { [K in keyof FieldsOf<M> | '_all']?: SortSpec };
  _sum?: { [K in NumericFieldKeys<M>]?: SortSpec };
  _avg?: { [K in NumericFieldKeys<M>]?: SortSpec };
  _min?: { [K in keyof FieldsOf<M>]?: SortSpec };
  _max?: { [K in keyof FieldsOf<M>]?: SortSpec };
};

export interface GroupByArgs<S extends SchemaShape, M> extends AggregateArgs<S, M> {
  by: Array<keyof FieldsOf<M> & string>;
  having?: HavingInput<M>;
  orderBy?: GroupByOrderByObject<M> | GroupByOrderByObject<M>[];
  take?: number;
  skip?: number;
}
export type GroupByResult<M, A> = A extends { by: Array<infer B> } ? Simplify<{ [K in B & keyof FieldsOf<M>]: FieldOut<FieldsOf<M>[K]> } & AggregateResult<M, A>> : never;

/**
 * `select` and `include` cannot be combined (select names relations itself): a call with both gets this
 * message as the type of its `include`.
 */
export type SelectOrInclude<A> = A extends { select: object; include: object } ? { include: 'use select or include, not both: name the relations inside select' } : unknown;

/** Promise returned by every model call: lazy until awaited, so `$transaction([...])` can run it inside the transaction. */
export interface ForgePromise<T> extends Promise<T> {
  readonly __forgeQuery: true;
}

export interface ModelClient<S extends SchemaShape, M> {
  findMany<A extends ShapeArgs<S, M> = {}>(args?: FindManyArgs<S, M> & A & SelectOrInclude<A>): ForgePromise<Payload<S, M, A>[]>;
  findFirst<A extends ShapeArgs<S, M> = {}>(args?: FindManyArgs<S, M> & A & SelectOrInclude<A>): ForgePromise<Payload<S, M, A> | null>;
  findFirstOrThrow<A extends ShapeArgs<S, M> = {}>(args?: FindManyArgs<S, M> & A & SelectOrInclude<A>): ForgePromise<Payload<S, M, A>>;
  findUnique<A extends ShapeArgs<S, M> = {}>(args: { where: WhereUniqueInput<S, M> } & A & SelectOrInclude<A>): ForgePromise<Payload<S, M, A> | null>;
  findUniqueOrThrow<A extends ShapeArgs<S, M> = {}>(args: { where: WhereUniqueInput<S, M> } & A & SelectOrInclude<A>): ForgePromise<Payload<S, M, A>>;
  findManyStream<A extends ShapeArgs<S, M> = {}>(args?: FindManyArgs<S, M> & A & SelectOrInclude<A> & { chunkSize?: number }): AsyncIterable<Payload<S, M, A>>;
  count(args?: { where?: WhereInput<S, M>; take?: number; skip?: number }): ForgePromise<number>;
  aggregate<A extends AggregateArgs<S, M>>(args: A): ForgePromise<AggregateResult<M, A>>;
  groupBy<A extends GroupByArgs<S, M>>(args: A): ForgePromise<GroupByResult<M, A>[]>;
  create<A extends ShapeArgs<S, M> = {}>(args: { data: CreateInput<S, M> } & A & SelectOrInclude<A>): ForgePromise<Payload<S, M, A>>;
  createMany(args: { data: ScalarCreate<M>[]; skipDuplicates?: boolean }): ForgePromise<{ count: number }>;
  update<A extends ShapeArgs<S, M> = {}>(args: { where: WhereUniqueInput<S, M>; data: UpdateInput<S, M> } & A & SelectOrInclude<A>): ForgePromise<Payload<S, M, A>>;
  updateMany(args: { where: WhereInput<S, M>; data: UpdateInput<S, M> }): ForgePromise<{ count: number }>;
  upsert<A extends ShapeArgs<S, M> = {}>(args: { where: WhereUniqueInput<S, M>; create: CreateInput<S, M>; update: UpdateInput<S, M> } & A & SelectOrInclude<A>): ForgePromise<Payload<S, M, A>>;
  delete<A extends ShapeArgs<S, M> = {}>(args: { where: WhereUniqueInput<S, M> } & A & SelectOrInclude<A>): ForgePromise<Payload<S, M, A>>;
  /** `where` is required: pass `{ where: {} }` to delete every row on purpose. */
  deleteMany(args: { where: WhereInput<S, M> }): ForgePromise<{ count: number }>;
  /**
   * The SQL and parameters a call would run, without running it, on this handle's dialect; `compile.<dialect>`
   * (e.g. `await db.user.compile.postgres.findMany(args)`) for any installed dialect, without a connection.
   */
  readonly compile: CompileOps<S, M, CompiledQuery> & { readonly [D in Dialect]: CompileOps<S, M, Promise<CompiledQuery>> };
}

export interface CompileOps<S extends SchemaShape, M, R> {
  findMany(args?: FindManyArgs<S, M>): R;
  findFirst(args?: FindManyArgs<S, M>): R;
  findUnique(args: { where: WhereUniqueInput<S, M> } & ShapeArgs<S, M>): R;
  count(args?: { where?: WhereInput<S, M> }): R;
  aggregate(args: AggregateArgs<S, M>): R;
  groupBy(args: GroupByArgs<S, M>): R;
  create(args: { data: CreateInput<S, M> }): R;
  update(args: { where: WhereUniqueInput<S, M>; data: UpdateInput<S, M> }): R;
  delete(args: { where: WhereUniqueInput<S, M> }): R;
  deleteMany(args: { where: WhereInput<S, M> }): R;
}

export type AnyFieldMap = Record<string, AnyField>;
