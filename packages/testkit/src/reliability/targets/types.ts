import type { FieldKind } from '@forge/core';
import type { ConformanceTarget } from '../../target.js';

/** A conformance target plus what the reliability harness needs to know about the dialect. */
export interface ReliabilityTarget extends ConformanceTarget {
  /**
   * Throws, naming what is held, unless no forge push lock remains on the database at `url`
   * (SQLite: a write transaction opens at once; Postgres: pg_locks shows no advisory lock).
   */
  assertLockFree(url: string): Promise<void>;
  /** Field kinds the dialect cannot store; the schema generator leaves them out. */
  unsupportedKinds: readonly FieldKind[];
}

/** One adapter in the harness: how to reach a database for it, or why none is reachable here. */
export interface TargetEntry {
  name: string;
  load(): Promise<ReliabilityTarget | { unavailable: string }>;
}
