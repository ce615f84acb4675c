/**
 * TEST ONLY: the child process of the crash-recovery cases. It does what `forge push`, `forge diff apply` or
 * `forge rollback` do in a user's project (the real adapter, chosen by DATABASE_URL and resolved from the
 * project as the CLI resolves it; the project's schema file; its `migrations` folder), through the same
 * engine entry points, with an `afterStatement` hook that SIGKILLs this process at the k-th call. The
 * engine reads no environment for that: the hook is passed in here, and only here.
 *
 *   cwd = a cliProject;  DATABASE_URL=<url>  node --import <jiti register> crash-runner.ts <command> <k> [schema file]
 *
 * `crashRun` (cli.ts) starts it. Exits 0 when the command finished before the k-th statement (with the
 * result as JSON on stdout), 1 when it failed (the error on stderr).
 */
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { buildSchemaIR, dialectForUrl, isModel, loadAdapter, runDiffApply, runPush, runRollback, type AnyModel } from '@forge/core';

export const CRASH_COMMANDS = ['push', 'diff-apply', 'rollback'] as const;
export type CrashCommand = (typeof CRASH_COMMANDS)[number];

async function main(argv: string[]): Promise<unknown> {
  const [command, kArg, schemaArg = 'src/schema.ts'] = argv;
  const k = Number(kArg);
  if (!CRASH_COMMANDS.includes(command as CrashCommand) || !Number.isInteger(k) || k < 1) {
    throw new Error(`usage: crash-runner <${CRASH_COMMANDS.join('|')}> <k >= 1> [schema file]; got ${argv.join(' ')}`);
  }
  const url = process.env.DATABASE_URL;
  if (!url) throw new Error('crash-runner: DATABASE_URL is not set');
  const cwd = process.cwd();

  let calls = 0;
  const afterStatement = () => {
    if (++calls === k) process.kill(process.pid, 'SIGKILL');
  };

  const adapter = await loadAdapter(dialectForUrl(url).dialect, { fromDir: cwd });
  const conn = await adapter.connect(url);
  try {
    const dir = path.join(cwd, 'migrations');
    if (command === 'rollback') return await runRollback({ adapter, conn }, { dir, afterStatement });
    const mod = (await import(pathToFileURL(path.resolve(cwd, schemaArg)).href)) as { schema?: Record<string, AnyModel> };
    if (!mod.schema || isModel(mod.schema)) throw new Error(`crash-runner: ${schemaArg} does not export \`schema\` (an object of models)`);
    const ctx = { adapter, conn, ir: buildSchemaIR(mod.schema) };
    return command === 'push' ? await runPush(ctx, { afterStatement }) : await runDiffApply(ctx, { dir, afterStatement });
  } finally {
    await conn.close();
  }
}

main(process.argv.slice(2)).then(
  (result) => {
    process.stdout.write(`${JSON.stringify(result)}\n`);
    process.exitCode = 0;
  },
  (e: unknown) => {
    process.stderr.write(`${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    process.exitCode = 1;
  },
);
