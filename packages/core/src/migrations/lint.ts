/**
 * The consent lint (issue 14, seed 002's rolling-deploy table): what in a block of SQL loses data or breaks the
 * code still running against the old schema. Read from the statements themselves, so a generated file, a
 * hand-edited one and a `diff apply` plan are judged alike. `countFindings` then reads how many rows each
 * finding touches; `needsConsent` says which ones a human must accept before anything runs.
 */
import type { Adapter, Connection, DialectFacts } from '../adapter.js';
import { isWidening, normalizeTypeText, typeCategory } from '../diff/columns.js';
import type { Snapshot, SnapshotColumn } from '../schema/ir.js';

export type FindingCode =
  | 'FORGE_DROP_TABLE'
  | 'FORGE_DROP_COLUMN'
  | 'FORGE_NOT_NULL_NO_DEFAULT'
  | 'FORGE_SET_NOT_NULL'
  | 'FORGE_UNIQUE_ON_DUPLICATES'
  | 'FORGE_TYPE_CHANGE'
  | 'FORGE_ENUM_VALUES_REMOVED'
  | 'FORGE_RENAME_TABLE'
  | 'FORGE_RENAME_COLUMN'
  | 'FORGE_POSSIBLE_RENAME';

/** The one-line fix for each code: seed 002's "how" column, as the next step to take. */
export const FINDING_FIXES: Record<FindingCode, string> = {
  FORGE_DROP_TABLE: 'two-phase drop: first deploy code that no longer reads or writes the table, then drop it in a later migration (back it up if its rows matter)',
  FORGE_DROP_COLUMN: 'two-phase drop: first deploy code that no longer reads the column, then drop it in a later migration',
  FORGE_NOT_NULL_NO_DEFAULT: 'add the column nullable (or with a .default()) first, backfill it, then make it required in a later migration',
  FORGE_SET_NOT_NULL: 'backfill the NULL rows first (or give the field a .default(), which forge writes into them), then make the column required',
  FORGE_UNIQUE_ON_DUPLICATES: 'remove or merge the duplicate rows first, then add the unique index',
  FORGE_TYPE_CHANGE: 'add a new column of the new type, backfill it, switch reads to it, then drop the old column',
  FORGE_ENUM_VALUES_REMOVED: "change the rows that hold a removed value first (UPDATE ... SET col = 'other' WHERE col = 'old'), deploy code that no longer writes it, then remove it",
  FORGE_RENAME_TABLE: 'old code still uses the old name: deploy code that reads both (or accept the break) before renaming',
  FORGE_RENAME_COLUMN: 'old code still uses the old name: add the new column, write both, backfill, then drop the old one (seed 004 workflow d)',
  FORGE_POSSIBLE_RENAME: "if it is a rename, add .renamedFrom('<old>') to the field or model (or answer it in a --renames file) and the rows are kept",
};

export interface Finding {
  code: FindingCode;
  table: string;
  column?: string;
  columns?: string[];
  /** What happens, in words: `drop column users.legacy`. */
  text: string;
  fix: string;
  /** The statement it comes from, when it comes from one. */
  statement?: string;
  /** The migration file it is in, for `forge migrate`. */
  migration?: string;
  /** Rows the change touches (rows dropped, values lost, rows in the way); undefined when not counted. */
  rows?: number;
  /** Why `rows` is what it is (`not counted: generate does not read the database`). */
  rowsNote?: string;
  /** The table or column is created earlier in the same run, so it holds no rows yet. */
  newInRun?: boolean;
  /** FORGE_TYPE_CHANGE: the type the column gets, as the statement writes it. */
  newType?: string;
  /**
   * FORGE_TYPE_CHANGE from a statement that restates the whole column (MySQL `MODIFY COLUMN`, SQL Server `ALTER
   * COLUMN`), which may change only its nullability or default: `countFindings` compares `newType` with the live type.
   */
  fullDefinition?: { notNull: boolean };
  /** FORGE_SET_NOT_NULL: an earlier statement of the block writes the default into the NULL rows, so none is refused. */
  backfilled?: boolean;
  /** FORGE_ENUM_VALUES_REMOVED: the values the column's new enum type has (rows holding any other are refused). */
  enumValues?: string[];
  /** FORGE_SET_NOT_NULL: the keys of some rows that hold NULL (`id=4`), so the refusal names them. */
  sample?: string[];
}

