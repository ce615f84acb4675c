import { randomUUID } from 'node:crypto';
import { DbKnownError, type Connection } from '@forge/core';
import type { Document } from 'mongodb';
import { commandName, parseCommandText, type MongoCommand } from './command.js';
import type { MongoConnection } from './connection.js';
import { mapMongoError } from './errors.js';
import { LOCK_COLLECTION } from './names.js';


/** How long a push waits for another push's lock, and when a lock left by a killed push is taken over. */
export const LOCK_WAIT_MS = 60_000;
export const LOCK_STALE_MS = 10 * 60_000;

/**
 * The push lock: one document `{ _id: 'push' }` in `_forge_lock`, inserted (the `_id` index makes the insert the
 * test-and-set) and removed by the push that holds it. A lock older than LOCK_STALE_MS was left by a killed push
 * and is taken over. No lock on data is taken: createIndexes builds without blocking reads and writes.
 */
export async function lock<T>(conn: Connection, fn: (conn: Connection) => Promise<T>): Promise<T> {
  const c = conn as MongoConnection;
  const coll = c.db.collection<{ _id: string; token: string; at: Date }>(LOCK_COLLECTION);
  const token = randomUUID();
  const deadline = Date.now() + LOCK_WAIT_MS;
  for (;;) {
    try {
      await coll.insertOne({ _id: 'push', token, at: new Date() });
      break;
    } catch (e) {
      if ((e as { code?: number }).code !== 11000) throw mapMongoError(e, c.ctx);
      await coll.deleteOne({ _id: 'push', at: { $lt: new Date(Date.now() - LOCK_STALE_MS) } });
      if (Date.now() > deadline) {
        throw new DbKnownError('TIMEOUT', `another forge push holds the lock in ${LOCK_COLLECTION} of ${c.db.databaseName}; waited ${LOCK_WAIT_MS} ms. If no push is running, delete it: db.${LOCK_COLLECTION}.deleteOne({ _id: 'push' })`, { waitedMs: LOCK_WAIT_MS });
      }
      await new Promise((r) => setTimeout(r, 250));
    }
  }
  try {
    return await fn(conn);
  } finally {
    await coll.deleteOne({ _id: 'push', token }).catch(() => undefined);
  }
}

/** Error codes for an index whose name or key pattern is taken by one with another spec (seed 004: spec drift). */
const SPEC_DRIFT = new Set([85, 86]);

interface IndexRow {
  name: string;
  key: Document;
}

/**
 * Run one push statement. A `createIndexes` that the server refuses with 85 (IndexOptionsConflict: the key pattern
 * exists under another name or options) or 86 (IndexKeySpecsConflict: the name exists with another spec) drops the
 * conflicting index and creates the declared one. A unique index over data that already holds duplicates (11000)
 * fails with the offending key values listed, so push reports it and carries on with the rest.
 */
export async function runIsolated(conn: Connection, text: string): Promise<void> {
  const c = conn as MongoConnection;
  const cmd = parseCommandText(text);
  try {
    await c.run(cmd);
  } catch (e) {
    const driverCode = e instanceof DbKnownError ? e.meta.driverCode : (e as { code?: unknown }).code;
    if (commandName(cmd) === 'createIndexes' && typeof driverCode === 'number' && SPEC_DRIFT.has(driverCode)) {
      await recreate(c, cmd);
      return;
    }
    if (commandName(cmd) === 'createIndexes' && (e instanceof DbKnownError ? e.code === 'UNIQUE_VIOLATION' : driverCode === 11000)) {
      throw await duplicatesError(c, cmd, e);
    }
    throw e;
  }
}

/** Drop the live indexes that conflict with the declared spec (same name, or same key pattern), then create it. */
async function recreate(c: MongoConnection, cmd: MongoCommand): Promise<void> {
  const collection = String(cmd.createIndexes);
  const spec = (cmd.indexes as Array<{ name: string; key: Document }>)[0];
  const rows = (await c.db.collection(collection).listIndexes().toArray()) as IndexRow[];
  const conflicting = conflictsWith(spec, rows);
  for (const name of conflicting) await c.run({ dropIndexes: collection, index: name });
  await c.run(cmd);
}

/** The names of live indexes a declared spec collides with: its own name, or its key pattern under another name. */
export function conflictsWith(spec: { name: string; key: Document }, live: IndexRow[]): string[] {
  const key = keyPattern(spec.key);
  return live.filter((r) => r.name !== '_id_' && (r.name === spec.name || keyPattern(r.key) === key)).map((r) => r.name);
}

/** The aggregation that finds key values held by more than one document (within the partial filter, if any). */
export function duplicatesPipeline(spec: { key: Document; partialFilterExpression?: Document }, limit = 5): Document[] {
  const group: Document = {};
  for (const path of Object.keys(spec.key)) group[path.replace(/\./g, '_')] = `$${path}`;
  return [
    ...(spec.partialFilterExpression ? [{ $match: spec.partialFilterExpression }] : []),
    { $group: { _id: group, count: { $sum: 1 } } },
    { $match: { count: { $gt: 1 } } },
    { $sort: { count: -1 } },
    { $limit: limit },
  ];
}

async function duplicatesError(c: MongoConnection, cmd: MongoCommand, cause: unknown): Promise<DbKnownError> {
  const collection = String(cmd.createIndexes);
  const spec = (cmd.indexes as Array<{ name: string; key: Document; partialFilterExpression?: Document }>)[0];
  let dups: Document[] = [];
  try {
    dups = (await c.run({ aggregate: collection, pipeline: duplicatesPipeline(spec), cursor: {} })).docs;
  } catch {
    // The original error still says what happened.
  }
  const shown = dups.map((d) => `${JSON.stringify(d._id)} (${d.count} documents)`).join(', ');
  return new DbKnownError(
    'UNIQUE_VIOLATION',
    `cannot create unique index ${spec.name} on ${collection}: existing documents share its key ${Object.keys(spec.key).join(', ')}` +
      `${shown ? `: ${shown}${dups.length === 5 ? ', ...' : ''}` : ''}. Remove or merge the duplicates, then run forge push again`,
    { table: collection, constraint: spec.name, columns: Object.keys(spec.key), duplicates: dups.map((d) => ({ key: d._id, count: d.count })) },
    { cause },
  );
}

/** An index key pattern as text: key order is meaning ({ a: 1, b: 1 } is not { b: 1, a: 1 }); 1.0 and Long(1) read as 1. */
export function keyPattern(key: Document): string {
  return JSON.stringify(Object.entries(key).map(([k, v]) => [k, typeof v === 'string' ? v : Number(v) < 0 ? -1 : 1]));
}
