import type { ColumnIR, DdlEmitter, DdlOp, RenameOp, EmittedDdl, ForeignKeyIR, IndexIR, ReferentialAction, SnapshotColumn, TableIR } from '@forge/core';
import { sqliteCodec } from './codec.js';
import { SQLITE_NOW, ftsTableName } from './compile.js';
import { FTS_TRIGGERS, ftsTrigger } from './facts.js';
import { quoteIdent, quoteString } from './quote.js';

const ACTIONS: Record<ReferentialAction, string> = {
  cascade: 'CASCADE',
  restrict: 'RESTRICT',
  setNull: 'SET NULL',
  noAction: 'NO ACTION',
};

const comment = (text: string): EmittedDdl => ({ sql: [], comment: text });

function columnType(column: ColumnIR): string {
  if (column.dbType) return column.dbType;
  switch (column.kind) {
    case 'id':
      // INTEGER (exactly) makes the column an alias of the rowid, which SQLite assigns on insert.
      return column.idStrategy === 'int' || column.idStrategy === 'bigserial' ? 'INTEGER' : 'TEXT';
    case 'int':
    case 'bigint':
    case 'bool':
      return 'INTEGER';
    case 'float':
      return 'REAL';
    case 'bytes':
      return 'BLOB';
    default:
      return 'TEXT';
  }
}

/** A SQL literal for a stored value (already encoded by the codec). */
function literal(value: unknown): string {
  if (value === null || value === undefined) return 'NULL';
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : 'NULL';
  if (typeof value === 'bigint') return value.toString();
  if (Buffer.isBuffer(value)) return `X'${value.toString('hex')}'`;
  return quoteString(String(value));
}

/** The DEFAULT clause, or '' when the database supplies none (generated ids are made by the client). */
function defaultClause(column: ColumnIR): string {
  const d = column.default;
  if (!d || d.kind === 'generated') return '';
  if (d.kind === 'now') return ` DEFAULT (${SQLITE_NOW})`;
  return ` DEFAULT ${literal(sqliteCodec.encode(d.value, column))}`;
}

function referencesClause(refTable: string, refColumns: string[], onDelete?: ReferentialAction, onUpdate?: ReferentialAction): string {
  let sql = ` REFERENCES ${quoteIdent(refTable)}(${refColumns.map(quoteIdent).join(', ')})`;
  if (onDelete) sql += ` ON DELETE ${ACTIONS[onDelete]}`;
  if (onUpdate) sql += ` ON UPDATE ${ACTIONS[onUpdate]}`;
  return sql;
}

function columnDef(column: ColumnIR, inlinePrimaryKey: boolean): string {
  let sql = `${quoteIdent(column.name)} ${columnType(column)}`;
  if (inlinePrimaryKey) sql += ' PRIMARY KEY';
  // NOT NULL on the key too: SQLite lets a non-integer PRIMARY KEY hold NULL otherwise.
  if (!column.nullable) sql += ' NOT NULL';
  return sql + defaultClause(column);
}

function foreignKeyClause(fk: ForeignKeyIR): string {
  return `FOREIGN KEY (${fk.columns.map(quoteIdent).join(', ')})${referencesClause(fk.refTable, fk.refColumns, fk.onDelete, fk.onUpdate)}`;
}

function createTable(table: TableIR): EmittedDdl {
  const single = table.primaryKey.length === 1 ? table.primaryKey[0] : undefined;
  const parts = table.columns.map((c) => columnDef(c, c.name === single));
  if (table.primaryKey.length > 1) parts.push(`PRIMARY KEY (${table.primaryKey.map(quoteIdent).join(', ')})`);
  // Foreign keys must be declared here: SQLite has no ALTER TABLE ... ADD FOREIGN KEY.
  for (const fk of table.foreignKeys) parts.push(foreignKeyClause(fk));
  return { sql: [`CREATE TABLE IF NOT EXISTS ${quoteIdent(table.name)} (\n  ${parts.join(',\n  ')}\n)`] };
}

function addColumn(table: string, column: ColumnIR): EmittedDdl {
  const prefix = `ALTER TABLE ${quoteIdent(table)} ADD COLUMN `;
  const refs = column.references
    ? referencesClause(column.references.table, [column.references.column], column.references.onDelete, column.references.onUpdate)
    : '';
  if (column.default?.kind === 'now') {
    // ADD COLUMN accepts only constant defaults: add it nullable, then stamp the rows that already exist.
    return {
      sql: [
        `${prefix}${quoteIdent(column.name)} ${columnType(column)}${refs}`,
        `UPDATE ${quoteIdent(table)} SET ${quoteIdent(column.name)} = ${SQLITE_NOW} WHERE ${quoteIdent(column.name)} IS NULL`,
      ],
      comment: `SQLite cannot add a column with a non-constant default: ${table}.${column.name} is added nullable and existing rows are set to the current time`,
    };
  }
  return { sql: [`${prefix}${columnDef(column, false)}${refs}`] };
}

