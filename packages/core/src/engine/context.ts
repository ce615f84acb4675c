/**
 * What every engine entry point shares: the context a command runs in (adapter, open connection, loaded
 * schema), the per-statement progress callback the CLI streams, and the injected `afterStatement` hook.
 * No I/O here.
 */
import type { Adapter, Connection } from '../adapter.js';
import type { SchemaIR } from '../schema/ir.js';
import type { PlannedStatement } from '../diff/types.js';

/** What every command needs: the adapter, an open connection and the loaded schema. */
export interface EngineContext {
  adapter: Adapter;
  conn: Connection;
  ir: SchemaIR;
}

export type StatementOutcome = 'applied' | 'failed' | 'note';
export type OnStatement = (s: PlannedStatement, outcome: StatementOutcome, error?: string) => void;

/** Options every statement-applying entry point takes (runPush, runMigrate, runDiffApply, runRollback). */
export interface EngineHooks {
  /**
   * Called right after each statement the engine applied: each push statement, each statement of a migration
   * block and its ledger update, and for diff apply also once after its commit, before the migration file is
   * renamed from its pending name. Production callers pass nothing; the reliability harness's crash runner
   * passes a hook that SIGKILLs its own process at the k-th call, to check what a crash there leaves behind.
   */
  afterStatement?: () => void;
}
