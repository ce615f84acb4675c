import path from 'node:path';
import { createJiti } from 'jiti';
import { runMigrateDown, runMigrateFiles, runMigrationStatus, type Adapter, type CodeMigrations, type Connection, type MigrationStatus } from '@forge/core';
import { dialectOf, openAdapter, withConnection } from '../adapter.js';
import { stringFlag, type CommandContext, type CommandSpec, type Flags } from '../command.js';
import { loadConfig, lockConnectOptions, lockTimeoutMs, type LoadedConfig } from '../config.js';
import { loadSchema, resolveSchemaFile } from '../schema.js';
import { consentHook } from '../consent.js';
import { requireDatabaseUrl } from '../env.js';
import { CliError, EXIT, commandFailed, errorMessage, errorName, type ExitCode } from '../errors.js';
import { migrationsDir, refuseMongo } from '../migrations.js';
import { configuredHook, runConfiguredHook } from '../after-migrate.js';

export const migrate: CommandSpec = {
  name: 'migrate [action] [count]',
  description: 'Apply pending migration files in order (`migrate status` lists them, `migrate down [N]` undoes the last N)',
  usage: 'migrate [--allow-out-of-order] [--accept-data-loss] [--dry]\n  $ forge migrate status [--json] [--check]\n  $ forge migrate down [N] [--accept-data-loss]',
  options: [
    ['--allow-out-of-order', 'Also apply files older than the newest applied one (merged from another branch)'],
    ['--accept-data-loss', 'Consent to the drops and breaking changes listed in the preview without being asked'],
    ['--dry', 'migrate only: list what would run and the preview; apply nothing'],
    ['--json', 'status only: print the status as JSON'],
    ['--check', 'status only: exit 3 unless every file is applied and none was edited or is missing'],
  ],
  help: [
    {
      title: 'Notes',
      body:
        '  Files apply in the order of their full names, each in its own transaction where DDL is\n' +
        '  transactional (Postgres, SQLite), under the same lock as push; DDL waits at most lockTimeout\n' +
        '  (FORGE_LOCK_TIMEOUT, default 5s) for a lock another session holds. CREATE INDEX CONCURRENTLY\n' +
        '  (and a statement after a `-- forge:no-transaction` line) runs outside the transaction. A .ts file\n' +
        '  exporting up(db) / down(db) is a code migration, loaded with no build step. The ledger\n' +
        '  _forge_migrations is shared with `forge diff apply` and `forge rollback` and records a SHA-256 per file.',
    },
    {
      title: 'Exit codes',
      body:
        '  0  done (or nothing to do)\n  1  pre-flight failed, out-of-order files, or consent refused (nothing ran)\n' +
        '  2  a statement failed (the files before it stay applied)\n  3  status --check: not clean',
    },
  ],
  examples: ['npx forge migrate', 'npx forge migrate status --json', 'npx forge migrate down 2'],
  async run(ctx, args, flags) {
    const [action, count] = args;
    if (action !== undefined && action !== 'status' && action !== 'down' && action !== 'up') {
      throw new CliError(`unknown migrate action '${action}'`, 'use `forge migrate`, `forge migrate status` or `forge migrate down [N]`');
    }
    if (count !== undefined && action !== 'down') throw new CliError(`unexpected argument '${count}'`, 'only `forge migrate down [N]` takes a number');
    const url = requireDatabaseUrl(ctx.env());
    const entry = dialectOf(url);
    refuseMongo(entry.dialect);
    const config = await loadConfig(ctx.cwd, ctx.configFile);
    const dir = migrationsDir(ctx.cwd, config);
    const timeout = lockTimeoutMs(ctx.env(), config);
    const hook = action === undefined || action === 'up' ? configuredHook(ctx, config) : undefined;
    const adapter = await openAdapter(entry, ctx.cwd);
    return withConnection(adapter, url, async (conn) => {
      try {
        if (action === 'status') return await status(ctx, { adapter, conn }, dir, flags);
        const code = codeMigrations(ctx, flags, config);
        if (action === 'down') {
          const n = count === undefined ? 1 : Number(count);
          if (!Number.isInteger(n) || n < 1) throw new CliError(`forge migrate down ${count}: N must be a positive whole number`, 'e.g. forge migrate down 2');
          return await down(ctx, { adapter, conn }, dir, n, timeout, flags, code);
        }
        const exit = await up(ctx, { adapter, conn }, dir, timeout, flags, code);
        if (hook && flags.dry !== true) ctx.o.out(await runConfiguredHook(ctx, { adapter, conn }, hook, () => code.models?.() ?? Promise.resolve(undefined)));
        return exit;
      } catch (e) {
        if (e instanceof CliError) throw e;
        const name = errorName(e);
        if (name === 'ConfigError' || name === 'ConsentRefusedError') throw new CliError(errorMessage(e));
        throw commandFailed(`migrate${action ? ` ${action}` : ''}`, e);
      }
    }, lockConnectOptions(ctx.env(), config));
  },
};

