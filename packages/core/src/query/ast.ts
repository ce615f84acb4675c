/**
 * The query AST: plain immutable objects. The client builds it from call arguments; each adapter's compiler
 * turns it into SQL. Values only ever appear as `param` nodes, so they can only reach the driver bound.
 */

export type Expr =
  | { t: 'col'; table?: string; name: string }
  | { t: 'param'; value: unknown }
  | { t: 'lit'; sql: 'NULL' | 'TRUE' | 'FALSE' | '*' | '1' }
  | { t: 'cmp'; op: '=' | '<>' | '<' | '<=' | '>' | '>='; left: Expr; right: Expr }
  | { t: 'isNull'; expr: Expr; negate: boolean }
  | { t: 'in'; expr: Expr; values: Expr[]; negate: boolean }
  /** `asText`: the operand is not text (a Postgres enum type) and is cast to text to be matched. */
  | { t: 'like'; expr: Expr; pattern: Expr; insensitive: boolean; negate: boolean; asText?: boolean }
  /** contains / startsWith / endsWith / equals on text; `value` is the literal text (bound, never a pattern). */
  | { t: 'textMatch'; expr: Expr; mode: 'contains' | 'startsWith' | 'endsWith' | 'equals'; value: string; insensitive: boolean; negate: boolean; asText?: boolean }
  | { t: 'and'; items: Expr[] }
  | { t: 'or'; items: Expr[] }
  | { t: 'not'; expr: Expr }
  | { t: 'exists'; query: SelectNode; negate: boolean }
  /** A scalar subquery (one row, one column), e.g. a correlated COUNT of related rows. */
  | { t: 'subquery'; query: SelectNode }
  | { t: 'agg'; fn: 'count' | 'sum' | 'avg' | 'min' | 'max'; expr: Expr | null; distinct?: boolean }
  | { t: 'arith'; op: '+' | '-' | '*' | '/'; left: Expr; right: Expr }
  /** A JSON value at `path` compared or tested; `as` picks how the extracted value is treated. */
  | { t: 'jsonPath'; expr: Expr; path: string[]; as: 'text' | 'number' | 'json' }
  /** Array column membership: has (one), hasSome (any), hasEvery (all). */
  | { t: 'arrayHas'; expr: Expr; mode: 'has' | 'hasSome' | 'hasEvery'; values: unknown[]; elementKind: 'string' | 'int' }
  /** Full-text match on a table's searchable columns. */
  | { t: 'search'; table: string; alias: string; columns: string[]; pk: string; query: string }
  /** A fragment from raw`...`: SQL text pieces with bound values between them. */
  | { t: 'raw'; strings: readonly string[]; values: readonly unknown[] }
  | { t: 'now' }
  /** Metres from the geo point in `expr` to (lng, lat), on the sphere (the fallback) or the spheroid (PostGIS). */
  | { t: 'geoDistance'; expr: Expr; lng: number; lat: number }
  /** The geo point in `expr` lies within `maxMeters` of (lng, lat). */
  | { t: 'geoNear'; expr: Expr; lng: number; lat: number; maxMeters: number }
  /** The geo point in `expr` lies inside the polygon `ring` ([lng, lat] vertices, not closed: the last joins the first). */
  | { t: 'geoWithin'; expr: Expr; ring: ReadonlyArray<readonly [number, number]> }
  /**
   * Distance from the stored vector in `expr` to `vector` (checked finite numbers, as many as the column's dims):
   * smaller is nearer for every metric: cosine distance (1 - cosine similarity), Euclidean (`l2`), the negative
   * inner product (`ip`). NULL where the stored vector is NULL (and, on the fallback, for cosine of a zero vector).
   */
  | { t: 'vectorDistance'; expr: Expr; vector: readonly number[]; metric: VectorMetric };

/** How `orderBy: { field: { nearTo: [...] } }` measures vectors (pgvector's `<=>`, `<->`, `<#>`). */
export type VectorMetric = 'cosine' | 'l2' | 'ip';

export interface OrderItem {
  expr: Expr;
  dir: 'asc' | 'desc';
  nulls?: 'first' | 'last';
}

export interface SelectColumn {
  expr: Expr;
  alias: string;
}

export interface SelectNode {
  t: 'select';
  from: { table: string; alias: string };
  columns: SelectColumn[];
  where?: Expr;
  groupBy?: Expr[];
  having?: Expr;
  orderBy?: OrderItem[];
  limit?: number;
  offset?: number;
  distinct?: boolean;
}

export interface InsertNode {
  t: 'insert';
  table: string;
  columns: string[];
  rows: Expr[][];
  onConflict?: { target: string[]; action: 'nothing' | { set: Array<[string, Expr]> } };
  returning?: string[];
}

export interface UpdateNode {
  t: 'update';
  table: string;
  alias: string;
  set: Array<[string, Expr]>;
  where?: Expr;
  returning?: string[];
}

export interface DeleteNode {
  t: 'delete';
  table: string;
  alias: string;
  where?: Expr;
  returning?: string[];
}

export type QueryNode = SelectNode | InsertNode | UpdateNode | DeleteNode;

export interface CompiledQuery {
  sql: string;
  params: unknown[];
}

export const col = (name: string, table?: string): Expr => ({ t: 'col', name, table });
export const param = (value: unknown): Expr => ({ t: 'param', value });
export const and = (items: Expr[]): Expr | undefined =>
  items.length === 0 ? undefined : items.length === 1 ? items[0] : { t: 'and', items };

/**
 * Rows `from` to `to` of a flat row-major value array (`width` values a row) as an INSERT's rows of parameters:
 * createMany's values as the client holds them (`client/values.ts` `insertRows`), for `InsertNode.rows`.
 */
export function paramRows(values: readonly unknown[], width: number, from: number, to: number): Expr[][] {
  const rows: Expr[][] = new Array(to - from);
  for (let r = from; r < to; r++) {
    const row: Expr[] = new Array(width);
    for (let c = 0; c < width; c++) row[c] = { t: 'param', value: values[r * width + c] };
    rows[r - from] = row;
  }
  return rows;
}
