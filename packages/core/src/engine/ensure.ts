/**
 * The programmatic helpers of seed 003 (issue 14): `ensureCreated()` / `ensureDeleted()` for tests (create every
 * table of the schema on a database that has none of them; drop exactly the schema's tables), and `analyze()`,
 * the typed operations that would bring the live database to the schema, planned and emitted but never run.
 */
import type { DdlEnv, MigrationOp } from '../adapter.js';
import { ConfigError } from '../errors.js';
import { MigrationError, errorText } from '../migrations/apply.js';
import { type PossibleRename, type RenameAnswers } from '../diff/renames.js';
import type { DriftItem } from '../diff/types.js';
import type { TableIR } from '../schema/ir.js';
import { enumTypesOf } from '../schema/model.js';
import type { EngineContext } from './context.js';
import { emitPlannedOp, onlineIndexSql, planMigration } from './generate.js';
import { runPush } from './push.js';

/** seed 003's names for the operations: `createTable` → `create_table`, `addForeignKey` → `add_foreign_key`. */
export type OperationType =
  | 'create_table'
  | 'drop_table'
  | 'add_column'
  | 'drop_column'
  | 'alter_column'
  | 'create_index'
  | 'drop_index'
  | 'add_foreign_key'
  | 'drop_foreign_key'
  | 'create_view'
  | 'create_search'
  | 'drop_search'
  | 'create_extension'
  | 'rename_table'
  | 'rename_column'
  | 'create_enum'
  | 'alter_enum'
  | 'replace_enum'
  | 'drop_enum'
  | (string & {});

export interface AnalyzedOperation {
  type: OperationType;
  table: string;
  /** The column, index, foreign key or extension the operation is about, when it is about one. */
  name?: string;
  /** What it does, in words (the line `forge generate` prints). */
  text: string;
  /** It loses data or breaks code still running against the old schema (a drop). */
  destructive: boolean;
  /** The statements it would run here; empty when the dialect cannot express it (then `note` says why). */
  sql: string[];
  note?: string;
  /** The typed operation itself, as the planner made it. */
  op: MigrationOp;
}

export interface Analysis {
  operations: AnalyzedOperation[];
  /** Drift no operation covers (a type change, an index whose shape changed): write it by hand. */
  deferred: DriftItem[];
  /** A drop + add that looks like a rename: answer it (`renames`) to get a rename instead. */
  possibleRenames: PossibleRename[];
  /** Nothing to do and nothing deferred. */
  inSync: boolean;
}

/** Enum type operations under seed 003's names (`create_enum`). */
const ENUM_OPERATIONS: Record<string, OperationType> = { createEnumType: 'create_enum', addEnumValues: 'alter_enum', replaceEnumType: 'replace_enum', dropEnumType: 'drop_enum' };

const snake = (op: string) => ENUM_OPERATIONS[op] ?? op.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

function subjectOf(op: MigrationOp): { table: string; name?: string } {
  switch (op.op) {
    case 'createTable':
    case 'createView':
      return { table: op.table.name };
    case 'createSearch':
      return { table: op.table.name };
    case 'addColumn':
      return { table: op.table, name: op.column.name };
    case 'dropColumn':
      return { table: op.table, name: op.column };
    case 'createIndex':
      return { table: op.table, name: op.index.name };
    case 'dropIndex':
      return { table: op.table, name: op.index };
    case 'addForeignKey':
      return { table: op.table, name: op.fk.name };
    case 'dropForeignKey':
      return { table: op.table, name: op.fk };
    case 'createExtension':
      return { table: '', name: op.name };
    case 'renameTable':
      return { table: op.to, name: op.from };
    case 'renameColumn':
      return { table: op.table, name: op.to };
    default: {
      // An enum type operation: about a type, not a table.
      if (op.op in ENUM_OPERATIONS) return { table: '', name: (op as unknown as { name: string }).name };
      const o = op as { table?: string | { name: string } };
      return { table: typeof o.table === 'string' ? o.table : (o.table?.name ?? '') };
    }
  }
}

/**
 * `analyze()`: what the live database lacks and has too much of, against the schema, as typed operations with the
 * statements each would run (renames from `.renamedFrom` and `renames`, creates, adds, then drops, as `forge
 * generate` orders them). Reads the database; writes nothing.
 */
