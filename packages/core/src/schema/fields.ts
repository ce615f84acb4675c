import type { DefaultValue, FieldKind, IdStrategy, ReferentialAction } from './ir.js';
import { SchemaError } from '../errors.js';

/** Type-level state of a field: what it reads as, what it accepts, and whether it may be omitted on create. */
export interface FieldState {
  out: unknown;
  in: unknown;
  nullable: boolean;
  hasDefault: boolean;
}

/** Anything `.refs()` can point at: a model (only its table name and key are read). */
export interface RefTarget {
  readonly name: string;
  readonly __forgeModel: true;
}

export interface FieldConfig {
  kind: FieldKind;
  nullable: boolean;
  unique: boolean;
  primaryKey: boolean;
  default?: DefaultValue;
  updatedAt?: boolean;
  searchable?: boolean;
  idStrategy?: IdStrategy;
  column?: string;
  dbType?: string;
  precision?: number;
  scale?: number;
  enumValues?: readonly string[];
  enumType?: string;
  dims?: number;
  metric?: string;
  srid?: number;
  geoFallback?: 'text' | 'error';
  renamedFrom?: string;
  refs?: { target: () => RefTarget; field?: string; onDelete?: ReferentialAction; onUpdate?: ReferentialAction };
  embedShape?: Record<string, Field<FieldState>>;
}

type Set<S extends FieldState, K extends keyof FieldState, V> = Omit<S, K> & { [P in K]: V } extends infer R
  ? R extends FieldState
    ? R
    : never
  : never;

/** A field declaration. Every modifier returns a new field: declarations are immutable. */
export class Field<S extends FieldState> {
  /** Phantom member carrying the type-level state; never set at run time. */
  declare readonly __state: S;
  constructor(readonly config: Readonly<FieldConfig>) {}

  private with(patch: Partial<FieldConfig>): any {
    return new Field({ ...this.config, ...patch });
  }

  /** The column may be NULL; reads return `null`, creates may omit it. */
  optional(): Field<Set<S, 'nullable', true>> {
    return this.with({ nullable: true });
  }
  unique(): Field<S> {
    return this.with({ unique: true });
  }
  /** A default applied by the database (and by forge on create). `'now'` means the current time. */
  default(value: S['in'] | 'now'): Field<Set<S, 'hasDefault', true>> {
    if (value === 'now') {
      if (this.config.kind !== 'dateTime') throw new SchemaError(`.default('now') only applies to f.dateTime() fields, not f.${this.config.kind}()`);
      return this.with({ default: { kind: 'now' } });
    }
    return this.with({ default: { kind: 'value', value: value as never } });
  }
  /** Set to the current time on every update (and on create). */
  updatedAt(): Field<Set<S, 'hasDefault', true>> {
    if (this.config.kind !== 'dateTime') throw new SchemaError(`.updatedAt() only applies to f.dateTime() fields, not f.${this.config.kind}()`);
    return this.with({ updatedAt: true });
  }
  /** Full-text searchable: the adapter builds its dialect's search index over these fields. */
  searchable(): Field<S> {
    if (this.config.kind !== 'string' && this.config.kind !== 'text') {
      throw new SchemaError(`.searchable() only applies to f.string() or f.text(), not f.${this.config.kind}()`);
    }
    return this.with({ searchable: true });
  }
  /** A foreign key to the target model's primary key (or `opts.field`). */
  refs(
    target: () => RefTarget,
    opts: { field?: string; onDelete?: ReferentialAction; onUpdate?: ReferentialAction } = {},
  ): Field<S> {
    if (typeof target !== 'function') throw new SchemaError('.refs() takes a function returning the target model: .refs(() => User)');
    return this.with({ refs: { target, ...opts } });
  }
  /** A rename hint for the migration-file workflow. */
  renamedFrom(oldName: string): Field<S> {
    return this.with({ renamedFrom: oldName });
  }
  /** The column's name in the database, when it differs from the field name. */
  map(columnName: string): Field<S> {
    if (!columnName) throw new SchemaError('.map() needs a non-empty column name');
    return this.with({ column: columnName });
  }
  /** A native column type, emitted verbatim by DDL and compared by category in drift. */
  dbType(nativeType: string): Field<S> {
    if (!nativeType || /;|--/.test(nativeType)) throw new SchemaError(`.dbType(${JSON.stringify(nativeType)}) is not a column type`);
    return this.with({ dbType: nativeType });
  }
}

type F<Out, In = Out, D extends boolean = false> = Field<{ out: Out; in: In; nullable: false; hasDefault: D }>;

export type AnyField = Field<any>;

export interface GeoPoint {
  lng: number;
  lat: number;
}

export type JsonValue = string | number | boolean | null | JsonValue[] | { [k: string]: JsonValue };

type EmbedRow<Shape extends Record<string, AnyField>> = {
  [K in keyof Shape]: Shape[K]['__state']['nullable'] extends true
    ? Shape[K]['__state']['out'] | null
    : Shape[K]['__state']['out'];
};

