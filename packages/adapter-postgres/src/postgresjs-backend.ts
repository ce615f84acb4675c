import type { Sql } from 'postgres';
import type { Backend, RowMode, RunResult, Session } from './backend.js';

/** The part of a postgres.js `sql` (or a reserved one) forge calls. */
type SqlLike = Pick<Sql, 'unsafe'>;

/** A postgres.js result: the rows, with the command's row count alongside. */
type Result = unknown[] & { count?: number | null; command?: string };

const isResult = (v: unknown): v is Result => Array.isArray(v) && typeof (v as Result).command === 'string';

async function runPostgresJs(sql: SqlLike, text: string, params: readonly unknown[], mode: RowMode, name?: string): Promise<RunResult> {
  // postgres.js names and caches prepared statements itself; forge only decides which texts are worth it.
  const query = sql.unsafe(text, params as never[], { prepare: name !== undefined });
  const res = (mode === 'arrays' ? await query.values() : await query) as unknown as Result;
  // A multi-statement text (simple protocol) yields one result per statement; report like pg: the last
  // statement's rows, every statement's row count.
  const results: Result[] = res.length > 0 && res.every(isResult) ? (res as unknown as Result[]) : [res];
  const last = results[results.length - 1];
  const rowCount = results.reduce((n, r) => n + (typeof r.count === 'number' ? r.count : r.length), 0);
  return { rows: [...last], rowCount, command: last.command };
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

  /** Typed jsonb up front, so postgres.js serialises the document once (and Parse need not guess). */
  bindJson(value: unknown): unknown {
    return this.sql.json(value as Parameters<Sql['json']>[0]);
  }

  /** The `sql` instance always belongs to the user: forge never ends it. */
  async end(): Promise<void> {}
}
