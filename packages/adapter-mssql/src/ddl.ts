import type { ColumnIR, DdlEmitter, DdlEnv, DdlOp, EmittedDdl, ForeignKeyIR, IndexIR, ReferentialAction, RenameOp, SnapshotColumn, TableIR } from '@forge/core';
import { assertCascadePaths } from './cascade.js';
import { columnType, defaultLiteral, isIdentity, isUnindexable, JSON_CHECKED_KINDS, objectName, quoteIdent as q, quoteString } from './column-type.js';

/** T-SQL has no RESTRICT: NO ACTION is the same check (at the end of the statement). */
const ACTIONS: Record<ReferentialAction, string> = {
  cascade: 'CASCADE',
  restrict: 'NO ACTION',
  setNull: 'SET NULL',
  noAction: 'NO ACTION',
};

const comment = (text: string): EmittedDdl => ({ sql: [], comment: text });

function tableNamed(env: DdlEnv | undefined, name: string): TableIR | undefined {
  return env?.tables?.find((t) => t.name === name);
}

/**
 * SQL written for every dialect (a view's SELECT, an index's `where`) in T-SQL: `TRUE` / `FALSE` become the bit
 * values 1 / 0 (T-SQL has no boolean literals). String literals, `[names]`, `"names"` and comments are left alone.
 */
export function toTsql(sql: string): string {
  return sql.replace(/(N?'(?:[^']|'')*'|\[(?:[^\]]|\]\])*\]|"(?:[^"]|"")*"|--[^\n]*|\/\*[\s\S]*?\*\/)|\b(TRUE|FALSE)\b/gi, (all, kept: string | undefined, word: string | undefined) =>
    kept !== undefined ? all : word!.toUpperCase() === 'TRUE' ? '1' : '0',
  );
}

/** The DEFAULT expression of a column forge creates (named, so that a later drop can find it), or undefined. */
function columnDefault(c: ColumnIR): string | undefined {
  const d = c.default;
  // UUID ids are made by the client; integer ids are IDENTITY.
  if (d?.kind === 'generated') return undefined;
  if (d?.kind === 'now') return 'SYSUTCDATETIME()';
  if (d?.kind === 'value') return defaultLiteral(d.value, c);
  // forge sets updatedAt itself; the server default fills existing rows when the column is added later.
  if (c.updatedAt) return 'SYSUTCDATETIME()';
  return undefined;
}

/** `[name] type [IDENTITY(1,1)] NULL|NOT NULL [CONSTRAINT df DEFAULT (...)] [CONSTRAINT ck CHECK (ISJSON(...) = 1)]` */
function columnDefinition(table: string, c: ColumnIR, env: DdlEnv | undefined, t: TableIR | undefined): string {
  const type = columnType(c, env, t);
  const parts = [q(c.name), type];
  if (isIdentity(c)) parts.push('IDENTITY(1,1)');
  parts.push(c.nullable && !isIdentity(c) && !c.primaryKey ? 'NULL' : 'NOT NULL');
  const def = isIdentity(c) ? undefined : columnDefault(c);
  if (def !== undefined) parts.push(`CONSTRAINT ${q(objectName(table, 'df', [c.name]))} DEFAULT (${def})`);
  // JSON lives in nvarchar(max): the check keeps it JSON, and tells introspection the column is a json one.
  if (!c.dbType && JSON_CHECKED_KINDS.has(c.kind)) parts.push(`CONSTRAINT ${q(objectName(table, 'ck', [c.name]))} CHECK (ISJSON(${q(c.name)}) = 1)`);
  return parts.join(' ');
}

/**
 * CREATE TABLE with columns and a named primary key. Unique fields, indexes and FKs arrive as their own
 * operations (the planner emits `createIndex` for a `.unique()` field).
 */
function createTable(t: TableIR, env?: DdlEnv): string {
  const lines = t.columns.map((c) => `  ${columnDefinition(t.name, c, env, t)}`);
  if (t.primaryKey.length) lines.push(`  CONSTRAINT ${q(objectName(t.name, 'pk'))} PRIMARY KEY (${t.primaryKey.map(q).join(', ')})`);
  return `CREATE TABLE ${q(t.name)} (\n${lines.join(',\n')}\n)`;
}

