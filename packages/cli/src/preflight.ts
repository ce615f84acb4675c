import { dialectOf, type DialectEntry } from './adapter.js';
import type { CommandContext } from './command.js';
import { loadConfig, type LoadedConfig } from './config.js';
import { requireDatabaseUrl } from './env.js';
import { loadSchema, resolveSchemaFile, type LoadedSchema } from './schema.js';

export interface Prepared {
  url: string;
  entry: DialectEntry;
  config?: LoadedConfig;
  schema: LoadedSchema;
}

/**
 * What every database command needs before it may connect, checked cheapest first: the URL and its
 * dialect, then the config and schema. Nothing here touches the database or writes a file.
 */
export async function prepare(ctx: CommandContext, schemaFlag: string | undefined): Promise<Prepared> {
  const env = ctx.env();
  const url = requireDatabaseUrl(env);
  const entry = dialectOf(url);
  const config = await loadConfig(ctx.cwd, ctx.configFile);
  const source = resolveSchemaFile({ cwd: ctx.cwd, flag: schemaFlag, env, config });
  const schema = await loadSchema(source, ctx.cwd);
  return { url, entry, config, schema };
}

