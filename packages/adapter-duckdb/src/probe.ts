import type { Connection, ProbeReport } from '@forge/core';
import { BUILT_IN, DOWNLOADABLE } from './extensions.js';

/** How long doctor lets `INSTALL <extension>` try to download before it counts as not installable. */
export const INSTALL_TIMEOUT_MS = 5_000;

interface ExtensionRow {
  extension_name: string;
  loaded: boolean;
  installed: boolean;
}

/** `INSTALL name`, given up after `ms` (a network that drops packets would otherwise hold doctor for minutes). */
async function installWithin(conn: Connection, name: string, ms: number): Promise<string | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const limit = new Promise<string>((resolve) => {
    timer = setTimeout(() => resolve(`no answer from the extension repository within ${ms} ms`), ms);
  });
  try {
    return await Promise.race([
      conn.execute(`INSTALL ${name}`).then(
        () => undefined,
        (e: unknown) => (e instanceof Error ? e.message : String(e)).split('\n')[0],
      ),
      limit,
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * The live probe behind `forge doctor` (seed 004: INSTALL, LOAD, then duckdb_extensions()): the DuckDB version,
 * the built-in extensions (json, parquet, icu), and for each downloadable one forge can use (vss, spatial, fts)
 * whether it is loaded, installed, or could not be installed, with what that means for the schema and the
 * command that fixes it. Never throws: a failure is a finding in the report.
 */
export async function probeDuckdb(conn: Connection, opts: { installTimeoutMs?: number } = {}): Promise<ProbeReport> {
  const report: ProbeReport = { dialect: 'duckdb', version: 'unknown', features: {}, actions: [], featureActions: [] };
  try {
    const [v] = await conn.query<{ version: string }>('SELECT version() AS version');
    report.version = String(v.version).replace(/^v/, '');
    const read = async () => new Map((await conn.query<ExtensionRow>('SELECT extension_name, loaded, installed FROM duckdb_extensions()')).map((r) => [r.extension_name, r]));
    let rows = await read();
    for (const name of BUILT_IN) {
      const r = rows.get(name);
      report.features[name] = r?.loaded ? 'built in' : 'missing';
      if (!r?.loaded) report.actions.push(`The ${name} extension is not loaded in this DuckDB build: forge needs it (install @duckdb/node-api, which links it in)`);
    }
    for (const ext of DOWNLOADABLE) {
      let r = rows.get(ext.name);
      let failure: string | undefined;
      if (!r?.installed) failure = await installWithin(conn, ext.name, opts.installTimeoutMs ?? INSTALL_TIMEOUT_MS);
      if (!failure && !r?.loaded) {
        await conn.execute(`LOAD ${ext.name}`).catch((e: unknown) => {
          failure = (e instanceof Error ? e.message : String(e)).split('\n')[0];
        });
        rows = await read();
        r = rows.get(ext.name);
      }
      if (r?.loaded) {
        report.features[ext.name] = 'loaded';
        continue;
      }
      report.features[ext.name] = `not installed: ${failure ?? 'unknown reason'}`;
      report.featureActions!.push({
        feature: ext.feature,
        action:
          `DuckDB's ${ext.name} extension could not be installed (${failure ?? 'unknown reason'}). It gives ${ext.use}; without it ${ext.without}. ` +
          `On a machine with internet: INSTALL ${ext.name}; (or copy ${ext.name}.duckdb_extension into ~/.duckdb/extensions/v${report.version}/<platform>/ and LOAD ${ext.name};)`,
      });
    }
  } catch (e) {
    report.features.error = e instanceof Error ? e.message : String(e);
    report.actions.push('The probe could not read the database: check DATABASE_URL (duckdb:./file.duckdb) and that no other process holds the file.');
  }
  return report;
}
