import { ConfigError, redactUrl, type ConnectOptions, type DriverHandle } from '@forge/core';
import { MongoClient } from 'mongodb';
import { MongoConnection } from './connection.js';
import { mapMongoError } from './errors.js';
import { parseMongoUrl } from './url.js';

export { mongoDriver } from './factories.js';

/** The server's version, read once per connection (buildInfo answers without authentication on most servers). */
async function readVersion(conn: MongoConnection): Promise<string | undefined> {
  try {
    const info = await conn.db.admin().command({ buildInfo: 1 });
    return typeof info.version === 'string' ? info.version : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Open a connection from a URL (forge owns the client and closes it) or a `mongoDriver` handle. A URL connects
 * right away and fails within the server selection timeout (10 s unless the URL or `connectTimeoutMs` says
 * otherwise) with the hosts tried and the next step, never a hang.
 */
export async function connect(target: string | DriverHandle, opts: ConnectOptions = {}): Promise<MongoConnection> {
  if (typeof target !== 'string') {
    if (target.dialect !== 'mongo') throw new ConfigError(`The mongo adapter was handed a ${target.dialect} driver; use mongoDriver(client, dbName)`);
    const client = target.client as MongoClient;
    const dbName = String(target.options?.dbName ?? '');
    const ctx = { target: `mongoDriver(client, '${dbName}')`, hosts: client.options?.hosts?.map(String) ?? [] };
    const probe = new MongoConnection(client, client.db(dbName), ctx, false);
    return new MongoConnection(client, client.db(dbName), ctx, false, undefined, false, await readVersion(probe));
  }
  const cfg = parseMongoUrl(target, opts);
  const client = new MongoClient(cfg.url, cfg.options);
  const ctx = { target: redactUrl(target), hosts: cfg.hosts, timeoutMs: client.options.serverSelectionTimeoutMS };
  try {
    await client.connect();
    // connect() returns once the topology is set up; a ping proves a server answers this database.
    await client.db(cfg.dbName).command({ ping: 1 });
  } catch (e) {
    await client.close().catch(() => undefined);
    const mapped = mapMongoError(e, ctx);
    if (mapped !== e) throw mapped;
    throw new ConfigError(`could not connect to ${ctx.target}: ${redactUrl(String((e as Error).message ?? e))}`);
  }
  const conn = new MongoConnection(client, client.db(cfg.dbName), ctx, true);
  return new MongoConnection(client, client.db(cfg.dbName), ctx, true, undefined, false, await readVersion(conn));
}
