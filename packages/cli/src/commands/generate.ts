import path from 'node:path';
import { dialectEntry, readSnapshots, runGenerate, type Dialect, type GenerateResult, type Snapshot } from '@forge/core';
import { dialectOf, openAdapter, withConnection } from '../adapter.js';
import { stringFlag, type CommandContext, type CommandSpec } from '../command.js';
import { concurrentIndexes, loadConfig, type LoadedConfig } from '../config.js';
import { requireDatabaseUrl } from '../env.js';
import { consentHook } from '../consent.js';
import { CliError, EXIT, commandFailed, errorMessage, errorName, type ExitCode } from '../errors.js';
import { driftLine } from '../format.js';
import { migrationsDir, refuseMongo } from '../migrations.js';
import { loadRenames } from '../renames.js';
import { loadSchema, resolveSchemaFile } from '../schema.js';
import { findingLines } from '../consent.js';
import { projectForgePackage } from './pull.js';

const SQL_DIALECTS: Dialect[] = ['sqlite', 'postgres', 'mysql', 'duckdb'];

export const generate: CommandSpec = {
  name: 'generate',
  description: 'Write the next migration file (-- up / -- down) from the schema and the previous migration; no database needed',
  usage: 'generate --name <name> [--check] [--dry] [--baseline] [--dialect=<d>] [--renames=<file>] [--accept-data-loss]\n  $ forge generate --empty --name <name> [--sql]',
  options: [
    ['--name <name>', 'What the migration does: migrations/NNNN_<YYYYMMDD_HHMMSS>_<name>.sql'],
    ['--empty', 'Write a code migration to fill in (NNNN_<stamp>_<name>.ts exporting up(db) / down(db)) instead of planning one'],
    ['--sql', 'With --empty: an empty .sql file with -- up / -- down instead'],
    ['--check', 'Write nothing; exit 3 when the schema has changes no migration covers (a CI gate)'],
    ['--dry', 'Print the file on stdout; write nothing'],
    ['--baseline', 'First migration only: plan from the live database at DATABASE_URL (read-only) instead of from an empty one'],
    ['--dialect <dialect>', 'sqlite, postgres, mysql or duckdb, when DATABASE_URL is not set (it is only read for its dialect)'],
    ['--renames <file>', 'JSON answers for possible renames: {"users.handle": "username", "users.bio": false}'],
    ['--accept-data-loss', 'Consent to the drops and breaking changes listed in the preview without being asked'],
  ],
  help: [
    {
      title: 'Notes',
      body:
        '  The plan starts from migrations/.snapshots/<previous>.json (the schema the previous migration left;\n' +
        '  commit it with the files). Two branches that both add 0005 merge without a clash; the next generate\n' +
        '  merges their snapshots. Drops and breaking changes are listed with a lint code and a fix; on a\n' +
        '  terminal forge asks, without one it refuses unless --accept-data-loss.',
    },
    { title: 'Exit codes', body: '  0  written (or nothing to do)\n  1  pre-flight failed, or consent refused (nothing written)\n  3  --check: changes no migration covers' },
  ],
  examples: ['npx forge generate --name add_status', 'npx forge generate --check', 'npx forge generate --name init --baseline', 'npx forge generate --empty --name backfill_status'],
  async run(ctx, _args, flags) {
    const env = ctx.env();
    const dialectFlag = stringFlag(flags, 'dialect');
    let entry: ReturnType<typeof dialectEntry> | undefined;
    if (dialectFlag) {
      if (!SQL_DIALECTS.includes(dialectFlag as Dialect)) throw new CliError(`--dialect ${dialectFlag} is not one of ${SQL_DIALECTS.join(', ')}`, 'migration files are SQL: pick the dialect of the database they will run on');
      entry = dialectEntry(dialectFlag as Dialect);
    }
    const config = await loadConfig(ctx.cwd, ctx.configFile);
    if (!entry) {
      const url = env.DATABASE_URL?.trim();
      // Without DATABASE_URL or --dialect, the dialect the previous migrations were generated for.
      const previous = url ? undefined : (await readSnapshots(migrationsDir(ctx.cwd, config))).at(-1)?.dialect;
      if (!url && !previous) {
        throw new CliError(
          'forge generate needs to know the dialect: DATABASE_URL is not set, --dialect was not given and there is no earlier migration to take it from',
          'pass --dialect=postgres (or sqlite, mysql), or set DATABASE_URL (it is not connected to unless --baseline)',
        );
      }
      entry = url ? dialectOf(url) : dialectEntry(previous as Dialect);
    }
    refuseMongo(entry.dialect);
    const name = stringFlag(flags, 'name');
    const empty = flags.empty === true;
    if (flags.sql === true && !empty) throw new CliError('--sql goes with --empty', 'forge generate --empty --sql --name <name> writes an empty .sql file to fill in');
    if (empty && (flags.check || flags.baseline)) throw new CliError(`--empty writes a file to fill in; --${flags.check ? 'check' : 'baseline'} plans from the schema`, 'use one or the other');
    if (!flags.check && !flags.dry && !name) throw new CliError('forge generate needs --name <name>', 'name it after what it does: forge generate --name add_status (or --check to only test)');
    const dir = migrationsDir(ctx.cwd, config);
    if (empty) return scaffold(ctx, flags, { entry, config, dir, name });
    const schema = await loadSchema(resolveSchemaFile({ cwd: ctx.cwd, flag: stringFlag(flags, 'schema'), env, config }), ctx.cwd);
    const renames = loadRenames(ctx, flags);
    const adapter = await openAdapter(entry, ctx.cwd);
    let base: Snapshot | undefined;
    if (flags.baseline) {
      const url = requireDatabaseUrl(env);
      base = await withConnection(adapter, url, (conn) => adapter.introspect(conn));
    }
    let result: GenerateResult;
    try {
      result = await runGenerate({
        adapter,
        ir: schema.ir,
        dir,
        name,
        base,
        check: flags.check === true,
        dry: flags.dry === true,
        renames,
        consent: consentHook(ctx, flags, 'forge generate'),
        concurrentIndexes: concurrentIndexes(config),
      });
    } catch (e) {
      if (e instanceof CliError) throw e;
      if (errorName(e) === 'ConfigError' || errorName(e) === 'SchemaError') throw new CliError(errorMessage(e));
      throw commandFailed('generate', e);
    }
    return print(ctx, result, flags.check === true, flags.dry === true);
  },
};