const base = (kind: FieldKind, extra: Partial<FieldConfig> = {}): FieldConfig => ({
  kind,
  nullable: false,
  unique: false,
  primaryKey: false,
  ...extra,
});

function positiveInt(name: string, v: number | undefined): void {
  if (v !== undefined && (!Number.isInteger(v) || v < 0)) throw new SchemaError(`${name} must be a non-negative integer, got ${v}`);
}

/** The field builders. */
export const f = {
  /** The primary key. `auto` (default) and `uuid` generate a UUID; `int`/`bigserial` are database-generated integers; `string` is supplied by you. */
  id<T extends IdStrategy = 'auto'>(
    opts: { type?: T } = {},
  ): Field<{ out: T extends 'int' ? number : T extends 'bigserial' ? bigint : string; in: T extends 'int' ? number : T extends 'bigserial' ? bigint | number : string; nullable: false; hasDefault: T extends 'string' ? false : true }> {
    const strategy = opts.type ?? 'auto';
    if (!['auto', 'uuid', 'int', 'bigserial', 'string'].includes(strategy)) {
      throw new SchemaError(`f.id({ type: ${JSON.stringify(strategy)} }) is not one of auto, uuid, int, bigserial, string`);
    }
    return new Field(
      base('id', {
        primaryKey: true,
        idStrategy: strategy,
        default: strategy === 'string' ? undefined : { kind: 'generated', strategy },
      }),
    ) as never;
  },
  objectId: (): F<string> => new Field(base('objectId')),
  string: (): F<string> => new Field(base('string')),
  text: (): F<string> => new Field(base('text')),
  int: (): F<number> => new Field(base('int')),
  bigint: (): F<bigint, bigint | number> => new Field(base('bigint')),
  float: (): F<number> => new Field(base('float')),
  /** Exact decimal, returned as a string so no precision is lost. */
  decimal: (opts: { precision?: number; scale?: number } = {}): F<string, string | number> => {
    positiveInt('decimal precision', opts.precision);
    positiveInt('decimal scale', opts.scale);
    return new Field(base('decimal', { precision: opts.precision, scale: opts.scale }));
  },
  bool: (): F<boolean> => new Field(base('bool')),
  /** A point in time, returned as a Date; an ISO-8601 string is accepted on input. */
  dateTime: (): F<Date, Date | string> => new Field(base('dateTime')),
  uuid: (): F<string> => new Field(base('uuid')),
  json: <T = JsonValue>(): F<T> => new Field(base('json')),
  /**
   * One of a fixed list of strings. `{ type: 'order_status' }` names a database enum type for it where the dialect has
   * them (Postgres: `CREATE TYPE ... AS ENUM`, shared by every field that names it with the same values); elsewhere,
   * and without `type`, the column is text, limited by a CHECK where the dialect writes one.
   */
  enumOf: <const V extends readonly string[]>(values: V, opts: { type?: string } = {}): F<V[number]> => {
    if (!Array.isArray(values) || values.length === 0 || values.some((v) => typeof v !== 'string')) {
      throw new SchemaError('f.enumOf() takes a non-empty array of strings');
    }
    const dupe = values.find((v, i) => values.indexOf(v) !== i);
    if (dupe !== undefined) throw new SchemaError(`f.enumOf() lists ${JSON.stringify(dupe)} twice: each value once`);
    if (opts.type !== undefined && (typeof opts.type !== 'string' || opts.type.trim() === '' || opts.type !== opts.type.trim())) {
      throw new SchemaError(`f.enumOf(values, { type }) takes the enum type's name as a non-empty string without surrounding spaces, got ${JSON.stringify(opts.type)}`);
    }
    return new Field(base('enum', { enumValues: [...values], ...(opts.type !== undefined ? { enumType: opts.type } : {}) }));
  },
  embed: <Shape extends Record<string, AnyField>>(shape: Shape): F<EmbedRow<Shape>> =>
    new Field(base('embed', { embedShape: shape })),
  embedMany: <Shape extends Record<string, AnyField>>(shape: Shape): F<EmbedRow<Shape>[]> =>
    new Field(base('embedMany', { embedShape: shape })),
  stringArray: (): F<string[]> => new Field(base('stringArray')),
  intArray: (): F<number[]> => new Field(base('intArray')),
  /** A WGS84 point `{ lng, lat }`: PostGIS geography where available, JSON text otherwise. */
  geoPoint: (opts: { srid?: number; fallback?: 'text' | 'error' } = {}): F<GeoPoint> =>
    new Field(base('geoPoint', { srid: opts.srid ?? 4326, geoFallback: opts.fallback ?? 'text' })),
  vector: (dims: number, opts: { metric?: 'cosine' | 'l2' | 'ip' } = {}): Field<{ out: number[]; in: number[]; nullable: false; hasDefault: false; vector: true }> => {
    if (!Number.isInteger(dims) || dims <= 0) throw new SchemaError(`f.vector(dims) needs a positive integer, got ${dims}`);
    return new Field(base('vector', { dims, metric: opts.metric ?? 'cosine' }));
  },
  bytes: (): F<Uint8Array> => new Field(base('bytes')),
};
