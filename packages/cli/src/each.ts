/**
 * `forge push --each <file>` and `forge diff --check --each <file>`: the command on every database in a list,
 * through core's `pushMany` / `diffMany`. This file reads the list (a file or stdin), checks the flags, prints
 * a line per target as it finishes and the summary, or the JSON report. Nothing here connects by itself.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import {
  checkConcurrency,
  diffMany,
  parseTargets,
  pushMany,
  type FanoutReport,
  type FanoutTarget,
  type IgnorePattern,
  type TargetReport,
} from '@forge/core';
import type { CommandContext, Flags } from './command.js';
import { stringFlag } from './command.js';
import { loadConfig, lockConnectOptions, type LoadedConfig } from './config.js';
import { CliError, EXIT, errorMessage, errorName, type ExitCode } from './errors.js';
import type { Colors, Output } from './output.js';
import { printError } from './output.js';
import { loadSchema, resolveSchemaFile, type LoadedSchema } from './schema.js';

export const EACH_OPTIONS: Array<[string, string]> = [
  ['--each [file]', 'Run on every database in <file>: a DATABASE_URL per line (or "name url"; # comments), or a JSON list of URLs / { "name", "url" }; - reads stdin'],
  ['--concurrency <n>', 'With --each: how many databases at once, 1 to 64 (default 4)'],
];

export const EACH_HELP = {
  title: 'Many databases (--each)',
  body:
    '  Every target gets its own adapter, connection and push lock; one that fails never stops the others.\n' +
    '  A line per target as it finishes, then a summary; --json prints { targets: [...], failed, ... } only.\n' +
    '  Postgres schema-per-tenant: postgres://host/db?schema=tenant_a (the schema must exist).\n' +
    '  Exit 2 when any target failed or could not be reached (named in the summary); DATABASE_URL is not read.',
};

/** Arguments other than the `-` of `--each -`: a command that takes none refuses them. */
export function extraArgs(flags: Flags, args: string[]): string[] {
  return flags.each === true && args[0] === '-' ? args.slice(1) : args;
}

/** `--concurrency` without `--each`: say what it needs instead of ignoring it. */
export function refuseWithoutEach(flags: Flags, command: string): void {
  if (flags.concurrency !== undefined) {
    throw new CliError('--concurrency only applies with --each', `list the databases in a file and run \`forge ${command} --each <file> --concurrency N\``);
  }
}

/** The target list from `--each <file>` (relative to the project) or stdin (`-`), parsed and checked. */
export async function readTargets(ctx: CommandContext, flags: Flags, args: string[], stdin: NodeJS.ReadableStream = process.stdin): Promise<FanoutTarget[]> {
  const raw = flags.each === true && (args[0] === '-' || dashAfterEach(process.argv)) ? '-' : flags.each;
  if (raw === true || raw === '' || raw === undefined) {
    throw new CliError('--each needs a file: a DATABASE_URL per line, or a JSON list', 'e.g. `forge push --each tenants.txt`, or `-` to read the list from stdin');
  }
  const given = raw === '-' ? '-' : stringFlag(flags, 'each')!;
  let text: string;
  let source: string;
  if (given === '-') {
    source = 'stdin';
    text = await readAll(stdin);
  } else {
    const file = path.resolve(ctx.cwd, given);
    source = given;
    try {
      text = readFileSync(file, 'utf8');
    } catch (e) {
      const code = (e as { code?: string }).code;
      throw new CliError(
        `cannot read the target list ${given}: ${code === 'ENOENT' ? 'no such file' : errorMessage(e)}`,
        'write one DATABASE_URL per line into it (or a JSON list), or pass - to read the list from stdin',
      );
    }
  }
  try {
    return parseTargets(text, source);
  } catch (e) {
    throw asCli(e);
  }
}

/**
 * cac's parser (mri) drops a lone `-` after a flag, so `--each -` arrives as each=true with nothing else; the
 * command line itself says whether the `-` was there. (`--each=-` arrives as the value.)
 */
function dashAfterEach(argv: string[]): boolean {
  const at = argv.indexOf('--each');
  return at >= 0 && argv[at + 1] === '-';
}

function readAll(stream: NodeJS.ReadableStream): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = '';
    stream.setEncoding('utf8');
    stream.on('data', (d: string) => (text += d));
    stream.on('end', () => resolve(text));
    stream.on('error', reject);
  });
}

/** The config and schema, as `prepare` loads them, without a DATABASE_URL (the list names the databases). */
export async function prepareEach(ctx: CommandContext, schemaFlag: string | undefined): Promise<{ config?: LoadedConfig; schema: LoadedSchema }> {
  const env = ctx.env();
  const config = await loadConfig(ctx.cwd, ctx.configFile);
  const source = resolveSchemaFile({ cwd: ctx.cwd, flag: schemaFlag, env, config });
  const schema = await loadSchema(source, ctx.cwd);
  return { config, schema };
}

