import type { AlterColumnOp, ColumnIR, DdlEmitter, DdlEnv, DdlOp, RenameOp, EmittedDdl, ForeignKeyIR, IndexIR, ReferentialAction, SnapshotColumn, TableIR } from '@forge/core';
import { generatedName } from '@forge/core';
import { columnType, defaultLiteral, hasFeature, MYSQL_ENV, INDEX_PREFIX, isJson, isTextOrBlob, needsExpressionDefault, quoteIdent as q } from './column-type.js';

const ACTIONS: Record<ReferentialAction, string> = {
  cascade: 'CASCADE',
  restrict: 'RESTRICT',
  setNull: 'SET NULL',
  noAction: 'NO ACTION',
};

/**
 * Every table forge creates: InnoDB (foreign keys, FULLTEXT, transactions) and utf8mb4, so that any Unicode
 * text fits (MySQL's `utf8` is the 3-byte utf8mb3) and the compiler's `COLLATE utf8mb4_bin` comparisons apply.
 * utf8mb4_unicode_ci exists on MySQL 8 and MariaDB alike (MySQL 8 defaults to utf8mb4_0900_ai_ci, MariaDB to
 * utf8mb4_general_ci), so both servers compare and sort the same. It ignores case and accents in `=`, ORDER BY
 * and unique indexes; LIKE-based filters are made case-sensitive by the compiler.
 */
export const TABLE_OPTIONS = 'ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci';

const comment = (text: string): EmittedDdl => ({ sql: [], comment: text });

function tableNamed(env: DdlEnv | undefined, name: string): TableIR | undefined {
  return env?.tables?.find((t) => t.name === name);
}

/**
 * The FULLTEXT index forge creates over a table's `.searchable()` columns (the name Postgres gives its GIN
 * index too). Index names are per table in MySQL, so the table name in it only keeps it readable.
 */
export const searchIndexName = (table: string): string => generatedName(table, 'idx', ['fts']);

/** `CURRENT_TIMESTAMP(n)` with the fractional precision of the column's type, which MySQL requires to match. */
function now(type: string): string | undefined {
  const m = /^\s*(datetime|timestamp)\s*(?:\(\s*(\d)\s*\))?/i.exec(type);
  if (!m) return undefined;
  return m[2] && m[2] !== '0' ? `CURRENT_TIMESTAMP(${m[2]})` : 'CURRENT_TIMESTAMP';
}

/** A literal as a DEFAULT: parenthesised (an expression default) where the type takes no literal default. */
const asDefault = (literal: string, type: string): string => (literal !== 'NULL' && needsExpressionDefault(type) ? `(${literal})` : literal);

function columnDefault(c: ColumnIR, type: string): string | undefined {
  const d = c.default;
  // UUID ids are made by the client (no RETURNING: it must know the key to read the row back).
  if (d?.kind === 'generated') return undefined;
  if (d?.kind === 'now') return now(type);
  if (d?.kind === 'value') return asDefault(defaultLiteral(d.value, c, type), type);
  // forge sets updatedAt itself; the server default fills existing rows when the column is added later.
  if (c.updatedAt) return now(type);
  return undefined;
}

const autoIncrement = (c: ColumnIR): boolean => c.default?.kind === 'generated' && (c.default.strategy === 'int' || c.default.strategy === 'bigserial');

/** `` `name` type [NOT NULL] [AUTO_INCREMENT] [DEFAULT ...] [PRIMARY KEY] `` */
function columnDefinition(c: ColumnIR, env: DdlEnv | undefined, table: TableIR | undefined, inlinePk: boolean): string {
  const type = columnType(c, env, table);
  const parts = [q(c.name), type];
  if (!c.nullable || autoIncrement(c)) parts.push('NOT NULL');
  if (autoIncrement(c)) parts.push('AUTO_INCREMENT');
  else {
    const def = columnDefault(c, type);
    if (def) parts.push(`DEFAULT ${def}`);
  }
  if (inlinePk) parts.push('PRIMARY KEY');
  return parts.join(' ');
}

/**
 * CREATE TABLE with columns and primary key. Unique fields, indexes, FKs and search arrive as their own
 * operations (the planner emits `createIndex` for a `.unique()` field).
 */