/**
 * An index: unique, filtered (`WHERE`), covering (`INCLUDE`), descending keys; SPATIAL on a geography column.
 * A unique index over NULL-able columns is filtered on `IS NOT NULL` for them, because SQL Server's unique index
 * admits only one NULL (Postgres and SQLite admit many); introspection recognises that filter as forge's.
 * Not emitted, with the reason: expression indexes (use a computed column), other methods, keys SQL Server
 * cannot index (nvarchar(max)).
 */
function createIndex(table: string, ix: IndexIR, env?: DdlEnv): EmittedDdl {
  const method = ix.method ?? 'btree';
  const t = tableNamed(env, table);
  const columnNamed = (name: string) => t?.columns.find((c) => c.name === name);
  const typeOf = (name: string): string | undefined => {
    const c = columnNamed(name);
    return c ? columnType(c, env, t) : undefined;
  };
  if (ix.expression) {
    return comment(
      `index ${ix.name} on ${table} not created: SQL Server has no expression indexes. Add a computed column for the expression ` +
        `(ALTER TABLE ${q(table)} ADD [${ix.name}_expr] AS (${ix.expression}) PERSISTED) and index that column instead`,
    );
  }
  if (method !== 'btree' && method !== 'spatial') {
    return comment(`index ${ix.name} on ${table} not created: SQL Server has no '${method}' indexes here (B-tree and SPATIAL are emitted; full-text catalogs are set up out of band)`);
  }
  if (method === 'spatial') {
    if (ix.unique) return comment(`index ${ix.name} on ${table} not created: a SPATIAL index cannot be UNIQUE`);
    if (ix.columns.length !== 1) return comment(`index ${ix.name} on ${table} not created: a SPATIAL index takes exactly one geography column`);
    if (ix.where || ix.include?.length) return comment(`index ${ix.name} on ${table} not created: a SPATIAL index takes no WHERE or INCLUDE`);
    return { sql: [`CREATE SPATIAL INDEX ${q(ix.name)} ON ${q(table)} (${q(ix.columns[0])})`] };
  }
  const wide = ix.columns.find((name) => isUnindexable(typeOf(name) ?? ''));
  if (wide) {
    return comment(
      `index ${ix.name} on ${table} not created: ${wide} is ${typeOf(wide)}, which SQL Server cannot use as an index key. ` +
        `Give it a bounded type (.dbType('nvarchar(450)')) or index a computed column over a prefix of it`,
    );
  }
  const notes: string[] = [];
  const keys = ix.columns.map((name, i) => {
    const dir = ix.directions[i];
    if (dir === -1) return `${q(name)} DESC`;
    if (dir !== 1 && dir !== undefined) notes.push(`key type '${dir}' on ${name} has no SQL Server equivalent; indexed ascending`);
    return q(name);
  });
  for (const prop of ['partialFilterExpression', 'collation', 'wildcardProjection', 'parser'] as const) {
    if (ix[prop] !== undefined) notes.push(`'${prop}' does not apply to SQL Server and was ignored`);
  }
  let sql = `CREATE ${ix.unique ? 'UNIQUE ' : ''}INDEX ${q(ix.name)} ON ${q(table)} (${keys.join(', ')})`;
  if (ix.include?.length) sql += ` INCLUDE (${ix.include.map(q).join(', ')})`;
  const where = ix.where ? toTsql(ix.where) : ix.unique ? notNullFilter(ix.columns.filter((name) => columnNamed(name)?.nullable)) : undefined;
  if (where) sql += ` WHERE ${where}`;
  return notes.length ? { sql: [sql], comment: `index ${ix.name}: ${notes.join('; ')}` } : { sql: [sql] };
}

/** `[a] IS NOT NULL AND [b] IS NOT NULL`: the filter that gives a unique index over NULL-able columns many NULLs. */
export function notNullFilter(columns: readonly string[]): string | undefined {
  return columns.length ? columns.map((c) => `${q(c)} IS NOT NULL`).join(' AND ') : undefined;
}

