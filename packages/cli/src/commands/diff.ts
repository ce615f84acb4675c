import { runDiff } from '@forge/core';
import { openAdapter, withConnection } from '../adapter.js';
import { stringFlag, type CommandSpec } from '../command.js';
import { CliError, EXIT, commandFailed } from '../errors.js';
import { driftJson, driftReport } from '../format.js';
import { collectIgnore } from '../ignore.js';
import { prepare } from '../preflight.js';
import { diffApply } from './diff-apply.js';
import { EACH_HELP, EACH_OPTIONS, extraArgs, refuseWithoutEach, runEach } from '../each.js';

export const diff: CommandSpec = {
  name: 'diff [apply]',
  description: 'Report drift between the schema and the live database (read-only); `diff apply` writes and runs a migration',
  usage: 'diff [--json] [--check] [--ignore=<list>] [--schema=<file>]\n  $ forge diff --check --each <file|-> [--concurrency N] [--json]\n  $ forge diff apply [--dry] [--ignore=<list>] [--schema=<file>]',
  options: [
    ['--json', 'Print the drift report as JSON ({ dialect, items, inSync, ignored }, and notes when the database cannot hold something declared) and nothing else'],
    ['--check', 'Exit 3 when there is drift (a CI gate)'],
    ['--ignore <list>', 'Tables to leave out: names and /regex/flags, comma-separated; stacks with FORGE_DIFF_IGNORE'],
    ['--dry', 'diff apply only: print the migration file; write nothing, apply nothing'],
    ['--accept-data-loss', 'diff apply only: consent to the drops and breaking changes in the preview without being asked'],
    ['--renames <file>', 'diff apply only: JSON answers for possible renames ({"users.handle": "username"})'],
    ...EACH_OPTIONS,
  ],
  help: [
    {
      title: 'diff apply',
      body:
        '  Writes migrations/<stamp>_drift.sql (-- up / -- down; migrationsDir in forge.config.ts moves it),\n' +
        '  applies the up block and records it in _forge_migrations. Adds missing columns, indexes and foreign\n' +
        '  keys; drops extra columns and tables. Missing tables are left to `forge push`. `--dry` prints the\n' +
        '  file on stdout (the change list goes to stderr) and touches nothing. Ignore patterns apply here too.',
    },
    {
      title: 'Exit codes',
      body:
        '  diff:        0 in sync (or drift without --check), 1 pre-flight failed, 3 drift with --check\n' +
        '  diff apply:  0 applied (or nothing to do), 1 pre-flight failed, 2 a statement failed\n' +
        '  diff --each: 0 all in sync (or drift without --check), 2 a database failed, 3 drift with --check',
    },
    EACH_HELP,
  ],
  examples: ['npx forge diff', 'npx forge diff --check --json', "npx forge diff --ignore=logs,/^_atlas_/i", 'npx forge diff apply --dry'],
  async run(ctx, args, flags) {
    if (flags.each !== undefined && extraArgs(flags, args).length === 0) {
      return runEach(ctx, flags, args, {
        command: 'diff',
        check: flags.check === true,
        ignore: (config) => collectIgnore({ config: config?.config.ignore, env: ctx.env().FORGE_DIFF_IGNORE, flag: flags.ignore }),
      });
    }
    if (flags.each !== undefined) {
      throw new CliError(`--each runs \`forge diff\` (the drift check) on many databases, not \`forge diff ${args[0]}\``, 'run `forge diff --check --each <file>`; apply migrations to each database with `forge migrate`');
    }
    refuseWithoutEach(flags, 'diff --check');
    const action = args[0];
    if (action === 'apply') return diffApply(ctx, flags);
    if (action !== undefined) {
      throw new CliError(`unknown diff action '${action}'`, 'the only action is `forge diff apply`; see `forge diff --help`');
    }
    if (flags.dry) throw new CliError('--dry only applies to `forge diff apply`', '`forge diff` never writes; preview a migration with `forge diff apply --dry`');

    const p = await prepare(ctx, stringFlag(flags, 'schema'));
    const ignore = collectIgnore({ config: p.config?.config.ignore, env: ctx.env().FORGE_DIFF_IGNORE, flag: flags.ignore });
    const adapter = await openAdapter(p.entry, ctx.cwd);
    const report = await withConnection(adapter, p.url, (conn) =>
      runDiff({ adapter, conn, ir: p.schema.ir }, { ignore }).catch((e: unknown) => {
        throw commandFailed('diff', e);
      }),
    );

    if (flags.json) ctx.o.out(driftJson(report));
    else for (const line of driftReport(ctx.o.c, report)) ctx.o.out(line);
    return flags.check && !report.inSync ? EXIT.drift : EXIT.ok;
  },
};