/** What earlier statements of one run created: lint several files with one state so a later file knows. */
export interface LintState {
  tables: Set<string>;
  columns: Set<string>;
}



/** A name: bare, or quoted (`"a""b"`, backticks, or SQL Server's `[a]]b]` with `]` doubled). */
const ID = String.raw`(?:"(?:[^"]|"")+"|\x60(?:[^\x60]|\x60\x60)+\x60|\[(?:[^\]]|\]\])+\]|[A-Za-z_][\w$]*)`;
const unquote = (id: string): string => {
  const q = id[0];
  if (q === '"' || q === '`') return id.slice(1, -1).split(q + q).join(q);
  if (q === '[') return id.slice(1, -1).split(']]').join(']');
  return id;
};
const list = (text: string): string[] => [...text.matchAll(new RegExp(ID, 'g'))].map((m) => unquote(m[0])).filter((n) => !/^(ASC|DESC)$/i.test(n));
const re = (s: string) => new RegExp(s.replace(/ID/g, ID).replace(/ /g, String.raw`\s+`), 'is');

const CREATE_TABLE = re(String.raw`^CREATE TABLE (?:IF NOT EXISTS )?(ID)`);
const DROP_TABLE = re(String.raw`^DROP TABLE (?:IF EXISTS )?(ID)`);
const DROP_COLUMN = re(String.raw`^ALTER TABLE (ID) DROP (?:COLUMN )?(?:IF EXISTS )?(ID)\s*$`);
const ADD_COLUMN = re(String.raw`^ALTER TABLE (ID) ADD (?:COLUMN )?(?:IF NOT EXISTS )?(ID) (.*)$`);
const SET_NOT_NULL = re(String.raw`^ALTER TABLE (ID) ALTER (?:COLUMN )?(ID) SET NOT NULL`);
const UNIQUE_INDEX = re(String.raw`^CREATE UNIQUE INDEX (?:CONCURRENTLY )?(?:IF NOT EXISTS )?(ID) ON (ID)(?: USING \w+)? ?\(([^)]*)\)`);
const ADD_UNIQUE = re(String.raw`^ALTER TABLE (ID) ADD (?:CONSTRAINT (ID) )?UNIQUE (?:INDEX |KEY )?(?:(ID) )?\(([^)]*)\)`);
const ALTER_TYPE = re(String.raw`^ALTER TABLE (ID) (?:ALTER (?:COLUMN )?(ID) (?:SET DATA )?TYPE|MODIFY (?:COLUMN )?(ID)|CHANGE (?:COLUMN )?(ID))`);
/** `ALTER COLUMN c TYPE t USING ...`: the new type is what stands before USING. */
const TYPE_TO = re(String.raw`^ALTER TABLE ID ALTER (?:COLUMN )?ID (?:SET DATA )?TYPE (.+?)(?: USING .*)?$`);
/** A statement restating the column: MySQL `MODIFY COLUMN c <definition>`, SQL Server `ALTER COLUMN [c] <type> [NOT] NULL`. */
const RESTATE = re(String.raw`^ALTER TABLE (ID) (?:MODIFY (?:COLUMN )?(ID)|ALTER COLUMN (ID)) (?!TYPE\b|SET\b|DROP\b)(.+)$`);
/** `... TYPE t USING COALESCE(col, d)` or `USING COALESCE(CAST(col AS t), d)`: a rewrite that fills NULL rows. */
const USING_COALESCE = re(String.raw`^ALTER TABLE ID ALTER (?:COLUMN )?ID (?:SET DATA )?TYPE .+? USING COALESCE\((?:(ID)|CAST\((ID) AS [^()]+(?:\([\d, ]*\))?\)), .+\)$`);
const BACKFILL = re(String.raw`^UPDATE (ID) SET (ID) = .+ WHERE (ID) IS NULL$`);
/** The copy of a table rebuild: `INSERT INTO new (cols) SELECT exprs FROM old`. */
const COPY = re(String.raw`^INSERT INTO (ID) \((.*?)\) SELECT (.+) FROM (ID)$`);
/** A rebuild's check that a column about to be required holds no NULL (a temporary table's CHECK refuses otherwise). */
const NULL_CHECK = re(String.raw`^INSERT INTO temp\.ID \(ID\) SELECT COUNT\(\*\) FROM (ID) WHERE (ID) IS NULL$`);
const TEMP_TABLE = re(String.raw`^(?:DROP TABLE (?:IF EXISTS )?temp\.|CREATE TEMP(?:ORARY)? TABLE |INSERT INTO temp\.)`);