function keyPart(index: IndexIR, i: number, notes: string[]): string {
  const dir = index.directions[i];
  if (dir === -1) return `${quoteIdent(index.columns[i])} DESC`;
  if (dir !== 1 && dir !== undefined) notes.push(`key type '${dir}' on ${index.columns[i]} has no SQLite equivalent; indexed ascending`);
  return quoteIdent(index.columns[i]);
}

function createIndex(table: string, index: IndexIR): EmittedDdl {
  const notes: string[] = [];
  const keys = index.columns.map((_, i) => keyPart(index, i, notes));
  if (index.expression) keys.push(`(${index.expression})`);
  if (index.method && index.method !== 'btree') notes.push(`method '${index.method}' is not available (SQLite indexes are b-trees); created as a b-tree index`);
  if (index.include?.length) notes.push(`covering columns (include: ${index.include.join(', ')}) are not supported; created without them`);
  for (const prop of ['partialFilterExpression', 'collation', 'wildcardProjection', 'parser'] as const) {
    if (index[prop] !== undefined) notes.push(`'${prop}' does not apply to SQLite and was ignored`);
  }
  let sql = `CREATE ${index.unique ? 'UNIQUE ' : ''}INDEX IF NOT EXISTS ${quoteIdent(index.name)} ON ${quoteIdent(table)} (${keys.join(', ')})`;
  if (index.where) sql += ` WHERE ${index.where}`;
  return notes.length ? { sql: [sql], comment: `index ${index.name}: ${notes.join('; ')}` } : { sql: [sql] };
}

function createView(table: TableIR): EmittedDdl {
  // A materialised view never reaches here: the planner makes it plain (capabilities.materializedViews is false).
  return { sql: [`CREATE VIEW IF NOT EXISTS ${quoteIdent(table.name)} AS ${table.view?.sql ?? ''}`] };
}

/**
 * FTS5 over the searchable columns with the table as external content (no second copy of the text), three
 * triggers that keep it in step, and a rebuild so rows that existed before the index are searchable.
 */
function createSearch(table: string, columns: readonly string[]): EmittedDdl {
  if (columns.length === 0) return comment(`${table} has no searchable columns; no full-text index created`);
  const t = quoteIdent(table);
  const fts = quoteIdent(ftsTableName(table));
  const names = columns.map((c) => quoteIdent(c));
  const cols = names.join(', ');
  const values = (row: 'new' | 'old') => names.map((n) => `${row}.${n}`).join(', ');
  const insertNew = `INSERT INTO ${fts}(rowid, ${cols}) VALUES (new.rowid, ${values('new')});`;
  const deleteOld = `INSERT INTO ${fts}(${fts}, rowid, ${cols}) VALUES ('delete', old.rowid, ${values('old')});`;
  return {
    sql: [
      `CREATE VIRTUAL TABLE IF NOT EXISTS ${fts} USING fts5(${cols}, content=${quoteString(table)}, content_rowid='rowid')`,
      `CREATE TRIGGER IF NOT EXISTS ${quoteIdent(ftsTrigger(table, 'ai'))} AFTER INSERT ON ${t} BEGIN ${insertNew} END`,
      `CREATE TRIGGER IF NOT EXISTS ${quoteIdent(ftsTrigger(table, 'ad'))} AFTER DELETE ON ${t} BEGIN ${deleteOld} END`,
      `CREATE TRIGGER IF NOT EXISTS ${quoteIdent(ftsTrigger(table, 'au'))} AFTER UPDATE OF ${cols} ON ${t} BEGIN ${deleteOld} ${insertNew} END`,
      `INSERT INTO ${fts}(${fts}) VALUES ('rebuild')`,
    ],
  };
}

function dropSearch(table: string): EmittedDdl {
  return {
    sql: [
      ...FTS_TRIGGERS.map((k) => `DROP TRIGGER IF EXISTS ${quoteIdent(ftsTrigger(table, k))}`),
      `DROP TABLE IF EXISTS ${quoteIdent(ftsTableName(table))}`,
    ],
  };
}

/** Defaults ALTER TABLE ADD COLUMN accepts: literals only (no CURRENT_TIMESTAMP, no parenthesised expression). */
const CONSTANT_DEFAULT = /^(NULL|TRUE|FALSE|[+-]?\d+(\.\d+)?([eE][+-]?\d+)?|'([^']|'')*'|X'[0-9a-fA-F]*')$/i;

