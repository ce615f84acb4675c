import path from 'node:path';
import { createJiti } from 'jiti';
import { CliError, errorMessage, errorName, firstLine } from './errors.js';
import { exitCall, interceptExit } from './exit-guard.js';

/** Thrown out of `process.exit` while a user module loads, to stop that module where it called it. */
class ExitWhileLoading extends Error {
  override readonly name = 'ExitWhileLoading';
}

/**
 * Import a user file (TypeScript or JavaScript) with no build step. The module cache is off so a
 * long-lived caller (tests, `main()` called twice) always sees the file as it is on disk now.
 *
 * A `process.exit` while the file loads is a failure that names the file (exit 1), never an exit: else
 * `forge diff --check` would end with the code the schema chose and no report. Recorded even when the
 * module catches what the call throws.
 */
export async function importUserModule(absPath: string, cwd: string, role: 'schema' | 'config'): Promise<Record<string, unknown>> {
  const jiti = createJiti(import.meta.url, { interopDefault: true, moduleCache: false });
  const shown = path.relative(cwd, absPath) || absPath;
  let exited: { code: unknown } | undefined;
  const restoreExit = interceptExit((code) => {
    exited ??= { code };
    throw new ExitWhileLoading(`${exitCall(code)} while loading ${shown}`);
  });
  let mod: unknown;
  let failure: { error: unknown } | undefined;
  try {
    mod = await jiti.import(absPath);
  } catch (e) {
    failure = { error: e };
  } finally {
    restoreExit();
  }
  if (exited) {
    throw new CliError(
      `the ${role} file ${shown} called ${exitCall(exited.code)} while loading; forge stopped and ran nothing`,
      `a ${role} file must only declare${role === 'schema' ? ' models' : ' settings'}: remove the process.exit call from it (or from what it imports)`,
    );
  }
  if (!failure) return (mod && typeof mod === 'object' ? mod : { default: mod }) as Record<string, unknown>;
  const e = failure.error;
  // model() validates eagerly, so a bad declaration (two primary keys, an index on an unknown field) throws while loading.
  if (errorName(e) === 'SchemaError') throw invalidSchema(shown, errorMessage(e));
  throw new CliError(
    `the ${role} file ${shown} failed to load: ${firstLine(e)}`,
    role === 'schema'
      ? 'fix the error in that file (run it with `npx tsx` to see the full stack), or point forge at another file with --schema'
      : 'fix the error in that file, or remove it',
  );
}

export function invalidSchema(file: string, message: string): CliError {
  return new CliError(`invalid schema in ${file}: ${message}`, 'fix the model declaration named above, then run the command again');
}
