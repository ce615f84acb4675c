import { existsSync, readFileSync, realpathSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { DIALECTS, type Dialect } from '@forge/core';

export interface InstalledPackage {
  name: string;
  /** Undefined when the package cannot be found from where it was looked up. */
  version?: string;
  /** The package's real directory (pnpm links resolved), so its own dependencies can be looked up from it. */
  dir?: string;
}

/**
 * Find a package the way Node would from `fromDir`, reading its package.json directly: resolving the
 * entry point instead would fail for packages whose `exports` map hides package.json or has no main.
 */
export function findPackage(name: string, fromDir: string): InstalledPackage {
  const lookup = createRequire(path.join(fromDir, 'noop.js')).resolve.paths(name) ?? [];
  for (const nodeModules of lookup) {
    const manifest = path.join(nodeModules, name, 'package.json');
    if (!existsSync(manifest)) continue;
    try {
      const version = (JSON.parse(readFileSync(manifest, 'utf8')) as { version?: string }).version ?? 'unknown version';
      return { name, version, dir: realpathSync(path.dirname(manifest)) };
    } catch {
      return { name, version: 'unreadable package.json', dir: path.dirname(manifest) };
    }
  }
  return { name };
}

export interface DriverRow {
  dialect: Dialect;
  adapter: InstalledPackage;
  driver: InstalledPackage;
  /** The driver was found as the adapter's own dependency rather than in the project. */
  driverViaAdapter: boolean;
}

/** Every dialect's adapter package and driver, as seen from the project directory. */
export function driverInventory(cwd: string): DriverRow[] {
  return DIALECTS.map((d) => {
    const adapter = findPackage(d.packageName, cwd);
    const direct = findPackage(d.driver, cwd);
    // An adapter brings its driver as a dependency; pnpm keeps it out of the project's node_modules.
    const viaAdapter = !direct.version && adapter.dir ? findPackage(d.driver, adapter.dir) : undefined;
    const driver = viaAdapter?.version ? viaAdapter : direct;
    return { dialect: d.dialect, adapter, driver, driverViaAdapter: !!viaAdapter?.version };
  });
}
