import path from 'node:path';
import type { Dialect } from '@forge/core';
import type { LoadedConfig } from './config.js';
import { CliError } from './errors.js';

/** `migrations/` under the cwd, or forge.config `migrationsDir` (relative to the config file). */
export function migrationsDir(cwd: string, config?: LoadedConfig): string {
  const configured = config?.config.migrationsDir;
  return configured ? path.resolve(config.dir, configured) : path.join(cwd, 'migrations');
}

/** Seed 004: Mongo has no DDL to version, so the migration-file commands refuse it up front. */
export function refuseMongo(dialect: Dialect): void {
  if (dialect === 'mongo') {
    throw new CliError('Mongo uses forge:push, not SQL migrations', 'run `npx forge push` to sync indexes; roll back by editing the schema and pushing again');
  }
}