type Ctx = { adapter: Adapter; conn: Connection };

/**
 * Code migrations (`migrations/NNNN_<stamp>_<name>.ts`) load with jiti like the schema, no build step, fresh on
 * every run. Their `db` is typed by the schema's models, loaded only when a code migration runs; a project with
 * no schema file found gets a `db` with the raw methods only (an explicit --schema, FORGE_SCHEMA_PATH or config
 * path that fails is an error, as everywhere).
 */
export function codeMigrations(ctx: CommandContext, flags: Flags, config: LoadedConfig | undefined): CodeMigrations {
  return {
    async load(file) {
      const jiti = createJiti(import.meta.url, { interopDefault: false, moduleCache: false });
      return jiti.import(file);
    },
    async models() {
      const env = ctx.env();
      const flag = stringFlag(flags, 'schema');
      const explicit = !!(flag || env.FORGE_SCHEMA_PATH || config?.config.schema);
      let source: ReturnType<typeof resolveSchemaFile>;
      try {
        source = resolveSchemaFile({ cwd: ctx.cwd, flag, env, config });
      } catch (e) {
        if (explicit) throw e;
        return undefined;
      }
      return (await loadSchema(source, ctx.cwd)).models;
    },
  };
}

const rel = (ctx: CommandContext, file: string) => path.relative(ctx.cwd, file) || file;

async function status(ctx: CommandContext, db: Ctx, dir: string, flags: Flags): Promise<ExitCode> {
  const s = await runMigrationStatus(db, { dir });
  if (flags.json) ctx.o.out(JSON.stringify(statusJson(s), null, 2));
  else for (const line of statusLines(ctx, s)) ctx.o.out(line);
  return flags.check && !s.clean ? EXIT.drift : EXIT.ok;
}

function statusJson(s: MigrationStatus) {
  return { dir: s.dir, clean: s.clean, applied: s.applied, pending: s.pending, outOfOrder: s.outOfOrder, missing: s.missing, edited: s.edited, external: s.external, migrations: s.rows };
}

