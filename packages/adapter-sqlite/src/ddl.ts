import type { ColumnIR, DdlEmitter, DdlOp, RenameOp, EmittedDdl, ForeignKeyIR, IndexIR, RebuildTablesOp, RebuiltTable, ReferentialAction, SnapshotColumn, SnapshotForeignKey, TableIR } from '@forge/core';
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

/** The SQL of a column's database default, or undefined (none, or made by the client). */
function defaultSql(column: ColumnIR): string | undefined {
  const clause = defaultClause(column);
  return clause ? clause.replace(/^ DEFAULT /, '') : undefined;
}

/** A live default as SQL: a literal as it is, an expression in parentheses (as CREATE TABLE requires). */
const liveDefaultSql = (c: SnapshotColumn): string | undefined => {
  const d = c.default?.trim();
  if (d === undefined || d === '' || /^null$/i.test(d)) return undefined;
  return CONSTANT_DEFAULT.test(d) ? d : `(${d})`;
};

/** A column of the live table as introspection read it: for columns the schema does not declare. */
function liveColumnDef(c: SnapshotColumn, inlinePrimaryKey: boolean): string {
  let sql = c.type ? `${quoteIdent(c.name)} ${c.type}` : quoteIdent(c.name);
  if (inlinePrimaryKey) sql += ' PRIMARY KEY';
  if (!c.nullable) sql += ' NOT NULL';
  const d = liveDefaultSql(c);
  return d ? `${sql} DEFAULT ${d}` : sql;
}

const LIVE_ACTIONS: Record<string, string> = { ...ACTIONS, setDefault: 'SET DEFAULT' };

function liveForeignKeyClause(fk: SnapshotForeignKey): string {
  let sql = `FOREIGN KEY (${fk.columns.map(quoteIdent).join(', ')}) REFERENCES ${quoteIdent(fk.refTable)}(${fk.refColumns.map(quoteIdent).join(', ')})`;
  if (fk.onDelete && LIVE_ACTIONS[fk.onDelete] && fk.onDelete !== 'noAction') sql += ` ON DELETE ${LIVE_ACTIONS[fk.onDelete]}`;
  if (fk.onUpdate && LIVE_ACTIONS[fk.onUpdate] && fk.onUpdate !== 'noAction') sql += ` ON UPDATE ${LIVE_ACTIONS[fk.onUpdate]}`;
  return sql;
}

/** The temporary table whose named CHECKs stop a rebuild, with the reason as the error, before anything is committed. */
const CHECKS = quoteIdent('_forge_rebuild_check');
const rebuildName = (table: string) => `_forge_rebuild_${table}`;
/** SQLite names the index behind an inline UNIQUE or a non-integer key itself; such a name cannot be created. */
const AUTO_INDEX = /^sqlite_autoindex_/i;

interface RebuildCheck {
  column: string;
  message: string;
  sql: string;
}

/**
 * One table rebuilt to the shape `toward` says, from the rows as they are (seed 004's twelve steps, as SQLite's
 * "Making Other Kinds Of Table Schema Changes" gives them). The new table keeps the live table's columns, key,
 * foreign keys and indexes; a column the schema declares takes the schema's definition (or, going back, the one it
 * had), a changed type is cast, a column made required gets its default where it has NULL, or is checked for NULL
 * first. The rowid is copied, so anything keyed by it (the full-text index) still matches.
 */
function rebuildOne(t: RebuiltTable, back: boolean, checks: RebuildCheck[]): string[] {
  const name = t.table.name;
  const temp = rebuildName(name);
  const schemaCol = (c: string) => t.table.columns.find((x) => x.name === c);
  const before = (c: string) => t.wasColumns?.[c];
  const keySet = t.was.columns.filter((c) => c.primaryKey).map((c) => c.name);
  const sameKey = keySet.length === t.table.primaryKey.length && keySet.every((k) => t.table.primaryKey.includes(k));
  const key = sameKey ? t.table.primaryKey : keySet;
  const inline = key.length === 1 ? key[0] : undefined;
  const defs: string[] = [];
  const targets: string[] = [];
  const exprs: string[] = [];
  for (const live of t.was.columns) {
    const declared = schemaCol(live.name);
    const target = back ? before(live.name) : declared;
    const source = back ? (declared ? { nullable: declared.nullable } : live) : live;
    const targetType = target ? columnType(target) : live.type;
    const targetNullable = target ? target.nullable : live.nullable;
    const targetDefault = target ? defaultSql(target) : liveDefaultSql(live);
    defs.push(target ? columnDef(target, live.name === inline) : liveColumnDef(live, live.name === inline));
    targets.push(quoteIdent(live.name));
    const changes = t.changes[live.name] ?? [];
    let expr = quoteIdent(live.name);
    if (changes.includes('nullable') && source.nullable && !targetNullable) {
      if (targetDefault !== undefined) expr = `COALESCE(${expr}, ${targetDefault})`;
      else {
        const column = `null_${checks.length}`;
        checks.push({
          column,
          message: `forge: ${name}.${live.name} holds NULL in some rows and becomes required with no default; set those rows (or give the field a .default(), which forge writes into them) and run it again; nothing was changed`,
          sql: `INSERT INTO temp.${CHECKS} (${quoteIdent(column)}) SELECT COUNT(*) FROM ${quoteIdent(name)} WHERE ${quoteIdent(live.name)} IS NULL`,
        });
      }
    }
    if (changes.includes('type')) expr = `CAST(${expr} AS ${targetType})`;
    exprs.push(expr);
  }
  if (key.length > 1) defs.push(`PRIMARY KEY (${key.map(quoteIdent).join(', ')})`);
  const keyText = [...key].sort().join('\0');
  for (const ix of t.indexes) {
    if (AUTO_INDEX.test(ix.name) && ix.unique && [...ix.columns].sort().join('\0') !== keyText) defs.push(`UNIQUE (${ix.columns.map(quoteIdent).join(', ')})`);
  }
  for (const fk of t.was.foreignKeys) defs.push(liveForeignKeyClause(fk));
  const q = quoteIdent;
  return [
    `CREATE TABLE ${q(temp)} (\n  ${defs.join(',\n  ')}\n)`,
    `INSERT INTO ${q(temp)} ("rowid", ${targets.join(', ')}) SELECT "rowid", ${exprs.join(', ')} FROM ${q(name)}`,
    `DROP TABLE ${q(name)}`,
    ...t.indexes.filter((ix) => !AUTO_INDEX.test(ix.name)).flatMap((ix) => createIndex(temp, ix).sql),
    // Without the legacy rule the rename re-parses every view and trigger, and fails on one naming the dropped
    // table; with it, they keep naming the table and find the new one under that name.
    'PRAGMA legacy_alter_table = ON',
    `ALTER TABLE ${q(temp)} RENAME TO ${q(name)}`,
    'PRAGMA legacy_alter_table = OFF',
    ...(t.search?.length ? createSearch(name, t.search).sql : []),
  ];
}

