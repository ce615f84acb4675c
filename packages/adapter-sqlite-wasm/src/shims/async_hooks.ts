/**
 * `node:async_hooks` for a browser bundle. A browser has no way to carry a value across `await` (no
 * AsyncLocalStorage), so `run(store, fn)` makes the store visible only while `fn` runs synchronously: inside
 * `db.$transaction(async (tx) => ...)` the callback must use `tx`, and a root `db` call made there after an
 * `await` waits for the transaction to end like any other call from outside it.
 */
export class AsyncLocalStorage<T> {
  private store: T | undefined;
  getStore(): T | undefined {
    return this.store;
  }
  run<R>(store: T, fn: (...args: unknown[]) => R, ...args: unknown[]): R {
    const prev = this.store;
    this.store = store;
    try {
      return fn(...args);
    } finally {
      this.store = prev;
    }
  }
  enterWith(store: T): void {
    this.store = store;
  }
  disable(): void {
    this.store = undefined;
  }
}
