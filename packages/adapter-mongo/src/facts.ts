import type { DialectFacts } from '@forge/core';
import { commandText } from './command.js';

/** What core's diff and planning ask of a document store: no types to compare, index options of its own. */
export const mongoFacts: DialectFacts = {
  // Schemaless: no column types to compare.
  categoryOf: () => undefined,
  // No SQL predicates: MongoDB indexes carry partialFilterExpression documents, compared as stable-key JSON.
  normalizeExpression: (e) => e,
  ledgerDdl: (table) => commandText({ create: table }),
  searchObjectNames: () => ({ relations: [], columns: [] }),
  // Index names are per collection.
  indexNamespace: 'table',
  documentIndexOptions: ['partialFilterExpression', 'collation', 'wildcardProjection', 'expireAfterSeconds'],
  identifierProblem: (name) => {
    if (name.includes('\0')) return 'MongoDB names cannot hold a NUL character';
    if (name.startsWith('system.')) return "MongoDB reserves collection names that start with 'system.'";
    if (name.includes('$')) return "MongoDB collection and field names forge creates cannot hold '$'";
    return undefined;
  },
};
