import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { isIgnored, pullSchema } from '@forge/core';
import { openAdapter, showUrl, withConnection } from '../adapter.js';
import { stringFlag, type CommandSpec } from '../command.js';
import { loadConfig } from '../config.js';
import { dialectOf } from '../adapter.js';
import { requireDatabaseUrl } from '../env.js';
import { CliError, EXIT, commandFailed } from '../errors.js';
import { collectIgnore } from '../ignore.js';

/** The forge package the project has (`forge-orm`, or `@forge/core` inside forge), for a written file's imports. */
export function projectForgePackage(cwd: string): string {
  const req = createRequire(path.join(cwd, 'package.json'));
  for (const name of ['forge-orm', '@forge/core']) {
    try {
      req.resolve(name);
      return name;
    } catch {
      // not installed here
    }
  }
  return 'forge-orm';
}

/** The package the written file imports from: `--import`, or the one the project has. */
function importFor(cwd: string, flag: string | undefined): string {
  return flag || projectForgePackage(cwd);
}

export const pull: CommandSpec = {
  name: 'pull',
  description: 'Write a schema file from the live database (adopt a database that exists)',
  usage: 'pull [--out=src/schema.ts] [--force] [--ignore=<list>] [--import=<module>]',
  options: [
    ['--out <file>', 'Where to write the schema (default src/schema.ts)'],
    ['--force', 'Overwrite the file when it exists'],
    ['--ignore <list>', 'Tables to leave out: names and /regex/flags, comma-separated; stacks with FORGE_DIFF_IGNORE'],
    ['--import <module>', 'The module the file imports f and model from (default: forge-orm, or what the project has)'],
  ],
  help: [
    {
      title: 'What it writes',
      body:
        '  One model per table and view: camelCase fields with .map() where the column differs, f.id() for keys the\n' +
        '  database numbers, primaryKey for the others, .unique() and uniques, indexes with their full shape, .refs()\n' +
        '  for foreign keys and one()/many() relations both ways. What forge cannot express is listed at the top of\n' +
        '  the file and printed. `forge diff --check` against the same database then exits 0.',
    },
    { title: 'Exit codes', body: '  0 written, 1 nothing written (no DATABASE_URL, unreachable, the file exists without --force)' },
  ],
  examples: ['DATABASE_URL=postgres://localhost/app npx forge pull', 'npx forge pull --out=src/db/schema.ts --force'],
  async run(ctx, _args, flags) {
    const env = ctx.env();
    const url = requireDatabaseUrl(env);
    const entry = dialectOf(url);
    const config = await loadConfig(ctx.cwd, ctx.configFile);
    const out = path.resolve(ctx.cwd, stringFlag(flags, 'out') ?? 'src/schema.ts');
    const shownOut = path.relative(ctx.cwd, out) || out;
    if (existsSync(out) && flags.force !== true) {
      throw new CliError(`${shownOut} exists; pull never overwrites a file on its own`, 'pass --force to replace it, or --out=<another file> to write beside it');
    }
    const ignore = collectIgnore({ config: config?.config.ignore, env: env.FORGE_DIFF_IGNORE, flag: flags.ignore });
    const adapter = await openAdapter(entry, ctx.cwd);
    const snap = await withConnection(adapter, url, (conn) =>
      adapter.introspect(conn).catch((e: unknown) => {
        throw commandFailed('pull', e);
      }),
    );
    const result = pullSchema(snap, adapter.facts, { importFrom: importFor(ctx.cwd, stringFlag(flags, 'import')), exclude: (t) => isIgnored(t, ignore) });
    mkdirSync(path.dirname(out), { recursive: true });
    writeFileSync(out, result.source);
    const { c, out: print } = ctx.o;
    print(`${c.green('✓')} wrote ${shownOut}: ${result.models.length} model(s) from ${showUrl(url)}`);
    for (const line of result.unexpressed) print(`${c.yellow('!')} ${line}`);
    print(`next: npx forge diff --check${stringFlag(flags, 'out') ? ` --schema=${shownOut}` : ''}   (0: the file describes the database)`);
    return EXIT.ok;
  },
};
