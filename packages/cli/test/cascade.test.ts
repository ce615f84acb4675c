import { describe, expect, it } from 'vitest';
import { projectsCleanedAfterEach, USERS_SCHEMA } from './helpers.js';
import { tablesOf } from './sqlite.js';

const project = projectsCleanedAfterEach();

const ONLY = (table: string) => `import { model, f } from '@forge/core';\nexport const schema = { t: model('${table}', { id: f.id() }) };\n`;
const THROWS = "throw new Error('this file must not be loaded');\n";

describe('schema resolution cascade: the first hit wins', () => {
  it('--schema beats FORGE_SCHEMA_PATH, which beats package.json, which beats forge.config, which beats conventional paths', () => {
    const p = project({
      'flag.ts': ONLY('from_flag'),
      'env.ts': ONLY('from_env'),
      'pkg.ts': ONLY('from_pkg'),
      'cfg.ts': ONLY('from_config'),
      'src/schema.ts': ONLY('from_conventional'),
      'package.json': JSON.stringify({ name: 'app', forge: { schema: './pkg.ts' } }),
      'forge.config.ts': "export default { schema: './cfg.ts' };\n",
    });
    const env = { DATABASE_URL: p.url };
    p.ok(['push', '--schema=flag.ts'], { ...env, FORGE_SCHEMA_PATH: 'env.ts' });
    p.ok(['push'], { ...env, FORGE_SCHEMA_PATH: 'env.ts' });
    p.ok(['push'], env);
    p.write('package.json', JSON.stringify({ name: 'app' }));
    p.ok(['push'], env);
    p.write('forge.config.ts', 'export default {};\n');
    p.ok(['push'], env);
    expect(tablesOf(p.db).filter((t) => t.startsWith('from_'))).toEqual(['from_config', 'from_conventional', 'from_env', 'from_flag', 'from_pkg']);
  });

  it('an explicit choice is never second-guessed: a failing file is an error, not a fall-through', () => {
    const p = project({ 'src/schema.ts': USERS_SCHEMA, 'broken.ts': THROWS });
    const r = p.run(['push'], { DATABASE_URL: p.url, FORGE_SCHEMA_PATH: 'broken.ts' });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('broken.ts failed to load: this file must not be loaded');
  });

  it('forge.config.ts with defineConfig from @forge/cli: schema, ignore (stacked) and migrationsDir', () => {
    const p = project({
      'models/app.ts': USERS_SCHEMA,
      'forge.config.ts':
        "import { defineConfig } from '@forge/cli';\n" +
        "export default defineConfig({ schema: './models/app.ts', ignore: ['legacy', /^tmp_/], migrationsDir: 'db/migrations' });\n",
    });
    const env = { DATABASE_URL: p.url };
    p.ok(['push'], env);
    p.write('extra.ts', "import { model, f } from '@forge/core';\nexport const schema = { a: model('legacy', { id: f.id() }), b: model('tmp_x', { id: f.id() }), c: model('other', { id: f.id() }), d: model('more', { id: f.id() }) };\n");
    p.ok(['push', '--schema=extra.ts'], env);

    const r = p.run(['diff', '--json', '--ignore=more'], { ...env, FORGE_DIFF_IGNORE: 'other' });
    const report = JSON.parse(r.stdout);
    expect(report.ignored.sort()).toEqual(['legacy', 'more', 'other', 'tmp_x']);
    expect(report.inSync).toBe(true);

    const dry = p.run(['diff', 'apply'], env);
    expect(dry.code).toBe(0);
    expect(dry.stdout).toMatch(/wrote db\/migrations\/\d{8}T\d{6}_drift\.sql/);
  });

  it('a default export of models, and a module that only exports models, both work', () => {
    const p = project({
      'a.ts': "import { model, f } from '@forge/core';\nexport default { t: model('from_default', { id: f.id() }) };\n",
      'b.ts': "import { model, f } from '@forge/core';\nexport const A = model('collected_a', { id: f.id() });\nexport const B = model('collected_b', { id: f.id() });\nexport const alias = A;\nexport const notAModel = 1;\n",
    });
    p.ok(['push', '--schema=a.ts'], { DATABASE_URL: p.url });
    p.ok(['push', '--schema=b.ts'], { DATABASE_URL: p.url });
    expect(tablesOf(p.db)).toEqual(expect.arrayContaining(['from_default', 'collected_a', 'collected_b']));
  });

  it('a plain JavaScript schema at a conventional path loads too', () => {
    const p = project({ 'db/schema.mjs': "import { model, f } from '@forge/core';\nexport const schema = { t: model('from_js', { id: f.id() }) };\n" });
    p.ok(['push'], { DATABASE_URL: p.url });
    expect(tablesOf(p.db)).toContain('from_js');
  });
});
