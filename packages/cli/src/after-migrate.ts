/**
 * forge.config `afterMigrate`: custom SQL run after every `forge push`, `forge migrate` and `forge diff apply` that
 * succeeded (not on --dry, not after a failure). A function of the typed client, or the path of a `.sql` file
 * (relative to the config file) whose statements run in order. It runs under the push lock, in one transaction
 * where DDL is transactional, every time: it must be safe to run again.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { runAfterMigrate, type Adapter, type AfterMigrate, type Connection } from '@forge/core';
import type { CommandContext } from './command.js';
import type { LoadedConfig } from './config.js';
import { CliError, EXIT, errorMessage } from './errors.js';

export interface ConfiguredHook {
  hook: AfterMigrate;
  /** `afterMigrate (sql/after.sql)` or `afterMigrate (forge.config.ts)`, for lines and errors. */
  label: string;
}

/** The configured hook, its SQL file read now (before any connection opens); undefined when there is none. */
export function configuredHook(ctx: CommandContext, config: LoadedConfig | undefined): ConfiguredHook | undefined {
  const value = config?.config.afterMigrate;
  if (value === undefined || !config) return undefined;
  if (typeof value === 'function') return { hook: value as AfterMigrate, label: `afterMigrate (${path.relative(ctx.cwd, config.file) || config.file})` };
  const file = path.resolve(config.dir, value);
  const shown = path.relative(ctx.cwd, file) || file;
  if (!existsSync(file)) {
    throw new CliError(`afterMigrate names ${shown}, which does not exist`, `create it, or fix the path in ${path.basename(config.file)} (it is resolved from the config file's folder)`);
  }
  return { hook: { sql: readFileSync(file, 'utf8'), source: shown }, label: `afterMigrate (${shown})` };
}

/** Run the hook; the line to print. A failure is exit 2, with the hook's own message (what stayed, what to do). */
export async function runConfiguredHook(
  ctx: CommandContext,
  db: { adapter: Adapter; conn: Connection },
  configured: ConfiguredHook,
  models?: () => Promise<Record<string, unknown> | undefined>,
): Promise<string> {
  try {
    const schema = typeof configured.hook === 'function' && models ? await models() : undefined;
    const r = await runAfterMigrate(db, configured.hook, { label: configured.label, ...(schema ? { models: schema as never } : {}) });
    const what = r.statements === undefined ? '' : ` (${r.statements} statement${r.statements === 1 ? '' : 's'})`;
    return `${ctx.o.c.green('✓')} ${configured.label} ran${what}`;
  } catch (e) {
    throw new CliError(errorMessage(e), undefined, EXIT.statementFailed);
  }
}