function createTable(t: TableIR, env?: DdlEnv): string {
  const lines = t.columns.map((c) => `  ${columnDefinition(c, env, t, false)}`);
  // A TEXT/BLOB key column is keyed on its first INDEX_PREFIX characters, as its other indexes are (MySQL keys no
  // TEXT whole): two keys equal over that prefix collide, a duplicate-key error rather than a silent loss.
  const keyPart = (name: string) => {
    const c = t.columns.find((x) => x.name === name);
    return c && isTextOrBlob(columnType(c, env, t)) ? `${q(name)}(${INDEX_PREFIX})` : q(name);
  };
  if (t.primaryKey.length) lines.push(`  PRIMARY KEY (${t.primaryKey.map(keyPart).join(', ')})`);
  return `CREATE TABLE IF NOT EXISTS ${q(t.name)} (\n${lines.join(',\n')}\n) ${TABLE_OPTIONS}`;
}

function createIndex(table: string, ix: IndexIR, env?: DdlEnv): EmittedDdl {
  const method = ix.method ?? 'btree';
  const t = tableNamed(env, table);
  const columnNamed = (name: string) => t?.columns.find((c) => c.name === name);
  const typeOf = (name: string): string | undefined => {
    const c = columnNamed(name);
    return c ? columnType(c, env, t) : undefined;
  };
  if (ix.where) {
    const col = ix.columns[0] ?? 'col';
    return comment(
      `index ${ix.name} on ${table} not created: MySQL and MariaDB have no partial indexes (WHERE ${ix.where}). ` +
        `On MySQL 8.0.13+ index the expression instead: CREATE INDEX ${ix.name} ON ${table} ((CASE WHEN ${ix.where} THEN ${col} END)) ` +
        `(rows outside the predicate index as NULL, which a unique index does not compare); on MariaDB add a generated column ` +
        `${col}_when AS (CASE WHEN ${ix.where} THEN ${col} END) VIRTUAL and index that.`,
    );
  }
  if (ix.include?.length) {
    return comment(`index ${ix.name} on ${table} not created: MySQL and MariaDB have no covering indexes (INCLUDE); add ${ix.include.join(', ')} to the key columns instead`);
  }
  if (method !== 'btree' && method !== 'fulltext' && method !== 'spatial') {
    const why =
      method === 'hash'
        ? 'InnoDB builds a B-tree for USING HASH (and reports it as one, so it would drift forever)'
        : `MySQL and MariaDB have no '${method}' indexes (InnoDB offers B-tree, FULLTEXT and SPATIAL)`;
    return comment(`index ${ix.name} on ${table} not created: ${why}; declare it without a method, or with 'fulltext' / 'spatial'`);
  }
  if (ix.unique && method !== 'btree') return comment(`index ${ix.name} on ${table} not created: a ${method.toUpperCase()} index cannot be UNIQUE`);
  if (method === 'spatial') {
    for (const name of ix.columns) {
      const c = columnNamed(name);
      const type = typeOf(name);
      if (type && !/^\s*(point|geometry)\b/i.test(type)) {
        return comment(`index ${ix.name} on ${table} not created: a SPATIAL index needs a geometry column, and ${name} is ${type} (geo points are stored as TEXT unless spatial columns are enabled)`);
      }
      if (c?.nullable) return comment(`index ${ix.name} on ${table} not created: a SPATIAL index needs NOT NULL columns, and ${name} is optional`);
    }
  }
  if (method === 'btree') {
    const json = ix.columns.find((name) => isJson(typeOf(name) ?? ''));
    if (json) {
      return comment(`index ${ix.name} on ${table} not created: ${json} is a JSON column, which MySQL indexes only through a generated column or a functional key part over a JSON path`);
    }
  }
  const notes: string[] = [];
  const prefixed: string[] = [];
  const keys = ix.columns.map((name, i) => {
    if (method !== 'btree') return q(name);
    let key = q(name);
    if (isTextOrBlob(typeOf(name) ?? '')) {
      key += `(${INDEX_PREFIX})`;
      prefixed.push(name);
    }
    const dir = ix.directions[i];
    if (dir === -1) key += ' DESC';
    else if (dir !== 1 && dir !== undefined) notes.push(`key type '${dir}' on ${name} has no MySQL equivalent; indexed ascending`);
    return key;
  });
  if (ix.expression && !hasFeature(env, MYSQL_ENV.functionalIndexes)) {
    return comment(
      `index ${ix.name} on ${table} not created: this server has no functional key parts (MySQL 8.0.13+ has them, MariaDB does not). ` +
        `Add a generated column for the expression (${ix.expression}) and index that column instead`,
    );
  }
  if (ix.expression) keys.push(`(${ix.expression})`);
  if (prefixed.length) {
    notes.push(
      `${prefixed.join(', ')} ${prefixed.length > 1 ? 'are' : 'is'} TEXT/BLOB, indexed on the first ${INDEX_PREFIX} characters` +
        (ix.unique ? ' (so uniqueness holds for that prefix only)' : ''),
    );
  }
  for (const prop of ['partialFilterExpression', 'collation', 'wildcardProjection'] as const) {
    if (ix[prop] !== undefined) notes.push(`'${prop}' does not apply to MySQL and was ignored`);
  }
  const kind = ix.unique ? 'UNIQUE ' : method === 'fulltext' ? 'FULLTEXT ' : method === 'spatial' ? 'SPATIAL ' : '';
  let sql = `CREATE ${kind}INDEX ${q(ix.name)} ON ${q(table)} (${keys.join(', ')})`;
  if (ix.parser !== undefined) {
    if (method === 'fulltext' && /^[A-Za-z_][A-Za-z0-9_]*$/.test(ix.parser)) sql += ` WITH PARSER ${ix.parser}`;
    else notes.push(`parser '${ix.parser}' ignored (a parser applies to FULLTEXT indexes only, named by a plain identifier)`);
  }
  return notes.length ? { sql: [sql], comment: `index ${ix.name}: ${notes.join('; ')}` } : { sql: [sql] };
}

