import { AsyncLocalStorage } from 'node:async_hooks';

/**
 * A FIFO async mutex for one connection scope. While a transaction holds it, calls on that scope queue behind the
 * transaction instead of running inside it (SQLite has one transaction per handle, so they would silently join).
 */
export class Gate {
  private tail: Promise<void> = Promise.resolve();
  private pending = 0;
  /** Identifies the transaction holding the gate, so a call made from inside it can be told apart. */
  holder: object | undefined;

  /** True while anything holds the gate or waits for it. */
  get busy(): boolean {
    return this.pending > 0;
  }

  run<T>(fn: () => T | Promise<T>): Promise<T> {
    this.pending++;
    const prev = this.tail;
    let release!: () => void;
    this.tail = new Promise<void>((resolve) => {
      release = resolve;
    });
    return prev.then(fn).finally(() => {
      this.pending--;
      release();
    });
  }
}

/** The transactions the current async call chain runs inside (their holder tokens). */
const activeTransactions = new AsyncLocalStorage<ReadonlySet<object>>();

export function runInsideTransaction<T>(token: object, fn: () => Promise<T>): Promise<T> {
  const outer = activeTransactions.getStore();
  const held = new Set(outer);
  held.add(token);
  return activeTransactions.run(held, fn);
}

/** True when waiting on `gate` would deadlock: the caller is itself running inside the transaction holding it. */
export function wouldDeadlock(gate: Gate): boolean {
  return gate.holder !== undefined && (activeTransactions.getStore()?.has(gate.holder) ?? false);
}
