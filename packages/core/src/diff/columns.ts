/**
 * Column changes (issue 14): a column's nullability and default compared with the database, and whether a type
 * change keeps every value (a widening) or may lose some (a narrowing, which needs consent). Pure.
 */
import type { ColumnChange, DialectFacts } from '../adapter.js';
import type { ColumnIR, SnapshotColumn, TypeCategory } from '../schema/ir.js';

/** A default as forge compares it: a literal's value, "now", no default, or an expression it does not read. */
export type DefaultValueOf =
  | { kind: 'none' }
  | { kind: 'now' }
  | { kind: 'string'; value: string }
  | { kind: 'number'; value: number; text?: string }
  | { kind: 'bool'; value: boolean }
  | { kind: 'expression'; text: string };

const NOW = /\b(now|current_timestamp|localtimestamp|transaction_timestamp|statement_timestamp|getdate|getutcdate|sysdatetime|sysutcdatetime|sysdatetimeoffset)\b|\bstrftime\s*\(|\bdatetime\s*\(\s*'now'/i;
/** Defaults a server writes for a key it numbers itself: never compared. */
export const SERVER_NUMBERED = /\bnextval\s*\(|auto_increment|\bidentity\b|\bautoincrement\b/i;

/** Strip what catalogs wrap around a literal: parentheses, `::type` casts, `CAST(x AS type)`, `N'...'`. */
function bare(text: string): string {
  let s = text.trim();
  for (;;) {
    const before = s;
    if (s.startsWith('(') && closes(s)) s = s.slice(1, -1).trim();
    s = s.replace(/(::\s*"?[a-z_][\w ]*"?(\(\s*\d+(\s*,\s*\d+)?\s*\))?(\[\])?)+$/i, '').trim();
    const cast = /^CAST\s*\(([\s\S]*)\s+AS\s+[\w ]+(\(\s*\d+(\s*,\s*\d+)?\s*\))?\)$/i.exec(s);
    if (cast) s = cast[1].trim();
    if (/^N'/i.test(s)) s = s.slice(1);
    if (s === before) return s;
  }
}

/** Whether the parenthesis opening `s` is the one closing it (`(1) + (2)` is not wrapped). */
function closes(s: string): boolean {
  let depth = 0;
  let quote = '';
  for (let i = 0; i < s.length; i++) {
    const ch = s[i];
    if (quote) {
      if (ch === quote) quote = s[i + 1] === quote ? (i++, quote) : '';
      continue;
    }
    if (ch === "'" || ch === '"') quote = ch;
    else if (ch === '(') depth++;
    else if (ch === ')' && --depth === 0) return i === s.length - 1;
  }
  return false;
}

/** Read a default as the catalog (or a schema snapshot) spells it. */
export function parseDefault(text: string | null | undefined): DefaultValueOf {
  if (text === null || text === undefined) return { kind: 'none' };
  const s = bare(text);
  if (s === '' || /^null$/i.test(s)) return { kind: 'none' };
  // A backslash escape (MySQL / MariaDB spell 'it\'s') is kept as written; sameDefault and pull read it both ways.
  const quoted = /^'((?:[^'\\]|''|\\[\s\S])*)'$/s.exec(s);
  if (quoted) return { kind: 'string', value: quoted[1].split("''").join("'") };
  // The text too: a bigint beyond 2^53 keeps its digits.
  if (/^[+-]?(\d+(\.\d*)?|\.\d+)(e[+-]?\d+)?$/i.test(s)) return { kind: 'number', value: Number(s), text: s };
  if (/^(true|false)$/i.test(s)) return { kind: 'bool', value: /^true$/i.test(s) };
  if (/^b'[01]'$/i.test(s)) return { kind: 'bool', value: s[2] === '1' };
  if (NOW.test(s)) return { kind: 'now' };
  return { kind: 'expression', text: s };
}

/** The schema's default as the database should hold it; `none` for client-made values (generated ids). */
export function schemaDefault(col: ColumnIR): DefaultValueOf {
  const d = col.default;
  if (!d || d.kind === 'generated') return { kind: 'none' };
  if (d.kind === 'now') return { kind: 'now' };
  // A bigint default is a value too, though the IR's type does not name it.
  const v = d.value as unknown;
  if (v === null || v === undefined) return { kind: 'none' };
  if (typeof v === 'string') return { kind: 'string', value: v };
  if (typeof v === 'number') return { kind: 'number', value: v };
  if (typeof v === 'bigint') return { kind: 'number', value: Number(v), text: v.toString() };
  if (typeof v === 'boolean') return { kind: 'bool', value: v };
  return { kind: 'expression', text: JSON.stringify(v, (_k, x: unknown) => (typeof x === 'bigint' ? x.toString() : x)) };
}

/** The schema's default in words and in the canonical text schema snapshots keep (`'member'`, `42`, `true`, `CURRENT_TIMESTAMP`). */
export function defaultText(d: DefaultValueOf): string | null {
  switch (d.kind) {
    case 'none':
      return null;
    case 'now':
      return 'CURRENT_TIMESTAMP';
    case 'string':
      return `'${d.value.split("'").join("''")}'`;
    case 'number':
      return d.text ?? String(d.value);
    case 'bool':
      return d.value ? 'true' : 'false';
    case 'expression':
      return d.text;
  }
}

const asBool = (d: DefaultValueOf): boolean | undefined => {
  if (d.kind === 'bool') return d.value;
  if (d.kind === 'number' && (d.value === 0 || d.value === 1)) return d.value === 1;
  if (d.kind === 'string' && /^(t|f|true|false|0|1)$/i.test(d.value)) return /^(t|true|1)$/i.test(d.value);
  return undefined;
};

const asNumber = (d: DefaultValueOf): number | undefined => {
  if (d.kind === 'number') return d.value;
  if (d.kind === 'string' && d.value.trim() !== '' && Number.isFinite(Number(d.value))) return Number(d.value);
  if (d.kind === 'bool') return d.value ? 1 : 0;
  return undefined;
};

/**
 * Whether the database's default is the schema's. Only what forge can read is compared: an expression it does not
 * parse, a value of a kind whose literal spelling varies by catalog (dates, JSON, bytes), an `updatedAt` column and a
 * key the server numbers are taken as equal, because a false alarm costs more trust than a miss.
 */
export function sameDefault(col: ColumnIR, live: SnapshotColumn): boolean {
  if (col.primaryKey || live.primaryKey || col.updatedAt) return true;
  if (col.default?.kind === 'generated') return true;
  const liveText = live.default ?? null;
  if (liveText !== null && SERVER_NUMBERED.test(liveText)) return true;
  // Literals whose spelling varies by catalog and driver (dates, JSON, bytes, arrays, vectors, points): not compared.
  if (LITERAL_VARIES.has(col.kind)) return true;
  const want = schemaDefault(col);
  const have = parseDefault(liveText);
  // An expression forge does not read (a function call, an operator) is taken as equal, whatever the schema says.
  if (have.kind === 'expression' && want.kind !== 'now') return true;
  // The current time on a column that is not a date (a pulled TEXT column holding timestamps): an expression too.
  if (have.kind === 'now' && col.kind !== 'dateTime') return true;
  if (want.kind === 'none' || have.kind === 'none') return want.kind === have.kind;
  if (want.kind === 'now' || have.kind === 'now') return want.kind === have.kind || have.kind === 'expression';
  if (have.kind === 'expression' || want.kind === 'expression') return true;
  if (col.kind === 'bool') return asBool(want) === asBool(have);
  if (want.kind === 'number' && want.text !== undefined && have.kind === 'number') return want.text === String(bare(live.default ?? ''));
  if (want.kind === 'number' || have.kind === 'number') return asNumber(want) !== undefined && asNumber(want) === asNumber(have);
  // A decimal literal by value: '-0' is 0, '1.50' is 1.5 (digits kept, so 2^53 and beyond compare exactly).
  if (col.kind === 'decimal' || col.kind === 'float' || col.kind === 'int' || col.kind === 'bigint') {
    const a = numericText(want);
    const b = numericText(have);
    if (a !== undefined && b !== undefined) return a === b;
  }
  if (want.kind !== 'string' || have.kind !== 'string') return false;
  // MySQL / MariaDB catalogs spell a quote or backslash in a literal with a backslash escape ('it\'s', '\\').
  const unescaped = have.value.replace(/\\(.)/g, '$1');
  if (want.value === have.value || want.value === unescaped) return true;
  // MariaDB's information_schema is utf8mb3: a character outside the BMP in a default reads back as '?' (or one
  // '?' per byte, after ALTER TABLE), though the column holds it (an INSERT gets the real character).
  if (!/[\u{10000}-\u{10FFFF}]/u.test(want.value)) return false;
  const pattern = [...want.value].map((ch) => (ch.codePointAt(0)! > 0xffff ? '(?:\\?|\\?{4})' : ch.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))).join('');
  const re = new RegExp(`^${pattern}$`, 'u');
  return re.test(have.value) || re.test(unescaped);
}

