import type { SchemaIR, Snapshot, SnapshotTable } from '@forge/core';
import type { Document } from 'mongodb';
import type { MongoConnection } from './connection.js';
import { mapMongoError } from './errors.js';
import { snapshotIndex } from './indexes.js';
import { LEDGER_COLLECTION, LOCK_COLLECTION } from './names.js';
import { validatorDrift, type ValidatorDrift } from './validator.js';
import { commandText } from './command.js';
import { lock, runIsolated } from './lock.js';

/** `system.*` collections are MongoDB's own (system.profile, system.views, system.buckets.*). */
const SYSTEM = /^system\./;
/** Atlas keeps its metadata in `_atlas_*` collections (seed 004, workflow c): the platform's, never drift. */
const ATLAS = /^_atlas_/;

/** Collections and their indexes as a Snapshot, from `listCollections` rows and `listIndexes` rows per collection. */
export function snapshotFrom(collections: Document[], indexesOf: (name: string) => Document[]): Snapshot {
  const internal: string[] = [];
  const tables: SnapshotTable[] = [];
  const views: Snapshot['views'] = [];
  for (const c of collections) {
    const name = String(c.name);
    if (SYSTEM.test(name) || ATLAS.test(name) || name === LOCK_COLLECTION || name === LEDGER_COLLECTION) {
      internal.push(name);
      continue;
    }
    if (c.type === 'view') {
      views.push({ name, materialized: false });
      continue;
    }
    // Time series and other kinds are still collections the user reads and writes.
    const table: SnapshotTable = { name, columns: [], indexes: indexesOf(name).map(snapshotIndex), foreignKeys: [] };
    const options = (c.options ?? {}) as Document;
    if (options.validator && typeof options.validator === 'object' && Object.keys(options.validator).length) {
      table.validator = { document: options.validator as Record<string, unknown> };
      if (typeof options.validationLevel === 'string') table.validator.level = options.validationLevel;
      if (typeof options.validationAction === 'string') table.validator.action = options.validationAction;
    }
    tables.push(table);
  }
  tables.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return { dialect: 'mongo', tables, views, internal };
}

/** One `listCollections`, then one `listIndexes` per collection (about one round trip per collection, seed 004). */
export async function introspectMongo(conn: MongoConnection): Promise<Snapshot> {
  try {
    const collections = await conn.db.listCollections({}, { nameOnly: false, authorizedCollections: true }).toArray();
    const byName = new Map<string, Document[]>();
    for (const c of collections) {
      const name = String(c.name);
      if (c.type === 'view' || SYSTEM.test(name) || ATLAS.test(name)) continue;
      byName.set(name, await conn.db.collection(name).listIndexes().toArray());
    }
    return snapshotFrom(collections, (n) => byName.get(n) ?? []);
  } catch (e) {
    throw mapMongoError(e, conn.ctx);
  }
}

/** What `pushValidators` did: the collections whose validator it (re-)applied, and the ones whose collMod failed. */
export interface ValidatorPushReport {
  applied: string[];
  failures: Array<{ table: string; command: string; error: string }>;
  drift: ValidatorDrift[];
}

/**
 * Validator drift re-applied: under push's lock, one `listCollections`, then one `collMod` per collection whose
 * validator, level or action differs from its model's (see `validatorDrift`). A failure is reported per
 * collection, never thrown, as push reports its statements.
 */
export async function pushValidators(conn: MongoConnection, ir: SchemaIR): Promise<ValidatorPushReport> {
  return lock(conn, async () => {
    const drift = validatorDrift(ir, await introspectMongo(conn));
    const results = await applyValidatorDrift(conn, drift);
    return {
      applied: results.flatMap((r) => (r.error === undefined ? [r.drift.table] : [])),
      failures: results.flatMap((r) => (r.error === undefined ? [] : [{ table: r.drift.table, command: r.command, error: r.error }])),
      drift,
    };
  });
}

/** One `collMod` per drifted collection, each isolated: what ran, and the error of each that failed. */
async function applyValidatorDrift(conn: MongoConnection, drift: ValidatorDrift[]): Promise<Array<{ drift: ValidatorDrift; command: string; error?: string }>> {
  const out: Array<{ drift: ValidatorDrift; command: string; error?: string }> = [];
  for (const d of drift) {
    const command = commandText(d.command);
    try {
      await runIsolated(conn, command);
      out.push({ drift: d, command });
    } catch (e) {
      out.push({ drift: d, command, error: (e as Error).message });
    }
  }
  return out;
}

/**
 * Push's part of validator drift, inside push's lock (which `pushValidators` takes itself): one `collMod` per
 * collection whose validator differs from its model's, each labelled `validator <collection>`.
 */
export async function pushValidatorsLocked(conn: MongoConnection, ir: SchemaIR): Promise<{ applied: string[]; failures: Array<{ label: string; sql: string; error: string }> }> {
  const results = await applyValidatorDrift(conn, validatorDrift(ir, await introspectMongo(conn)));
  const label = (r: (typeof results)[number]) => `validator ${r.drift.table}`;
  return {
    applied: results.flatMap((r) => (r.error === undefined ? [label(r)] : [])),
    failures: results.flatMap((r) => (r.error === undefined ? [] : [{ label: label(r), sql: r.command, error: r.error }])),
  };
}