/**
 * Rebuild tables to change their columns (issue 14), which SQLite cannot ALTER. Foreign keys are turned off before
 * the migration's transaction and back on after it (`PRAGMA foreign_keys` does nothing inside a transaction, so the
 * runner runs those two statements outside it): dropping a parent never cascades to its children, which keep
 * pointing at the table by name. Inside the transaction, checks that stop it (and roll it back) with the reason:
 * foreign keys still on (a runner that ran the PRAGMA inside the transaction), triggers forge did not make (they
 * would go with the old table), NULL rows in a column becoming required with no default, and after the copy
 * `PRAGMA foreign_key_check` over the rebuilt tables and the rows referencing them.
 */
function rebuildTables(op: RebuildTablesOp, back = false): EmittedDdl {
  const checks: RebuildCheck[] = [];
  const names = op.tables.map((t) => t.table.name);
  const list = (xs: string[]) => xs.map(quoteString).join(', ');
  checks.push({
    column: 'foreign_keys_on',
    message: `forge: foreign keys are still on (PRAGMA foreign_keys = OFF ran inside the transaction, where SQLite ignores it), so dropping ${names.join(', ')} could delete or change the rows that reference it; the runner must run that PRAGMA before the transaction; nothing was changed`,
    sql: `INSERT INTO temp.${CHECKS} ("foreign_keys_on") SELECT foreign_keys FROM pragma_foreign_keys`,
  });
  op.tables.forEach((t, i) => {
    const column = `triggers_${i}`;
    const ours = FTS_TRIGGERS.map((k) => ftsTrigger(t.table.name, k));
    checks.push({
      column,
      message: `forge: ${t.table.name} has triggers forge did not create, which a rebuild would drop; drop them, run the migration, then create them again; nothing was changed`,
      sql: `INSERT INTO temp.${CHECKS} (${quoteIdent(column)}) SELECT COUNT(*) FROM sqlite_master WHERE type = 'trigger' AND tbl_name = ${quoteString(t.table.name)} COLLATE NOCASE AND name NOT IN (${list(ours)})`,
    });
  });
  const body = op.tables.flatMap((t) => rebuildOne(t, back, checks));
  checks.push({
    column: 'foreign_key_check',
    message: `forge: after rebuilding ${names.join(', ')}, PRAGMA foreign_key_check finds rows whose foreign key points at no row; fix or delete them first; nothing was changed`,
    sql: `INSERT INTO temp.${CHECKS} ("foreign_key_check") SELECT COUNT(*) FROM pragma_foreign_key_check WHERE "table" IN (${list(names)}) OR "parent" IN (${list(names)})`,
  });
  const columns = checks.map((c) => `${quoteIdent(c.column)} INTEGER CONSTRAINT ${quoteIdent(c.message)} CHECK (${quoteIdent(c.column)} = 0)`);
  const last = checks.pop()!;
  return {
    sql: [
      'PRAGMA foreign_keys = OFF',
      `DROP TABLE IF EXISTS temp.${CHECKS}`,
      `CREATE TEMP TABLE ${CHECKS} (\n  ${columns.join(',\n  ')}\n)`,
      ...checks.map((c) => c.sql),
      ...body,
      last.sql,
      `DROP TABLE temp.${CHECKS}`,
      'PRAGMA foreign_keys = ON',
    ],
  };
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
  rebuildTables: (op, reverse) => rebuildTables(op, reverse),
};
