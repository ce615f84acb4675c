import { DbKnownError, ValidationError, type Connection, type ExecResult, type TransactionOptions } from '@forge/core';
import type { ClientSession, Db, Document, MongoClient } from 'mongodb';
import { commandName, parseCommandText, runCommand, WRITE_COMMANDS, type CommandResult, type MongoCommand } from './command.js';
import { mapMongoError, type ErrorContext } from './errors.js';

const NO_SQL = 'MongoDB takes no SQL: forge sends it driver commands. Use db.$runCommandRaw({ ... }) for a raw command';

/**
 * One MongoDB database on a `MongoClient` (its socket pool), optionally inside a session's transaction. The
 * `Connection` methods that take text take a command in Extended JSON (what push emits); the executor calls `run`
 * with command objects.
 */
export class MongoConnection implements Connection {
  readonly dialect = 'mongo' as const;
  constructor(
    readonly client: MongoClient,
    readonly db: Db,
    readonly ctx: ErrorContext,
    private readonly owns: boolean,
    readonly session?: ClientSession,
    private readonly readOnly = false,
    readonly serverVersion?: string,
  ) {}

  get inTransaction(): boolean {
    return this.session !== undefined;
  }

  /** Run one command (in this connection's transaction, if any); driver errors mapped to DbKnownError. */
  async run(cmd: MongoCommand, opts: { skipDuplicates?: boolean } = {}): Promise<CommandResult> {
    const name = commandName(cmd);
    if (this.readOnly && WRITE_COMMANDS.has(name)) {
      throw new DbKnownError('READ_ONLY', `MongoDB ${name} refused: this transaction is readOnly`, { readOnly: true, command: name });
    }
    // `$db` (MongoDB's wire-protocol field) names another database on the same client: the test harness drops its
    // throwaway databases this way from the server's maintenance connection.
    const { $db, ...rest } = cmd;
    const db = typeof $db === 'string' ? this.client.db($db) : this.db;
    try {
      return await runCommand(db, typeof $db === 'string' ? rest : cmd, this.session, opts);
    } catch (e) {
      throw mapMongoError(e, this.ctx);
    }
  }

  async query<R = Record<string, unknown>>(text: string): Promise<R[]> {
    return (await this.run(parseCommandText(text))).docs as R[];
  }

  async queryArrays(): Promise<unknown[][]> {
    throw new ValidationError(NO_SQL);
  }

  async execute(text: string): Promise<ExecResult> {
    return { rowCount: (await this.run(parseCommandText(text))).n };
  }

  // eslint-disable-next-line require-yield
  async *stream(): AsyncIterable<unknown[][]> {
    throw new ValidationError(NO_SQL);
  }

  /** Documents of a find or aggregate command in chunks, through one server cursor (constant memory). */
  async *cursor(cmd: MongoCommand, chunkSize: number): AsyncIterable<Document[]> {
    const name = commandName(cmd);
    const coll = this.db.collection(String(cmd[name]));
    const opts = this.session ? { session: this.session } : {};
    const cursor =
      name === 'find'
        ? coll.find(cmd.filter ?? {}, { ...opts, projection: cmd.projection, sort: cmd.sort, skip: cmd.skip, limit: cmd.limit, batchSize: chunkSize })
        : coll.aggregate(cmd.pipeline ?? [], { ...opts, batchSize: chunkSize });
    let chunk: Document[] = [];
    try {
      for await (const doc of cursor) {
        chunk.push(doc);
        if (chunk.length >= chunkSize) {
          yield chunk;
          chunk = [];
        }
      }
      if (chunk.length) yield chunk;
    } catch (e) {
      throw mapMongoError(e, this.ctx);
    } finally {
      await cursor.close().catch(() => undefined);
    }
  }

  /**
   * A multi-document transaction on one session (MongoDB needs a replica set or sharded cluster for them; a
   * standalone server refuses and the error says so). No savepoints: a nested call is refused. readOnly is
   * enforced by forge: a write command inside is a READ_ONLY error before it is sent.
   */
  async transaction<T>(fn: (tx: Connection) => Promise<T>, opts?: TransactionOptions): Promise<T> {
    if (this.session) throw new ValidationError('MongoDB has no savepoints: a $transaction inside a $transaction is refused; run the inner work in the outer transaction');
    const session = this.client.startSession();
    try {
      session.startTransaction();
      const tx = new MongoConnection(this.client, this.db, this.ctx, false, session, opts?.readOnly === true, this.serverVersion);
      let result: T;
      try {
        result = await fn(tx);
      } catch (e) {
        await session.abortTransaction().catch(() => undefined);
        throw e;
      }
      try {
        await session.commitTransaction();
      } catch (e) {
        throw mapMongoError(e, this.ctx);
      }
      return result;
    } catch (e) {
      const msg = (e as { message?: string }).message ?? '';
      if (/Transaction numbers are only allowed on a replica set member or mongos/i.test(msg)) {
        throw new DbKnownError('TRANSACTION_ABORTED', `MongoDB transactions need a replica set: this server is standalone (${msg}). Run mongod with --replSet (a one-node replica set works)`, {}, { cause: e });
      }
      throw e;
    } finally {
      await session.endSession().catch(() => undefined);
    }
  }

  async withSession<T>(fn: (conn: Connection) => Promise<T>): Promise<T> {
    return fn(this);
  }

  async close(): Promise<void> {
    if (this.owns && !this.session) await this.client.close();
  }
}