/** Split a select list at its top-level commas (not inside parentheses or quotes). */
function splitList(text: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let quote = '';
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (quote) {
      if (ch === quote) quote = '';
      continue;
    }
    if (ch === "'" || ch === '"' || ch === '`') quote = ch;
    else if (ch === '(') depth++;
    else if (ch === ')') depth--;
    else if (ch === ',' && depth === 0) {
      out.push(text.slice(start, i).trim());
      start = i + 1;
    }
  }
  out.push(text.slice(start).trim());
  return out;
}

const CAST_EXPR = re(String.raw`^CAST\((.+) AS ([^()]+(?:\([\d, ]*\))?)\)$`);
const COALESCE_EXPR = re(String.raw`^COALESCE\((ID), .+\)$`);
/** The type a restated column gets: the definition up to its first constraint word. */
const typeOfDefinition = (def: string) => def.split(/\s+(?=NOT\s+NULL\b|NULL\b|DEFAULT\b|COMMENT\b|COLLATE\b|CHARACTER\s+SET\b|AUTO_INCREMENT\b|PRIMARY\b|UNIQUE\b|CHECK\b|REFERENCES\b|GENERATED\b|CONSTRAINT\b)/i)[0].trim();
const RENAME_TABLE = re(String.raw`^(?:ALTER TABLE (ID) RENAME TO (ID)|RENAME TABLE (ID) TO (ID))\s*$`);
const RENAME_COLUMN = re(String.raw`^ALTER TABLE (ID) RENAME (?:COLUMN )?(ID) TO (ID)\s*$`);
/** An enum type replaced (diff apply's form for removed or reordered values): renamed aside, then created anew. */
const RENAME_TYPE = re(String.raw`^ALTER TYPE (ID) RENAME TO (ID)\s*$`);
const CREATE_ENUM = re(String.raw`^CREATE TYPE (ID) AS ENUM \((.*)\)$`);
/** The string literals of a list (`'a', 'it''s'`, an `E'...'` one with its backslashes undone). */
const literals = (text: string): string[] =>
  [...text.matchAll(/(E?)'((?:[^']|'')*)'/g)].map((m) => (m[1] ? m[2].replace(/\\(.)/g, '$1') : m[2]).replace(/''/g, "'"));

function finding(code: FindingCode, table: string, text: string, statement: string, extra: Partial<Finding> = {}): Finding {
  return { code, table, text, fix: FINDING_FIXES[code], statement, ...extra };
}

