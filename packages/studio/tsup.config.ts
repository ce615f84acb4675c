import { cpSync } from 'node:fs';
import { defineConfig } from 'tsup';
export default defineConfig({
  entry: ['src/index.ts'],
  format: ['esm', 'cjs'],
  dts: true,
  clean: true,
  shims: true,
  tsconfig: 'tsconfig.build.json',
  sourcemap: true,
  target: 'node20',
  // The page (plain JS + CSS) is served from files next to the bundle, read once at start.
  onSuccess: async () => {
    cpSync('src/page', 'dist/page', { recursive: true });
  },
});
