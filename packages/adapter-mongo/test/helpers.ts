import { createDbWith, f, model } from '@forge/core';
import { MongoClient } from 'mongodb';
import { adapter, MongoConnection } from '../src/index.js';

export const User = model(
  'users',
  { id: f.id(), email: f.string().unique(), name: f.string().optional(), age: f.int(), score: f.float().optional(), tags: f.stringArray(), meta: f.json().optional(), createdAt: f.dateTime().default('now'), orgId: f.objectId().optional() },
  { relations: {} },
);
export const schema = { user: User };

/**
 * A client over a MongoClient that never connects: compile.* builds commands only, so the golden tests run the
 * real client and executor path without a server.
 */
export function offlineDb() {
  const client = new MongoClient('mongodb://127.0.0.1:1/app', { serverSelectionTimeoutMS: 1 });
  const conn = new MongoConnection(client, client.db('app'), { target: 'offline' }, false);
  return createDbWith(adapter, conn, schema);
}
