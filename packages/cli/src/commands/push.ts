import { runPush } from '@forge/core';
import { openAdapter, withConnection } from '../adapter.js';
import { stringFlag, type CommandSpec } from '../command.js';
import { lockConnectOptions } from '../config.js';
import { CliError, EXIT, commandFailed } from '../errors.js';
import { pushSummary, statementLine } from '../format.js';
import { printError } from '../output.js';
import { prepare } from '../preflight.js';
import { EACH_HELP, EACH_OPTIONS, refuseWithoutEach, runEach } from '../each.js';
import { configuredHook, runConfiguredHook } from '../after-migrate.js';

export const push: CommandSpec = {
  name: 'push',
  description: 'Create what the schema declares and the database lacks (additive: never drops or alters)',
  usage: 'push [--enable-extensions] [--schema=<file>]\n  $ forge push --each <file|-> [--concurrency N] [--json] [--schema=<file>]',
  options: [
    ['--enable-extensions', 'Also run CREATE EXTENSION IF NOT EXISTS for what the schema needs (postgis, vector, ...)'],
    ...EACH_OPTIONS,
    ['--json', 'With --each: print one JSON report ({ targets: [...], failed, ... }) and nothing else'],
  ],
  help: [
    { title: 'Exit codes', body: '  0  every statement applied (or nothing to do)\n  1  nothing ran: no DATABASE_URL, schema did not load, database unreachable\n  2  at least one statement failed (the others still ran)' },
    EACH_HELP,
  ],
  examples: ['DATABASE_URL=sqlite:./app.db npx forge push', 'npx forge push --schema=./src/db/schema.ts', 'npx forge push --each tenants.txt --concurrency 4'],
  async run(ctx, args, flags) {
    if (flags.each !== undefined) return runEach(ctx, flags, args, { command: 'push', enableExtensions: flags.enableExtensions === true });
    refuseWithoutEach(flags, 'push');
    if (flags.json) throw new CliError('--json on push only applies with --each', 'run `forge push --each <file> --json`, or `forge push` for the line-by-line report');
    const p = await prepare(ctx, stringFlag(flags, 'schema'));
    const hook = configuredHook(ctx, p.config);
    const adapter = await openAdapter(p.entry, ctx.cwd);
    const { c, out } = ctx.o;
    let hookLine: string | undefined;
    let hookError: unknown;
    const report = await withConnection(adapter, p.url, async (conn) => {
      const r = await runPush({ adapter, conn, ir: p.schema.ir }, {
        enableExtensions: flags.enableExtensions === true,
        // Stream each statement as it runs, so a slow push shows progress and a crash shows how far it got.
        onStatement: (s, outcome, error) => out(statementLine(c, s, outcome, error)),
      }).catch((e: unknown) => {
        throw commandFailed('push', e);
      });
      // A failing hook is reported after push's summary: what push applied stays applied.
      if (hook && r.failures.length === 0) hookLine = await runConfiguredHook(ctx, { adapter, conn }, hook, async () => p.schema.models).catch((e: unknown) => ((hookError = e), undefined));
      return r;
    }, {
      ...lockConnectOptions(ctx.env(), p.config),
      // Where the push lock is a row of _forge_lock: say whose push this one waits for, and until when at most.
      onLockWait: (h) => out(c.dim(`waiting for the push lock: held by ${h.info}, its lease ends in ${Math.ceil(h.expiresInMs / 1000)} s unless renewed`)),
    });
    for (const line of pushSummary(c, report)) out(line);
    if (hookError) throw hookError;
    if (hookLine !== undefined) out(hookLine);
    if (report.failures.length === 0) return EXIT.ok;
    // Transactional DDL without savepoints (DuckDB): a failed statement cannot be isolated, so the push's one
    // transaction rolls back whole and the statements shown as applied are undone with it.
    const whole = report.rolledBack !== undefined || (report.transactional && !adapter.capabilities.savepoints);
    printError(
      ctx.o,
      new CliError(
        `${report.failures.length} statement(s) failed`,
        whole
          ? 'fix the cause shown after ✗ and run `forge push` again; nothing of this push was applied (the database has no savepoints, so the whole push rolled back)'
          : 'fix the cause shown after ✗ and run `forge push` again; the statements that applied stay applied',
      ),
    );
    return EXIT.statementFailed;
  },
};
