/**
 * The engine behind a wire protocol and the push lock taken there, in words (doctor, push notes). No Node imports:
 * push, which reads these, also runs in the browser.
 */
import type { Connection, EngineFacts, LockStrategy } from '../adapter.js';
import { LOCK_TABLE } from '../diff/ignore.js';
import type { LockSettings } from './lock-row.js';

/**
 * The push lock settings `conn` was opened with, where its adapter keeps them (`lockSettings` on the Postgres and
 * MySQL connections, read from the connect options and the environment on first use: it throws on a bad value).
 */
export function connectionLockSettings(conn: Connection): LockSettings | undefined {
  return (conn as { lockSettings?: LockSettings }).lockSettings;
}

/** The lock strategy an adapter uses on `engine`: the forced one, else the native lock where it works, else the row. */
export function chooseLockStrategy(engine: Pick<EngineFacts, 'nativeLock'> | undefined, strategy: LockStrategy = 'auto'): 'native' | 'row' {
  if (strategy === 'row' || strategy === 'native') return strategy;
  return engine && !engine.nativeLock ? 'row' : 'native';
}

/**
 * What doctor lists and push reports about the engine: the sentence about its push lock as the strategy in force
 * has it, then its `limits`. Forced `'native'` where the engine's own lock does not serialise pushes is a warning;
 * forced `'row'` where it does says the row is taken by choice.
 */
export function engineNotes(engine: EngineFacts | undefined, strategy: LockStrategy = 'auto'): string[] {
  if (!engine) return [];
  const chosen = chooseLockStrategy(engine, strategy);
  let lock: string | undefined;
  if (chosen === chooseLockStrategy(engine)) lock = engine.lockNote;
  else if (chosen === 'native') {
    lock = `lockStrategy 'native' is set, but ${engine.label}'s own lock does not serialise pushes here: two pushes at once can both change the schema. Use lockStrategy 'auto' or 'row' (a row of ${LOCK_TABLE}, with a lease)`;
  } else lock = `lockStrategy 'row' is set: push takes its lock as a row of ${LOCK_TABLE}, with a lease, instead of the engine's own lock`;
  return lock ? [lock, ...engine.limits] : [...engine.limits];
}