/** A number's text in one spelling: no sign on zero, no leading '+', no trailing zeros after the point. */
function numericText(d: DefaultValueOf): string | undefined {
  const raw = d.kind === 'number' ? (d.text ?? String(d.value)) : d.kind === 'string' ? d.value.trim() : undefined;
  if (raw === undefined || !/^[+-]?(\d+(\.\d*)?|\.\d+)$/.test(raw)) return undefined;
  let t = raw.replace(/^\+/, '');
  const neg = t.startsWith('-');
  if (neg) t = t.slice(1);
  let [int, frac = ''] = t.split('.');
  int = int.replace(/^0+(?=\d)/, '') || '0';
  frac = frac.replace(/0+$/, '');
  const body = frac ? `${int}.${frac}` : int;
  return neg && body !== '0' ? `-${body}` : body;
}

const LITERAL_VARIES = new Set<string>(['dateTime', 'json', 'embed', 'embedMany', 'bytes', 'intArray', 'stringArray', 'vector', 'geoPoint']);

/** Whether nullability differs (a key column is never compared: the key makes it NOT NULL whatever the catalog says). */
export function nullabilityDiffers(col: ColumnIR, live: SnapshotColumn): boolean {
  if (col.primaryKey || live.primaryKey) return false;
  return col.nullable !== live.nullable;
}

