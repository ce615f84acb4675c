import { fileURLToPath } from 'node:url';

/**
 * A Vite plugin (for `vite.config.ts`) that resolves the `node:*` modules @forge/core imports to browser
 * modules of this package: `node:crypto` (sha1 / sha256 / randomUUID), `node:async_hooks`, `node:perf_hooks`,
 * and for the file-based paths the browser never calls (`node:fs`, `node:fs/promises`, `node:path`, `node:module`,
 * `node:url`) stubs that throw naming what is Node-only; and `Buffer.byteLength` (the one use of Node's global)
 * through an import of `buffer.ts` added to the modules that call it.
 */
export function forgeBrowserShims(): {
  name: string;
  enforce: 'pre';
  resolveId(id: string): string | undefined;
  transform(code: string, id: string): string | undefined;
} {
  const file = (name: string) => fileURLToPath(new URL(`./${name}.ts`, import.meta.url));
  const map: Record<string, string> = {
    'node:crypto': file('crypto'),
    'node:async_hooks': file('async_hooks'),
    'node:perf_hooks': file('perf_hooks'),
    'node:fs': file('unavailable'),
    'node:fs/promises': file('unavailable'),
    'node:path': file('unavailable'),
    'node:module': file('unavailable'),
    'node:url': file('unavailable'),
  };
  return {
    name: 'forge-browser-shims',
    enforce: 'pre',
    resolveId: (id) => map[id],
    // The global `Buffer` has no browser counterpart: modules that call Buffer.byteLength import the shim's.
    transform: (code, id) => {
      if (!/\.[cm]?[jt]s$/.test(id.split('?')[0]) || id.includes('/node_modules/') || !code.includes('Buffer.byteLength')) return undefined;
      if (/import\s*\{[^}]*\bBuffer\b[^}]*\}\s*from/.test(code)) return undefined;
      return `import { Buffer } from ${JSON.stringify(file('buffer'))};\n${code}`;
    },
  };
}
