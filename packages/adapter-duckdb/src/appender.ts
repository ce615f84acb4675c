import { DuckDBTypeId, arrayValue, listValue, type DuckDBAppender, type DuckDBType, type DuckDBValue } from '@duckdb/node-api';
import type { Session } from './connection.js';

interface CatalogColumn {
  column_name: string;
  column_default: string | null;
}

type Put = (a: DuckDBAppender, v: unknown) => void;

/** A value into a column of `type`: the typed append where the value already has the column's type, else text DuckDB casts. */
function putterFor(type: DuckDBType): Put {
  const text = (a: DuckDBAppender, v: unknown) => a.appendVarchar(typeof v === 'string' ? v : String(v));
  const nested = (make: (items: DuckDBValue[]) => DuckDBValue) => (a: DuckDBAppender, v: unknown) =>
    Array.isArray(v) ? a.appendValue(make(v as DuckDBValue[]), type) : text(a, v);
  const put = (typed: (a: DuckDBAppender, v: never) => void, ok: (v: unknown) => boolean): Put => (a, v) => (ok(v) ? typed(a, v as never) : text(a, v));
  const int32 = (v: unknown) => typeof v === 'number' && Number.isInteger(v) && v >= -2147483648 && v <= 2147483647;
  switch (type.typeId) {
    case DuckDBTypeId.BOOLEAN:
      return put((a, v: boolean) => a.appendBoolean(v), (v) => typeof v === 'boolean');
    case DuckDBTypeId.INTEGER:
      // Sequence values come back as bigint: an INTEGER key takes them as integers, not as text to cast.
      return (a, v) => (int32(v) ? a.appendInteger(v as number) : typeof v === 'bigint' && int32(Number(v)) ? a.appendInteger(Number(v)) : text(a, v));
    case DuckDBTypeId.BIGINT:
      return (a, v) => (typeof v === 'bigint' ? a.appendBigInt(v) : typeof v === 'number' && Number.isSafeInteger(v) ? a.appendBigInt(BigInt(v)) : text(a, v));
    case DuckDBTypeId.DOUBLE:
      return put((a, v: number) => a.appendDouble(v), (v) => typeof v === 'number');
    case DuckDBTypeId.BLOB:
      return put((a, v: Uint8Array) => a.appendBlob(v), (v) => v instanceof Uint8Array);
    case DuckDBTypeId.LIST:
      return nested(listValue);
    case DuckDBTypeId.ARRAY:
      return nested(arrayValue);
    default:
      return text;
  }
}

/** How a column the INSERT leaves out gets its value: its constant default, a pre-drawn sequence value, the transaction's now. */
type Fill = { kind: 'default' } | { kind: 'null' } | { kind: 'now' } | { kind: 'sequence'; name: string };

const NEXTVAL = /^nextval\('((?:[^']|'')+)'\)$/i;
const NOW = /^(current_timestamp|now\(\)|get_current_timestamp\(\))$/i;

function fillFor(c: CatalogColumn): Fill | undefined {
  const d = c.column_default?.trim();
  if (d === undefined || d === null || d === '' || /^null$/i.test(d)) return { kind: 'null' };
  const seq = NEXTVAL.exec(d);
  if (seq) return { kind: 'sequence', name: seq[1].replace(/''/g, "'") };
  if (NOW.test(d)) return { kind: 'now' };
  // A constant (a literal, a CAST of one) the Appender folds itself; anything else is left to INSERT.
  if (/\b[a-z_]+\s*\(/i.test(d.replace(/^CAST\(/i, '')) ) return undefined;
  return { kind: 'default' };
}

/**
 * Append `params` (rows × `columns`, row-major) to `table` on `session`, which is inside a transaction. Returns
 * the row count, or `undefined` when a left-out column has a default the Appender cannot produce (then the
 * caller runs the INSERT instead; nothing was written).
 */
export async function appendRows(session: Session, table: string, columns: readonly string[], params: readonly unknown[]): Promise<number | undefined> {
  const catalog = (await session.run(
    `SELECT column_name, column_default FROM duckdb_columns() WHERE database_name = current_database() AND schema_name = current_schema() AND table_name = ? ORDER BY column_index`,
    [table],
  )).getRowObjectsJS() as unknown as CatalogColumn[];
  const given = new Map(columns.map((c, i) => [c, i]));
  if (catalog.length === 0 || columns.some((c) => !catalog.some((k) => k.column_name === c))) return undefined;
  const fills = catalog.map((c) => (given.has(c.column_name) ? undefined : fillFor(c)));
  if (catalog.some((c, i) => !given.has(c.column_name) && fills[i] === undefined)) return undefined;

  const width = columns.length;
  const rows = params.length / width;
  let now: string | undefined;
  const sequences = new Map<string, unknown[]>();
  for (const f of fills) {
    if (f?.kind === 'now' && now === undefined) {
      // current_timestamp is the transaction's start: the same value an INSERT in this transaction would write.
      const r = await session.run('SELECT current_timestamp::VARCHAR AS now', []);
      now = String(r.getRowsJS()[0][0]);
    }
    if (f?.kind === 'sequence' && !sequences.has(f.name)) {
      // Literals, not parameters: nextval() and range() want constants. The name comes from the catalog, the count is an integer.
      const r = await session.run(`SELECT nextval('${f.name.replace(/'/g, "''")}') FROM range(${Math.trunc(rows)})`, []);
      sequences.set(f.name, r.getColumns()[0] as unknown[]);
    }
  }

  const appender = await session.native.createAppender(table);
  try {
    const puts = catalog.map((_, i) => putterFor(appender.columnType(i)));
    const source = catalog.map((c) => given.get(c.column_name));
    for (let r = 0; r < rows; r++) {
      const base = r * width;
      for (let i = 0; i < catalog.length; i++) {
        const at = source[i];
        if (at !== undefined) {
          const v = params[base + at];
          if (v === null || v === undefined) appender.appendNull();
          else puts[i](appender, v);
          continue;
        }
        const fill = fills[i]!;
        if (fill.kind === 'null') appender.appendNull();
        else if (fill.kind === 'default') appender.appendDefault();
        else if (fill.kind === 'now') appender.appendVarchar(now!);
        else puts[i](appender, sequences.get(fill.name)![r]);
      }
      appender.endRow();
    }
    appender.flushSync();
  } finally {
    try {
      appender.closeSync();
    } catch {
      // After a failed flush closing fails too ("transaction is aborted"): the flush's error is the one to report.
    }
  }
  return rows;
}