function addForeignKey(table: string, fk: ForeignKeyIR): string {
  let sql =
    `ALTER TABLE ${q(table)} ADD CONSTRAINT ${q(fk.name)} FOREIGN KEY (${fk.columns.map(q).join(', ')}) ` +
    `REFERENCES ${q(fk.refTable)} (${fk.refColumns.map(q).join(', ')})`;
  if (fk.onDelete) sql += ` ON DELETE ${ACTIONS[fk.onDelete]}`;
  if (fk.onUpdate) sql += ` ON UPDATE ${ACTIONS[fk.onUpdate]}`;
  return sql;
}

/**
 * One statement (no top-level `;`, so a migration file keeps it whole) that drops the default and CHECK
 * constraints bound to a column, whatever their names (forge's, or the server's `DF__t__c__1A2B3C` for one created
 * by hand): SQL Server refuses to drop a column a constraint still depends on. Its indexes and foreign keys are
 * dropped as their own operations first.
 */
export function dropColumnConstraints(table: string, column: string): string {
  const obj = quoteString(q(table));
  const body =
    `DECLARE @forge_sql nvarchar(max) = N''; ` +
    `SELECT @forge_sql += N'ALTER TABLE ' + QUOTENAME(OBJECT_SCHEMA_NAME(c.parent_object_id)) + N'.' + QUOTENAME(OBJECT_NAME(c.parent_object_id)) + N' DROP CONSTRAINT ' + QUOTENAME(c.name) + N'; ' ` +
    `FROM (SELECT name, parent_object_id, parent_column_id FROM sys.default_constraints UNION ALL SELECT name, parent_object_id, parent_column_id FROM sys.check_constraints) AS c ` +
    `WHERE c.parent_object_id = OBJECT_ID(${obj}) AND c.parent_column_id = COLUMNPROPERTY(OBJECT_ID(${obj}), ${quoteString(column)}, 'ColumnId'); ` +
    `EXEC sys.sp_executesql @forge_sql`;
  return `EXEC sys.sp_executesql ${quoteString(body)}`;
}

const dropColumn = (table: string, column: string): string[] => [dropColumnConstraints(table, column), `ALTER TABLE ${q(table)} DROP COLUMN ${q(column)}`];

/** Re-add a dropped column with the shape introspection saw (the data itself is gone). */
function restoreColumn(table: string, column: string, was: SnapshotColumn | undefined): EmittedDdl {
  if (!was) return comment(`cannot restore ${table}.${column}: its type was not recorded`);
  const parts = [`ALTER TABLE ${q(table)} ADD ${q(column)} ${was.type}`];
  const def = was.default?.trim();
  // NOT NULL comes back only with its default: the table's rows need a value (the dropped ones are gone).
  const relaxed = !was.nullable && !def;
  parts.push(was.nullable || relaxed ? 'NULL' : 'NOT NULL');
  // The catalog's definition is an expression already (`((0))`, `(N'a')`, `(sysutcdatetime())`).
  if (def) parts.push(`CONSTRAINT ${q(objectName(table, 'df', [column]))} DEFAULT ${def.startsWith('(') ? def : `(${def})`}`);
  if (!relaxed) return { sql: [parts.join(' ')] };
  return { sql: [parts.join(' ')], comment: `${table}.${column}: restored NULL-able (it was NOT NULL with no default; its values were dropped with it)` };
}

