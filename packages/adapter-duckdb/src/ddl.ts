import { createHash } from 'node:crypto';
import type { AlterColumnOp, ColumnIR, DdlEmitter, DdlEnv, DdlOp, EmittedDdl, ForeignKeyIR, IndexIR, ReferentialAction, RenameOp, SnapshotColumn, TableIR } from '@forge/core';
import { SchemaError } from '@forge/core';
import { columnType, defaultLiteral, quoteIdent as q, quoteString } from './column-type.js';
import { EXTENSIONS, hasExtension } from './extensions.js';

const comment = (text: string): EmittedDdl => ({ sql: [], comment: text });

/**
 * The sequence behind an integer id (DuckDB has no SERIAL or AUTO_INCREMENT): `DEFAULT nextval('<table>_<column>_seq')`.
 * nextval() parses its argument as a qualified name, where a `.` separates a schema and a `"` cannot be escaped:
 * a table or column name with either gets a sequence name with them replaced and a hash of the original pair.
 */
export function sequenceName(table: string, column: string): string {
  const plain = `${table}_${column}_seq`;
  if (!/[".]/.test(plain)) return plain;
  const hash = createHash('sha256').update(`${table}\0${column}`).digest('hex').slice(0, 8);
  return `${plain.slice(0, -4).replace(/[".]/g, '_')}_${hash}_seq`;
}

const generatedKey = (c: ColumnIR): boolean => c.default?.kind === 'generated' && (c.default.strategy === 'int' || c.default.strategy === 'bigserial');

function tableNamed(env: DdlEnv | undefined, name: string): TableIR | undefined {
  return env?.tables?.find((t) => t.name === name);
}

/** The field behind a foreign key, for messages. */
function fieldOf(table: TableIR | undefined, fk: ForeignKeyIR): string {
  const c = table?.columns.find((x) => x.name === fk.columns[0]);
  return `${table?.name ?? '?'}.${c?.field ?? fk.columns.join(', ')}`;
}

/**
 * DuckDB enforces foreign keys but has no referential actions: `ON DELETE CASCADE / SET NULL / SET DEFAULT`
 * (and ON UPDATE) are refused by its parser, and it checks keys per statement, so a child row and its parent
 * cannot even be deleted in one transaction. Declaring such an action is a SchemaError before any DDL runs,
 * never a key that silently stops cascading. RESTRICT and NO ACTION are what DuckDB does anyway.
 */
function checkActions(field: string, onDelete?: ReferentialAction, onUpdate?: ReferentialAction): void {
  for (const [when, action] of [['onDelete', onDelete], ['onUpdate', onUpdate]] as const) {
    if (action && action !== 'restrict' && action !== 'noAction') {
      throw new SchemaError(
        `Field '${field}' declares ${when}: '${action}', and DuckDB has no referential actions (no CASCADE, SET NULL or SET DEFAULT on a foreign key). ` +
          `Remove the ${when} option (DuckDB then refuses to delete a row that is still referenced) and delete the dependent rows yourself first, in an earlier transaction.`,
      );
    }
  }
}

function defaultClause(c: ColumnIR, type: string, table: string): string {
  const d = c.default;
  if (generatedKey(c)) return ` DEFAULT nextval(${quoteString(sequenceName(table, c.name))})`;
  // UUID and string ids are made by the client.
  if (d?.kind === 'generated') return '';
  if (d?.kind === 'now' || (!d && c.updatedAt)) return ' DEFAULT current_timestamp';
  if (d?.kind === 'value') return ` DEFAULT ${defaultLiteral(d.value, c, type)}`;
  return '';
}

function columnDef(c: ColumnIR, env: DdlEnv | undefined, table: TableIR, withNotNull: boolean): string {
  const type = columnType(c, env, table);
  let sql = `${q(c.name)} ${type}`;
  if (withNotNull && !c.nullable && !c.primaryKey) sql += ' NOT NULL';
  return sql + defaultClause(c, type, table.name);
}

function foreignKeyClause(table: TableIR, fk: ForeignKeyIR): string {
  checkActions(fieldOf(table, fk), fk.onDelete, fk.onUpdate);
  return `FOREIGN KEY (${fk.columns.map(q).join(', ')}) REFERENCES ${q(fk.refTable)} (${fk.refColumns.map(q).join(', ')})`;
}

/**
 * CREATE TABLE with columns, primary key and foreign keys: DuckDB has no ALTER TABLE ... ADD FOREIGN KEY, so a
 * table's keys exist only if they are declared here (the referenced table must exist first). An integer id's
 * sequence is created just before.
 */
function createTable(t: TableIR, env?: DdlEnv): EmittedDdl {
  const parts = t.columns.map((c) => columnDef(c, env, t, true));
  if (t.primaryKey.length) parts.push(`PRIMARY KEY (${t.primaryKey.map(q).join(', ')})`);
  for (const fk of t.foreignKeys) parts.push(foreignKeyClause(t, fk));
  const sequences = t.columns.filter(generatedKey).map((c) => `CREATE SEQUENCE IF NOT EXISTS ${q(sequenceName(t.name, c.name))}`);
  // No IF NOT EXISTS: the planner creates only tables it did not find, and DuckDB's IF NOT EXISTS would silently
  // skip a table whose name a view already has.
  return { sql: [...sequences, `CREATE TABLE ${q(t.name)} (\n  ${parts.join(',\n  ')}\n)`] };
}

/**
 * DuckDB refuses `ALTER COLUMN ... SET NOT NULL` (and DROP COLUMN) on a table that has an index other than its
 * primary key, or that a foreign key references ("Cannot alter entry ... because there are entries that depend on
 * it"), and ADD COLUMN takes no NOT NULL. So a required column cannot be added to such a table: a SchemaError
 * before any DDL (judged on the schema being applied, so an index new in the same push counts too;
 * capabilities.alterIndexedTable is false).
 */
function checkNotNullAddable(tableName: string, c: ColumnIR, env?: DdlEnv): void {
  const table = tableNamed(env, tableName);
  if (!table) return;
  const indexed = table.indexes.length > 0 || table.columns.some((x) => x.unique);
  const referencedBy = env?.tables?.find((t) => t.foreignKeys.some((fk) => fk.refTable === tableName) || t.columns.some((x) => x.references?.table === tableName));
  if (!indexed && !referencedBy) return;
  const why = indexed ? `${tableName} has an index` : `${referencedBy!.name} has a foreign key to ${tableName}`;
  throw new SchemaError(
    `Field '${tableName}.${c.field}' is a new required column, and DuckDB cannot make a column of an existing table NOT NULL while ${why} (ALTER ... SET NOT NULL is refused while indexes or foreign keys depend on the table). ` +
      `Declare it .optional() (with its default, rows get the value), or recreate the table (export its rows, drop it, push, import).`,
  );
}

/**
 * ADD COLUMN takes no constraint in DuckDB: the column is added with its default, then made NOT NULL (which
 * checks the rows already there). A foreign key cannot be added to an existing table at all.
 */
function addColumn(tableName: string, c: ColumnIR, env?: DdlEnv): EmittedDdl {
  const table = tableNamed(env, tableName) ?? { name: tableName, columns: [c], primaryKey: [], indexes: [], foreignKeys: [] } as unknown as TableIR;
  if (c.references) checkActions(`${tableName}.${c.field}`, c.references.onDelete, c.references.onUpdate);
  const sql: string[] = [];
  if (generatedKey(c)) sql.push(`CREATE SEQUENCE IF NOT EXISTS ${q(sequenceName(tableName, c.name))}`);
  if (!c.nullable) checkNotNullAddable(tableName, c, env);
  sql.push(`ALTER TABLE ${q(tableName)} ADD COLUMN ${columnDef(c, env, table, false)}`);
  if (!c.nullable) sql.push(`ALTER TABLE ${q(tableName)} ALTER COLUMN ${q(c.name)} SET NOT NULL`);
  if (c.references) {
    return {
      sql,
      comment: `DuckDB cannot add a foreign key to an existing table (no ALTER TABLE ... ADD FOREIGN KEY): ${tableName}.${c.name} is added without its key to ${c.references.table}; recreate the table to have it`,
    };
  }
  return { sql };
}

const VECTOR_METRICS: Record<string, string> = { cosine: 'cosine', l2: 'l2sq', ip: 'ip' };

function createIndex(table: string, ix: IndexIR, env?: DdlEnv): EmittedDdl {
  if (ix.where) {
    return comment(`index ${ix.name} on ${table} not created: DuckDB has no partial indexes (WHERE ${ix.where}); index the columns without the predicate, or filter in queries`);
  }
  if (ix.include?.length) return comment(`index ${ix.name} on ${table} not created: DuckDB has no covering indexes (INCLUDE); add ${ix.include.join(', ')} to the key columns instead`);
  const method = ix.method ?? 'btree';
  const notes: string[] = [];
  if (method === 'vector') {
    if (!hasExtension(env, EXTENSIONS.vss)) {
      return comment(
        `index ${ix.name} on ${table} not created: an HNSW vector index needs DuckDB's vss extension, which is not installed here (INSTALL vss needs a download). ` +
          `Vector columns work without it (array_cosine_distance scans); run INSTALL vss; then forge push --enable-extensions to add the index`,
      );
    }
    if (ix.unique) return comment(`index ${ix.name} on ${table} not created: an HNSW index cannot be UNIQUE`);
    const column = tableNamed(env, table)?.columns.find((c) => c.name === ix.columns[0]);
    const metric = VECTOR_METRICS[column?.metric ?? 'cosine'] ?? 'cosine';
    return { sql: [`CREATE INDEX ${q(ix.name)} ON ${q(table)} USING HNSW (${ix.columns.map(q).join(', ')}) WITH (metric = ${quoteString(metric)})`] };
  }
  if (method !== 'btree') {
    return comment(`index ${ix.name} on ${table} not created: DuckDB has no '${method}' indexes (it builds ART indexes, and HNSW ones with vss); declare it without a method`);
  }
  // ART keys are scalars: "Invalid type for index key" on a LIST, ARRAY, STRUCT or MAP column. Reported, not created.
  const t = tableNamed(env, table);
  const nested = t ? ix.columns.filter((name) => {
    const c = t.columns.find((x) => x.name === name);
    return c !== undefined && /\]$|^(STRUCT|MAP|UNION)\b/i.test(columnType(c, env, t).trim());
  }) : [];
  if (nested.length) {
    return comment(`index ${ix.name} on ${table} not created: DuckDB indexes scalar columns only, and ${nested.join(', ')} is a list or struct; filter on it without an index`);
  }
  const keys = ix.columns.map((name, i) => {
    const dir = ix.directions[i];
    if (dir === -1) notes.push(`${name} is indexed without DESC (an ART index has no order; DuckDB sorts at query time)`);
    else if (dir !== 1 && dir !== undefined) notes.push(`key type '${dir}' on ${name} has no DuckDB equivalent; indexed as a plain key`);
    return q(name);
  });
  if (ix.expression) keys.push(`(${ix.expression})`);
  for (const prop of ['partialFilterExpression', 'collation', 'wildcardProjection', 'parser'] as const) {
    if (ix[prop] !== undefined) notes.push(`'${prop}' does not apply to DuckDB and was ignored`);
  }
  const sql = `CREATE ${ix.unique ? 'UNIQUE ' : ''}INDEX IF NOT EXISTS ${q(ix.name)} ON ${q(table)} (${keys.join(', ')})`;
  return notes.length ? { sql: [sql], comment: `index ${ix.name}: ${notes.join('; ')}` } : { sql: [sql] };
}

function createView(t: TableIR): EmittedDdl {
  const view = t.view;
  if (!view) return comment(`${t.name} is not declared as a view`);
  // The planner makes a materialised view plain already (capabilities.materializedViews is false).
  return { sql: [`CREATE OR REPLACE VIEW ${q(t.name)} AS ${view.sql.trim().replace(/;+$/, '')}`] };
}

/**
 * Full-text search is DuckDB's fts extension (`PRAGMA create_fts_index`), a download that cannot be made here
 * or on any machine without internet. forge does not create the index: a searchable field stays a plain
 * column, push says so, and a `search` filter is refused (capabilities.fullTextSearch is false) rather than
 * quietly turned into a LIKE. The fts index is also a snapshot of the table when built (later writes are not
 * in it), which a search filter would have to rebuild around every write.
 */
function createSearch(table: string, columns: readonly string[]): EmittedDdl {
  if (columns.length === 0) return comment(`${table} has no searchable columns; no full-text index created`);
  return comment(
    `full-text search on ${table} (${columns.join(', ')}) not created: forge does not use DuckDB's fts extension (a download, and an index that does not follow later writes); ` +
      `the columns are plain VARCHAR, and a search filter on them is refused: filter with contains instead`,
  );
}

/** Re-add a dropped column with the shape introspection saw (the data itself is gone). */
function restoreColumn(table: string, column: string, was: SnapshotColumn | undefined): EmittedDdl {
  if (!was) return comment(`cannot restore ${table}.${column}: its type was not recorded`);
  const dflt = was.default?.trim();
  const sql = [`ALTER TABLE ${q(table)} ADD COLUMN ${q(column)} ${was.type}${dflt ? ` DEFAULT ${dflt}` : ''}`];
  if (!was.nullable) sql.push(`ALTER TABLE ${q(table)} ALTER COLUMN ${q(column)} SET NOT NULL`);
  return { sql };
}

/** A column's type, nullability and default as SQL: from the schema, or as the catalog read it. */
function shapeOf(c: ColumnIR, env: DdlEnv | undefined, table: string): { type: string; nullable: boolean; default: string | null } {
  const t = tableNamed(env, table) ?? ({ name: table, columns: [c], primaryKey: [], indexes: [], foreignKeys: [] } as unknown as TableIR);
  const type = columnType(c, env, t);
  const clause = defaultClause(c, type, table);
  return { type, nullable: c.nullable, default: clause ? clause.replace(/^ DEFAULT /, '') : null };
}

/**
 * A column's type, nullability or default changed in place (issue 14): ALTER COLUMN ... TYPE ... USING CAST, SET /
 * DROP NOT NULL (NULL rows given the default first, by a USING COALESCE rewrite, where the column becomes required),
 * SET / DROP DEFAULT. DuckDB
 * refuses these on a table with an index or one a foreign key references (capabilities.alterIndexedTable is false),
 * and core defers the change there instead of planning it.
 */
function alterColumn(op: AlterColumnOp, reverse = false, env?: DdlEnv): EmittedDdl {
  const schema = shapeOf(op.column, env, op.table);
  const before = op.wasColumn ? shapeOf(op.wasColumn, env, op.table) : { type: op.was.type, nullable: op.was.nullable, default: op.was.default ?? null };
  const [from, to] = reverse ? [schema, before] : [before, schema];
  const c = q(op.column.name);
  const alter = (action: string) => `ALTER TABLE ${q(op.table)} ALTER COLUMN ${c} ${action}`;
  const sql: string[] = [];
  const retype = op.changes.includes('type') && from.type.toLowerCase() !== to.type.toLowerCase();
  const redefault = op.changes.includes('default') || (retype && from.default !== null);
  const required = op.changes.includes('nullable') && from.nullable !== to.nullable && !to.nullable;
  // DuckDB refuses SET NOT NULL after an UPDATE in the same transaction ("Cannot create index with outstanding
  // updates"), so the NULL rows get the default through the column rewrite instead: TYPE ... USING COALESCE(...).
  const backfill = required && to.default !== null;
  if (redefault && from.default !== null) sql.push(alter('DROP DEFAULT'));
  const value = retype ? `CAST(${c} AS ${to.type})` : c;
  if (backfill) sql.push(alter(`TYPE ${to.type} USING COALESCE(${value}, ${to.default})`));
  else if (retype) sql.push(alter(`TYPE ${to.type} USING ${value}`));
  if (op.changes.includes('nullable') && from.nullable !== to.nullable) sql.push(alter(to.nullable ? 'DROP NOT NULL' : 'SET NOT NULL'));
  if (redefault && to.default !== null) sql.push(alter(`SET DEFAULT ${to.default}`));
  return sql.length ? { sql } : comment(`${op.table}.${op.column.name}: nothing to change`);
}

const extensionName = (name: string) => (/^[a-z_][a-z0-9_]*$/.test(name) ? name : quoteString(name));

function emit(op: DdlOp, env?: DdlEnv): EmittedDdl {
  switch (op.op) {
    case 'createTable':
      return createTable(op.table, env);
    case 'addColumn':
      return addColumn(op.table, op.column, env);
    case 'dropColumn':
      return { sql: [`ALTER TABLE ${q(op.table)} DROP COLUMN ${q(op.column)}`] };
    case 'createIndex':
      return createIndex(op.table, op.index, env);
    case 'dropIndex':
      return { sql: [`DROP INDEX IF EXISTS ${q(op.index)}`] };
    case 'addForeignKey':
      return comment(`DuckDB cannot ALTER TABLE ADD FOREIGN KEY; recreate the table ${op.table} to add ${op.fk.name}`);
    case 'dropForeignKey':
      return comment(`DuckDB cannot drop a foreign key in place; recreate the table ${op.table} to remove ${op.fk}`);
    case 'dropTable':
      return { sql: [`DROP TABLE IF EXISTS ${q(op.table)}`] };
    case 'createView':
      return createView(op.table);
    case 'createSearch':
      return createSearch(op.table.name, op.columns.map((c) => c.name));
    case 'dropSearch':
      return comment(`nothing to drop: forge creates no full-text index on DuckDB (${op.table})`);
    case 'createExtension':
      // INSTALL downloads (once per machine), LOAD makes it available to this database.
      return { sql: [`INSTALL ${extensionName(op.name)}`, `LOAD ${extensionName(op.name)}`] };
  }
}

function reverse(op: DdlOp, env?: DdlEnv): EmittedDdl {
  switch (op.op) {
    case 'createTable':
      return { sql: [`DROP TABLE IF EXISTS ${q(op.table.name)}`] };
    case 'addColumn':
      return { sql: [`ALTER TABLE ${q(op.table)} DROP COLUMN ${q(op.column.name)}`] };
    case 'dropColumn':
      return restoreColumn(op.table, op.column, op.was);
    case 'createIndex':
      return createIndex(op.table, op.index, env).sql.length ? { sql: [`DROP INDEX IF EXISTS ${q(op.index.name)}`] } : comment(`nothing to undo: index ${op.index.name} was not created`);
    case 'dropIndex':
      return op.was ? createIndex(op.table, op.was, env) : comment(`cannot auto-restore dropped index ${op.index}`);
    case 'addForeignKey':
    case 'dropForeignKey':
      return comment('nothing to undo: DuckDB foreign keys are not altered in place');
    case 'dropTable':
      return comment(`cannot auto-restore dropped table ${op.table}`);
    case 'createView':
      return { sql: [`DROP VIEW IF EXISTS ${q(op.table.name)}`] };
    case 'createSearch':
    case 'dropSearch':
      return comment('nothing to undo: forge creates no full-text index on DuckDB');
    case 'createExtension':
      return comment(`extension ${op.name} left installed`);
  }
}

/** The extensions a schema can use: vss for HNSW vector indexes. (Search is not offered on DuckDB; see createSearch.) */
function extensionsFor(tables: TableIR[]): string[] {
  return tables.some((t) => t.indexes.some((i) => i.method === 'vector')) ? [EXTENSIONS.vss] : [];
}

/**
 * RENAME TO / RENAME COLUMN: the rows stay. DuckDB refuses both on a table with an index or one another table's key
 * references (capabilities.alterIndexedTable), and its error says so with the way out (errors.ts).
 */
function rename(op: RenameOp): EmittedDdl {
  return op.op === 'renameTable'
    ? { sql: [`ALTER TABLE ${q(op.from)} RENAME TO ${q(op.to)}`] }
    : { sql: [`ALTER TABLE ${q(op.table)} RENAME COLUMN ${q(op.from)} TO ${q(op.to)}`] };
}

export const duckdbDdl: DdlEmitter = {
  emit,
  reverse,
  rename,
  columnType: (column, env) => columnType(column, env),
  extensionsFor,
  alterColumn,
};
