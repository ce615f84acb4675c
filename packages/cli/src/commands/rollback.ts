import path from 'node:path';
import { runRollback } from '@forge/core';
import { dialectOf, openAdapter, withConnection } from '../adapter.js';
import type { CommandSpec } from '../command.js';
import { loadConfig, lockConnectOptions, lockTimeoutMs } from '../config.js';
import { requireDatabaseUrl } from '../env.js';
import { CliError, EXIT, commandFailed, errorMessage, errorName } from '../errors.js';
import { migrationsDir, refuseMongo } from '../migrations.js';

export const rollback: CommandSpec = {
  name: 'rollback',
  description: 'Run the -- down block of the most recent `forge diff apply` migration and remove its ledger row',
  options: [],
  help: [
    {
      title: 'Notes',
      body:
        '  Goes back exactly one migration; run it again to go back further. Reads migrations/<name>.sql\n' +
        '  (migrationsDir in forge.config.ts moves it). The schema file is not needed. A dropped column\n' +
        '  comes back with its type, not its data; a dropped table does not come back.',
    },
    { title: 'Exit codes', body: '  0  rolled back\n  1  nothing to roll back, migration file missing, database unreachable, or a statement failed' },
  ],
  examples: ['npx forge rollback'],
  async run(ctx) {
    const url = requireDatabaseUrl(ctx.env());
    const entry = dialectOf(url);
    refuseMongo(entry.dialect);
    const config = await loadConfig(ctx.cwd, ctx.configFile);
    const dir = migrationsDir(ctx.cwd, config);
    const timeout = lockTimeoutMs(ctx.env(), config);
    const adapter = await openAdapter(entry, ctx.cwd);
    const result = await withConnection(adapter, url, async (conn) => {
      try {
        return await runRollback({ adapter, conn }, { dir, lockTimeoutMs: timeout });
      } catch (e) {
        // The engine's own errors (empty ledger, missing file, a failed down block) already say what to do next.
        const name = errorName(e);
        if (name === 'ConfigError' || name === 'MigrationError') throw new CliError(errorMessage(e));
        throw commandFailed('rollback', e);
      }
    }, lockConnectOptions(ctx.env(), config));
    const { c, out } = ctx.o;
    out(`${c.green('✓')} rolled back ${result.name} (${path.relative(ctx.cwd, result.file) || result.file})`);
    for (const statement of result.statements) out(`  ${statement}`);
    out(`removed ${result.name} from _forge_migrations`);
    return EXIT.ok;
  },
};