function emit(op: DdlOp, env?: DdlEnv): EmittedDdl {
  // Keys SQL Server would refuse (error 1785) fail the plan, before the first statement runs.
  assertCascadePaths(env?.tables);
  switch (op.op) {
    case 'createTable':
      return { sql: [createTable(op.table, env)] };
    case 'addColumn': {
      const table = tableNamed(env, op.table);
      let sql = `ALTER TABLE ${q(op.table)} ADD ${columnDefinition(op.table, op.column, env, table)}`;
      if (op.column.primaryKey) sql += ` CONSTRAINT ${q(objectName(op.table, 'pk'))} PRIMARY KEY`;
      return { sql: [sql] };
    }
    case 'dropColumn':
      return { sql: dropColumn(op.table, op.column) };
    case 'createIndex':
      return createIndex(op.table, op.index, env);
    case 'dropIndex':
      // Index names are per table: DROP INDEX needs the table.
      return { sql: [`DROP INDEX ${q(op.index)} ON ${q(op.table)}`] };
    case 'addForeignKey':
      return { sql: [addForeignKey(op.table, op.fk)] };
    case 'dropForeignKey':
      return { sql: [`ALTER TABLE ${q(op.table)} DROP CONSTRAINT ${q(op.fk)}`] };
    case 'dropTable':
      return { sql: [`DROP TABLE IF EXISTS ${q(op.table)}`] };
    case 'createView': {
      const view = op.table.view;
      if (!view) return comment(`${op.table.name} is not declared as a view`);
      const sql = [`CREATE OR ALTER VIEW ${q(op.table.name)} AS ${toTsql(view.sql.trim().replace(/;+$/, ''))}`];
      return view.materialized ? { sql, comment: `${op.table.name}: forge creates no indexed views on SQL Server; created as a plain view` } : { sql };
    }
    case 'createSearch':
      return comment(`full-text search on ${op.table.name} is not created by forge on SQL Server: set up a FULLTEXT CATALOG and FULLTEXT INDEX out of band (seed 004)`);
    case 'dropSearch':
      return comment(`no full-text object of forge's on ${op.table} to drop`);
    case 'createExtension':
      return comment(`SQL Server has no extensions: nothing to install for ${op.name} (GEOGRAPHY is built in)`);
  }
}

function reverse(op: DdlOp, env?: DdlEnv): EmittedDdl {
  switch (op.op) {
    case 'createTable':
      return { sql: [`DROP TABLE IF EXISTS ${q(op.table.name)}`] };
    case 'addColumn':
      return { sql: dropColumn(op.table, op.column.name) };
    case 'dropColumn':
      return restoreColumn(op.table, op.column, op.was);
    case 'createIndex':
      return createIndex(op.table, op.index, env).sql.length
        ? { sql: [`DROP INDEX ${q(op.index.name)} ON ${q(op.table)}`] }
        : comment(`nothing to undo: index ${op.index.name} was not created`);
    case 'dropIndex':
      return op.was ? createIndex(op.table, op.was, env) : comment(`cannot auto-restore dropped index ${op.index}`);
    case 'addForeignKey':
      return { sql: [`ALTER TABLE ${q(op.table)} DROP CONSTRAINT ${q(op.fk.name)}`] };
    case 'dropForeignKey':
      return op.was ? { sql: [addForeignKey(op.table, op.was)] } : comment(`foreign key ${op.fk} of ${op.table} not restored (the table is dropped too)`);
    case 'dropTable':
      return comment('cannot auto-restore dropped table');
    case 'createView':
      return { sql: [`DROP VIEW IF EXISTS ${q(op.table.name)}`] };
    case 'createSearch':
      return comment(`nothing to undo: ${op.table.name} got no full-text object`);
    case 'dropSearch':
      return comment(`nothing to restore: forge creates no full-text object on SQL Server`);
    case 'createExtension':
      return comment('nothing to undo: no extension DDL was run');
  }
}

/**
 * `sp_rename`, which keeps the rows. The object is named bracketed (`[t].[c]` for a column); the new name is taken
 * literally (brackets there would become part of it). Constraints keep their names: forge finds them by column.
 */
function rename(op: RenameOp): EmittedDdl {
  return op.op === 'renameTable'
    ? { sql: [`EXEC sys.sp_rename ${quoteString(q(op.from))}, ${quoteString(op.to)}`] }
    : { sql: [`EXEC sys.sp_rename ${quoteString(`${q(op.table)}.${q(op.from)}`)}, ${quoteString(op.to)}, N'COLUMN'`] };
}

/**
 * The column's type as introspection reports it, which is what core's schema snapshots (`forge generate`) and the
 * plan simulator compare with a live database: the created type, except that a JSON kind forge keeps in
 * nvarchar(max) behind its ISJSON check reads back as `json` (introspect.ts). Without that, every json field of a
 * generated snapshot would differ from the pushed table. The emitter writes its DDL from `columnType` directly.
 */
function snapshotColumnType(column: ColumnIR, env?: DdlEnv): string {
  const type = columnType(column, env);
  return !column.dbType && JSON_CHECKED_KINDS.has(column.kind) && /^nvarchar\(max\)$/i.test(type) ? 'json' : type;
}

export const mssqlDdl: DdlEmitter = {
  emit,
  reverse,
  rename,
  columnType: snapshotColumnType,
};
