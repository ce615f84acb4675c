import type { Connection, FeatureAction, ProbeReport } from '@forge/core';
import { SqliteConnection } from './connection.js';

/** RETURNING and ALTER TABLE DROP COLUMN arrived in 3.35. */
const MIN_VERSION = [3, 35, 0];

function atLeast(version: string, min: number[]): boolean {
  const parts = version.split('.').map(Number);
  for (let i = 0; i < min.length; i++) {
    const v = parts[i] ?? 0;
    if (v !== min[i]) return v > min[i];
  }
  return true;
}

async function firstValue(conn: Connection, sql: string): Promise<unknown> {
  const rows = await conn.queryArrays(sql);
  return rows[0]?.[0];
}

async function succeeds(conn: Connection, sql: string): Promise<boolean> {
  try {
    await conn.queryArrays(sql);
    return true;
  } catch {
    return false;
  }
}

const message = (e: unknown): string => (e instanceof Error ? e.message : String(e));

/** SpatiaLite only loads through the driver API (SQL load_extension is off), so a wrapped connection cannot tell. */
function probeSpatialite(conn: Connection, features: ProbeReport['features'], featureActions: FeatureAction[]): void {
  if (!(conn instanceof SqliteConnection)) {
    features.spatialite = 'unknown';
    return;
  }
  try {
    conn.native.loadExtension('mod_spatialite');
    features.spatialite = true;
  } catch {
    features.spatialite = false;
    featureActions.push({
      feature: 'geoPoint',
      action:
        'SpatiaLite (mod_spatialite) is not installed, so f.geoPoint() is stored as JSON text with app-side distance math. ' +
        'For spatial SQL install it: apt-get install libsqlite3-mod-spatialite (Debian/Ubuntu) or brew install libspatialite (macOS).',
    });
  }
}

/** What `forge doctor` reports for SQLite: version, FTS5, JSON, SpatiaLite. Failures become findings, never throws. */
export async function probeSqlite(conn: Connection): Promise<ProbeReport> {
  const features: ProbeReport['features'] = {};
  const actions: string[] = [];
  const featureActions: FeatureAction[] = [];
  let version = 'unknown';
  try {
    version = String(await firstValue(conn, 'SELECT sqlite_version()'));
  } catch (e) {
    features.reachable = false;
    actions.push(`Could not query the SQLite database (${message(e)}): check the DATABASE_URL path and file permissions.`);
    return { dialect: 'sqlite', version, features, actions };
  }
  features.reachable = true;
  const modern = atLeast(version, MIN_VERSION);
  features.returning = modern;
  features.dropColumn = modern;
  if (!modern) actions.push(`SQLite ${version} is older than ${MIN_VERSION.join('.')}: upgrade better-sqlite3 (it bundles a current SQLite) for RETURNING and DROP COLUMN.`);

  features.fts5 = await firstValue(conn, `SELECT count(*) FROM pragma_module_list WHERE name = 'fts5'`).then(
    (n) => n === 1,
    () => false,
  );
  if (!features.fts5) {
    featureActions.push({ feature: 'searchable', action: 'This SQLite build has no FTS5, so .searchable() fields cannot be indexed: use the SQLite bundled with better-sqlite3.' });
  }
  features.json = await succeeds(conn, `SELECT json('{}')`);
  if (!features.json) actions.push('This SQLite build has no JSON functions, so JSON path and array filters fail: use the SQLite bundled with better-sqlite3.');
  try {
    features.journalMode = String(await firstValue(conn, 'PRAGMA journal_mode'));
    features.foreignKeys = (await firstValue(conn, 'PRAGMA foreign_keys')) === 1;
  } catch (e) {
    features.pragmas = message(e);
  }
  probeSpatialite(conn, features, featureActions);
  return { dialect: 'sqlite', version, features, actions, featureActions };
}