function statusLines(ctx: CommandContext, s: MigrationStatus): string[] {
  const { c } = ctx.o;
  if (s.rows.length === 0) return [`no migrations in ${rel(ctx, s.dir)} and none applied`, c.dim('  → `npx forge generate --name <name>` writes the first one')];
  const mark: Record<string, string> = {
    applied: c.green('✓ applied     '),
    pending: c.yellow('· pending     '),
    'out-of-order': c.red('! out of order'),
    'missing-file': c.red('! missing file'),
    edited: c.red('! edited      '),
    external: c.dim('· external    '),
  };
  const lines = s.rows.map((r) => `${mark[r.state]} ${r.name}${r.appliedAt ? c.dim(`  ${r.appliedAt}`) : ''}`);
  lines.push('', `${s.applied.length} applied, ${s.pending.length} pending, ${s.outOfOrder.length} out of order, ${s.missing.length} missing, ${s.edited.length} edited`);
  if (s.pending.length) lines.push(c.dim('  → `npx forge migrate` applies the pending files'));
  if (s.outOfOrder.length) lines.push(c.dim('  → out of order: older than the newest applied migration (merged from a branch); check it, then `npx forge migrate --allow-out-of-order`'));
  if (s.missing.length) lines.push(c.dim('  → missing: applied here but the file is gone; restore it from version control'));
  if (s.external.length) lines.push(c.dim(`  → external: recorded in _forge_migrations by a script (${s.external.join(', ')}), not a forge file`));
  if (s.edited.length) lines.push(c.dim('  → edited: the file changed after it was applied (SHA-256 differs); restore it, and put the change in a new migration'));
  return lines;
}

async function up(ctx: CommandContext, db: Ctx, dir: string, lockTimeout: number, flags: Flags, code: CodeMigrations): Promise<ExitCode> {
  const { c, out } = ctx.o;
  const r = await runMigrateFiles(db, {
    dir,
    allowOutOfOrder: flags.allowOutOfOrder === true,
    consent: consentHook(ctx, flags, 'forge migrate'),
    lockTimeoutMs: lockTimeout,
    dry: flags.dry === true,
    code,
  });
  for (const name of r.edited) out(`${c.yellow('!')} ${name} was edited after it was applied (its SHA-256 differs from the ledger's): restore it, and put the change in a new migration`);
  for (const name of r.status.missing) out(`${c.yellow('!')} ${name} is applied but its file is missing from ${rel(ctx, dir)}`);
  const todo = [...r.status.pending, ...(flags.allowOutOfOrder ? r.status.outOfOrder : [])];
  if (flags.dry === true) {
    out(todo.length ? `would apply ${todo.length} migration(s): ${todo.join(', ')}` : `${c.green('✓')} nothing to apply`);
    out(c.dim('dry run: nothing applied'));
    return EXIT.ok;
  }
  for (const a of r.applied) out(`${c.green('✓')} applied ${a.name} (${a.code ? 'code migration' : `${a.statements.length} statement${a.statements.length === 1 ? '' : 's'}`})`);
  if (r.failed) {
    out(`${c.red('✗')} ${errorMessage(r.failed.error)}`);
    throw new CliError(
      `migrate stopped at ${r.failed.name}${r.applied.length ? `; ${r.applied.length} migration(s) before it stay applied` : ''}`,
      'fix the cause above and run `forge migrate` again',
      EXIT.statementFailed,
    );
  }
  if (r.applied.length === 0) out(`${c.green('✓')} nothing to apply: every migration in ${rel(ctx, dir)} is applied`);
  else out(`recorded ${r.applied.length} migration(s) in _forge_migrations`);
  return EXIT.ok;
}

async function down(ctx: CommandContext, db: Ctx, dir: string, n: number, lockTimeout: number, flags: Flags, code: CodeMigrations): Promise<ExitCode> {
  const { c, out } = ctx.o;
  const r = await runMigrateDown(db, { dir, count: n, consent: consentHook(ctx, flags, 'forge migrate down'), lockTimeoutMs: lockTimeout, code });
  for (const m of r.reverted) {
    out(`${c.green('✓')} undid ${m.name} (${rel(ctx, m.file)}${m.code ? ', its down(db)' : ''})`);
    for (const s of m.statements) out(`  ${s}`);
  }
  if (r.failed) {
    out(`${c.red('✗')} ${errorMessage(r.failed.error)}`);
    throw new CliError(`migrate down stopped at ${r.failed.name}`, 'fix the cause above and run `forge migrate down` again', EXIT.statementFailed);
  }
  out(`removed ${r.reverted.length} migration(s) from _forge_migrations`);
  return EXIT.ok;
}
