import type { DbErrorMetaKeys, DbKnownError } from '../errors.js';
import type { ModelMeta } from './meta.js';

/**
 * The same `DbKnownError.meta` on every dialect: each adapter reports what its driver said (a table, columns, a
 * constraint name, in the database's names); here the schema fills in the rest, so a unique violation reads
 * `{ model, table, fields, columns, constraint }` whether the database named the columns (SQLite, DuckDB,
 * Postgres' DETAIL) or only the index (MySQL). `callModel` is the model of the call that failed, used when the
 * driver names no table.
 */
export function describeDbError(metas: Map<string, ModelMeta>, e: DbKnownError, callModel: string | undefined): void {
  const code = e.code;
  if (code !== 'UNIQUE_VIOLATION' && code !== 'FOREIGN_KEY_VIOLATION' && code !== 'NOT_NULL_VIOLATION' && code !== 'CHECK_VIOLATION' && code !== 'MISSING_COLUMN') return;
  const meta = e.meta as DbErrorMetaKeys;
  const m = modelOf(metas, meta, callModel);
  if (!m) return;
  meta.model = m.key;
  meta.table ??= m.table.name;
  const fieldOf = (column: string) => m.table.columns.find((c) => c.name === column)?.field ?? column;
  if (code === 'UNIQUE_VIOLATION') {
    let columns = meta.columns ?? [];
    if (columns.length === 0 && meta.constraint) {
      const idx = m.table.indexes.find((i) => i.unique && sameName(i.name, meta.constraint!));
      if (idx) columns = idx.columns;
      else if (meta.constraint === 'PRIMARY' || sameName(meta.constraint, `${m.table.name}_pkey`)) columns = m.table.primaryKey;
    }
    meta.columns = [...columns];
    meta.fields = columns.map(fieldOf);
    if (!meta.constraint && columns.length) {
      const key = [...columns].sort().join('\0');
      const idx = m.table.indexes.find((i) => i.unique && !i.where && !i.expression && [...i.columns].sort().join('\0') === key);
      if (idx) meta.constraint = idx.name;
    }
  } else if (code === 'FOREIGN_KEY_VIOLATION') {
    let columns = meta.columns;
    if (!columns?.length && meta.constraint) columns = m.table.foreignKeys.find((f) => sameName(f.name, meta.constraint!))?.columns;
    const referenced = meta.referencedColumns;
    if (!columns?.length && referenced?.length) {
      const fks = m.table.foreignKeys.filter((f) => f.refColumns.join('\0') === referenced.join('\0'));
      if (fks.length === 1) columns = fks[0].columns;
    }
    if (columns?.length) {
      meta.columns = [...columns];
      meta.fields = columns.map(fieldOf);
      meta.constraint ??= m.table.foreignKeys.find((f) => f.columns.join('\0') === columns!.join('\0'))?.name;
    }
  } else if (meta.column) {
    meta.field = fieldOf(meta.column);
  }
}

/** The model a failure is about: by the table the driver named, else the one whose index or key it named, else the call's. */
function modelOf(metas: Map<string, ModelMeta>, meta: DbErrorMetaKeys, callModel: string | undefined): ModelMeta | undefined {
  const all = [...metas.values()];
  if (meta.table) {
    const hit = all.find((m) => m.table.name === meta.table) ?? all.find((m) => sameName(m.table.name, meta.table!));
    if (hit) return hit;
  }
  if (meta.constraint) {
    const hit = all.find((m) => m.table.indexes.some((i) => sameName(i.name, meta.constraint!)) || m.table.foreignKeys.some((f) => sameName(f.name, meta.constraint!)));
    if (hit) return hit;
  }
  const call = callModel === undefined ? undefined : metas.get(callModel);
  if (!call || meta.table) return undefined;
  // The call's model, when the columns the driver named (if any) are its own.
  const named = [...(meta.columns ?? []), ...(meta.column ? [meta.column] : [])];
  return named.every((c) => call.table.columns.some((col) => col.name === c)) ? call : undefined;
}

/** Index and table names compare case-insensitively: MySQL and Postgres may fold what forge declared. */
const sameName = (a: string, b: string): boolean => a === b || a.toLowerCase() === b.toLowerCase();