/** The findings of one block of statements, in statement order. */
export function lintStatements(statements: readonly string[], migration?: string, state: LintState = { tables: new Set(), columns: new Set() }): Finding[] {
  const out: Finding[] = [];
  const at = (f: Finding) => {
    // A table or column made earlier in the same run holds no rows: nothing to review.
    const cols = f.columns ?? (f.column !== undefined ? [f.column] : []);
    const fresh = state.tables.has(f.table) || (cols.length > 0 && cols.every((c) => state.columns.has(`${f.table}\0${c}`)));
    if (fresh) return;
    out.push(migration ? { ...f, migration } : f);
  };
  // Within this block: columns whose NULL rows an UPDATE fills first, and the rows copied by a table rebuild.
  const backfilled = new Set<string>();
  const copies = new Map<string, { into: string; columns: string[]; exprs: string[] }>();
  /** Columns restated earlier in this block (MySQL MODIFY, SQL Server ALTER COLUMN), with the type they got. */
  const restated = new Map<string, string>();
  /** Enum types renamed aside in this block, then the values each replacement has. */
  const replacing = new Set<string>();
  const replaced = new Map<string, string[]>();
  for (const raw of statements) {
    const sql = raw.trim().replace(/;\s*$/, '');
    let m: RegExpExecArray | null;
    if ((m = RENAME_TYPE.exec(sql))) {
      replacing.add(unquote(m[1]));
      continue;
    }
    if ((m = CREATE_ENUM.exec(sql)) && replacing.has(unquote(m[1]))) {
      replaced.set(unquote(m[1]), literals(m[2]));
      continue;
    }
    if ((m = ALTER_TYPE.exec(sql)) && m[2]) {
      const to = TYPE_TO.exec(sql)?.[1]?.trim();
      const values = to !== undefined && /^(?:"(?:[^"]|"")+"|[A-Za-z_][\w$]*)$/.test(to) ? replaced.get(unquote(to)) : undefined;
      if (values) {
        const [t, c] = [unquote(m[1]), unquote(m[2])];
        at(finding('FORGE_ENUM_VALUES_REMOVED', t, `convert ${t}.${c} to the replaced enum type ${unquote(to!)} (${values.map((v) => `'${v}'`).join(', ')})`, sql, { column: c, enumValues: values }));
        continue;
      }
    }
    if ((m = NULL_CHECK.exec(sql))) {
      const [t, c] = [unquote(m[1]), unquote(m[2])];
      at(finding('FORGE_SET_NOT_NULL', t, `make ${t}.${c} required`, sql, { column: c }));
    } else if (TEMP_TABLE.test(sql)) {
      // A temporary table holds nothing past the connection: the rebuild's checks live in one.
    } else if ((m = CREATE_TABLE.exec(sql))) {
      state.tables.add(unquote(m[1]));
    } else if ((m = COPY.exec(sql)) && state.tables.has(unquote(m[1]))) {
      copies.set(unquote(m[4]), { into: unquote(m[1]), columns: list(m[2]), exprs: splitList(m[3]) });
    } else if ((m = BACKFILL.exec(sql)) && unquote(m[2]) === unquote(m[3])) {
      backfilled.add(`${unquote(m[1])}\0${unquote(m[2])}`);
    } else if ((m = DROP_TABLE.exec(sql))) {
      const t = unquote(m[1]);
      // A table whose rows were copied into its replacement just before is being rebuilt, not dropped.
      if (!copies.has(t)) at(finding('FORGE_DROP_TABLE', t, `drop table ${t}`, sql));
    } else if ((m = RENAME_TABLE.exec(sql)) && copies.get(unquote(m[2] ?? m[4]))?.into === unquote(m[1] ?? m[3])) {
      // The rebuilt table takes the old name: what changes is what its copy did to each column.
      const t = unquote(m[2] ?? m[4]);
      const copy = copies.get(t)!;
      copy.exprs.forEach((expr, i) => {
        const c = copy.columns[i];
        const cast = CAST_EXPR.exec(expr);
        if (cast) at(finding('FORGE_TYPE_CHANGE', t, `change the type of ${t}.${c} to ${cast[2].trim()} (narrowing loses values)`, sql, { column: c, newType: cast[2].trim() }));
        if (COALESCE_EXPR.test(cast ? cast[1].trim() : expr)) {
          at(finding('FORGE_SET_NOT_NULL', t, `make ${t}.${c} required (NULL rows get its default)`, sql, { column: c, backfilled: true }));
        }
      });
      copies.delete(t);
    } else if ((m = RENAME_COLUMN.exec(sql))) {
      const [t, from, to] = [m[1], m[2], m[3]].map(unquote);
      at(finding('FORGE_RENAME_COLUMN', t, `rename ${t}.${from} to ${t}.${to}`, sql, { column: to }));
    } else if ((m = RENAME_TABLE.exec(sql))) {
      const from = unquote(m[1] ?? m[3]);
      const to = unquote(m[2] ?? m[4]);
      at(finding('FORGE_RENAME_TABLE', to, `rename table ${from} to ${to}`, sql));
    } else if ((m = DROP_COLUMN.exec(sql)) && !/^(CONSTRAINT|INDEX|KEY|FOREIGN|PRIMARY)$/i.test(m[2])) {
      const [t, c] = [unquote(m[1]), unquote(m[2])];
      at(finding('FORGE_DROP_COLUMN', t, `drop column ${t}.${c}`, sql, { column: c }));
    } else if ((m = ADD_COLUMN.exec(sql)) && !/^(CONSTRAINT|INDEX|KEY|UNIQUE|FOREIGN|PRIMARY|FULLTEXT|SPATIAL)$/i.test(m[2])) {
      const rest = m[3];
      const required = /\bNOT\s+NULL\b/i.test(rest) && !/\bDEFAULT\b|\bPRIMARY\s+KEY\b|\bGENERATED\b|\bAUTO_INCREMENT\b/i.test(rest);
      const [t, c] = [unquote(m[1]), unquote(m[2])];
      if (required) at(finding('FORGE_NOT_NULL_NO_DEFAULT', t, `add required column ${t}.${c} with no default`, sql, { column: c }));
      if (/\bUNIQUE\b/i.test(rest)) at(finding('FORGE_UNIQUE_ON_DUPLICATES', t, `add unique column ${t}.${c}`, sql, { columns: [c] }));
      state.columns.add(`${t}\0${c}`);
    } else if ((m = SET_NOT_NULL.exec(sql))) {
      const [t, c] = [unquote(m[1]), unquote(m[2])];
      const filled = backfilled.has(`${t}\0${c}`);
      at(finding('FORGE_SET_NOT_NULL', t, `make ${t}.${c} required${filled ? ' (NULL rows get its default)' : ''}`, sql, { column: c, ...(filled ? { backfilled: true } : {}) }));
    } else if ((m = RESTATE.exec(sql))) {
      const [t, c] = [unquote(m[1]), unquote(m[2] ?? m[3])];
      const def = m[4];
      const newType = typeOfDefinition(def);
      const notNull = /\bNOT\s+NULL\b/i.test(def);
      const filled = backfilled.has(`${t}\0${c}`);
      const key = `${t}\0${c}`;
      // Restated again with the type an earlier statement of the block gave it (SQL Server: retyped NULL-able,
      // backfilled, then made NOT NULL): the type change is reported once; what this one adds is the NOT NULL.
      if (restated.get(key) === normalizeTypeText(newType)) {
        if (notNull) at(finding('FORGE_SET_NOT_NULL', t, `make ${t}.${c} required${filled ? ' (NULL rows get its default)' : ''}`, sql, { column: c, ...(filled ? { backfilled: true } : {}) }));
        continue;
      }
      restated.set(key, normalizeTypeText(newType));
      at(
        finding('FORGE_TYPE_CHANGE', t, `restate ${t}.${c} as ${def.trim()} (a narrower type loses values)`, sql, {
          column: c,
          newType,
          fullDefinition: { notNull },
          ...(filled ? { backfilled: true } : {}),
        }),
      );
    } else if ((m = UNIQUE_INDEX.exec(sql))) {
      const t = unquote(m[2]);
      const cols = list(m[3]);
      at(finding('FORGE_UNIQUE_ON_DUPLICATES', t, `unique index ${unquote(m[1])} on ${t} (${cols.join(', ')})`, sql, { columns: cols }));
    } else if ((m = ADD_UNIQUE.exec(sql))) {
      const t = unquote(m[1]);
      const cols = list(m[4]);
      at(finding('FORGE_UNIQUE_ON_DUPLICATES', t, `unique (${cols.join(', ')}) on ${t}`, sql, { columns: cols }));
    } else if ((m = ALTER_TYPE.exec(sql))) {
      const t = unquote(m[1]);
      const c = unquote(m[2] ?? m[3] ?? m[4]);
      const to = TYPE_TO.exec(sql)?.[1]?.trim();
      // A rewrite `USING COALESCE(col, default)` (DuckDB's backfill) fills the NULL rows; with a CAST inside it
      // also changes the type, without one it keeps the type.
      const using = USING_COALESCE.exec(sql);
      if (using && unquote(using[2] ?? using[1]) === c) {
        backfilled.add(`${t}\0${c}`);
        if (!using[2]) continue;
      }
      at(finding('FORGE_TYPE_CHANGE', t, `change the type of ${t}.${c}${to ? ` to ${to}` : ''} (narrowing loses values)`, sql, { column: c, ...(to ? { newType: to } : {}) }));
    }
  }
  return out;
}

