/** The engine behind every CLI command and `db.$diff()` / `db.$migrate()`: I/O, locks and the migrations folder. */
export type { EngineContext, EngineHooks, OnStatement, StatementOutcome } from './context.js';
export { runDiff, runMigrate, runPush } from './push.js';
export { recoverPendingMigrations, runDiffApply, runRollback } from './migrations.js';
export { emitPlannedOp, planMigration, possibleRenameFindings, runGenerate, type GenerateResult, type MigrationPlan, type PlannedMigrationOp } from './generate.js';
export { analyze, ensureCreated, ensureDeleted, type AnalyzedOperation, type Analysis, type EnsureCreatedResult, type EnsureDeletedResult, type OperationType } from './ensure.js';
export {
  ConsentRefusedError,
  previewFindings,
  readMigrationFiles,
  runMigrateDown,
  runMigrateFiles,
  runMigrationStatus,
  statusOf,
  type Consent,
  type MigrateDownResult,
  type MigrateFilesResult,
  type MigrationFile,
  type MigrationState,
  type MigrationStatus,
  type MigrationStatusRow,
} from './files.js';
export {
  checkConcurrency,
  DEFAULT_CONCURRENCY,
  diffMany,
  MAX_CONCURRENCY,
  normalizeTargets,
  postgresSchemaOf,
  parseTargets,
  pushMany,
  type DiffManyOptions,
  type FanoutInput,
  type FanoutOptions,
  type FanoutReport,
  type FanoutTarget,
  type PushManyOptions,
  type TargetReport,
  type TargetStatus,
} from './fanout.js';
export { runAfterMigrate, type AfterMigrate, type AfterMigrateDb, type AfterMigrateResult } from './after-migrate.js';
export {
  acquireLockRow,
  DEFAULT_LOCK_LEASE_MS,
  DEFAULT_LOCK_WAIT_MS,
  defaultHolderInfo,
  isLockRace,
  lockHeldMessage,
  lockSettings,
  lockSettingsOf,
  lockTableDdl,
  MIN_LOCK_LEASE_MS,
  parseLockDuration,
  parseLockLease,
  parseLockStrategy,
  PUSH_LOCK_ROW,
  withLockRow,
  type HeldLockRow,
  type LockHolder,
  type LockRowDialect,
  type LockRowOptions,
  type LockSettings,
} from './lock-row.js';
export { chooseLockStrategy, engineNotes } from './engine-notes.js';