function addForeignKey(table: string, fk: ForeignKeyIR): string {
  let sql =
    `ALTER TABLE ${q(table)} ADD CONSTRAINT ${q(fk.name)} FOREIGN KEY (${fk.columns.map(q).join(', ')}) ` +
    `REFERENCES ${q(fk.refTable)} (${fk.refColumns.map(q).join(', ')})`;
  if (fk.onDelete) sql += ` ON DELETE ${ACTIONS[fk.onDelete]}`;
  if (fk.onUpdate) sql += ` ON UPDATE ${ACTIONS[fk.onUpdate]}`;
  return sql;
}

/** One FULLTEXT index over the searchable columns, matched by `MATCH (...) AGAINST` with the same column list. */
function createSearch(table: string, columns: readonly string[]): EmittedDdl {
  if (columns.length === 0) return comment(`${table} has no searchable columns; no full-text index created`);
  // ALGORITHM=COPY rebuilds the table: on MariaDB 10.11 an in-place FULLTEXT build on a table whose FULLTEXT index
  // was just dropped (push rebuilding the search object for a new searchable column) left the existing rows out
  // of the new index until OPTIMIZE TABLE. The copy costs a table rewrite, once per change of searchable fields.
  return { sql: [`ALTER TABLE ${q(table)} ADD FULLTEXT INDEX ${q(searchIndexName(table))} (${columns.map(q).join(', ')}), ALGORITHM=COPY`] };
}

const dropSearch = (table: string): EmittedDdl => ({ sql: [`DROP INDEX ${q(searchIndexName(table))} ON ${q(table)}`] });

/** What the introspector reports as a column's default (see introspect.ts), as a DEFAULT clause again. */
function restoredDefault(was: SnapshotColumn): { clause?: string; note?: string } {
  const d = was.default?.trim();
  if (d === undefined || d === null || d === '') return {};
  if (/^auto_increment$/i.test(d)) return { note: 'restored without AUTO_INCREMENT, which needs the column to be a key' };
  if (/^(current_timestamp|now)\s*(\(\s*\d*\s*\))?$/i.test(d)) {
    const n = now(was.type);
    return n ? { clause: n } : { note: `default ${d} not restored on a ${was.type} column` };
  }
  const literal = /^(NULL|TRUE|FALSE|[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?|'([^'\\]|''|\\.)*'|[xX]'[0-9a-fA-F]*'|[bB]'[01]*')$/i.test(d);
  return { clause: literal ? asDefault(d, was.type) : `(${d})` };
}