/** A finding a human must accept: it loses or breaks data it touches, or its rows were not counted. */
export function needsConsent(f: Finding): boolean {
  if (f.code === 'FORGE_RENAME_TABLE' || f.code === 'FORGE_RENAME_COLUMN') return false;
  if (f.code === 'FORGE_POSSIBLE_RENAME') return true;
  if (f.newInRun) return false;
  // The block writes the default into the NULL rows first: none is refused, no value is lost.
  if (f.code === 'FORGE_SET_NOT_NULL' && f.backfilled) return false;
  // Uncounted (generate reads no database): a unique or NOT NULL the rows do not satisfy is refused by the
  // database itself and loses nothing, so it is listed for review; a drop or type change is not so lucky.
  if (f.rows === undefined) return !SAFE_WHEN_UNCOUNTED.has(f.code);
  return f.rows > 0;
}

const SAFE_WHEN_UNCOUNTED = new Set<FindingCode>(['FORGE_UNIQUE_ON_DUPLICATES', 'FORGE_NOT_NULL_NO_DEFAULT', 'FORGE_SET_NOT_NULL']);

/** Two spellings of one type: the same text, or integer types that differ only by a display width (`int(11)`, `int`). */
function sameType(a: string, b: string, facts: Pick<DialectFacts, 'categoryOf'>): boolean {
  const [x, y] = [normalizeTypeText(a), normalizeTypeText(b)];
  if (x === y) return true;
  const cat = typeCategory(a, facts);
  return (cat === 'int' || cat === 'bigint') && cat === typeCategory(b, facts) && x.replace(/\(\d+\)/, '') === y.replace(/\(\d+\)/, '');
}

