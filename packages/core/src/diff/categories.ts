import type { DialectFacts } from '../adapter.js';
import type { ColumnIR, FieldKind, TypeCategory } from '../schema/ir.js';

/**
 * Drift compares types by coarse category, never as strings (seed 004, "Category-based type comparison"):
 * `text` vs `varchar(255)` is not drift, `text` vs `integer` is. Anything without a category (arrays,
 * vectors, geo, bytes, custom types) is skipped, because a false alarm costs more trust than a miss.
 * A field kind's category is forge's own; a native type's is the dialect's (`adapter.facts.categoryOf`).
 */
const KIND_CATEGORY: Partial<Record<FieldKind, TypeCategory>> = {
  id: 'string',
  objectId: 'string',
  string: 'string',
  text: 'string',
  uuid: 'string',
  enum: 'string',
  int: 'int',
  bigint: 'bigint',
  float: 'float',
  decimal: 'decimal',
  bool: 'bool',
  dateTime: 'datetime',
  json: 'json',
  embed: 'json',
  embedMany: 'json',
};

export function categoryOfKind(kind: FieldKind): TypeCategory | undefined {
  return KIND_CATEGORY[kind];
}

/**
 * The category the schema expects for a column: its `.dbType()` when set (that is what DDL emitted), the
 * integer strategies of `f.id()`, and the kind table otherwise.
 */
export function categoryOfColumn(column: ColumnIR, facts: Pick<DialectFacts, 'categoryOf'>): TypeCategory | undefined {
  if (column.dbType) return facts.categoryOf(column.dbType);
  if (column.kind === 'id' && column.idStrategy === 'int') return 'int';
  if (column.kind === 'id' && column.idStrategy === 'bigserial') return 'bigint';
  return categoryOfKind(column.kind);
}
