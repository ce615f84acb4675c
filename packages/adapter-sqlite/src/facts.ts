import type { DialectFacts } from '@forge/core';
import { ftsTableName } from './compile.js';

/** The triggers that keep a table's FTS5 index in step with it (ddl.ts creates them, introspect.ts recognises them). */
export const FTS_TRIGGERS = ['ai', 'ad', 'au'] as const;
export const ftsTrigger = (table: string, kind: (typeof FTS_TRIGGERS)[number]): string => `${ftsTableName(table)}_${kind}`;

/** The shadow tables FTS5 keeps for an external-content table (`<fts>_data`, ...): they share the table namespace. */
const FTS5_SHADOWS = ['data', 'idx', 'docsize', 'config'] as const;

export const sqliteFacts: DialectFacts = {
  // Column types are affinities, not constraints (`compareTypes` is false): no type has a category to compare.
  categoryOf: () => undefined,
  // SQLite keeps a predicate as written; `"x"` and `x` name the same column. Receives lower-cased text.
  normalizeExpression: (expr) => expr.replace(/"([a-z_][a-z0-9_$]*)"/g, '$1'),
  ledgerDdl: (table) => `CREATE TABLE IF NOT EXISTS ${table} (name VARCHAR(255) PRIMARY KEY, applied_at VARCHAR(64))`,
  searchObjectNames: (table) => {
    const fts = ftsTableName(table);
    return { relations: [fts, ...FTS5_SHADOWS.map((s) => `${fts}_${s}`)], columns: [] };
  },
  indexNamespace: 'schema',
  // SQLite compares identifiers case-insensitively for ASCII letters only.
  identifierKey: (name) => name.replace(/[A-Z]/g, (c) => c.toLowerCase()),
};
