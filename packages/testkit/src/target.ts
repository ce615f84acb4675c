import { buildSchemaIR, createDbWith, runDiff, runPush, type Adapter, type Capabilities, type Connection, type Db, type SchemaShape } from '@forge/core';
import { it } from 'vitest';

/** How a conformance run reaches a dialect: its adapter and a way to get a fresh, empty database. */
export interface ConformanceTarget {
  name: string;
  adapter: Adapter;
  /** A new empty database (a temp file, a CREATE DATABASE, ...), its URL, and how to throw it away. */
  fresh(): Promise<FreshDatabase>;
}

export interface FreshDatabase {
  url: string;
  conn: Connection;
  /** Close the connection and remove the database. */
  cleanup(): Promise<void>;
}

/**
 * Register a case that needs a capability. A dialect without it reports the case as skipped, naming the
 * flag, so no case is ever dropped silently.
 */
export function itIf(caps: Capabilities, flag: keyof Capabilities, name: string, fn: () => Promise<void>, timeout?: number): void {
  if (caps[flag]) it(name, fn, timeout);
  else it.skip(`${name} [skipped: capabilities.${String(flag)} is false on ${caps.dialect}]`, fn);
}

/** Run `fn` against a fresh database with `schema` pushed; always cleans up. */
export async function withPushed<S extends SchemaShape>(target: ConformanceTarget, schema: S, fn: (db: Db<S>, fresh: FreshDatabase) => Promise<void>): Promise<void> {
  const fresh = await target.fresh();
  try {
    const report = await runPush({ adapter: target.adapter, conn: fresh.conn, ir: buildSchemaIR(schema) });
    if (report.failures.length) throw new Error(`push failed: ${JSON.stringify(report.failures, null, 2)}`);
    await fn(createDbWith(target.adapter, fresh.conn, schema), fresh);
  } finally {
    await fresh.cleanup();
  }
}

/** Push, then check the two properties every DDL case must have: diff is empty, a second push applies nothing. */
export async function assertConverges(target: ConformanceTarget, conn: Connection, schema: SchemaShape): Promise<void> {
  const ir = buildSchemaIR(schema);
  const first = await runPush({ adapter: target.adapter, conn, ir });
  if (first.failures.length) throw new Error(`push failed on ${target.name}: ${JSON.stringify(first.failures, null, 2)}`);
  const report = await runDiff({ adapter: target.adapter, conn, ir });
  if (!report.inSync) throw new Error(`diff not empty after push on ${target.name}: ${JSON.stringify(report.items, null, 2)}`);
  const second = await runPush({ adapter: target.adapter, conn, ir });
  if (second.applied.length || second.failures.length) {
    throw new Error(`second push was not a no-op on ${target.name}: applied ${JSON.stringify(second.applied)}, failures ${JSON.stringify(second.failures)}`);
  }
}
