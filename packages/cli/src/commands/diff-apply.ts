import path from 'node:path';
import { runDiffApply, type DiffApplyResult, type Finding } from '@forge/core';
import { openAdapter, withConnection } from '../adapter.js';
import { stringFlag, type CommandContext, type Flags } from '../command.js';
import { concurrentIndexes, lockConnectOptions, lockTimeoutMs } from '../config.js';
import { CliError, EXIT, commandFailed, errorMessage, errorName, type ExitCode } from '../errors.js';
import { changeList, deferredLines } from '../format.js';
import { collectIgnore } from '../ignore.js';
import { migrationsDir, refuseMongo } from '../migrations.js';
import { configuredHook, runConfiguredHook } from '../after-migrate.js';
import type { Colors } from '../output.js';
import { prepare } from '../preflight.js';
import { consentHook, findingLines } from '../consent.js';
import { loadRenames } from '../renames.js';

/** `forge diff apply [--dry]`: reached through `forge diff`, since cac has no sub-commands. */
export async function diffApply(ctx: CommandContext, flags: Flags): Promise<ExitCode> {
  for (const name of ['json', 'check'] as const) {
    if (flags[name]) throw new CliError(`--${name} does not apply to \`forge diff apply\``, 'use `forge diff --check --json` to gate on drift');
  }
  const p = await prepare(ctx, stringFlag(flags, 'schema'));
  refuseMongo(p.entry.dialect);
  const ignore = collectIgnore({ config: p.config?.config.ignore, env: ctx.env().FORGE_DIFF_IGNORE, flag: flags.ignore });
  const dir = migrationsDir(ctx.cwd, p.config);
  const renames = loadRenames(ctx, flags);
  const adapter = await openAdapter(p.entry, ctx.cwd);

  const hook = flags.dry === true ? undefined : configuredHook(ctx, p.config);
  let hookLine: string | undefined;
  let hookError: unknown;
  const result = await withConnection(adapter, p.url, async (conn) => {
    try {
      const r = await runDiffApply(
        { adapter, conn, ir: p.schema.ir },
        {
          dir,
          dry: flags.dry === true,
          ignore,
          renames,
          consent: consentHook(ctx, flags, 'forge diff apply'),
          concurrentIndexes: concurrentIndexes(p.config),
          lockTimeoutMs: lockTimeoutMs(ctx.env(), p.config),
        },
      );
      // A failing hook is reported after what diff apply did, which stays applied and recorded.
      if (hook) hookLine = await runConfiguredHook(ctx, { adapter, conn }, hook, async () => p.schema.models).catch((e: unknown) => ((hookError = e), undefined));
      return r;
    } catch (e) {
      // A MigrationError means the up block ran and failed; its message already lists what stayed applied
      // and what to do. A ConfigError (the folder cannot be written) is raised before the database is read.
      const name = errorName(e);
      if (name === 'MigrationError') throw new CliError(errorMessage(e), undefined, EXIT.statementFailed);
      if (name === 'ConfigError' || name === 'ConsentRefusedError') throw new CliError(errorMessage(e));
      if (e instanceof CliError) throw e;
      throw commandFailed('diff apply', e);
    }
  }, lockConnectOptions(ctx.env(), p.config));
  if (flags.dry === true) return printDry(ctx, result);
  const exit = printApplied(ctx, result);
  if (hookError) throw hookError;
  if (hookLine !== undefined) ctx.o.out(hookLine);
  return exit;
}

/** Under --dry stdout is exactly the file, so `forge diff apply --dry > m.sql` works; the summary goes to stderr. */
function printDry(ctx: CommandContext, r: DiffApplyResult): ExitCode {
  const { ce, err, out } = ctx.o;
  for (const line of summary(ce, r)) err(line);
  for (const line of findingLines({ ...ctx, o: { ...ctx.o, out: err, c: ce } }, (r as { findings?: Finding[] }).findings ?? [])) err(line);
  if (!isEmpty(r)) out(r.content.replace(/\n$/, ''));
  err(ce.dim('dry run: nothing written, nothing applied'));
  return EXIT.ok;
}

function printApplied(ctx: CommandContext, r: DiffApplyResult): ExitCode {
  const { c, out } = ctx.o;
  if (r.recovered) {
    out(`${c.green('✓')} a killed diff apply had already applied every statement of ${r.name}: recorded it in _forge_migrations`);
    if (r.file) out(`kept ${path.relative(ctx.cwd, r.file) || r.file}`);
    out(c.dim('  → undo with `npx forge rollback`'));
    return EXIT.ok;
  }
  for (const line of summary(c, r)) out(line);
  if (r.file) out(`wrote ${path.relative(ctx.cwd, r.file) || r.file}`);
  if (r.applied) {
    out(`${c.green('✓')} applied ${r.name} and recorded it in _forge_migrations`);
    out(c.dim('  → undo with `npx forge rollback`'));
  } else if (!isEmpty(r)) {
    out(`${c.yellow('!')} nothing written: none of these changes has a statement on this database (\`forge diff apply --dry\` shows why)`);
  }
  return EXIT.ok;
}

/** The change list, or why there is none, then the drift this command leaves to others. */
function summary(c: Colors, r: DiffApplyResult): string[] {
  const head = !isEmpty(r)
    ? changeList(c, r)
    : [r.deferred.length ? 'no migration to write' : `${c.green('✓')} no drift to apply`];
  return [...head, ...deferredLines(c, r)];
}

function isEmpty(r: DiffApplyResult): boolean {
  return r.changes.length === 0 && r.up.length === 0;
}
