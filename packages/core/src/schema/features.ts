import type { SchemaFeature } from '../adapter.js';
import type { ColumnIR, SchemaIR } from './ir.js';

/** Kinds a GIN index serves with Postgres's own operator classes (jsonb, arrays); any other needs btree_gin / pg_trgm. */
const GIN_NATIVE = new Set<ColumnIR['kind']>(['json', 'embed', 'embedMany', 'stringArray', 'intArray']);

/** What a user sees named for each feature, in doctor's lines. */
export const SCHEMA_FEATURE_LABEL: Readonly<Record<SchemaFeature, string>> = {
  geoPoint: 'f.geoPoint() fields',
  vector: 'f.vector() fields',
  searchable: '.searchable() fields',
  ginIndex: "GIN indexes on plain columns (method: 'gin' over text, numbers, dates)",
  gistIndex: "GiST indexes on plain columns (method: 'gist' over anything but a geo point)",
};

/** The features of `SCHEMA_FEATURE_LABEL` a schema declares, read from its IR (columns and indexes). */
export function schemaFeatures(ir: SchemaIR): Set<SchemaFeature> {
  const out = new Set<SchemaFeature>();
  for (const table of Object.values(ir.models)) {
    for (const col of table.columns) {
      if (col.kind === 'geoPoint') out.add('geoPoint');
      if (col.kind === 'vector') out.add('vector');
      if (col.searchable) out.add('searchable');
    }
    const kind = (name: string) => table.columns.find((c) => c.name === name)?.kind;
    for (const ix of table.indexes) {
      if (ix.method === 'gin' && ix.columns.some((c) => !GIN_NATIVE.has(kind(c)!))) out.add('ginIndex');
      if (ix.method === 'gist' && ix.columns.some((c) => kind(c) !== 'geoPoint')) out.add('gistIndex');
    }
  }
  return out;
}