/**
 * Judge column-change findings against the columns as they are before the block runs (`snap`: the live database,
 * or for `forge generate` the previous migration's snapshot): a widening type change loses nothing and is dropped;
 * a statement restating a column whose type stays is a nullability change (or, only relaxing, nothing); a column
 * already NOT NULL is not made required. Findings about anything else pass through.
 */
export function classifyFindings(findings: Finding[], snap: Pick<Snapshot, 'tables'>, facts: Pick<DialectFacts, 'categoryOf'>): Finding[] {
  const out: Finding[] = [];
  for (const f of findings) {
    const live: SnapshotColumn | undefined = f.column ? snap.tables.find((t) => t.name === f.table)?.columns.find((c) => c.name === f.column) : undefined;
    if (!live || f.newInRun) {
      out.push(f);
      continue;
    }
    if (f.code === 'FORGE_SET_NOT_NULL') {
      if (live.nullable) out.push(f);
      continue;
    }
    if (f.code !== 'FORGE_TYPE_CHANGE' || !f.newType) {
      out.push(f);
      continue;
    }
    const { fullDefinition, newType, ...rest } = f;
    if (fullDefinition?.notNull && live.nullable) {
      const text = `make ${f.table}.${f.column} required${f.backfilled ? ' (NULL rows get its default)' : ''}`;
      out.push({ ...rest, code: 'FORGE_SET_NOT_NULL', text, fix: FINDING_FIXES.FORGE_SET_NOT_NULL });
    }
    if (sameType(live.type, newType, facts) || isWidening(live.type, newType, facts)) continue;
    const { backfilled: _b, ...typeChange } = rest;
    out.push({ ...typeChange, newType, text: `change the type of ${f.table}.${f.column} from ${live.type} to ${newType} (values that do not fit are lost or refused)` });
  }
  return out;
}

