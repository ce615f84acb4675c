import type { AlterColumnOp, ColumnIR, DdlEmitter, DdlEnv, DdlOp, EmittedDdl, ForeignKeyIR, IndexIR, ReferentialAction, RenameOp, SnapshotColumn, TableIR } from '@forge/core';
import { assertCascadePaths } from './cascade.js';
import { IDENTITY_DEFAULT } from './introspect.js';
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

/** A column's type, nullability, default and JSON check as T-SQL, from the schema or as the catalog read it. */
interface ColumnShape {
  type: string;
  nullable: boolean;
  /** The default's expression (a schema literal, or the catalog's parenthesised definition); undefined: none. */
  default: string | undefined;
  /** Kept JSON by forge's ISJSON check. */
  json: boolean;
}

function schemaShape(c: ColumnIR, env: DdlEnv | undefined, t: TableIR | undefined): ColumnShape {
  const identity = isIdentity(c);
  return {
    type: columnType(c, env, t),
    nullable: c.nullable && !identity && !c.primaryKey,
    default: identity ? undefined : columnDefault(c),
    json: !c.dbType && JSON_CHECKED_KINDS.has(c.kind),
  };
}

/** Whether `s` is one parenthesised group, `(...)` with the first `(` closed by the last `)` (quotes skipped). */
function enclosed(s: string): boolean {
  if (!s.startsWith('(')) return false;
  let depth = 0;
  for (let i = 0; i < s.length; i++) {
    const ch = s[i];
    if (ch === "'") {
      i = s.indexOf("'", i + 1);
      while (i !== -1 && s[i + 1] === "'") i = s.indexOf("'", i + 2);
      if (i === -1) return false;
    } else if (ch === '(') depth++;
    else if (ch === ')' && --depth === 0) return i === s.length - 1;
  }
  return false;
}

/**
 * The catalog keeps a default as SQL Server rewrote it, inside one more pair of parentheses than was written
 * (`DEFAULT (0)` reads back `((0))`, `DEFAULT (N'a')` reads back `(N'a')`): the outer pair is taken off, so the
 * constraint added again is written as forge first wrote it and reads back the same.
 */
const unwrap = (d: string): string => (enclosed(d) ? d.slice(1, -1).trim() : d);

function liveShape(was: SnapshotColumn): ColumnShape {
  const json = was.type === 'json';
  const def = was.default?.trim();
  return { type: json ? 'nvarchar(max)' : was.type, nullable: was.nullable, default: def && def !== IDENTITY_DEFAULT ? unwrap(def) : undefined, json };
}

/** `DEFAULT (...)`: the expression in parentheses, unless it is one parenthesised group already. */
const defaultExpr = (d: string): string => (enclosed(d) ? d : `(${d})`);

/** `nvarchar(120)` as `['nvarchar', 120]`; `(max)` and types without a length have none. */
function lengthOf(type: string): [string, number | undefined] {
  const m = /^\s*(\w+)\s*(?:\(\s*(\d+|max)\s*\))?\s*$/i.exec(type);
  if (!m) return [type.trim().toLowerCase(), undefined];
  return [m[1].toLowerCase(), m[2] && /^\d+$/.test(m[2]) ? Number(m[2]) : undefined];
}

/**
 * Whether SQL Server alters the column in place while an index uses it: only a varchar, nvarchar or varbinary
 * made no shorter, of the same type and nullability (ALTER TABLE, "ALTER COLUMN": an indexed column can be
 * modified only then). Everything else needs the index out of the way first.
 */
function keepsIndexes(from: ColumnShape, to: ColumnShape): boolean {
  if (from.nullable !== to.nullable) return false;
  const [a, m] = lengthOf(from.type);
  const [b, n] = lengthOf(to.type);
  return a === b && ['varchar', 'nvarchar', 'varbinary'].includes(a) && m !== undefined && n !== undefined && n >= m;
}

