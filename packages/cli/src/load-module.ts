import path from 'node:path';
import { createJiti } from 'jiti';
import { CliError, errorMessage, errorName, firstLine } from './errors.js';

/**
 * Import a user file (TypeScript or JavaScript) with no build step. The module cache is off so a
 * long-lived caller (tests, `main()` called twice) always sees the file as it is on disk now.
 */
export async function importUserModule(absPath: string, cwd: string, role: 'schema' | 'config'): Promise<Record<string, unknown>> {
  const jiti = createJiti(import.meta.url, { interopDefault: true, moduleCache: false });
  try {
    const mod = await jiti.import(absPath);
    return (mod && typeof mod === 'object' ? mod : { default: mod }) as Record<string, unknown>;
  } catch (e) {
    const shown = path.relative(cwd, absPath) || absPath;
    // model() validates eagerly, so a bad declaration (two primary keys, an index on an unknown field) throws while loading.
    if (errorName(e) === 'SchemaError') throw invalidSchema(shown, errorMessage(e));
    throw new CliError(
      `the ${role} file ${shown} failed to load: ${firstLine(e)}`,
      role === 'schema'
        ? 'fix the error in that file (run it with `npx tsx` to see the full stack), or point forge at another file with --schema'
        : 'fix the error in that file, or remove it',
    );
  }
}

export function invalidSchema(file: string, message: string): CliError {
  return new CliError(`invalid schema in ${file}: ${message}`, 'fix the model declaration named above, then run the command again');
}
