/**
 * User code must not decide how forge exits. A `process.exit(0)` in a schema file would end `forge push`
 * or `forge diff --check` with code 0 and no output, so a CI gate would pass; forge intercepts the call.
 */

type Exit = typeof process.exit;

/**
 * Replace `process.exit` until the returned function is called. `onCall` decides what a call does: throw to
 * stop the calling code, or return to let it carry on (the process does not exit either way).
 */
export function interceptExit(onCall: (code: unknown) => void): () => void {
  const original = process.exit;
  process.exit = ((code?: unknown) => {
    onCall(code);
    return undefined as never;
  }) as Exit;
  return () => {
    process.exit = original;
  };
}

/** `process.exit(0)`, `process.exit()`: the call as the user wrote it, for messages. */
export function exitCall(code: unknown): string {
  return `process.exit(${code === undefined ? '' : typeof code === 'string' ? JSON.stringify(code) : String(code)})`;
}