/** One statement as `EXEC sys.sp_executesql N'...'`, so that the `;` inside it does not end it in a migration file. */
const dynamic = (body: string): string => `EXEC sys.sp_executesql ${quoteString(body)}`;

/** `OBJECT_ID(N'[t]')` and the column's id, for the dynamic statements below. */
function columnRef(table: string, column: string): { obj: string; col: string } {
  const obj = `OBJECT_ID(${quoteString(q(table))})`;
  return { obj, col: `COLUMNPROPERTY(${obj}, ${quoteString(column)}, 'ColumnId')` };
}

/**
 * Drop the default constraint bound to a column, whatever its name (forge's `forge_<t>_df_<c>`, a name kept from
 * before a table rename, or the server's `DF__t__c__1A2B3C` for one made by hand); nothing when it has none.
 */
export function dropDefaultConstraint(table: string, column: string): string {
  const { obj, col } = columnRef(table, column);
  return dynamic(
    `DECLARE @forge_sql nvarchar(max) = N''; ` +
      `SELECT @forge_sql += N'ALTER TABLE ' + QUOTENAME(OBJECT_SCHEMA_NAME(d.parent_object_id)) + N'.' + QUOTENAME(OBJECT_NAME(d.parent_object_id)) + N' DROP CONSTRAINT ' + QUOTENAME(d.name) + N'; ' ` +
      `FROM sys.default_constraints AS d WHERE d.parent_object_id = ${obj} AND d.parent_column_id = ${col}; ` +
      `EXEC sys.sp_executesql @forge_sql`,
  );
}

/** Drop forge's ISJSON check of a column (the one introspection reads as a json column), whatever its name. */
export function dropJsonCheck(table: string, column: string): string {
  const { obj, col } = columnRef(table, column);
  return dynamic(
    `DECLARE @forge_sql nvarchar(max) = N''; ` +
      `SELECT @forge_sql += N'ALTER TABLE ' + QUOTENAME(OBJECT_SCHEMA_NAME(k.parent_object_id)) + N'.' + QUOTENAME(OBJECT_NAME(k.parent_object_id)) + N' DROP CONSTRAINT ' + QUOTENAME(k.name) + N'; ' ` +
      `FROM sys.check_constraints AS k WHERE k.parent_object_id = ${obj} AND k.parent_column_id = ${col} ` +
      `AND REPLACE(LOWER(k.definition), N' ', N'') LIKE N'(isjson(%)=%1%)'; ` +
      `EXEC sys.sp_executesql @forge_sql`,
  );
}

/** The session's temporary table that holds the CREATE INDEX statements of the indexes set aside around an ALTER COLUMN. */
export const SET_ASIDE = '#forge_alter_indexes';

/**
 * Script the indexes that use a column (as a key, an INCLUDE column, or in the filter), then drop them: SQL Server
 * refuses ALTER COLUMN on such a column (error 5074) in most cases. Read from the catalog when the statement runs,
 * so it finds exactly the indexes the table has then (one the plan drops later, one it creates later is not there
 * yet). Nonclustered rowstore indexes only: forge creates no others; a primary key, a unique constraint or a
 * spatial index on the column is left, and SQL Server refuses the change with its own error (nothing is changed).
 */
