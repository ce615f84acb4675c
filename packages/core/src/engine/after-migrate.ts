/**
 * The post-migration hook (issue 14, seed 003's "post-migration hooks"): custom SQL that forge does not model (a
 * function, a trigger, a GIN index over an expression, a grant) run after every successful `forge push`, `forge
 * migrate` and `forge diff apply`, and after `db.$migrate()` / `db.$ensureCreated()`. It runs every time, so it must
 * be idempotent (`CREATE OR REPLACE`, `IF NOT EXISTS`); a re-run that applies nothing runs it again, which is how a
 * fixed hook is retried.
 */
import { createDbWith } from '../client/db.js';
import type { SchemaShape } from '../client/types.js';
import { ConfigError, ForgeError } from '../errors.js';
import { MigrationError, errorText } from '../migrations/apply.js';
import { parseMigration } from '../migrations/file.js';
import type { EngineContext } from './context.js';

/** What the hook gets: the typed client (models of the schema, when known) with `$executeRaw` and friends, on the hook's transaction. */
export type AfterMigrateDb = Record<string, unknown> & {
  $executeRawUnsafe(sql: string, ...params: unknown[]): Promise<number>;
  $queryRawUnsafe<R = Record<string, unknown>>(sql: string, ...params: unknown[]): Promise<R[]>;
};

/** A function of the client, or SQL text (statements split as migration files are: `$$` bodies and triggers kept whole). */
export type AfterMigrate = ((db: AfterMigrateDb) => unknown) | { sql: string; source?: string };

export interface AfterMigrateResult {
  /** Statements run, for SQL text; undefined for a function. */
  statements?: number;
}

/**
 * Run the hook under the push lock, in one transaction where the dialect's DDL is transactional (a failing hook then
 * leaves none of its own statements behind; the migration before it stays applied). `models` gives the hook typed
 * model clients; without it the hook has the raw methods only.
 */
export async function runAfterMigrate(ctx: Pick<EngineContext, 'adapter' | 'conn'>, hook: AfterMigrate, opts: { models?: SchemaShape; label?: string } = {}): Promise<AfterMigrateResult> {
  const { adapter, conn } = ctx;
  const label = opts.label ?? 'afterMigrate';
  let statements: string[] | undefined;
  if (typeof hook !== 'function') {
    if (!hook || typeof hook.sql !== 'string') throw new ConfigError(`${label} must be a function (db) => ... or SQL text`);
    statements = parseMigration(`-- up\n${hook.sql}`, hook.source ?? label, adapter.capabilities.dialect).up;
  }
  let current = '';
  const body = async (c: typeof conn) => {
    if (statements) {
      for (const sql of statements) {
        current = sql;
        await c.execute(sql);
      }
      return;
    }
    await (hook as (db: AfterMigrateDb) => unknown)(createDbWith(adapter, c, opts.models ?? {}) as unknown as AfterMigrateDb);
  };
  try {
    await adapter.lock(conn, async (c) => {
      if (adapter.capabilities.transactionalDdl && !c.inTransaction) await c.transaction(body);
      else await body(c);
    });
  } catch (e) {
    const cause = e instanceof ForgeError ? e : adapter.mapError(e);
    const where = current ? ` at: ${current}` : '';
    const kept = adapter.capabilities.transactionalDdl
      ? "the hook's own statements rolled back"
      : `${adapter.capabilities.dialect} commits DDL as it runs, so the hook's statements before the failing one stay applied`;
    throw new MigrationError(
      `${label} failed${where}\n  ${errorText(cause)}\nThe migration before it is applied and recorded; ${kept}. Fix the hook (it must be safe to run again: CREATE OR REPLACE, IF NOT EXISTS) and run the command again: it applies nothing new and runs the hook again.`,
      label,
      current,
      [],
      { cause },
    );
  }
  return statements ? { statements: statements.length } : {};
}
