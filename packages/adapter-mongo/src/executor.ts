import { SqlCompiler, ValidationError, type Connection, type Expr, type ExecResult, type PreparedQuery, type QueryExecutor, type QueryNode } from '@forge/core';
import type { Document } from 'mongodb';
import { compileNode, type RowShape } from './compile.js';
import type { MongoConnection } from './connection.js';

/** A prepared query on MongoDB: `sql` is the command document; the row shape rides along unseen by listeners. */
const shapes = new WeakMap<object, RowShape>();

function shapeOf(q: PreparedQuery): RowShape {
  const s = typeof q.sql === 'object' ? shapes.get(q.sql) : undefined;
  if (!s) throw new ValidationError('MongoDB runs commands prepared by its executor; SQL text does not run here. Use db.$runCommandRaw({ ... }) for a raw command');
  return s;
}

/** The value at a dotted path (`_id.k0`), or null. */
function at(doc: Document, key: string): unknown {
  if (!key.includes('.')) return doc[key] ?? null;
  let v: unknown = doc;
  for (const part of key.split('.')) {
    if (v === null || typeof v !== 'object') return null;
    v = (v as Document)[part];
  }
  return v ?? null;
}

export function toRows(docs: Document[], shape: RowShape): unknown[][] {
  if (shape.single && docs.length === 0) return [shape.single.map((k) => (k === 'count' ? 0 : null))];
  return docs.map((d) => shape.keys.map((k) => at(d, k)));
}

/**
 * The client's query nodes compiled to MongoDB commands (see `compile.ts`), run through the driver's helpers on the
 * connection's database and session. No SQL compiler: the client's SQL text caches do not apply.
 */
export class MongoExecutor implements QueryExecutor {
  prepare(node: QueryNode): PreparedQuery {
    const { command, shape } = compileNode(node);
    shapes.set(command, shape);
    return { sql: command, params: [] };
  }

  prepareRaw(_fragment: Extract<Expr, { t: 'raw' }>): PreparedQuery {
    throw new ValidationError('MongoDB takes no SQL: $queryRaw / $executeRaw do not run here. Use db.$runCommandRaw({ ... }), e.g. db.$runCommandRaw({ ping: 1 })');
  }

  async rows(conn: Connection, q: PreparedQuery): Promise<unknown[][]> {
    const shape = shapeOf(q);
    const r = await (conn as MongoConnection).run(q.sql as Document, { skipDuplicates: shape.skipDuplicates });
    return toRows(r.docs, shape);
  }

  async objects(): Promise<Record<string, unknown>[]> {
    throw new ValidationError('MongoDB takes no SQL: use db.$runCommandRaw({ ... })');
  }

  async run(conn: Connection, q: PreparedQuery): Promise<ExecResult> {
    const shape = shapeOf(q);
    const r = await (conn as MongoConnection).run(q.sql as Document, { skipDuplicates: shape.skipDuplicates });
    return { rowCount: r.n };
  }

  async *stream(conn: Connection, q: PreparedQuery, chunkSize: number): AsyncIterable<unknown[][]> {
    const shape = shapeOf(q);
    for await (const docs of (conn as MongoConnection).cursor(q.sql as Document, chunkSize)) yield toRows(docs, shape);
  }

  /** `db.$runCommandRaw(command)`: the server's reply, e.g. `{ ok: 1 }` for `{ ping: 1 }` (seed 000's readiness probe). */
  async command(conn: Connection, command: Record<string, unknown>): Promise<unknown> {
    const r = await (conn as MongoConnection).run(command);
    return r.reply ?? r.docs;
  }
}

/** The Adapter contract names a SQL compiler; MongoDB has none, so every use of it says so. */
export class MongoSqlCompiler extends SqlCompiler {
  readonly dialect = 'mongo';
  placeholder(): string {
    throw new ValidationError('MongoDB takes no SQL');
  }
  override compile(): never {
    throw new ValidationError('MongoDB takes no SQL: queries run as driver commands (adapter.executor.prepare)');
  }
  override compileExpr(): never {
    throw new ValidationError('MongoDB takes no SQL: queries run as driver commands (adapter.executor.prepare)');
  }
  protected jsonPath(): void {
    throw new ValidationError('MongoDB takes no SQL');
  }
  protected arrayHas(): void {
    throw new ValidationError('MongoDB takes no SQL');
  }
  protected search(): void {
    throw new ValidationError('MongoDB takes no SQL');
  }
}
