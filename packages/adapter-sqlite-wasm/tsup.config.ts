import { defineConfig } from 'tsup';
// Two entries: the page side (index) and the Worker's own module (worker), which a bundler loads with
// `new Worker(new URL('@forge/adapter-sqlite-wasm/worker', import.meta.url), { type: 'module' })`.
// The pure SQLite dialect modules of @forge/adapter-sqlite are bundled in (relative imports of its source).
export default defineConfig({ entry: ['src/index.ts', 'src/worker.ts'], format: ['esm', 'cjs'], dts: true, clean: true, tsconfig: 'tsconfig.build.json', sourcemap: true, target: 'es2022', platform: 'browser', external: ['@forge/core', '@sqlite.org/sqlite-wasm'] });