/** Up to five keys of rows where `column` is NULL (`id=4`), so a refusal can name them. */
async function nullRowKeys(conn: Connection, q: (n: string) => string, table: string, column: string, key: string[]): Promise<string[] | undefined> {
  if (key.length === 0) return undefined;
  const sql = `SELECT ${key.map(q).join(', ')} FROM ${q(table)} WHERE ${q(column)} IS NULL ORDER BY ${key.map(q).join(', ')}`;
  try {
    for await (const chunk of conn.stream(sql, [], 5)) {
      return chunk.slice(0, 5).map((row) => key.map((k, i) => `${k}=${String(row[i])}`).join(','));
    }
  } catch {
    return undefined;
  }
  return [];
}

/**
 * Count the rows each finding touches on the live database, before anything runs. `snap` is what the database
 * holds now: a table or column it does not hold yet (made earlier in the same migration) has no rows. Column
 * changes are judged against it first (`classifyFindings`, where the adapter's facts are given).
 */
export async function countFindings(
  conn: Connection,
  adapter: Pick<Adapter, 'compiler'> & Partial<Pick<Adapter, 'facts'>>,
  raw: Finding[],
  snap: Pick<Snapshot, 'tables'>,
): Promise<Finding[]> {
  const q = (n: string) => adapter.compiler.quoteIdent(n);
  const findings = classifyFindings(raw, snap, adapter.facts ?? { categoryOf: () => undefined });
  const out: Finding[] = [];
  for (const f of findings) {
    const table = snap.tables.find((t) => t.name === f.table);
    const hasColumn = (c: string | undefined) => !c || !!table?.columns.some((x) => x.name === c);
    const cols = f.columns ?? (f.column ? [f.column] : []);
    if (f.newInRun && !(f.code === 'FORGE_NOT_NULL_NO_DEFAULT' && table)) {
      out.push({ ...f, rows: 0, rowsNote: 'created earlier in this run: no rows yet' });
      continue;
    }
    if (!table || (f.code !== 'FORGE_NOT_NULL_NO_DEFAULT' && !cols.every(hasColumn))) {
      out.push({ ...f, rowsNote: 'not counted: the database does not hold it under this name yet' });
      continue;
    }
    let sql: string | undefined;
    const t = q(f.table);
    switch (f.code) {
      case 'FORGE_DROP_TABLE':
      case 'FORGE_NOT_NULL_NO_DEFAULT':
      case 'FORGE_RENAME_TABLE':
        sql = `SELECT COUNT(*) AS n FROM ${t}`;
        break;
      case 'FORGE_DROP_COLUMN':
      case 'FORGE_TYPE_CHANGE':
      case 'FORGE_RENAME_COLUMN':
        sql = `SELECT COUNT(*) AS n FROM ${t} WHERE ${q(f.column!)} IS NOT NULL`;
        break;
      case 'FORGE_SET_NOT_NULL':
        sql = `SELECT COUNT(*) AS n FROM ${t} WHERE ${q(f.column!)} IS NULL`;
        break;
      case 'FORGE_ENUM_VALUES_REMOVED':
        // The values are compared as text, each a quoted literal (they come from the statement, not from input).
        sql = `SELECT COUNT(*) AS n FROM ${t} WHERE ${q(f.column!)} IS NOT NULL AND CAST(${q(f.column!)} AS TEXT) NOT IN (${(f.enumValues ?? []).map((v) => `'${v.replace(/'/g, "''")}'`).join(', ') || 'NULL'})`;
        break;
      case 'FORGE_UNIQUE_ON_DUPLICATES': {
        const c = cols.map(q);
        sql = `SELECT COALESCE(SUM(d.k), 0) AS n FROM (SELECT COUNT(*) AS k FROM ${t} WHERE ${c.map((x) => `${x} IS NOT NULL`).join(' AND ')} GROUP BY ${c.join(', ')} HAVING COUNT(*) > 1) d`;
        break;
      }
      default:
        sql = undefined;
    }
    if (!sql) {
      out.push(f);
      continue;
    }
    try {
      const [row] = await conn.query<{ n: unknown }>(sql);
      const rows = Number(row?.n ?? 0);
      const counted: Finding = { ...f, rows };
      if (f.code === 'FORGE_SET_NOT_NULL' && !f.backfilled && rows > 0) {
        const key = table.columns.filter((c) => c.primaryKey).map((c) => c.name);
        const sample = await nullRowKeys(conn, q, f.table, f.column!, key);
        if (sample?.length) counted.sample = sample;
      }
      out.push(counted);
    } catch {
      out.push({ ...f, rowsNote: 'could not count the rows' });
    }
  }
  return out;
}