export function setIndexesAside(table: string, column: string, nullability?: 'required' | 'optional'): string[] {
  const { obj, col } = columnRef(table, column);
  // forge's filter of a unique index over a NULL-able column (`WHERE [c] IS NOT NULL`, see createIndex) follows the
  // nullability: left off when the column becomes NOT NULL (push would create the index without it, and
  // introspection reads it as forge's only over NULL-able columns), put on a unique index keyed on the column alone
  // when it becomes NULL-able (without it SQL Server's unique index admits one NULL only).
  const notNull = quoteString(`${q(column)} IS NOT NULL`);
  const soleKey =
    `i.is_unique = 1 AND (SELECT COUNT(*) FROM sys.index_columns AS k WHERE k.object_id = i.object_id AND k.index_id = i.index_id AND k.key_ordinal > 0) = 1 ` +
    `AND EXISTS (SELECT 1 FROM sys.index_columns AS k WHERE k.object_id = i.object_id AND k.index_id = i.index_id AND k.key_ordinal > 0 AND k.column_id = ${col})`;
  const filter =
    nullability === 'required'
      ? `CASE WHEN i.has_filter = 1 AND NOT (i.is_unique = 1 AND REPLACE(i.filter_definition, N' ', N'') = REPLACE(N'(' + ${notNull} + N')', N' ', N'')) THEN N' WHERE ' + i.filter_definition ELSE N'' END `
      : nullability === 'optional'
        ? `CASE WHEN i.has_filter = 1 THEN N' WHERE ' + i.filter_definition WHEN ${soleKey} THEN N' WHERE ' + ${notNull} ELSE N'' END `
        : `CASE WHEN i.has_filter = 1 THEN N' WHERE ' + i.filter_definition ELSE N'' END `;
  const name = (i: string) => `QUOTENAME(OBJECT_SCHEMA_NAME(${i}.object_id)) + N'.' + QUOTENAME(OBJECT_NAME(${i}.object_id))`;
  const cols = (filter: string, withDirection: boolean) =>
    `(SELECT STRING_AGG(CAST(QUOTENAME(c.name) AS nvarchar(max))${withDirection ? ` + CASE WHEN ic.is_descending_key = 1 THEN N' DESC' ELSE N'' END` : ''}, N', ') ` +
    `WITHIN GROUP (ORDER BY ${withDirection ? 'ic.key_ordinal' : 'ic.index_column_id'}) ` +
    `FROM sys.index_columns AS ic JOIN sys.columns AS c ON c.object_id = ic.object_id AND c.column_id = ic.column_id ` +
    `WHERE ic.object_id = i.object_id AND ic.index_id = i.index_id AND ${filter})`;
  const script =
    `INSERT INTO ${SET_ASIDE} (name, create_sql) ` +
    `SELECT i.name, N'CREATE ' + CASE WHEN i.is_unique = 1 THEN N'UNIQUE ' ELSE N'' END + N'INDEX ' + QUOTENAME(i.name) + N' ON ' + ${name('i')} + ` +
    `N' (' + ${cols('ic.key_ordinal > 0', true)} + N')' + ` +
    `ISNULL(N' INCLUDE (' + ${cols('ic.is_included_column = 1', false)} + N')', N'') + ` +
    filter +
    `FROM sys.indexes AS i WHERE i.object_id = ${obj} AND i.type = 2 AND i.is_primary_key = 0 AND i.is_unique_constraint = 0 ` +
    `AND (EXISTS (SELECT 1 FROM sys.index_columns AS u WHERE u.object_id = i.object_id AND u.index_id = i.index_id AND u.column_id = ${col}) ` +
    `OR (i.has_filter = 1 AND CHARINDEX(QUOTENAME(${quoteString(column)}), i.filter_definition) > 0)); ` +
    `DECLARE @forge_sql nvarchar(max) = N''; ` +
    `SELECT @forge_sql += N'DROP INDEX ' + QUOTENAME(name) + N' ON ' + QUOTENAME(OBJECT_SCHEMA_NAME(${obj})) + N'.' + QUOTENAME(OBJECT_NAME(${obj})) + N'; ' FROM ${SET_ASIDE}; ` +
    `EXEC sys.sp_executesql @forge_sql`;
  // Created at the top level of the batch, so it outlives the dynamic statements (a #table made inside sp_executesql ends with it).
  return [`CREATE TABLE ${SET_ASIDE} (name sysname NOT NULL, create_sql nvarchar(max) NOT NULL)`, dynamic(script)];
}

