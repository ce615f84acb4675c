import { spawn } from 'node:child_process';
import { CLI, cliEnv, type Project, type RunResult } from './helpers.js';

/**
 * The schemas and the triage script of seed 004's worked workflows (a), (b) and (d), shared by every
 * dialect's workflow suite (postgres-workflows, mysql-workflows): the same user story, checked per database.
 */
export const schemaOf = (models: string, names: string) => `import { model, f, one } from '@forge/core';\n${models}\nexport const schema = { ${names} };\n`;

/** (a) A new column added in a PR. */
export const A_MAIN = schemaOf(
  `export const User = model('users', { id: f.id(), email: f.string().unique(), name: f.string().optional() });
export const Post = model('posts', { id: f.id(), title: f.string(), author_id: f.string() }, {
  relations: { author: one('users', { on: 'author_id' }) },
});`,
  'user: User, post: Post',
);
export const A_PR = A_MAIN.replace('name: f.string().optional() }', 'name: f.string().optional(), email_verified_at: f.dateTime().optional() }');

/** (b) Drift detected in production. */
export const B_DEPLOYED = schemaOf(
  `export const User = model('users', { id: f.id(), email: f.string().unique() });
export const Event = model('events', { id: f.id(), idempotency_key: f.string(), payload: f.json().optional() });`,
  'user: User, event: Event',
);
export const B_HEAD = B_DEPLOYED.replace('email: f.string().unique() }', 'email: f.string().unique(), mfa_secret: f.string().optional() }');
export const B_FOLDED = B_HEAD.replace('payload: f.json().optional() })', "payload: f.json().optional() }, { uniques: [['idempotency_key']] })");

/**
 * The seed's triage idea as a script in the user's project: push the additive (missing) slice, print the
 * rest for a human and exit 2. FORGE_BIN stands in for `npx forge`.
 */
export const TRIAGE_SCRIPT = `import { execFileSync } from 'node:child_process';
const forge = (...args) => execFileSync(process.execPath, [process.env.FORGE_BIN, ...args], { encoding: 'utf8' });
const { items } = JSON.parse(forge('diff', '--json'));
const additive = items.filter((i) => i.direction === 'missing');
const review = items.filter((i) => i.direction !== 'missing');
if (additive.length) {
  console.log('pushing ' + additive.length + ' additive item(s)');
  process.stdout.write(forge('push'));
}
if (review.length) {
  console.error(JSON.stringify(review));
  process.exit(2);
}
`;

/** `node <script>` in the project with DATABASE_URL and FORGE_BIN (the built CLI) set, as a deploy job runs it. */
export function runScript(w: { p: Project; env: Record<string, string> }, script: string): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [script], { cwd: w.p.dir, env: cliEnv({ ...w.env, FORGE_BIN: CLI }), timeout: 60_000 });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** (d) Renaming a column in four deploys. */
export const D_USERS = (fields: string) => schemaOf(`export const User = model('users', { id: f.id(), ${fields} });`, 'user: User');
export const D_START = D_USERS('username: f.string().unique()');
export const D_DEPLOY_1 = D_USERS('username: f.string().unique(), handle: f.string().optional()');
export const D_DEPLOY_3 = D_USERS('username: f.string(), handle: f.string().unique()');
export const D_DEPLOY_4 = D_USERS('handle: f.string().unique()');
