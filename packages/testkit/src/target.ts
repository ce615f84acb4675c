import { buildSchemaIR, createDbWith, runDiff, runPush, type Adapter, type Capabilities, type Connection, type Db, type ReferentialAction, type SchemaShape } from '@forge/core';
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
  if (supports(caps, flag)) it(name, fn, timeout);
  else it.skip(`${name} [skipped: capabilities.${String(flag)} is false on ${caps.dialect}]`, fn);
}

/** The optional flags that mean "yes" when a dialect leaves them out. */
const ON_WHEN_ABSENT: ReadonlySet<keyof Capabilities> = new Set<keyof Capabilities>(['foreignKeyCycles', 'alterIndexedTable', 'geoQueries']);

/** Whether `caps` has `flag`: its value, or for an optional flag that is absent, its documented default. */
export function supports(caps: Capabilities, flag: keyof Capabilities): boolean {
  const value = caps[flag];
  return value === undefined ? ON_WHEN_ABSENT.has(flag) : Boolean(value);
}

/** Whether a foreign key on this dialect can carry `action` (`capabilities.referentialActions`; absent means every action). */
export function allowsAction(caps: Capabilities, action: ReferentialAction): boolean {
  return caps.referentialActions === undefined || caps.referentialActions.includes(action);
}

/** `action` where the dialect has it, otherwise no action (the dialect's RESTRICT / NO ACTION). */
export function actionIf(caps: Capabilities | undefined, action: ReferentialAction): ReferentialAction | undefined {
  return !caps || allowsAction(caps, action) ? action : undefined;
}

/** Register a case that needs foreign keys to carry `action`; skipped, naming the flag, where they cannot. */
export function itIfAction(caps: Capabilities, action: ReferentialAction, name: string, fn: () => Promise<void>, timeout?: number): void {
  if (allowsAction(caps, action)) it(name, fn, timeout);
  else it.skip(`${name} [skipped: capabilities.referentialActions has no '${action}' on ${caps.dialect}]`, fn);
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
  // A required column push had to add nullable, and said so in its notes (SQLite cannot ADD COLUMN ... NOT NULL
  // with a non-constant default), is drift diff apply settles; push cannot, so it is not push's failure to converge.
  const relaxed = (i: (typeof report.items)[number]) =>
    i.kind === 'column' && i.property === 'nullable' && i.db === true && first.notes.some((n) => n.includes(`${i.table}.${i.column} is added nullable`));
  const left = report.items.filter((i) => !relaxed(i));
  if (left.length) throw new Error(`diff not empty after push on ${target.name}: ${JSON.stringify(left, null, 2)}`);
  const second = await runPush({ adapter: target.adapter, conn, ir });
  if (second.applied.length || second.failures.length) {
    throw new Error(`second push was not a no-op on ${target.name}: applied ${JSON.stringify(second.applied)}, failures ${JSON.stringify(second.failures)}`);
  }
}
