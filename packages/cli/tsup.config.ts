import { defineConfig } from 'tsup';

// CommonJS too: a user's forge.config.ts imports defineConfig from @forge/cli and jiti loads it through
// require(), which picks the package's "require" export (dist/index.cjs). Shims give that build an
// import.meta.url. The bin is dist/bin.js (ESM, as the package is "type": "module").
export default defineConfig({
  entry: ['src/index.ts', 'src/bin.ts'],
  format: ['esm', 'cjs'],
  dts: { entry: 'src/index.ts' },
  clean: true, tsconfig: 'tsconfig.build.json',
  sourcemap: true,
  target: 'node20',
  shims: true,
});
