import { defineConfig } from 'tsup';

// The bench runs from dist/ so that forge is measured as users get it: its built packages, not its sources.
// Every dependency stays external (forge's workspace packages resolve to their dist/).
export default defineConfig({
  entry: ['src/main.ts', 'src/tsc-cost.ts', 'src/worker.ts', 'src/stream-worker.ts', 'src/count-pg-queries.ts', 'src/contended-worker.ts', 'src/duckdb-worker.ts'],
  format: ['esm'],
  dts: false,
  clean: true,
  tsconfig: 'tsconfig.build.json',
  sourcemap: true,
  target: 'node20',
  skipNodeModulesBundle: true,
});
