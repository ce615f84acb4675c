import { defineConfig } from 'tsup';
export default defineConfig({ entry: ['src/index.ts', 'src/diff-core.ts', 'src/browser.ts'], format: ['esm', 'cjs'], dts: true, clean: true, tsconfig: 'tsconfig.build.json', sourcemap: true, target: 'node20' });