/** The declared type as SQL text compares: lower case, single spaces, no space before a parenthesis. */
export function normalizeTypeText(type: string): string {
  return type.trim().toLowerCase().replace(/\s+/g, ' ').replace(/\s*\(\s*/g, '(').replace(/\s*,\s*/g, ',').replace(/\s*\)/g, ')');
}

/**
 * The category of a native type: the dialect's answer, or where it has none (a dialect whose columns take any
 * value), the type-name rule of declared affinity (INT → integer, CHAR / CLOB / TEXT → text, REAL / FLOA / DOUB → real).
 */
export function typeCategory(type: string, facts: Pick<DialectFacts, 'categoryOf'>): TypeCategory | undefined {
  const c = facts.categoryOf(type);
  if (c) return c;
  const t = type.toUpperCase();
  if (t.includes('INT')) return 'int';
  if (/CHAR|CLOB|TEXT/.test(t)) return 'string';
  if (/REAL|FLOA|DOUB/.test(t)) return 'float';
  return undefined;
}

/**
 * SQLite's column affinity of a declared type, by the five rules of https://www.sqlite.org/datatype3.html section 3.1,
 * in their order: INT anywhere is INTEGER; CHAR, CLOB or TEXT is TEXT; BLOB or no type is BLOB; REAL, FLOA or DOUB is
 * REAL; anything else (NUMERIC, DECIMAL(10,2), DATETIME, BOOLEAN, JSON) is NUMERIC. Two declared types with one
 * affinity store every value the same way, so `nvarchar(120)` and `TEXT` are not drift; `numeric` and `TEXT` are.
 */