/** Recreate the indexes `setIndexesAside` dropped, over the altered column. */
export function restoreIndexes(): string[] {
  return [
    dynamic(`DECLARE @forge_sql nvarchar(max) = N''; SELECT @forge_sql += create_sql + N'; ' FROM ${SET_ASIDE}; EXEC sys.sp_executesql @forge_sql`),
    `DROP TABLE ${SET_ASIDE}`,
  ];
}

/**
 * A column's type, nullability or default changed in place (issue 14). SQL Server restates the column:
 * `ALTER TABLE [t] ALTER COLUMN [c] <type> NULL|NOT NULL`, the nullability always written (ALTER COLUMN without it
 * makes the column NULL-able, ANSI_NULL_DFLT being on for it). Around it, what ALTER COLUMN refuses to leave in
 * place: the column's default constraint (dropped by column, whatever its name, and added again under forge's
 * name), forge's ISJSON check, and the indexes that use the column (scripted from the catalog, dropped, and
 * recreated after) unless the change is one SQL Server makes with them in place. A column made required with a
 * default has its NULL rows set to the default first; with a type change too, the column is retyped NULL-able,
 * backfilled, then made NOT NULL (the old type may not hold the new default). A default change alone is the
 * constraint dropped and added. The down block is the same change from the schema's shape back to the one the
 * database (or the previous schema) had.
 */
function alterColumn(op: AlterColumnOp, reverse = false, env?: DdlEnv): EmittedDdl {
  const t = tableNamed(env, op.table);
  const schema = schemaShape(op.column, env, t);
  const before = op.wasColumn ? schemaShape(op.wasColumn, env, t) : liveShape(op.was);
  const [from, to] = reverse ? [schema, before] : [before, schema];
  const name = op.column.name;
  const table = q(op.table);
  const c = q(name);
  const retype = op.changes.includes('type') && (lengthOf(from.type).join() !== lengthOf(to.type).join() || from.json !== to.json);
  const renull = op.changes.includes('nullable') && from.nullable !== to.nullable;
  const redefault = op.changes.includes('default');
  const alter = retype || renull;
  if (!alter && !redefault) return { sql: [], comment: `${op.table}.${name}: nothing to change` };
  const restate = (nullable: boolean) => `ALTER TABLE ${table} ALTER COLUMN ${c} ${to.type} ${nullable ? 'NULL' : 'NOT NULL'}`;
  const backfill = renull && !to.nullable && to.default !== undefined ? `UPDATE ${table} SET ${c} = ${to.default} WHERE ${c} IS NULL` : undefined;
  const sql: string[] = [];
  // A default constraint stays only through a default-free change; ALTER COLUMN refuses a column bound to one.
  if (from.default !== undefined) sql.push(dropDefaultConstraint(op.table, name));
  if (alter && from.json) sql.push(dropJsonCheck(op.table, name));
  const indexes = alter && !keepsIndexes(from, to);
  if (indexes) sql.push(...setIndexesAside(op.table, name, renull ? (to.nullable ? 'optional' : 'required') : undefined));
  if (alter) {
    if (backfill && retype) sql.push(restate(true), backfill, restate(false));
    else if (backfill) sql.push(backfill, restate(false));
    else sql.push(restate(to.nullable));
  }
  if (indexes) sql.push(...restoreIndexes());
  if (alter && to.json) sql.push(`ALTER TABLE ${table} ADD CONSTRAINT ${q(objectName(op.table, 'ck', [name]))} CHECK (ISJSON(${c}) = 1)`);
  // Added again where it was dropped, or set where the default changes (never one the column did not have and keeps not having).
  if (to.default !== undefined && (redefault || from.default !== undefined)) {
    sql.push(`ALTER TABLE ${table} ADD CONSTRAINT ${q(objectName(op.table, 'df', [name]))} DEFAULT ${defaultExpr(to.default)} FOR ${c}`);
  }
  if (sql.length === 0) return { sql, comment: `${op.table}.${name}: nothing to change` };
  return { sql };
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
  alterColumn,
};