export async function analyze(ctx: EngineContext, opts: { renames?: RenameAnswers; concurrentIndexes?: boolean } = {}): Promise<Analysis> {
  const { adapter, conn, ir } = ctx;
  const snap = await adapter.introspect(conn);
  const plan = planMigration(ir, snap, adapter, opts.renames, { concurrentIndexes: opts.concurrentIndexes });
  const env: DdlEnv = { extensions: snap.extensions ?? [], tables: Object.values(ir.models) };
  const dropped = new Set(plan.ops.flatMap(({ op }) => (op.op === 'dropTable' ? [op.table] : [])));
  const existing = new Set(opts.concurrentIndexes ? snap.tables.map((t) => t.name).filter((n) => !dropped.has(n)) : []);
  const operations = plan.ops.map((planned): AnalyzedOperation => {
    const { op, change } = planned;
    const emitted = emitPlannedOp(adapter, planned, env, false);
    const { comment } = emitted as { comment?: string };
    return {
      type: snake(op.op),
      ...subjectOf(op),
      text: change.text,
      destructive: change.destructive,
      sql: onlineIndexSql(adapter, op, emitted.sql, existing),
      ...(comment ? { note: comment } : {}),
      op,
    };
  });
  return { operations, deferred: plan.deferred, possibleRenames: plan.possible, inSync: operations.length === 0 && plan.deferred.length === 0 };
}

/** Tables and views of the schema that forge manages (a `readonly` model is another service's and never touched). */
function managed(ctx: EngineContext): TableIR[] {
  return Object.values(ctx.ir.models).filter((t) => !t.readonly);
}

export interface EnsureCreatedResult {
  /** The tables and views created; empty when every one of them was there already. */
  created: string[];
}

/**
 * `ensureCreated()`, for tests: on a database with none of the schema's tables, create all of them (tables,
 * indexes, keys, views, search objects: a push). When all are there it does nothing; when only some are, it
 * refuses, naming both lists, since adding the rest would leave the others as they are (use push or migrate).
 */
export async function ensureCreated(ctx: EngineContext): Promise<EnsureCreatedResult> {
  const { adapter, conn } = ctx;
  const key = (n: string) => adapter.facts.identifierKey?.(n) ?? n;
  const snap = await adapter.introspect(conn);
  const have = new Set([...snap.tables.map((t) => key(t.name)), ...snap.views.map((v) => key(v.name))]);
  const wanted = managed(ctx);
  const present = wanted.filter((t) => have.has(key(t.name))).map((t) => t.name);
  if (present.length === wanted.length) return { created: [] };
  if (present.length > 0) {
    const missing = wanted.filter((t) => !have.has(key(t.name))).map((t) => t.name);
    throw new ConfigError(
      `ensureCreated() creates a schema on a database that has none of its tables, and this one has ${present.join(', ')} but not ${missing.join(', ')}. Nothing was changed. Bring it to the schema with forge push (additive) or forge migrate, or call ensureDeleted() first`,
    );
  }
  const report = await runPush(ctx);
  if (report.failures.length) {
    const f = report.failures[0];
    throw new MigrationError(
      `ensureCreated() failed at ${f.label}: ${f.sql}\n  ${f.error}\n${adapter.capabilities.transactionalDdl ? 'Nothing was created (it ran in one transaction).' : `These stay created: ${report.applied.join(', ') || 'nothing'}.`} Fix the cause (forge doctor checks the setup) and call it again`,
      'ensureCreated',
      f.sql,
      adapter.capabilities.transactionalDdl ? [] : report.applied,
    );
  }
  return { created: wanted.map((t) => t.name) };
}

export interface EnsureDeletedResult {
  /** The tables and views dropped, in the order they were, then the schema's enum types (`enum type <name>`). */
  dropped: string[];
}

/**
 * Tables in an order that drops a referencing table before the table it references; the tables of a cycle come
 * last, in `cycle`, and need their keys dropped first.
 */
