import type { Connection, ProbeReport, SchemaFeature } from '@forge/core';
import { bundledPgliteExtensions, isPgliteVersion } from './pglite-backend.js';

/** Extensions doctor reports on, what forge uses each for, and the package that provides it when absent. */
const EXTENSIONS: ReadonlyArray<{ name: string; use: string; feature: SchemaFeature; install: (major: string) => string }> = [
  { name: 'postgis', use: 'f.geoPoint() as geography', feature: 'geoPoint', install: (v) => `apt-get install postgresql-${v}-postgis-3` },
  { name: 'vector', use: 'f.vector() as pgvector', feature: 'vector', install: (v) => `apt-get install postgresql-${v}-pgvector` },
  { name: 'pg_trgm', use: 'trigram indexes for contains/ILIKE', feature: 'ginIndex', install: () => 'install your distribution\'s postgresql-contrib package' },
  { name: 'btree_gin', use: 'mixed GIN indexes', feature: 'ginIndex', install: () => 'install your distribution\'s postgresql-contrib package' },
  { name: 'btree_gist', use: 'mixed GiST indexes', feature: 'gistIndex', install: () => 'install your distribution\'s postgresql-contrib package' },
];

/** gen_random_uuid() is built in from PostgreSQL 13; forge's uuid ids default to it. */
const MIN_VERSION_NUM = 130000;

/**
 * The live capability probe behind `forge doctor`: server version and, per extension, installed (its version),
 * available (packaged on the server, not created in this database) or missing. Never throws: a failure is a
 * finding in the report.
 */
export async function probePostgres(conn: Connection): Promise<ProbeReport> {
  const report: ProbeReport = { dialect: 'postgres', version: 'unknown', features: {}, actions: [], featureActions: [] };
  try {
    const [server] = await conn.query<{ version: string; num: string; full: string }>(
      `SELECT current_setting('server_version') AS version, current_setting('server_version_num') AS num, version() AS full`,
    );
    report.version = server.version;
    if (isPgliteVersion(server.full)) return await probePglite(conn, report, server.full);
    const major = String(Math.floor(Number(server.num) / 10000));
    if (Number(server.num) < MIN_VERSION_NUM) {
      report.actions.push(`Upgrade PostgreSQL to 13 or later (found ${server.version}): forge's uuid ids use gen_random_uuid().`);
    }
    const rows = await availableExtensions(conn);
    for (const ext of EXTENSIONS) {
      if (!inDatabase(report, ext, rows)) {
        report.features[ext.name] = false;
        report.featureActions!.push({ feature: ext.feature, action: `For ${ext.use}: ${ext.install(major)} on the database server, then CREATE EXTENSION IF NOT EXISTS ${ext.name};` });
      }
    }
  } catch (e) {
    report.features.error = e instanceof Error ? e.message : String(e);
    report.actions.push('The probe could not read the server: check DATABASE_URL and that the role may read pg_available_extensions.');
  }
  return report;
}

type ExtensionRow = { name: string; installed: string | null };
type Extension = (typeof EXTENSIONS)[number];

/** The extensions forge uses that this database can create, with the version where one is created. */
function availableExtensions(conn: Connection): Promise<ExtensionRow[]> {
  return conn.query<ExtensionRow>('SELECT name, installed_version AS installed FROM pg_available_extensions WHERE name = ANY($1::text[])', [EXTENSIONS.map((e) => e.name)]);
}

/** Report `ext` as created (its version) or available to create (with the step); false when the database lacks it. */
function inDatabase(report: ProbeReport, ext: Extension, rows: ExtensionRow[]): boolean {
  const row = rows.find((r) => r.name === ext.name);
  if (!row) return false;
  if (row.installed) {
    report.features[ext.name] = row.installed;
  } else {
    report.features[ext.name] = 'available';
    report.featureActions!.push({ feature: ext.feature, action: `For ${ext.use}: CREATE EXTENSION IF NOT EXISTS ${ext.name}; (or forge push --enable-extensions)` });
  }
  return true;
}

/**
 * PGlite (in process): extensions are not installed on a server but shipped in the npm package and loaded when
 * the instance is created (`new PGlite({ extensions })`). Per extension forge uses: installed in this database
 * (its version), loaded in this instance but not created ('available'), bundled by the installed PGlite but not
 * loaded ('bundled'), or not in PGlite at all (false: PostGIS and pgvector are not in every release).
 */
async function probePglite(conn: Connection, report: ProbeReport, full: string): Promise<ProbeReport> {
  report.features.pglite = /PGlite ([^)\s]+)/.exec(full)?.[1] ?? true;
  const rows = await availableExtensions(conn);
  const bundled = await bundledPgliteExtensions(EXTENSIONS.map((e) => e.name));
  for (const ext of EXTENSIONS) {
    if (inDatabase(report, ext, rows)) continue;
    if (bundled.has(ext.name)) {
      report.features[ext.name] = 'bundled';
      report.featureActions!.push({
        feature: ext.feature,
        action: `For ${ext.use}: PGlite bundles ${ext.name}; load it when you create the instance (import { ${ext.name} } from '@electric-sql/pglite/contrib/${ext.name}'; new PGlite({ extensions: { ${ext.name} } })), pass it with pgliteDriver(db), then CREATE EXTENSION IF NOT EXISTS ${ext.name};`,
      });
    } else {
      report.features[ext.name] = false;
      report.featureActions!.push({ feature: ext.feature, action: `For ${ext.use}: the installed PGlite does not ship ${ext.name}; use a PostgreSQL server with it installed.` });
    }
  }
  return report;
}
