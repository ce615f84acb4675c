import type { Adapter, FieldKind } from '@forge/core';
import type { ConformanceTarget } from '../../target.js';

/** A conformance target plus what the reliability harness needs to know about the dialect. */
export interface ReliabilityTarget extends ConformanceTarget {
  /**
   * Throws, naming what is held, unless no forge push lock remains on the database at `url`
   * (SQLite: a write transaction opens at once; Postgres: pg_locks shows no advisory lock).
   */
  assertLockFree(url: string): Promise<void>;
  /** Give back what `fresh()` keeps for reuse (pooled databases); called when a test file's suite ends. */
  release(): Promise<void>;
  /** Field kinds the dialect cannot store; the schema generator leaves them out. */
  unsupportedKinds: readonly FieldKind[];
}

/** One adapter in the harness: how to reach a database for it, or why none is reachable here. */
export interface TargetEntry {
  name: string;
  /** The adapter alone, for the database-free properties (planning and DDL emission are pure). */
  adapter(): Promise<Adapter>;
  /** For a networked dialect: a URL of it at 127.0.0.1:`port`, where nothing listens (the unreachable-host case). */
  unreachableUrl?(port: number): string;
  load(): Promise<ReliabilityTarget | { unavailable: string }>;
}
