import { ValidationError } from '@forge/core';
import { BSON, type ClientSession, type Db, type Document } from 'mongodb';

/**
 * A MongoDB database command as forge sends it: the documented command shapes (`find`, `aggregate`, `insert`,
 * `update`, `delete`, `findAndModify`, `createIndexes`, `dropIndexes`, `create`, `drop`, `listIndexes`, ...), the
 * collection name under the command's own key. The executor compiles query nodes into these; push emits them as
 * Extended JSON text. `run` sends the data commands through the driver's collection helpers (cursors, sessions,
 * retries), everything else through `db.command`.
 */
export type MongoCommand = Document;

/** What running a command gave: documents (reads, findAndModify, listings), or counts (writes). */
export interface CommandResult {
  docs: Document[];
  n: number;
  /** The command's raw reply, for commands that are not reads or writes forge models. */
  reply?: Document;
}

/** The commands that change data: refused inside a readOnly transaction. */
export const WRITE_COMMANDS = new Set(['insert', 'update', 'delete', 'findAndModify', 'createIndexes', 'dropIndexes', 'create', 'drop', 'dropDatabase', 'collMod', 'renameCollection']);

/** The command's name: its first key, as MongoDB reads it. */
export function commandName(cmd: MongoCommand): string {
  const name = Object.keys(cmd)[0];
  if (!name) throw new ValidationError('A MongoDB command needs at least one key: its name, e.g. { ping: 1 }');
  return name;
}

/** A push statement (Extended JSON text of a command) back as a command; a ValidationError when it is not one. */
export function parseCommandText(text: string): MongoCommand {
  let parsed: unknown;
  try {
    parsed = BSON.EJSON.parse(text, { relaxed: false });
  } catch (e) {
    throw new ValidationError(`MongoDB takes no SQL: '${text.slice(0, 60)}' is not a command in Extended JSON (${(e as Error).message}). Use db.$runCommandRaw({ ... }) for a raw command`);
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw new ValidationError('A MongoDB command is an object, e.g. { "ping": 1 }');
  return parsed as MongoCommand;
}

/** A command as push prints and stores it: canonical Extended JSON (ObjectIds and dates keep their types). */
export function commandText(cmd: MongoCommand): string {
  return BSON.EJSON.stringify(cmd, { relaxed: true });
}

function collectionOf(cmd: MongoCommand, name: string): string {
  const c = cmd[name];
  if (typeof c !== 'string' || c === '') throw new ValidationError(`The MongoDB ${name} command names its collection as a string: { ${name}: 'users', ... }`);
  return c;
}

/** Run one command on `db` (in `session` when given). */
export async function runCommand(db: Db, cmd: MongoCommand, session?: ClientSession, run: { skipDuplicates?: boolean } = {}): Promise<CommandResult> {
  const name = commandName(cmd);
  const opts = session ? { session } : {};
  switch (name) {
    case 'find': {
      const coll = db.collection(collectionOf(cmd, name));
      const cursor = coll.find(cmd.filter ?? {}, { ...opts, projection: cmd.projection, sort: cmd.sort, skip: cmd.skip, limit: cmd.limit, collation: cmd.collation });
      const docs = await cursor.toArray();
      return { docs, n: docs.length };
    }
    case 'aggregate': {
      const coll = db.collection(collectionOf(cmd, name));
      const docs = await coll.aggregate(cmd.pipeline ?? [], opts).toArray();
      return { docs, n: docs.length };
    }
    case 'insert': {
      const coll = db.collection(collectionOf(cmd, name));
      const documents = (cmd.documents ?? []) as Document[];
      if (documents.length === 0) return { docs: [], n: 0 };
      const ordered = cmd.ordered !== false;
      try {
        const r = await coll.insertMany(documents, { ...opts, ordered });
        return { docs: documents, n: r.insertedCount };
      } catch (e) {
        // skipDuplicates (ordered: false): rows whose key exists are left out; any other failure stands.
        const err = e as { name?: string; writeErrors?: Array<{ code?: number }> | { code?: number }; insertedCount?: number; result?: { insertedCount?: number } };
        const writeErrors = Array.isArray(err.writeErrors) ? err.writeErrors : err.writeErrors ? [err.writeErrors] : [];
        if (!ordered && run.skipDuplicates === true && err.name === 'MongoBulkWriteError' && writeErrors.length > 0 && writeErrors.every((w) => w.code === 11000)) {
          return { docs: [], n: err.insertedCount ?? err.result?.insertedCount ?? documents.length - writeErrors.length };
        }
        throw e;
      }
    }
    case 'update': {
      const coll = db.collection(collectionOf(cmd, name));
      let n = 0;
      for (const u of (cmd.updates ?? []) as Array<{ q: Document; u: Document; multi?: boolean; upsert?: boolean }>) {
        const r = u.multi ? await coll.updateMany(u.q, u.u, { ...opts, upsert: u.upsert }) : await coll.updateOne(u.q, u.u, { ...opts, upsert: u.upsert });
        n += r.matchedCount + r.upsertedCount;
      }
      return { docs: [], n };
    }
    case 'delete': {
      const coll = db.collection(collectionOf(cmd, name));
      let n = 0;
      for (const d of (cmd.deletes ?? []) as Array<{ q: Document; limit?: number }>) {
        const r = d.limit === 1 ? await coll.deleteOne(d.q, opts) : await coll.deleteMany(d.q, opts);
        n += r.deletedCount;
      }
      return { docs: [], n };
    }
    case 'findAndModify': {
      const coll = db.collection(collectionOf(cmd, name));
      const doc = await coll.findOneAndUpdate(cmd.query ?? {}, cmd.update, {
        ...opts,
        upsert: cmd.upsert === true,
        returnDocument: cmd.new === false ? 'before' : 'after',
        projection: cmd.fields,
        sort: cmd.sort,
        includeResultMetadata: false,
      });
      return { docs: doc ? [doc] : [], n: doc ? 1 : 0 };
    }
    default: {
      if (session && !WRITE_COMMANDS.has(name)) {
        // Admin commands (ping, buildInfo, hello) do not run inside a transaction.
        const reply = await db.command(cmd);
        return { docs: [reply], n: 0, reply };
      }
      const reply = await db.command(cmd, opts);
      return { docs: [reply], n: typeof reply.n === 'number' ? reply.n : 0, reply };
    }
  }
}
