import type { DdlEnv, SchemaFeature } from '@forge/core';

/** The extensions forge knows on DuckDB. json, parquet and icu are built into @duckdb/node-api; the rest are downloads. */
export const EXTENSIONS = { json: 'json', parquet: 'parquet', icu: 'icu', fts: 'fts', spatial: 'spatial', vss: 'vss' } as const;

export const BUILT_IN = [EXTENSIONS.json, EXTENSIONS.parquet, EXTENSIONS.icu] as const;

/** What each downloadable extension would give a forge schema, for doctor's findings. */
export const DOWNLOADABLE: ReadonlyArray<{ name: string; use: string; without: string; feature: SchemaFeature }> = [
  {
    name: EXTENSIONS.vss,
    feature: 'vector',
    use: "HNSW indexes for f.vector() (indexes: [{ method: 'vector' }])",
    without: 'vector columns are FLOAT[n] and nearest-neighbour queries scan; a vector index is not created (push says so)',
  },
  {
    name: EXTENSIONS.spatial,
    feature: 'geoPoint',
    use: 'geometry functions (ST_Distance, ST_Within, ...) in raw SQL over f.geoPoint() columns',
    without: 'geo points are stored as GEOMETRY all the same (built into DuckDB 1.5); only the spatial functions are missing',
  },
  {
    name: EXTENSIONS.fts,
    feature: 'searchable',
    use: 'full-text indexes (PRAGMA create_fts_index) in raw SQL',
    without: 'forge does not use it either way: an fts index does not follow later writes, so .searchable() fields stay plain and a search filter is refused',
  },
];

export const hasExtension = (env: DdlEnv | undefined, name: string): boolean => env?.extensions.includes(name) ?? false;