/** Re-add a dropped column with the shape introspection saw (the data itself is gone). */
function restoreColumn(table: string, column: string, was: SnapshotColumn | undefined): EmittedDdl {
  const prefix = `ALTER TABLE ${quoteIdent(table)} ADD COLUMN ${quoteIdent(column)}`;
  if (!was) return { sql: [prefix], comment: `the type of ${table}.${column} was not recorded; restored without a declared type` };
  const typed = was.type ? `${prefix} ${was.type}` : prefix;
  const dflt = was.default?.trim();
  const constant = dflt !== undefined && CONSTANT_DEFAULT.test(dflt);
  if (!was.nullable && constant) return { sql: [`${typed} NOT NULL DEFAULT ${dflt}`] };
  const notes: string[] = [];
  if (!was.nullable) notes.push('restored nullable, since SQLite cannot add a NOT NULL column without a constant default');
  if (dflt !== undefined && !constant) notes.push(`default ${dflt} not restored, since ADD COLUMN takes only constant defaults`);
  const sql = [constant ? `${typed} DEFAULT ${dflt}` : typed];
  return notes.length ? { sql, comment: `${table}.${column}: ${notes.join('; ')}` } : { sql };
}

function emit(op: DdlOp): EmittedDdl {
  switch (op.op) {
    case 'createTable':
      return createTable(op.table);
    case 'addColumn':
      return addColumn(op.table, op.column);
    case 'dropColumn':
      return { sql: [`ALTER TABLE ${quoteIdent(op.table)} DROP COLUMN ${quoteIdent(op.column)}`] };
    case 'createIndex':
      return createIndex(op.table, op.index);
    case 'dropIndex':
      return { sql: [`DROP INDEX IF EXISTS ${quoteIdent(op.index)}`] };
    case 'addForeignKey':
      return comment(`SQLite cannot ALTER TABLE ADD FOREIGN KEY; recreate the table ${op.table} to add ${op.fk.name}`);
    case 'dropForeignKey':
      return comment(`SQLite cannot drop a foreign key in place; recreate the table ${op.table} to remove ${op.fk}`);
    case 'dropTable':
      return { sql: [`DROP TABLE IF EXISTS ${quoteIdent(op.table)}`] };
    case 'createView':
      return createView(op.table);
    case 'createSearch':
      return createSearch(op.table.name, op.columns.map((c) => c.name));
    case 'dropSearch':
      return dropSearch(op.table);
    case 'createExtension':
      return comment(`SQLite loads extensions per connection, not with DDL: load ${op.name} when opening the database`);
  }
}

function reverse(op: DdlOp): EmittedDdl {
  switch (op.op) {
    case 'createTable':
      return { sql: [`DROP TABLE IF EXISTS ${quoteIdent(op.table.name)}`] };
    case 'addColumn':
      return { sql: [`ALTER TABLE ${quoteIdent(op.table)} DROP COLUMN ${quoteIdent(op.column.name)}`] };
    case 'dropColumn':
      return restoreColumn(op.table, op.column, op.was);
    case 'createIndex':
      return { sql: [`DROP INDEX IF EXISTS ${quoteIdent(op.index.name)}`] };
    case 'dropIndex':
      return op.was ? createIndex(op.table, op.was) : comment(`cannot auto-restore dropped index ${op.index}`);
    case 'addForeignKey':
    case 'dropForeignKey':
      return comment('nothing to undo: SQLite foreign keys are not altered in place');
    case 'dropTable':
      return comment(`cannot auto-restore dropped table ${op.table}`);
    case 'createView':
      return { sql: [`DROP VIEW IF EXISTS ${quoteIdent(op.table.name)}`] };
    case 'createSearch':
      return dropSearch(op.table.name);
    case 'dropSearch':
      return op.columns?.length ? createSearch(op.table, op.columns) : comment(`full-text search of ${op.table} not restored (the table is dropped too)`);
    case 'createExtension':
      return comment('nothing to undo: no extension DDL was run');
  }
}

/** RENAME TO / RENAME COLUMN (SQLite 3.25+): the rows stay, and indexes, triggers and keys follow the new name. */
function rename(op: RenameOp): EmittedDdl {
  return op.op === 'renameTable'
    ? { sql: [`ALTER TABLE ${quoteIdent(op.from)} RENAME TO ${quoteIdent(op.to)}`] }
    : { sql: [`ALTER TABLE ${quoteIdent(op.table)} RENAME COLUMN ${quoteIdent(op.from)} TO ${quoteIdent(op.to)}`] };
}

export const sqliteDdl: DdlEmitter = {
  emit,
  reverse,
  columnType,
  rename,
};
