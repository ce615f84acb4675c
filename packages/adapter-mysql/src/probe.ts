import type { Connection, ProbeReport } from '@forge/core';
import { atLeast, parseServerVersion, serverFeatures } from './server.js';

/** Everything doctor reads, in one round trip. */
const SETTINGS = `
SELECT VERSION() AS version, DATABASE() AS db, @@sql_mode AS sql_mode,
       @@character_set_database AS charset, @@collation_database AS collation,
       @@lower_case_table_names AS lower_case_table_names`;

interface SettingsRow {
  version: unknown;
  db: unknown;
  sql_mode: unknown;
  charset: unknown;
  collation: unknown;
  lower_case_table_names: unknown;
}

function text(v: unknown): string {
  if (v === null || v === undefined) return '';
  if (v instanceof Uint8Array) return Buffer.from(v).toString('utf8');
  return String(v);
}

/**
 * The live capability probe behind `forge doctor` (seed 004): server version and flavour, what the server
 * can do (`serverFeatures`), and the settings that change what forge writes and reads: sql_mode (strict
 * mode, backslash escapes), the database's character set and collation, lower_case_table_names. Never
 * throws: a failure is a finding in the report.
 */
export async function probeMysql(conn: Connection): Promise<ProbeReport> {
  const report: ProbeReport = { dialect: 'mysql', version: 'unknown', features: {}, actions: [] };
  try {
    const [row] = await conn.query<SettingsRow>(SETTINGS);
    const server = parseServerVersion(text(row.version));
    report.version = server.version;
    report.features.flavor = server.flavor;
    Object.assign(report.features, serverFeatures(server));

    if (server.flavor === 'mysql' && !atLeast(server, 8)) {
      report.actions.push(
        `Upgrade MySQL to 8.0 or later (found ${server.version}): before 8.0 spatial columns carry no SRID, so f.geoPoint() is not SRID-aware, and there are no CHECK constraints, functional indexes or descending indexes.`,
      );
    }

    const sqlMode = text(row.sql_mode);
    const modes = new Set(sqlMode.split(',').map((m) => m.trim().toUpperCase()).filter(Boolean));
    report.features.sqlMode = sqlMode;
    const strict = modes.has('STRICT_TRANS_TABLES') || modes.has('STRICT_ALL_TABLES');
    report.features.strictMode = strict;
    if (!strict) {
      report.actions.push(
        "Turn on strict mode: without STRICT_TRANS_TABLES the server truncates or zeroes bad values with only a warning. SET GLOBAL sql_mode = CONCAT_WS(',', NULLIF(@@GLOBAL.sql_mode, ''), 'STRICT_TRANS_TABLES'); and add it to sql_mode in the server's my.cnf so it survives a restart.",
      );
    }
    const noBackslash = modes.has('NO_BACKSLASH_ESCAPES');
    report.features.noBackslashEscapes = noBackslash;
    if (noBackslash) {
      report.actions.push(
        "sql_mode has NO_BACKSLASH_ESCAPES: a backslash in a string literal is an ordinary character. Values forge binds are unaffected; check raw SQL (db.$executeRaw with literals) and migration files that write '\\' escapes.",
      );
    }

    const db = text(row.db);
    const charset = text(row.charset);
    const collation = text(row.collation);
    report.features.charset = charset;
    report.features.collation = collation;
    if (charset.toLowerCase() !== 'utf8mb4') {
      const target = server.flavor === 'mysql' && atLeast(server, 8) ? 'utf8mb4_0900_ai_ci' : 'utf8mb4_unicode_ci';
      const name = db ? '`' + db.replace(/`/g, '``') + '`' : '<database>';
      report.actions.push(
        `Use utf8mb4 (the database is ${charset || 'unknown'} / ${collation || 'unknown'}): other character sets cannot store every Unicode character (utf8/utf8mb3 stops at 3 bytes, no emoji). ALTER DATABASE ${name} CHARACTER SET utf8mb4 COLLATE ${target}; (existing tables keep theirs: ALTER TABLE … CONVERT TO CHARACTER SET utf8mb4)`,
      );
    }

    const lower = Number(text(row.lower_case_table_names));
    report.features.lowerCaseTableNames = String(lower);
    if (lower === 1) {
      report.actions.push(
        'lower_case_table_names = 1: the server stores table names in lower case. Give models lower-case table names, else forge diff reports a mixed-case table as missing.',
      );
    }
    if (!db) report.actions.push('No database is selected: name it in DATABASE_URL (mysql://user@host:3306/<database>).');
  } catch (e) {
    report.features.error = e instanceof Error ? e.message : String(e);
    report.actions.push('The probe could not read the server: check DATABASE_URL and that the user may connect and run SELECT VERSION().');
  }
  return report;
}
