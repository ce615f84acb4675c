import pg from 'pg';
import type { Backend, RowMode, RunResult, Session } from './backend.js';

const INT8 = 20;
const NUMERIC = 1700;
const identity = (v: string) => v;

/**
 * Per-query type parsing, so forge's results do not depend on global `pg.types` settings made elsewhere in
 * the process: int8 and numeric stay strings (the codec turns int8 into bigint; decimals stay exact).
 */
const FORGE_TYPES: pg.CustomTypesConfig = {
  getTypeParser: ((oid: number, format?: string) =>
    oid === INT8 || oid === NUMERIC ? identity : pg.types.getTypeParser(oid, format as 'text')) as pg.CustomTypesConfig['getTypeParser'],
};

type Queryable = pg.Pool | pg.PoolClient | pg.Client;

async function runPg(q: Queryable, sql: string, params: readonly unknown[], mode: RowMode, name?: string): Promise<RunResult> {
  const config: pg.QueryConfig & { rowMode?: 'array' } = { text: sql, values: params as unknown[], types: FORGE_TYPES };
  if (mode === 'arrays') config.rowMode = 'array';
  if (name) config.name = name;
  const res = (await q.query(config)) as pg.QueryResult | pg.QueryResult[];
  // A multi-statement text without parameters runs on the simple protocol and yields one result per statement.
  const results = Array.isArray(res) ? res : [res];
  const last = results[results.length - 1];
  return { rows: last?.rows ?? [], rowCount: results.reduce((n, r) => n + (r.rowCount ?? 0), 0), command: last?.command };
}

/** A first-come lock: `acquire` resolves with the function that hands the turn to the next waiter. */
export class Turn {
  private tail: Promise<void> = Promise.resolve();
  acquire(): Promise<() => void> {
    let release!: () => void;
    const mine = new Promise<void>((resolve) => (release = resolve));
    const before = this.tail;
    this.tail = before.then(() => mine);
    return before.then(() => release);
  }

  /** Run `fn` when its turn comes; the next waiter goes when it settles. */
  async run<T>(fn: () => Promise<T>): Promise<T> {
    const release = await this.acquire();
    try {
      return await fn();
    } finally {
      release();
    }
  }
}

/**
 * One server session's statements, one at a time. A pg client runs a single statement at once; statements
 * sent together (introspection's parallel reads inside push's transaction, a `Promise.all` in a user's
 * transaction) wait here rather than in pg's own queue, which pg 8 warns about on stderr and pg 9 removes.
 */
function sessionRunner(client: pg.PoolClient | pg.Client): Session['run'] {
  const turn = new Turn();
  return (sql, params, mode, name) => turn.run(() => runPg(client, sql, params, mode, name));
}

export class PgBackend implements Backend {
  readonly flavor = 'pg';
  constructor(
    private readonly pool: pg.Pool,
    private readonly owned: boolean,
    readonly prepare: boolean,
  ) {}

  run(sql: string, params: readonly unknown[], mode: RowMode, name?: string): Promise<RunResult> {
    return runPg(this.pool, sql, params, mode, name);
  }

  async reserve(): Promise<Session> {
    const client = await this.pool.connect();
    return {
      run: sessionRunner(client),
      release: (broken) => client.release(broken === true),
    };
  }

  bindJson(value: unknown): string {
    return JSON.stringify(value);
  }

  async end(): Promise<void> {
    if (this.owned) await this.pool.end();
  }
}

/**
 * A single `pg.Client` the user owns. It is one server session, so statements take turns: a transaction
 * holds the turn from BEGIN to COMMIT, and a query from outside waits instead of landing inside it.
 */
export class PgClientBackend implements Backend {
  readonly flavor = 'pg';
  private readonly turn = new Turn();
  constructor(
    private readonly client: pg.Client,
    readonly prepare: boolean,
  ) {}

  async run(sql: string, params: readonly unknown[], mode: RowMode, name?: string): Promise<RunResult> {
    const release = await this.turn.acquire();
    try {
      return await runPg(this.client, sql, params, mode, name);
    } finally {
      release();
    }
  }

  async reserve(): Promise<Session> {
    const release = await this.turn.acquire();
    let released = false;
    return {
      run: sessionRunner(this.client),
      release: () => {
        if (released) return;
        released = true;
        release();
      },
    };
  }

  bindJson(value: unknown): string {
    return JSON.stringify(value);
  }

  async end(): Promise<void> {}
}
