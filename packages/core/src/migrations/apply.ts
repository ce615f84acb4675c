import type { Adapter, Connection } from '../adapter.js';

/** A migration block failed part-way. `applied` lists what stays applied (empty when the transaction rolled back). */
export class MigrationError extends Error {
  override readonly name = 'MigrationError';
  readonly code = 'MIGRATION_FAILED';
  constructor(
    message: string,
    readonly migration: string,
    readonly statement: string,
    readonly applied: string[],
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

export interface BlockRun {
  /** The migration's name, for messages. */
  migration: string;
  /** The command to run again after fixing the cause (`forge diff apply`, `forge rollback`). */
  command: string;
  /** The ledger change that completes the block (insert on apply, delete on rollback). */
  ledger: (conn: Connection) => Promise<void>;
  /** Called after each statement and after the ledger change (the engine's test-only crash hook). */
  afterStatement?: () => void;
}

/**
 * Run one block of a migration and its ledger change. Where DDL is transactional everything is one
 * transaction, so a failure leaves the database and the ledger as they were; elsewhere each statement
 * commits on its own and the error lists what stayed applied, because only a human can finish the job.
 */
export async function runMigrationBlock(
  adapter: Pick<Adapter, 'capabilities' | 'mapError'>,
  conn: Connection,
  statements: readonly string[],
  run: BlockRun,
): Promise<void> {
  const done: string[] = [];
  let current = '';
  const body = async (c: Connection) => {
    for (const sql of statements) {
      current = sql;
      await c.execute(sql);
      done.push(sql);
      run.afterStatement?.();
    }
    current = 'the _forge_migrations ledger update';
    await run.ledger(c);
    run.afterStatement?.();
  };
  const transactional = adapter.capabilities.transactionalDdl;
  try {
    if (transactional) await conn.transaction(body);
    else await body(conn);
  } catch (e) {
    const cause = adapter.mapError(e);
    const head = `${run.migration} failed at: ${current}\n  ${errorText(cause)}`;
    if (transactional || done.length === 0) {
      throw new MigrationError(`${head}\nNothing was changed. Fix the cause and run ${run.command} again.`, run.migration, current, [], { cause });
    }
    const list = done.map((s) => `  ${s};`).join('\n');
    throw new MigrationError(
      `${head}\n${adapter.capabilities.dialect} DDL is not transactional, so these statements stay applied:\n${list}\n` +
        `Inspect the tables (forge diff shows the state) and fix forward by hand.`,
      run.migration,
      current,
      done,
      { cause },
    );
  }
}
