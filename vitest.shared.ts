import { fileURLToPath } from 'node:url';
import path from 'node:path';

const root = path.dirname(fileURLToPath(import.meta.url));
const src = (pkg: string, file = 'index.ts') => path.join(root, 'packages', pkg, 'src', file);

/** Tests import workspace packages from source, so a test run never needs a rebuild of its dependencies. */
export function sharedTestConfig(_configUrl: string) {
  return {
    resolve: {
      alias: [
        { find: /^@forge\/core$/, replacement: src('core') },
        { find: /^@forge\/adapter-sqlite$/, replacement: src('adapter-sqlite') },
        { find: /^@forge\/adapter-postgres$/, replacement: src('adapter-postgres') },
        { find: /^@forge\/adapter-mysql$/, replacement: src('adapter-mysql') },
        { find: /^@forge\/adapter-duckdb$/, replacement: src('adapter-duckdb') },
        { find: /^@forge\/adapter-mssql$/, replacement: src('adapter-mssql') },
        { find: /^@forge\/otel$/, replacement: src('otel') },
        { find: /^@forge\/testkit$/, replacement: src('testkit') },
        { find: /^forge-orm\/scripts\/diff-core$/, replacement: src('forge-orm', 'diff-core.ts') },
        { find: /^forge-orm$/, replacement: src('forge-orm') },
      ],
    },
    test: {
      testTimeout: 30_000,
      hookTimeout: 60_000,
      pool: 'forks' as const,
    },
  };
}
