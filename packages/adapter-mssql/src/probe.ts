import type { Connection, ProbeReport } from '@forge/core';

/** Everything doctor reads, in one round trip. */
export const PROBE_SQL = `SELECT @@VERSION AS version_text,
  CAST(SERVERPROPERTY('ProductVersion') AS nvarchar(128)) AS version,
  CAST(SERVERPROPERTY('Edition') AS nvarchar(128)) AS edition,
  CAST(SERVERPROPERTY('EngineEdition') AS int) AS engine_edition,
  DB_NAME() AS db,
  (SELECT compatibility_level FROM sys.databases WHERE database_id = DB_ID()) AS compatibility_level,
  CAST(DATABASEPROPERTYEX(DB_NAME(), 'Collation') AS nvarchar(128)) AS collation,
  CAST(CASE WHEN EXISTS (SELECT 1 FROM sys.types WHERE name = N'geography' AND is_user_defined = 0) THEN 1 ELSE 0 END AS bit) AS has_geography,
  CAST(CASE WHEN EXISTS (SELECT 1 FROM sys.types WHERE name = N'vector' AND is_user_defined = 0) THEN 1 ELSE 0 END AS bit) AS has_vector`;

export interface ProbeRow {
  version_text: string | null;
  version: string | null;
  edition: string | null;
  engine_edition: number | null;
  db: string | null;
  compatibility_level: number | null;
  collation: string | null;
  has_geography: boolean | number | null;
  has_vector: boolean | number | null;
}

const yes = (v: unknown): boolean => v === true || v === 1;

/** The major version of `16.0.4135.4` (16 is SQL Server 2022, 15 2019, 14 2017, 13 2016). */
export function majorVersion(version: string): number {
  const m = /^(\d+)\./.exec(version);
  return m ? Number(m[1]) : NaN;
}

/** The report from the probe's row (pure, for tests). */
export function probeReport(row: ProbeRow): ProbeReport {
  const report: ProbeReport = { dialect: 'mssql', version: row.version ?? 'unknown', features: {}, actions: [] };
  const f = report.features;
  f.versionText = (row.version_text ?? '').split('\n')[0].trim();
  f.edition = row.edition ?? 'unknown';
  // EngineEdition 5 is Azure SQL Database, 8 Azure SQL Managed Instance.
  f.azure = row.engine_edition === 5 || row.engine_edition === 8;
  f.compatibilityLevel = String(row.compatibility_level ?? 'unknown');
  f.collation = row.collation ?? 'unknown';
  f.geography = yes(row.has_geography);
  f.vector = yes(row.has_vector);
  const major = majorVersion(report.version);
  if (!f.azure && major < 14) {
    report.actions.push(
      `Upgrade SQL Server to 2017 or later (found ${report.version}): forge binds JSON paths as parameters (JSON_VALUE with a variable path needs 2017+) and uses DROP ... IF EXISTS and CREATE OR ALTER VIEW (2016 SP1+).`,
    );
  }
  const level = Number(row.compatibility_level);
  if (Number.isFinite(level) && level < 130) {
    const name = row.db ? `[${row.db.replace(/]/g, ']]')}]` : '<database>';
    report.actions.push(
      `Raise the database's compatibility level (now ${level}): OPENJSON, which array filters use, needs 130 or more. ALTER DATABASE ${name} SET COMPATIBILITY_LEVEL = ${major >= 16 ? 160 : major === 15 ? 150 : 140};`,
    );
  }
  report.featureActions = [];
  if (!f.geography) {
    report.featureActions.push({ feature: 'geoPoint', action: 'GEOGRAPHY is missing on this server, so f.geoPoint() columns cannot be created (it is built into every SQL Server edition since 2008).' });
  }
  if (!f.vector) {
    report.featureActions.push({
      feature: 'vector',
      action: 'No VECTOR type on this server (SQL Server 2025 and Azure SQL have it): f.vector() fields are stored as JSON arrays in nvarchar(max), and forge cannot compute distances in the database.',
    });
  }
  // A case-insensitive collation (the default ones): '=' filters, ORDER BY and unique indexes ignore case.
  f.caseInsensitiveCollation = /_CI_/i.test(row.collation ?? '');
  return report;
}

/** The live capability probe behind `forge doctor`. Never throws: a failure is a finding in the report. */
export async function probeMssql(conn: Connection): Promise<ProbeReport> {
  try {
    const [row] = await conn.query<ProbeRow>(PROBE_SQL);
    return probeReport(row);
  } catch (e) {
    return {
      dialect: 'mssql',
      version: 'unknown',
      features: { error: e instanceof Error ? e.message : String(e) },
      actions: ['The probe could not read the server: check DATABASE_URL and that the login may connect and run SELECT @@VERSION.'],
    };
  }
}
