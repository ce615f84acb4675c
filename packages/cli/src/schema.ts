import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { buildSchemaIR, isModel, type AnyModel, type SchemaIR } from '@forge/core';
import { CONFIG_FILES, type LoadedConfig } from './config.js';
import type { Env } from './env.js';
import { CliError, errorMessage } from './errors.js';
import { importUserModule, invalidSchema } from './load-module.js';

const CONVENTIONAL_BASES = ['src/schema', 'schema', 'src/db/schema', 'db/schema', 'prisma/schema'];
const CONVENTIONAL_EXTS = ['.ts', '.mts', '.js', '.mjs'];
const CONVENTIONAL_PATHS = CONVENTIONAL_BASES.flatMap((b) => CONVENTIONAL_EXTS.map((e) => b + e));

const PICK_HINT = 'pick one with --schema=<file>, FORGE_SCHEMA_PATH, or "forge": { "schema": "<file>" } in package.json';

export interface SchemaSource {
  file: string;
  /** Which step of the cascade chose the file, for messages and `forge doctor`. */
  via: string;
}

export interface LoadedSchema extends SchemaSource {
  ir: SchemaIR;
  /** The models the IR was built from (what a typed client needs: `forge studio`). */
  models?: Record<string, AnyModel>;
}

export interface ResolveOptions {
  cwd: string;
  flag?: string;
  env: Env;
  config?: LoadedConfig;
}

/** The schema-resolution cascade (FEATURES.md §6): the first step that names a file wins. */
export function resolveSchemaFile(opts: ResolveOptions): SchemaSource {
  const { cwd, env, config } = opts;
  if (opts.flag) return explicit(path.resolve(cwd, opts.flag), '--schema', cwd);
  if (env.FORGE_SCHEMA_PATH) return explicit(path.resolve(cwd, env.FORGE_SCHEMA_PATH), 'FORGE_SCHEMA_PATH', cwd);
  const fromPackage = packageJsonSchema(cwd);
  if (fromPackage) return explicit(path.resolve(cwd, fromPackage), 'package.json "forge.schema"', cwd);
  if (config?.config.schema) return explicit(path.resolve(config.dir, config.config.schema), path.basename(config.file), cwd);

  const found = CONVENTIONAL_PATHS.filter((p) => isFile(path.join(cwd, p)));
  if (found.length > 1) {
    throw new CliError(`found more than one schema file: ${found.join(' and ')}`, PICK_HINT);
  }
  if (found.length === 1) return { file: path.join(cwd, found[0]), via: 'conventional path' };
  const exts = `{${CONVENTIONAL_EXTS.map((e) => e.slice(1)).join(',')}}`;
  const tried = [
    '--schema (not given)',
    'FORGE_SCHEMA_PATH (not set)',
    'package.json "forge": { "schema" } (not set)',
    `${CONFIG_FILES.join(', ')} "schema" (${config ? 'not set' : 'no config file'})`,
    ...CONVENTIONAL_BASES.map((b) => `${b}.${exts}`),
  ];
  throw new CliError(
    `no schema file found in ${cwd}. Tried:\n  ${tried.join('\n  ')}`,
    'create src/schema.ts with `export const schema = { user: User }`, or point at your file with --schema=<file>',
  );
}

/** Load the file and build the IR; every failure names the file. */
export async function loadSchema(source: SchemaSource, cwd: string): Promise<LoadedSchema> {
  const shown = path.relative(cwd, source.file) || source.file;
  const mod = await importUserModule(source.file, cwd, 'schema');
  const models = schemaFromModule(mod, shown);
  try {
    return { ...source, ir: buildSchemaIR(models), models };
  } catch (e) {
    throw invalidSchema(shown, errorMessage(e));
  }
}

/** `export const schema = {...}`, else a default export of models, else every exported model. */
function schemaFromModule(mod: Record<string, unknown>, shown: string): Record<string, AnyModel> {
  if (mod.schema !== undefined) {
    if (!mod.schema || typeof mod.schema !== 'object' || isModel(mod.schema)) {
      throw new CliError(`${shown} exports \`schema\`, but it is not an object of models`, 'export const schema = { user: User }');
    }
    // Almost always a mistake, and a costly one: every table would be drift, and diff apply would drop them all.
    if (Object.keys(mod.schema).length === 0) throw new CliError(`${shown} exports an empty schema`, 'add your models: export const schema = { user: User }');
    return mod.schema as Record<string, AnyModel>;
  }
  const def = mod.default;
  if (def && typeof def === 'object' && !isModel(def)) {
    const values = Object.values(def);
    if (values.length > 0 && values.every(isModel)) return def as Record<string, AnyModel>;
  }
  const collected: Record<string, AnyModel> = {};
  const seen = new Set<unknown>();
  for (const [key, value] of Object.entries(mod)) {
    // The same model exported under two names is one table, not a duplicate.
    if (key === 'default' || !isModel(value) || seen.has(value)) continue;
    seen.add(value);
    collected[key] = value;
  }
  if (Object.keys(collected).length > 0) return collected;
  throw new CliError(`${shown} exports no schema`, 'export the models from it: export const schema = { user: User }');
}

function explicit(file: string, via: string, cwd: string): SchemaSource {
  const shown = path.relative(cwd, file) || file;
  if (!existsSync(file)) throw new CliError(`schema file ${shown} (from ${via}) does not exist`, `check the path; it is resolved from ${cwd}`);
  if (!isFile(file)) throw new CliError(`schema path ${shown} (from ${via}) is not a file`, 'point it at the .ts or .js file that exports your models');
  return { file, via };
}

function packageJsonSchema(cwd: string): string | undefined {
  const file = path.join(cwd, 'package.json');
  if (!existsSync(file)) return undefined;
  let pkg: unknown;
  try {
    pkg = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new CliError(`package.json is not valid JSON: ${errorMessage(e)}`, 'fix package.json, or pass the schema with --schema=<file>');
  }
  const schema = ((pkg as { forge?: unknown } | null)?.forge as { schema?: unknown } | null | undefined)?.schema;
  if (schema === undefined) return undefined;
  if (typeof schema !== 'string' || schema === '') {
    throw new CliError('package.json "forge.schema" must be a path string', 'write "forge": { "schema": "./src/schema.ts" }');
  }
  return schema;
}

function isFile(p: string): boolean {
  try {
    return statSync(p).isFile();
  } catch {
    return false;
  }
}