export function sqliteAffinity(type: string): 'INTEGER' | 'TEXT' | 'BLOB' | 'REAL' | 'NUMERIC' {
  const t = type.toUpperCase();
  if (t.includes('INT')) return 'INTEGER';
  if (/CHAR|CLOB|TEXT/.test(t)) return 'TEXT';
  if (t.includes('BLOB') || t.trim() === '') return 'BLOB';
  if (/REAL|FLOA|DOUB/.test(t)) return 'REAL';
  return 'NUMERIC';
}

const lengthOf = (type: string): number[] => {
  const m = /\(\s*(\d+)(?:\s*,\s*(\d+))?\s*\)/.exec(type);
  return m ? [Number(m[1]), ...(m[2] !== undefined ? [Number(m[2])] : [])] : [];
};

/** The digits an integer category needs before the decimal point. */
const INTEGER_DIGITS: Partial<Record<TypeCategory, number>> = { bool: 1, int: 10, bigint: 19 };

/**
 * Whether every value of type `from` survives as type `to` (a widening: int to bigint, a number or a date to
 * unbounded text, int to a decimal with room for it). Everything else may lose or refuse values: a narrowing.
 */
export function isWidening(from: string, to: string, facts: Pick<DialectFacts, 'categoryOf'>): boolean {
  const a = typeCategory(from, facts);
  const b = typeCategory(to, facts);
  if (!a || !b) return false;
  if (normalizeTypeText(from) === normalizeTypeText(to)) return true;
  if (b === 'string') {
    // Text without a length limit holds the text of any value; with one, a longer value is refused or cut.
    const [n] = lengthOf(to);
    if (a === 'string') {
      const [m] = lengthOf(from);
      return n === undefined || (m !== undefined && m <= n);
    }
    return n === undefined;
  }
  // Within one category the type names alone do not say which holds more (smallint, integer): not judged wider.
  if (a === b) return false;
  if (a === 'bool' && (b === 'int' || b === 'bigint')) return true;
  if (a === 'int' && b === 'bigint') return true;
  if (b === 'decimal' && INTEGER_DIGITS[a] !== undefined) {
    const [p, s = 0] = lengthOf(to);
    return p === undefined || p - s >= INTEGER_DIGITS[a]!;
  }
  return false;
}

/**
 * Column objects of a snapshot built from a schema (`snapshotFromSchema`), mapped to the schema column they came
 * from, so a down block planned from a previous migration's snapshot renders the old column as that schema declared it.
 */
const SCHEMA_COLUMNS = new WeakMap<SnapshotColumn, ColumnIR>();

export function rememberSchemaColumn(live: SnapshotColumn, col: ColumnIR): void {
  SCHEMA_COLUMNS.set(live, col);
}

export function schemaColumnOf(live: SnapshotColumn): ColumnIR | undefined {
  return SCHEMA_COLUMNS.get(live);
}

/** `type`, `NOT NULL`, `default` in words, for change lists. */
export function describeColumnChanges(col: ColumnIR, live: SnapshotColumn, changes: readonly ColumnChange[], newType: string): string[] {
  const out: string[] = [];
  if (changes.includes('type')) out.push(`type ${live.type} to ${newType}`);
  if (changes.includes('nullable')) out.push(col.nullable ? 'drop NOT NULL' : 'set NOT NULL');
  if (changes.includes('default')) {
    const want = defaultText(schemaDefault(col));
    out.push(want === null ? `drop default ${live.default}` : live.default ? `default ${live.default} to ${want}` : `set default ${want}`);
  }
  return out;
}