function dropOrder(tables: TableIR[]): { order: TableIR[]; cycle: TableIR[] } {
  const byName = new Map(tables.map((t) => [t.name, t]));
  const referencedBy = new Map<string, Set<string>>(tables.map((t) => [t.name, new Set()]));
  for (const t of tables) for (const fk of t.foreignKeys) if (fk.refTable !== t.name && byName.has(fk.refTable)) referencedBy.get(fk.refTable)!.add(t.name);
  const order: TableIR[] = [];
  const left = new Set(tables.map((t) => t.name));
  for (let progress = true; progress; ) {
    progress = false;
    for (const name of [...left]) {
      if ([...referencedBy.get(name)!].some((r) => left.has(r))) continue;
      order.push(byName.get(name)!);
      left.delete(name);
      progress = true;
    }
  }
  return { order, cycle: [...left].map((n) => byName.get(n)!) };
}

/**
 * `ensureDeleted()`, for tests: drop exactly the schema's tables and views that exist (their indexes, keys and
 * search objects go with them), referencing tables first, under the push lock and in one transaction where DDL
 * is transactional. Other tables, the ledger included, are left alone; one of them that references a schema
 * table makes the drop fail, naming it, with nothing dropped where DDL is transactional.
 */
export async function ensureDeleted(ctx: EngineContext): Promise<EnsureDeletedResult> {
  const { adapter, conn } = ctx;
  const key = (n: string) => adapter.facts.identifierKey?.(n) ?? n;
  const snap = await adapter.introspect(conn);
  const tables = new Set(snap.tables.map((t) => key(t.name)));
  const views = new Set(snap.views.map((v) => key(v.name)));
  const env: DdlEnv = { extensions: snap.extensions ?? [], tables: Object.values(ctx.ir.models) };
  const all = managed(ctx);
  const liveViews = all.filter((t) => t.view && views.has(key(t.name)));
  const liveTables = all.filter((t) => !t.view && tables.has(key(t.name)));
  const { order, cycle } = dropOrder(liveTables);
  const steps: Array<{ name: string; sql: string[] }> = [];
  for (const v of liveViews) steps.push({ name: v.name, sql: adapter.ddl.reverse({ op: 'createView', table: v }, env).sql });
  // A key inside a cycle is dropped before its table, so each table can go (where the dialect can drop a key).
  for (const t of cycle) for (const fk of t.foreignKeys) steps.push({ name: t.name, sql: adapter.ddl.emit({ op: 'dropForeignKey', table: t.name, fk: fk.name }, env).sql });
  for (const t of [...order, ...cycle]) {
    // The search object may be a table of its own (SQLite's FTS5 table and triggers): it goes first.
    const search = t.columns.some((c) => c.searchable);
    steps.push({ name: t.name, sql: [...(search ? adapter.ddl.emit({ op: 'dropSearch', table: t.name }, env).sql : []), ...adapter.ddl.emit({ op: 'dropTable', table: t.name }, env).sql] });
  }
  // The schema's enum types go after the tables that used them (a type another table still uses makes this fail).
  if (adapter.ddl.enumType && snap.enumTypes) {
    for (const t of enumTypesOf(ctx.ir)) {
      const live = snap.enumTypes.find((x) => x.name === t.name);
      if (live) steps.push({ name: `enum type ${t.name}`, sql: adapter.ddl.enumType({ op: 'dropEnumType', name: t.name, was: live.values }, false, env).sql });
    }
  }
  const dropped: string[] = [];
  let current = '';
  try {
    await adapter.lock(conn, async (c) => {
      for (const step of steps) {
        for (const sql of step.sql) {
          current = sql;
          await c.execute(sql);
        }
        if (!dropped.includes(step.name) && (liveViews.some((v) => v.name === step.name) || step.sql.some((s) => /\bDROP\s+(?:TABLE|TYPE)\b/i.test(s)))) dropped.push(step.name);
      }
    });
  } catch (e) {
    const transactional = adapter.capabilities.transactionalDdl;
    throw new MigrationError(
      `ensureDeleted() failed at: ${current}\n  ${errorText(adapter.mapError(e))}\n${transactional ? 'Nothing was dropped (it ran in one transaction).' : `Dropped before it failed: ${dropped.join(', ') || 'nothing'}.`} A table outside the schema that references one of its tables keeps it from being dropped: drop that table first, or add it to the schema`,
      'ensureDeleted',
      current,
      transactional ? [] : dropped,
      { cause: e },
    );
  }
  return { dropped };
}
