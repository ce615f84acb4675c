import type { DdlOp, EnumCheckOp, EnumTypeOp, RenameOp } from '../adapter.js';

/** `enumType`: a database enum type (`table` then carries the type's name). */
export type DriftKind = 'table' | 'column' | 'index' | 'foreignKey' | 'view' | 'columnType' | 'enumType';
export type DriftDirection = 'missing' | 'extra' | 'mismatch';

/** One difference between the schema and the live database (the `items[]` of `forge diff --json`). */
export interface DriftItem {
  kind: DriftKind;
  direction: DriftDirection;
  table: string;
  /** Human text, e.g. "column 'email_verified_at'". */
  detail: string;
  /** Structured fields so tools need not parse `detail`. */
  column?: string;
  index?: string;
  foreignKey?: string;
  /** The item is about the table's full-text object (`index` then names it), which `forge push` builds and rebuilds. */
  search?: true;
  /** For deep index drift and type mismatches: which property, and both sides. */
  property?: string;
  schema?: unknown;
  db?: unknown;
}

export interface DriftReport {
  dialect: string;
  items: DriftItem[];
  inSync: boolean;
  /** Tables (or collections) an ignore pattern matched, always reported. */
  ignored: string[];
  /**
   * Declared objects this database cannot hold, with why (an index over a JSON column on MySQL): push notes
   * them and creates nothing, so they are not drift. Absent when there are none.
   */
  notes?: string[];
}

export type IgnorePattern = string | RegExp;

/** A statement the push plan decided on, with the operation it came from. */
export interface PlannedStatement {
  /** For a rename (see `rename`) this carries the rename operation too; read `rename` first. */
  op: DdlOp;
  /** Set when the statement is a declared rename (`.renamedFrom()`), which is not a `DdlOp`. */
  rename?: RenameOp;
  /** Set when the statement replaces a column's value-list CHECK (enum drift), not a `DdlOp` either; read it first. */
  enumCheck?: EnumCheckOp;
  /** Set when the statement creates, widens, replaces or drops an enum type, not a `DdlOp` either; read it first. */
  enumType?: EnumTypeOp;
  /** Runs, and commits, before the push's other statements (a value added to an enum type). */
  commitFirst?: boolean;
  /** Short label for reports: `users`, `users.email`, `forge_users_uq_email`. */
  label: string;
  sql: string[];
  comment?: string;
  noTransaction?: boolean;
}

export interface PushPlan {
  toApply: PlannedStatement[];
  /** Labels of objects that already exist with that name and shape. */
  toSkip: string[];
  /** Things push will not do (drops, type changes), so the report can say so. */
  notes: string[];
  summary: { apply: number; skip: number };
}

export interface PushFailure {
  label: string;
  sql: string;
  error: string;
}

export interface PushReport {
  applied: string[];
  skipped: string[];
  failures: PushFailure[];
  notes: string[];
  /**
   * True where the dialect's DDL is transactional: each statement runs isolated inside the push's transaction.
   * False where DDL commits as it runs (`capabilities.transactionalDdl` is false): each applied statement
   * committed on its own, and a failure leaves the ones before it in place (a re-push converges).
   */
  transactional: boolean;
  /**
   * Statements that ran and were then undone: where DDL is transactional but the dialect has no savepoints
   * (DuckDB), one failed statement aborts the push's transaction, so it is rolled back whole and what had run
   * before the failure is listed here instead of under `applied`. Absent when nothing was rolled back.
   */
  rolledBack?: string[];
}

/** `db.$migrate()`: the push plus the safe slice of drift, with the rest left for a human. */
export interface MigrateReport extends PushReport {
  alteredColumns: string[];
  pending: DriftItem[];
}

export interface MigrationChange {
  /** "add users.email_verified_at", "drop sessions.legacy_token", "drop table audit_old". */
  text: string;
  destructive: boolean;
}

export interface DiffApplyResult {
  name: string;
  /** Absolute path of the written file; undefined with --dry. */
  file?: string;
  up: string[];
  down: string[];
  changes: MigrationChange[];
  /** The full rendered file text. */
  content: string;
  applied: boolean;
  /**
   * True when this run applied nothing itself but recorded a killed run's migration whose DDL had all landed
   * (dialects whose DDL commits per statement): `up` / `down` are that file's.
   */
  recovered?: boolean;
  /** Drift items that diff apply leaves to `forge push` (missing tables) or cannot generate (type changes). */
  deferred: DriftItem[];
}

export interface ParsedMigration {
  name: string;
  up: string[];
  down: string[];
}
