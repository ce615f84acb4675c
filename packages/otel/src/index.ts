/**
 * OpenTelemetry tracing for forge: one CLIENT span per query, built from `db.$on('query')` and `db.$on('error')`.
 * `@opentelemetry/api` is a peer: this file only talks to the tracer object you pass in.
 */

/** The slice of an OpenTelemetry Tracer that wireOtel uses. */
export interface TracerLike {
  startSpan(name: string, options?: { kind?: number; attributes?: Record<string, string | number | boolean>; startTime?: number | Date }): SpanLike;
}
export interface SpanLike {
  setAttribute(key: string, value: string | number | boolean): unknown;
  setStatus(status: { code: number; message?: string }): unknown;
  recordException(e: Error): unknown;
  end(endTime?: number | Date): void;
}

/** A statement as forge reports it: SQL text, or the driver command (an object) on a dialect without SQL. */
type Statement = string | Readonly<Record<string, unknown>>;

/** What wireOtel listens to: any forge db handle. */
export interface OtelSource {
  adapter: { kind: string };
  $on(event: 'query', l: (e: { op: string; semanticOp: string; model?: string; sql: Statement; duration_ms: number; rowCount: number; adapter: string }) => void): () => void;
  $on(event: 'error', l: (e: { op: string; model?: string; sql?: Statement; error: Error; adapter: string }) => void): () => void;
}

export interface WireOtelOptions {
  tracer: TracerLike;
  /** Put the SQL text on spans as `db.statement` (off by default: statements can carry sensitive literals). */
  recordStatement?: boolean;
  /** Truncate recorded statements to this many characters. */
  maxStatementLen?: number;
}

// Numeric values of the OTel enums, so the API package is never required at run time.
const SPAN_KIND_CLIENT = 2;
const STATUS_ERROR = 2;

/** OTel `db.system` values for forge's dialects. */
const DB_SYSTEM: Record<string, string> = {
  postgres: 'postgresql',
  mysql: 'mysql',
  sqlite: 'sqlite',
  duckdb: 'duckdb',
  mssql: 'mssql',
  mongo: 'mongodb',
};

/** Start tracing `db`'s queries; returns `off()` to stop. */
export function wireOtel(db: OtelSource, opts: WireOtelOptions): () => void {
  if (!opts?.tracer || typeof opts.tracer.startSpan !== 'function') {
    throw new TypeError('wireOtel(db, { tracer }) needs a tracer with startSpan(), e.g. trace.getTracer("forge")');
  }
  const max = opts.maxStatementLen ?? 2048;
  const statement = (stmt: Statement) => {
    const sql = typeof stmt === 'string' ? stmt : safeJson(stmt);
    return sql.length > max ? `${sql.slice(0, max)}…` : sql;
  };
  const offQuery = db.$on('query', (e) => {
    const end = Date.now();
    const attributes: Record<string, string | number | boolean> = {
      'db.system': DB_SYSTEM[e.adapter] ?? e.adapter,
      'db.operation': e.semanticOp,
      'forge.adapter': e.adapter,
      'forge.row_count': e.rowCount,
      'forge.duration_ms': e.duration_ms,
    };
    if (e.model) {
      attributes['db.collection.name'] = e.model;
      attributes['forge.model'] = e.model;
    }
    if (opts.recordStatement) attributes['db.statement'] = statement(e.sql);
    // The event arrives after the query finished: back-date the span to when it started.
    const span = opts.tracer.startSpan(`forge.${e.op}`, { kind: SPAN_KIND_CLIENT, attributes, startTime: end - e.duration_ms });
    span.end(end);
  });
  const offError = db.$on('error', (e) => {
    const attributes: Record<string, string | number | boolean> = { 'db.system': DB_SYSTEM[e.adapter] ?? e.adapter, 'forge.adapter': e.adapter };
    if (e.model) {
      attributes['db.collection.name'] = e.model;
      attributes['forge.model'] = e.model;
    }
    if (opts.recordStatement && e.sql) attributes['db.statement'] = statement(e.sql);
    const span = opts.tracer.startSpan(`forge.${e.op}`, { kind: SPAN_KIND_CLIENT, attributes });
    span.recordException(e.error);
    span.setStatus({ code: STATUS_ERROR, message: e.error.message });
    span.end();
  });
  return () => {
    offQuery();
    offError();
  };
}

/** A driver command as text for `db.statement`; bigints and cycles never make tracing throw. */
function safeJson(v: unknown): string {
  try {
    return JSON.stringify(v, (_k, x) => (typeof x === 'bigint' ? x.toString() : x)) ?? '';
  } catch {
    return '[unserialisable command]';
  }
}
