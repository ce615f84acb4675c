import { AsyncLocalStorage } from 'node:async_hooks';

/**
 * A FIFO async mutex. On a user's single DuckDBConnection it keeps root statements out of a running transaction
 * (they would silently join it); per database file it serialises forge pushes in this process.
 */
export class Gate {
  private tail: Promise<void> = Promise.resolve();
  private pending = 0;
  /** The token of the transaction holding the gate, so a call from inside it can be told apart. */
  holder: object | undefined;

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

const active = new AsyncLocalStorage<ReadonlySet<object>>();

/** Run `fn` marked as inside the transaction `token`. */
export function inside<T>(token: object, fn: () => Promise<T>): Promise<T> {
  const held = new Set(active.getStore());
  held.add(token);
  return active.run(held, fn);
}

/** True when waiting on `gate` would deadlock: the caller runs inside the transaction that holds it. */
export function wouldDeadlock(gate: Gate): boolean {
  return gate.holder !== undefined && (active.getStore()?.has(gate.holder) ?? false);
}
