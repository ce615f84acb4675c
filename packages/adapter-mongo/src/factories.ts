import { ConfigError, type DriverHandle } from '@forge/core';

/** What forge needs of a `MongoClient` (only structurally, so `forge-orm` re-exports this without loading mongodb). */
export interface MongoClientLike {
  db(name: string, ...rest: never[]): unknown;
}

/**
 * A `MongoClient` the user owns, on database `dbName`: database-per-tenant shares one socket pool (seed 000),
 * `createDb({ schema, driver: mongoDriver(client, `tenant_${id}`) })`. forge never closes a client it was handed.
 */
export function mongoDriver(client: MongoClientLike, dbName: string): DriverHandle {
  if (!client || typeof (client as { db?: unknown }).db !== 'function') {
    throw new ConfigError('mongoDriver(client, dbName) takes a MongoClient from the mongodb package: new MongoClient(url, { maxPoolSize: 20 })');
  }
  if (typeof dbName !== 'string' || dbName === '' || /[/\\. "$*<>:|?\0]/.test(dbName)) {
    throw new ConfigError(`mongoDriver(client, dbName): ${JSON.stringify(dbName)} is not a database name MongoDB takes (non-empty, no / \\ . space " $ * < > : | ?)`);
  }
  return { __forgeDriver: true, dialect: 'mongo', flavor: 'mongodb', client, options: { dbName } };
}
