import type { ProbeReport } from '@forge/core';

/** What `browserDoctor()` found. */
export interface BrowserDoctorReport {
  /** The Origin Private File System is there (`navigator.storage.getDirectory`). */
  opfs: boolean;
  /** A secure context (https or localhost): OPFS and persistent storage need one. */
  secureContext: boolean;
  /** `crossOriginIsolated`: needed only by sqlite-wasm's `opfs` VFS, not by the SAH-pool VFS forge uses. */
  crossOriginIsolated: boolean;
  /** `navigator.storage.persisted()`: true when the browser will not evict the origin's storage under pressure; null where unknown. */
  persisted: boolean | null;
  /** `navigator.storage.estimate()`, in bytes; null where unknown. */
  estimate: { usage: number; quota: number } | null;
  /** The database's probe (`db.$doctor()`: SQLite version, VFS, persistence, FTS5, JSON), when a db was given. */
  sqlite?: ProbeReport;
  /** What to do about what was found. */
  actions: string[];
}

interface StorageLike {
  getDirectory?: () => Promise<unknown>;
  persisted?: () => Promise<boolean>;
  estimate?: () => Promise<{ usage?: number; quota?: number }>;
}

/**
 * The runtime capability probe for the browser (the counterpart of `forge doctor`): OPFS, whether storage is
 * persistent, how much is used of the quota, and with a db the SQLite it runs on. Never throws: what it cannot
 * read is reported as unknown.
 */
export async function browserDoctor(db?: { $doctor(): Promise<ProbeReport> }): Promise<BrowserDoctorReport> {
  const g = globalThis as { navigator?: { storage?: StorageLike }; isSecureContext?: boolean; crossOriginIsolated?: boolean };
  const storage = g.navigator?.storage;
  const actions: string[] = [];
  const secureContext = g.isSecureContext === true;
  let opfs = false;
  if (typeof storage?.getDirectory === 'function') {
    opfs = await storage.getDirectory().then(() => true, () => false);
  }
  if (!opfs) {
    actions.push(
      secureContext
        ? 'This browser has no usable OPFS: the database is kept in memory and is lost on reload.'
        : 'The page is not a secure context, so OPFS is unavailable: serve it over https (or from localhost).',
    );
  }
  let persisted: boolean | null = null;
  if (typeof storage?.persisted === 'function') persisted = await storage.persisted().then((p) => p === true, () => null);
  if (persisted === false) {
    actions.push('Storage is best-effort: the browser may evict the database under storage pressure. Ask for persistence with navigator.storage.persist() (after a user gesture on some browsers).');
  }
  let estimate: BrowserDoctorReport['estimate'] = null;
  if (typeof storage?.estimate === 'function') {
    estimate = await storage.estimate().then((e) => ({ usage: e.usage ?? 0, quota: e.quota ?? 0 }), () => null);
  }
  if (estimate && estimate.quota > 0 && estimate.usage / estimate.quota > 0.8) {
    actions.push(`Storage is ${Math.round((estimate.usage / estimate.quota) * 100)}% of the origin's quota: writes may soon fail with SQLITE_FULL.`);
  }
  const report: BrowserDoctorReport = { opfs, secureContext, crossOriginIsolated: g.crossOriginIsolated === true, persisted, estimate, actions };
  if (db) {
    try {
      report.sqlite = await db.$doctor();
      actions.push(...report.sqlite.actions);
    } catch (e) {
      actions.push(`Could not probe the database (${e instanceof Error ? e.message : String(e)}).`);
    }
  }
  actions.push('There is no OPFS backup: clearing site data or a profile reset deletes the database. Treat the server as the source of truth and sync to it.');
  return report;
}