/** Re-add a dropped column with the shape introspection saw (the data itself is gone). */
function restoreColumn(table: string, column: string, was: SnapshotColumn | undefined): EmittedDdl {
  if (!was) return comment(`cannot restore ${table}.${column}: its type was not recorded`);
  const parts = [`ALTER TABLE ${q(table)} ADD COLUMN ${q(column)} ${was.type}`];
  const { clause, note } = restoredDefault(was);
  // NOT NULL comes back only with its default. Without one MySQL would fill every existing row with the type's
  // zero value ('' or 0), which a restored unique index over the column then refuses; the dropped values are
  // gone either way, so the column returns NULL-able and empty, as on Postgres.
  const relaxed = !was.nullable && !clause;
  if (!was.nullable && clause) parts.push('NOT NULL');
  if (clause) parts.push(`DEFAULT ${clause}`);
  const sql = [parts.join(' ')];
  const notes = [note, relaxed ? 'restored NULL-able (it was NOT NULL with no default; its values were dropped with it)' : undefined].filter(Boolean);
  return notes.length ? { sql, comment: `${table}.${column}: ${notes.join('; ')}` } : { sql };
}

/** A column's full definition as introspection read it (type, NOT NULL, default, AUTO_INCREMENT), for MODIFY COLUMN. */
function liveDefinition(name: string, was: SnapshotColumn): string {
  const parts = [q(name), was.type];
  if (!was.nullable) parts.push('NOT NULL');
  if (was.default && /^auto_increment$/i.test(was.default.trim())) parts.push('AUTO_INCREMENT');
  else {
    const { clause } = restoredDefault(was);
    if (clause) parts.push(`DEFAULT ${clause}`);
  }
  return parts.join(' ');
}

/**
 * A column's type, nullability or default changed (issue 14): MySQL restates the whole column with MODIFY COLUMN
 * (a type change casts the values as the server converts them, and in strict mode refuses one that does not fit).
 * A column made required has its NULL rows set to its default first, when it has one. The down block restates
 * the column as the database (or the previous schema) had it.
 */
function alterColumn(op: AlterColumnOp, reverse = false, env?: DdlEnv): EmittedDdl {
  const table = tableNamed(env, op.table);
  const schema = { definition: columnDefinition(op.column, env, table, false), nullable: op.column.nullable, default: columnDefault(op.column, columnType(op.column, env, table)) };
  const before = op.wasColumn
    ? { definition: columnDefinition(op.wasColumn, env, table, false), nullable: op.wasColumn.nullable, default: columnDefault(op.wasColumn, columnType(op.wasColumn, env, table)) }
    : { definition: liveDefinition(op.column.name, op.was), nullable: op.was.nullable, default: restoredDefault(op.was).clause };
  const [from, to] = reverse ? [schema, before] : [before, schema];
  const sql: string[] = [];
  if (from.nullable && !to.nullable && to.default !== undefined) {
    // A parenthesised expression default is an expression in UPDATE too.
    sql.push(`UPDATE ${q(op.table)} SET ${q(op.column.name)} = ${to.default} WHERE ${q(op.column.name)} IS NULL`);
  }
  sql.push(`ALTER TABLE ${q(op.table)} MODIFY COLUMN ${to.definition}`);
  return { sql };
}

/**
 * Whether ADD COLUMN asks for `ALGORITHM=INSTANT`: a metadata-only change that never copies the table, and
 * fails (error 1845/1846, naming the reason) rather than silently rebuilding a big table at push time. Asked
 * only where both servers do it: a plain column appended last, no AUTO_INCREMENT or key, no expression default
 * (TEXT/JSON/geometry defaults, CURRENT_TIMESTAMP), on a table without a FULLTEXT index (its hidden
 * FTS_DOC_ID rules INSTANT out on MariaDB). Elsewhere the server picks the least costly algorithm itself.
 */
function instantAdd(c: ColumnIR, env: DdlEnv | undefined, table: TableIR | undefined): boolean {
  if (!hasFeature(env, MYSQL_ENV.instantAddColumn) || !table) return false;
  if (c.primaryKey || autoIncrement(c) || c.updatedAt || c.searchable) return false;
  const type = columnType(c, env, table);
  if (needsExpressionDefault(type) && c.default) return false;
  if (c.default && c.default.kind !== 'value') return false;
  const fullText = table.columns.some((x) => x.searchable) || table.indexes.some((ix) => ix.method === 'fulltext');
  return !fullText;
}

