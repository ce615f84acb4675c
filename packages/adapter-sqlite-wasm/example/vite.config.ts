import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';
import { forgeBrowserShims } from '../src/shims/vite.js';

const here = (p: string) => fileURLToPath(new URL(p, import.meta.url));

// The example builds from source: @forge/core's src (no dist needed), this package's src, and the shims that
// stand in for the node:* modules core imports. The SAH-pool VFS needs no COOP/COEP headers.
export default defineConfig({
  root: here('.'),
  base: './',
  plugins: [forgeBrowserShims()],
  resolve: { alias: [{ find: /^@forge\/core$/, replacement: here('../../core/src/index.ts') }] },
  optimizeDeps: { exclude: ['@sqlite.org/sqlite-wasm'] },
  worker: { format: 'es', plugins: () => [forgeBrowserShims()] },
  build: { target: 'es2022', outDir: here('dist'), emptyOutDir: true, reportCompressedSize: false },
  logLevel: 'warn',
});