/** `drop column users.legacy — 3 rows hold a value`: the row count in words, per code. */
export function rowsText(f: Finding): string {
  if (f.newInRun) return 'created earlier in this migration: no rows yet';
  if (f.rows === undefined) return f.rowsNote ?? 'rows not counted';
  const n = f.rows;
  const rows = `${n} row${n === 1 ? '' : 's'}`;
  switch (f.code) {
    case 'FORGE_DROP_TABLE':
      return `${rows} dropped`;
    case 'FORGE_DROP_COLUMN':
      return `${rows} ${n === 1 ? 'loses' : 'lose'} a value`;
    case 'FORGE_NOT_NULL_NO_DEFAULT':
      return `${rows} in the table, none with a value for it`;
    case 'FORGE_SET_NOT_NULL':
      if (f.backfilled) return `${rows} ${n === 1 ? 'holds NULL and gets' : 'hold NULL and get'} the default`;
      return n === 0
        ? `${rows} hold NULL`
        : `${rows} ${n === 1 ? 'holds' : 'hold'} NULL${f.sample?.length ? ` (${f.sample.join('; ')}${n > f.sample.length ? '; ...' : ''})` : ''}: the database refuses the change while they do`;
    case 'FORGE_TYPE_CHANGE':
      return `${rows} ${n === 1 ? 'holds a value' : 'hold values'} that ${n === 1 ? 'is' : 'are'} converted`;
    case 'FORGE_UNIQUE_ON_DUPLICATES':
      return `${rows} share a value with another row`;
    case 'FORGE_ENUM_VALUES_REMOVED':
      return n === 0 ? `${rows} hold a removed value` : `${rows} ${n === 1 ? 'holds a value' : 'hold values'} the new type lacks: the database refuses the change while they do`;
    default:
      return `${rows} affected`;
  }
}
