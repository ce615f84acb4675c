import type { Sql } from 'postgres';
import type { Backend, RowMode, RunResult, Session } from './backend.js';

/** The part of a postgres.js `sql` (or a reserved one) forge calls. */
type SqlLike = Pick<Sql, 'unsafe'>;

async function runPostgresJs(sql: SqlLike, text: string, params: readonly unknown[], mode: RowMode, name?: string): Promise<RunResult> {
  // postgres.js names and caches prepared statements itself; forge only decides which texts are worth it.
  const query = sql.unsafe(text, params as never[], { prepare: name !== undefined });
  const res = mode === 'arrays' ? await query.values() : await query;
  const count = (res as unknown as { count?: number | null }).count;
  return { rows: [...res], rowCount: typeof count === 'number' ? count : res.length };
}

export class PostgresJsBackend implements Backend {
  readonly flavor = 'postgres.js';
  constructor(
    private readonly sql: Sql,
    readonly prepare: boolean,
  ) {}

  run(text: string, params: readonly unknown[], mode: RowMode, name?: string): Promise<RunResult> {
    return runPostgresJs(this.sql, text, params, mode, name);
  }

  /** A reserved connection: postgres.js allows a plain BEGIN there, so transactions work as on pg. */
  async reserve(): Promise<Session> {
    const reserved = await this.sql.reserve();
    return {
      run: (text, params, mode, name) => runPostgresJs(reserved, text, params, mode, name),
      release: () => reserved.release(),
    };
  }

  /** The `sql` instance always belongs to the user: forge never ends it. */
  async end(): Promise<void> {}
}
