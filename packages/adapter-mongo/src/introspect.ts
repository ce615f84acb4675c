import type { Snapshot, SnapshotTable } from '@forge/core';
import type { Document } from 'mongodb';
import type { MongoConnection } from './connection.js';
import { mapMongoError } from './errors.js';
import { snapshotIndex } from './indexes.js';
import { LEDGER_COLLECTION, LOCK_COLLECTION } from './names.js';

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
    tables.push({ name, columns: [], indexes: indexesOf(name).map(snapshotIndex), foreignKeys: [] });
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