export function concurrencyOf(flags: Flags): number {
  try {
    return checkConcurrency(flags.concurrency === true ? true : flags.concurrency === undefined ? undefined : stringFlag(flags, 'concurrency'));
  } catch (e) {
    throw asCli(e);
  }
}

function asCli(e: unknown): unknown {
  if (errorName(e) !== 'ConfigError') return e;
  return new CliError(errorMessage(e).replace(/^The concurrency/, '--concurrency'), 'fix the target list or flag named above; nothing ran');
}

/** The one line a target gets when it finishes. */
export function targetLine(c: Colors, r: TargetReport): string {
  const ms = c.dim(`(${r.ms} ms)`);
  if (r.status === 'error') return `${c.red('✗')} ${r.name}: ${r.error} ${ms}`;
  if (r.drift) {
    const n = r.drift.items.length;
    return r.status === 'drift' ? `${c.yellow('≠')} ${r.name}: ${n} drift item(s) ${ms}` : `${c.green('✓')} ${r.name}: in sync ${ms}`;
  }
  const p = r.push!;
  const counts = `applied ${p.applied.length}, skipped ${p.skipped.length}, failures ${p.failures.length}${p.rolledBack?.length ? `, rolled back ${p.rolledBack.length}` : ''}`;
  if (r.status === 'applied') return `${c.green('✓')} ${r.name}: ${counts} ${ms}`;
  const first = p.failures[0];
  return `${c.red('✗')} ${r.name}: ${counts}; ${first.label}: ${first.error.split('\n')[0]} ${ms}`;
}

/** The report as `--json` prints it: the fan-out report, each target's full push or drift report inside. */
export function fanoutJson(report: FanoutReport): string {
  return JSON.stringify(report, null, 2);
}

/**
 * Run the fan-out for `push` or `diff`, print as it goes, and pick the exit code: 2 when any target failed or
 * could not be reached, else (diff with --check) 3 when any drifted, else 0.
 */
export async function runEach(
  ctx: CommandContext,
  flags: Flags,
  args: string[],
  mode: { command: 'push'; enableExtensions: boolean } | { command: 'diff'; check: boolean; ignore: (config?: LoadedConfig) => IgnorePattern[] },
): Promise<ExitCode> {
  const concurrency = concurrencyOf(flags);
  const targets = await readTargets(ctx, flags, args);
  const { config, schema } = await prepareEach(ctx, stringFlag(flags, 'schema'));
  const o: Output = ctx.o;
  const json = flags.json === true;
  const common = {
    schema: schema.ir,
    concurrency,
    fromDir: ctx.cwd,
    lock: lockConnectOptions(ctx.env(), config),
    onResult: json ? undefined : (r: TargetReport) => o.out(targetLine(o.c, r)),
  };
  if (!json) o.out(o.c.dim(`${mode.command} on ${targets.length} database(s), ${Math.min(concurrency, targets.length)} at a time`));
  const report =
    mode.command === 'push'
      ? await pushMany(targets, { ...common, enableExtensions: mode.enableExtensions })
      : await diffMany(targets, { ...common, ignore: mode.ignore(config) });
  if (json) o.out(fanoutJson(report));
  else for (const line of summaryLines(o.c, report, mode.command)) o.out(line);

  if (report.failed.length) {
    printError(
      o,
      new CliError(
        `${report.failed.length} of ${report.targets.length} database(s) failed: ${report.failed.join(', ')}`,
        `fix the cause shown for each and run the same command again; the ${report.targets.length - report.failed.length} that succeeded ${mode.command === 'push' ? 'apply nothing the second time' : 'are checked again'}`,
      ),
    );
    return EXIT.statementFailed;
  }
  if (mode.command === 'diff' && mode.check && report.drifted.length) return EXIT.drift;
  return EXIT.ok;
}

function summaryLines(c: Colors, r: FanoutReport, command: 'push' | 'diff'): string[] {
  const count = (s: TargetReport['status']) => r.targets.filter((t) => t.status === s).length;
  const parts =
    command === 'push'
      ? [`${count('applied')} ok`, `${count('failed')} with failed statements`, `${count('error')} unreachable or refused`]
      : [`${count('in-sync')} in sync`, `${count('drift')} with drift`, `${count('error')} unreachable or refused`];
  const applied = r.targets.reduce((n, t) => n + (t.push?.applied.length ?? 0), 0);
  const lines = [`${r.targets.length} database(s): ${parts.join(', ')}${command === 'push' ? `; ${applied} statement(s) applied` : ''} in ${r.ms} ms`];
  if (r.drifted.length) lines.push(`${c.yellow('drift:')} ${r.drifted.join(', ')}`);
  if (r.failed.length) lines.push(`${c.red('failed:')} ${r.failed.join(', ')}`);
  return lines;
}