/**
 * `forge generate --empty`: a code migration (or with --sql an empty SQL file) to fill in. The schema file is only
 * located, for the type import, never loaded; without one the file's `db` has the raw methods only.
 */
async function scaffold(
  ctx: CommandContext,
  flags: Record<string, unknown>,
  o: { entry: ReturnType<typeof dialectEntry>; config: LoadedConfig | undefined; dir: string; name: string | undefined },
): Promise<ExitCode> {
  const env = ctx.env();
  let schemaImport: string | undefined;
  if (flags.sql !== true) {
    try {
      const source = resolveSchemaFile({ cwd: ctx.cwd, flag: stringFlag(flags, 'schema'), env, config: o.config });
      const rel = path.relative(o.dir, source.file).split(path.sep).join('/').replace(/\.(?:[mc]?ts|[mc]?js)$/, '');
      schemaImport = rel.startsWith('.') ? rel : `./${rel}`;
    } catch (e) {
      if (!(e instanceof CliError)) throw e;
    }
  }
  const adapter = await openAdapter(o.entry, ctx.cwd);
  let r: GenerateResult;
  try {
    r = await runGenerate({
      adapter,
      ir: { models: {} },
      dir: o.dir,
      name: o.name,
      dry: flags.dry === true,
      empty: flags.sql === true ? 'sql' : 'code',
      importFrom: projectForgePackage(ctx.cwd),
      ...(schemaImport ? { schemaImport } : {}),
    });
  } catch (e) {
    if (errorName(e) === 'ConfigError') throw new CliError(errorMessage(e));
    throw commandFailed('generate', e);
  }
  const { c, out, err, ce } = ctx.o;
  if (flags.dry === true) {
    out(r.content.replace(/\n$/, ''));
    err(ce.dim('dry run: nothing written'));
    return EXIT.ok;
  }
  out(`wrote ${path.relative(ctx.cwd, r.file!) || r.file}`);
  if (r.snapshotFile) out(c.dim(`  and ${path.relative(ctx.cwd, r.snapshotFile)} (commit both)`));
  out(c.dim(r.empty === 'code' ? '  → fill in up(db) and down(db), then `npx forge migrate` runs it' : '  → write the -- up and -- down statements, then `npx forge migrate` applies it'));
  return EXIT.ok;
}

function print(ctx: CommandContext, r: GenerateResult, check: boolean, dry: boolean): ExitCode {
  const { c, out, err, ce } = ctx.o;
  const say = dry ? err : out;
  const k = dry ? ce : c;
  const since =
    r.baseline.from === 'snapshot'
      ? `since ${r.baseline.migration ?? 'the last snapshot'}${r.baseline.merged ? ` (merged snapshots of ${r.baseline.merged.join(', ')})` : ''}`
      : r.baseline.from === 'database'
        ? 'from the live database (baseline)'
        : 'from an empty database';
  if (r.upToDate) {
    say(`${k.green('✓')} no schema change ${since}: every change is covered by a migration`);
    return EXIT.ok;
  }
  say(`[forge:generate] ${r.changes.length} change(s) ${since}:`);
  for (const ch of r.changes) say(`  • ${ch.destructive ? k.red(ch.text) : ch.text}`);
  if (r.deferred.length) {
    say(`${k.yellow('!')} not generated (${r.deferred.length}): write the SQL by hand in the file`);
    for (const d of r.deferred) say(`    ${driftLine(k, d)}`);
  }
  if (check) {
    if (r.findings.length) for (const line of findingLines(ctx, r.findings)) say(line);
    say(k.dim('  → `npx forge generate --name <name>` writes the migration that covers them'));
    return EXIT.drift;
  }
  if (dry) {
    for (const line of findingLines({ ...ctx, o: { ...ctx.o, out: err, c: ce } }, r.findings)) err(line);
    out(r.content.replace(/\n$/, ''));
    err(ce.dim('dry run: nothing written'));
    return EXIT.ok;
  }
  if (r.file) {
    out(`wrote ${path.relative(ctx.cwd, r.file) || r.file}`);
    if (r.snapshotFile) out(c.dim(`  and ${path.relative(ctx.cwd, r.snapshotFile)} (commit both)`));
    out(c.dim('  → review it, then `npx forge migrate` applies it'));
  }
  return EXIT.ok;
}
