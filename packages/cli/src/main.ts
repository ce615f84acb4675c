import { readFileSync } from 'node:fs';
import { cac } from 'cac';
import type { CommandContext, CommandSpec } from './command.js';
import { diff } from './commands/diff.js';
import { doctor } from './commands/doctor.js';
import { generate } from './commands/generate.js';
import { migrate } from './commands/migrate.js';
import { pull } from './commands/pull.js';
import { push } from './commands/push.js';
import { rollback } from './commands/rollback.js';
import { studio } from './commands/studio.js';
import { loadEnv, type Env } from './env.js';
import { exitCall, interceptExit } from './exit-guard.js';
import { CliError, EXIT } from './errors.js';
import { createOutput, printError } from './output.js';
import { routeUserStdoutToStderr } from './stdio.js';

const COMMANDS: CommandSpec[] = [push, diff, generate, migrate, rollback, pull, doctor, studio];

/** Accepted by every command, also where it does not need them, so scripts can pass the same flags to each step. */
const GLOBAL_OPTIONS: Array<[string, string]> = [
  ['--schema <file>', 'Schema file (overrides FORGE_SCHEMA_PATH, package.json and forge.config)'],
  ['--config <file>', 'forge.config file (default: forge.config.{ts,mts,js,mjs} in the current folder)'],
];

const GLOBAL_HELP = [
  {
    title: 'Environment',
    body:
      '  DATABASE_URL        the database (read from the environment, then .env); there is no --url flag\n' +
      '  FORGE_SCHEMA_PATH   schema file, when --schema is not given\n' +
      '  FORGE_DIFF_IGNORE   ignore patterns for diff, stacked with --ignore\n' +
      '  FORGE_LOCK_TIMEOUT  how long migrate DDL waits for a lock held elsewhere (default 5s)\n' +
      '  NO_COLOR            plain output (also the default when stdout is not a terminal)',
  },
  {
    title: 'Schema resolution (first hit wins)',
    body:
      '  --schema, FORGE_SCHEMA_PATH, package.json "forge": { "schema" }, forge.config.ts "schema",\n' +
      '  then src/schema.ts, schema.ts, src/db/schema.ts, db/schema.ts, prisma/schema.ts (.ts/.mts/.js/.mjs)',
  },
  { title: 'Exit codes', body: '  0 ok, 1 pre-flight failed or consent refused (nothing ran), 2 a statement failed, 3 drift with `diff --check` / `generate --check`' },
];

function version(): string {
  // src/ and dist/ both sit one level under the package root.
  return (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version;
}

/** Run the CLI with `process.argv`-shaped arguments; resolves to the exit code instead of exiting. */
export async function main(argv: string[] = process.argv): Promise<number> {
  const cwd = process.cwd();
  const o = createOutput(process.env);
  let env: Env | undefined;
  const ctx: CommandContext = { cwd, o, env: () => (env ??= loadEnv(cwd)) };

  const cli = cac('forge');
  for (const [raw, description] of GLOBAL_OPTIONS) cli.option(raw, description);
  for (const spec of COMMANDS) {
    const command = cli.command(spec.name, spec.description);
    for (const [raw, description] of spec.options) command.option(raw, description);
    if (spec.usage) command.usage(spec.usage);
    // cac prints examples verbatim; indent them like its other sections.
    for (const example of spec.examples) command.example(`  $ ${example}`);
    command.action((...params: unknown[]) => {
      const flags = params.pop() as Record<string, unknown>;
      const config = flags.config;
      if (config !== undefined) ctx.configFile = Array.isArray(config) ? String(config.at(-1)) : String(config);
      return spec.run(ctx, params.filter((p): p is string => typeof p === 'string'), flags);
    });
  }
  cli.help((sections) => {
    const spec = COMMANDS.find((s) => s.name === cli.matchedCommand?.rawName);
    return [...sections, ...(spec ? spec.help : GLOBAL_HELP)];
  });
  cli.version(version());

  try {
    const parsed = cli.parse(argv, { run: false });
    if (parsed.options.help || parsed.options.version) return EXIT.ok;
    if (!cli.matchedCommand) {
      cli.outputHelp();
      const unknown = cli.args[0];
      printError(o, new CliError(unknown ? `unknown command '${unknown}'` : 'no command given', 'pick one of the commands listed above'));
      return EXIT.preflight;
    }
    // The command loads user code (schema, config); what it prints must not mix into the report on stdout,
    // and a process.exit it calls later (a timer) must not end the command early or choose its exit code.
    const restoreStdout = routeUserStdoutToStderr();
    const exits: unknown[] = [];
    const restoreExit = interceptExit((code) => void exits.push(code));
    let code: number;
    try {
      code = await (cli.runMatchedCommand() as Promise<number>);
    } finally {
      restoreExit();
      restoreStdout();
    }
    if (exits.length) {
      o.err(`${o.ce.yellow('forge:')} user code called ${exitCall(exits[0])} while \`forge ${cli.matchedCommand.name}\` ran; forge ignored it and exits with its own code (${code})`);
    }
    return code;
  } catch (e) {
    if (e instanceof Error && e.name === 'CACError') {
      const name = cli.matchedCommand?.name;
      printError(o, new CliError(e.message.replace(/^Unknown option/, 'unknown option'), `see \`forge ${name ? `${name} ` : ''}--help\``));
      return EXIT.preflight;
    }
    printError(o, e);
    return e instanceof CliError ? e.exitCode : EXIT.preflight;
  }
}