function emit(op: DdlOp, env?: DdlEnv): EmittedDdl {
  switch (op.op) {
    case 'createTable':
      return { sql: [createTable(op.table, env)] };
    case 'addColumn': {
      const table = tableNamed(env, op.table);
      const instant = instantAdd(op.column, env, table) ? ', ALGORITHM=INSTANT' : '';
      return { sql: [`ALTER TABLE ${q(op.table)} ADD COLUMN ${columnDefinition(op.column, env, table, op.column.primaryKey)}${instant}`] };
    }
    case 'dropColumn':
      return { sql: [`ALTER TABLE ${q(op.table)} DROP COLUMN ${q(op.column)}`] };
    case 'createIndex':
      return createIndex(op.table, op.index, env);
    case 'dropIndex':
      // Index names are per table: DROP INDEX needs the table.
      return { sql: [`DROP INDEX ${q(op.index)} ON ${q(op.table)}`] };
    case 'addForeignKey':
      return { sql: [addForeignKey(op.table, op.fk)] };
    case 'dropForeignKey':
      return { sql: [`ALTER TABLE ${q(op.table)} DROP FOREIGN KEY ${q(op.fk)}`] };
    case 'dropTable':
      return { sql: [`DROP TABLE IF EXISTS ${q(op.table)}`] };
    case 'createView': {
      const view = op.table.view;
      if (!view) return comment(`${op.table.name} is not declared as a view`);
      const sql = [`CREATE OR REPLACE VIEW ${q(op.table.name)} AS ${view.sql.trim().replace(/;+$/, '')}`];
      // The planner makes a materialised view plain already (capabilities.materializedViews is false).
      return view.materialized ? { sql, comment: `${op.table.name}: MySQL has no materialised views; created as a plain view` } : { sql };
    }
    case 'createSearch':
      return createSearch(op.table.name, op.columns.map((c) => c.name));
    case 'dropSearch':
      return dropSearch(op.table);
    case 'createExtension':
      return comment(`MySQL and MariaDB have no extensions: nothing to install for ${op.name}`);
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
      // An index the emitter did not create (a partial one, say) has nothing to drop.
      return createIndex(op.table, op.index, env).sql.length
        ? { sql: [`DROP INDEX ${q(op.index.name)} ON ${q(op.table)}`] }
        : comment(`nothing to undo: index ${op.index.name} was not created`);
    case 'dropIndex':
      return op.was ? createIndex(op.table, op.was, env) : comment(`cannot auto-restore dropped index ${op.index}`);
    case 'addForeignKey':
      // InnoDB keeps the index it may have created for the key (named after it); it is harmless and reused.
      return { sql: [`ALTER TABLE ${q(op.table)} DROP FOREIGN KEY ${q(op.fk.name)}`] };
    case 'dropForeignKey':
      return op.was ? { sql: [addForeignKey(op.table, op.was)] } : comment(`foreign key ${op.fk} of ${op.table} not restored (the table is dropped too)`);
    case 'dropTable':
      return comment('cannot auto-restore dropped table');
    case 'createView':
      return { sql: [`DROP VIEW IF EXISTS ${q(op.table.name)}`] };
    case 'createSearch':
      return op.columns.length ? dropSearch(op.table.name) : comment(`nothing to undo: ${op.table.name} got no full-text index`);
    case 'dropSearch':
      return op.columns?.length ? createSearch(op.table, op.columns) : comment(`full-text search of ${op.table} not restored (the table is dropped too)`);
    case 'createExtension':
      return comment('nothing to undo: no extension DDL was run');
  }
}

/** RENAME TABLE / RENAME COLUMN (MySQL 8, MariaDB 10.5+): the rows stay. */
function rename(op: RenameOp): EmittedDdl {
  return op.op === 'renameTable'
    ? { sql: [`RENAME TABLE ${q(op.from)} TO ${q(op.to)}`] }
    : { sql: [`ALTER TABLE ${q(op.table)} RENAME COLUMN ${q(op.from)} TO ${q(op.to)}`] };
}

/** Metadata-lock waits of this session's following DDL, in whole seconds (the push lock resets it after). */
function lockTimeout(ms: number): string[] {
  return [`SET SESSION lock_wait_timeout = ${Math.max(1, Math.ceil(ms / 1000))}`];
}

export const mysqlDdl: DdlEmitter = {
  emit,
  reverse,
  columnType: (column, env) => columnType(column, env),
  rename,
  lockTimeout,
  alterColumn,
};
