import { ValidationError } from '../errors.js';
import type { RawFragment } from '../query/compiler.js';
import { isRawFragment, rawFragment } from '../query/compiler.js';

/**
 * raw`...`: a reusable SQL fragment whose `${values}` are bound parameters (fragments nest).
 * It never splices a value into the SQL text.
 */
export function raw(strings: TemplateStringsArray, ...values: unknown[]): RawFragment {
  if (!isTemplate(strings)) {
    throw new ValidationError('raw must be used as a tagged template: raw`SELECT ... WHERE id = ${id}`');
  }
  return rawFragment(strings, values);
}

function isTemplate(v: unknown): v is TemplateStringsArray {
  return Array.isArray(v) && Array.isArray((v as unknown as { raw?: unknown }).raw);
}

/** Normalise the arguments of `$queryRaw` / `$executeRaw`: a tagged template or a raw fragment, never a plain string. */
export function toRawFragment(method: string, first: unknown, values: unknown[]): RawFragment {
  if (isRawFragment(first)) {
    if (values.length) throw new ValidationError(`${method}(raw\`...\`) takes no extra arguments: put values inside the template`);
    return first;
  }
  if (isTemplate(first)) return rawFragment(first, values);
  if (typeof first === 'string') {
    throw new ValidationError(
      `${method} refuses a plain string: it would invite SQL injection. Use a tagged template (db.${method}\`SELECT * FROM t WHERE id = \${id}\`), ` +
        `raw\`...\`, or ${method}Unsafe(sql, ...params) if you really build SQL text yourself`,
    );
  }
  throw new ValidationError(`${method} takes a tagged template or a raw\`...\` fragment`);
}

/**
 * The first transaction-control statement in `sql` (`COMMIT`, `ROLLBACK`, `BEGIN`, `START TRANSACTION`, `END`,
 * `ABORT`), or undefined. Raw SQL must not end or open a transaction behind forge's back: inside
 * `$transaction` the rows written before a raw COMMIT would stay when the callback later throws, and on a
 * pool a raw BEGIN leaves a transaction open on whichever connection ran it. Savepoints (`SAVEPOINT`,
 * `ROLLBACK TO`, `RELEASE`) are allowed. Quoted text, quoted identifiers, comments and dollar-quoted bodies are
 * skipped; `;` splits statements except inside a `BEGIN ... END` block (trigger and procedure bodies).
 */
export function transactionControl(sql: string): string | undefined {
  let i = 0;
  let atStart = true;
  let depth = 0;
  const n = sql.length;
  while (i < n) {
    const c = sql[i];
    if (c === ';') {
      if (depth === 0) atStart = true;
      i++;
      continue;
    }
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r' || c === '(') {
      i++;
      continue;
    }
    if (c === '-' && sql[i + 1] === '-') {
      const end = sql.indexOf('\n', i);
      i = end < 0 ? n : end + 1;
      continue;
    }
    if (c === '/' && sql[i + 1] === '*') {
      const end = sql.indexOf('*/', i + 2);
      i = end < 0 ? n : end + 2;
      continue;
    }
    if (c === "'" || c === '"' || c === '`' || c === '[') {
      i = skipQuoted(sql, i, c === '[' ? ']' : c);
      atStart = false;
      continue;
    }
    if (c === '$') {
      const tag = /^\$[A-Za-z_]*\$/.exec(sql.slice(i, i + 64));
      if (tag) {
        const end = sql.indexOf(tag[0], i + tag[0].length);
        i = end < 0 ? n : end + tag[0].length;
        atStart = false;
        continue;
      }
    }
    const word = /^[A-Za-z_][A-Za-z0-9_]*/.exec(sql.slice(i, i + 64));
    if (!word) {
      i++;
      atStart = false;
      continue;
    }
    const w = word[0].toUpperCase();
    i += word[0].length;
    if (atStart) {
      atStart = false;
      const next = nextWord(sql, i);
      if (w === 'COMMIT' || w === 'END' || w === 'ABORT') return w;
      if (w === 'ROLLBACK' && next !== 'TO') return w;
      if (w === 'START' && next === 'TRANSACTION') return 'START TRANSACTION';
      if (w === 'BEGIN') {
        if (next === undefined || BEGIN_TRANSACTION.has(next)) return w;
        depth++;
      }
      continue;
    }
    if (w === 'BEGIN' || w === 'CASE') depth++;
    else if (w === 'END' && depth > 0) depth--;
  }
  return undefined;
}

/** Words after BEGIN that make it a transaction in one dialect or another; any other word starts a BEGIN ... END block. */
const BEGIN_TRANSACTION = new Set(['TRANSACTION', 'TRAN', 'WORK', 'DEFERRED', 'IMMEDIATE', 'EXCLUSIVE', 'ISOLATION', 'READ', 'DISTRIBUTED', 'NOT']);

function nextWord(sql: string, from: number): string | undefined {
  const m = /^(?:\s|--[^\n]*\n|\/\*[\s\S]*?\*\/)*([A-Za-z_]+)/.exec(sql.slice(from, from + 256));
  return m ? m[1].toUpperCase() : undefined;
}

/**
 * Index just past the quoted run that starts at `start`; a doubled closing quote is an escaped one. A backslash is
 * not taken as an escape: where a dialect does read it so, the scan sees a string end early and may refuse
 * harmless text, never the reverse.
 */
function skipQuoted(sql: string, start: number, close: string): number {
  let i = start + 1;
  while (i < sql.length) {
    if (sql[i] === close) {
      if (sql[i + 1] === close) {
        i += 2;
        continue;
      }
      return i + 1;
    }
    i++;
  }
  return sql.length;
}

/** Refuse transaction control in raw SQL, naming the statement and the forge way to do it. */
export function refuseTransactionControl(method: string, sql: string): void {
  const stmt = transactionControl(sql);
  if (!stmt) return;
  throw new ValidationError(
    `${method} refuses ${stmt}: raw SQL must not open or end transactions behind forge's back (rows written before a raw COMMIT ` +
      `would survive a later rollback, and on a pool a raw BEGIN stays open on whichever connection ran it). Use ` +
      `db.$transaction(async (tx) => { ... }) (commit on return, rollback on throw); for a partial rollback nest db.$transaction(...) ` +
      `inside it, which runs as a savepoint`,
  );
}
