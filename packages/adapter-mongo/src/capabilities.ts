import type { Capabilities } from '@forge/core';

export const capabilities: Capabilities = {
  dialect: 'mongo',
  // Schemaless: no column types, no column list (diff compares collections and indexes only).
  compareTypes: false,
  schemaless: true,
  // createIndexes replaces a drifted same-named index (drop and recreate on 85/86), so push re-plans it.
  recreateIndexes: true,
  // No DDL: each createIndexes commits on its own.
  transactionalDdl: false,
  // Writes compile to commands that give their documents back (insert: the documents sent; findAndModify: the new one).
  returning: true,
  savepoints: false,
  // partialFilterExpression is MongoDB's partial index; SQL `where` predicates are not taken.
  partialIndexes: false,
  expressionIndexes: false,
  coveringIndexes: false,
  indexMethods: ['btree'],
  alterAddForeignKey: false,
  dropColumn: false,
  referentialActions: [],
  foreignKeyCycles: true,
  fullTextSearch: false,
  jsonPath: false,
  // $near / $geoWithin (2dsphere) are not compiled from the client yet: geo filters are refused by name.
  geoQueries: false,
  // $vectorSearch needs an Atlas Search index, which a plain MongoDB server does not have: vector ordering is refused by name.
  vectorQueries: false,
  // find and aggregate cursors back findManyStream.
  nativeCursor: true,
  views: false,
  materializedViews: false,
  // Collection names: the namespace "db.collection" is at most 255 bytes; 120 leaves room for the database name.
  maxIdentifierLength: 120,
  // A write batch takes at most 100,000 documents (maxWriteBatchSize).
  bulkInsertRows: 100_000,
  maxBindParams: 1_000_000,
};
