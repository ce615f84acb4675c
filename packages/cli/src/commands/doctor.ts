import path from 'node:path';
import { chooseLockStrategy, engineNotes, SCHEMA_FEATURE_LABEL, schemaFeatures, type Adapter, type ConnectOptions, type Connection, type SchemaFeature } from '@forge/core';
import { connect, dialectOf, openAdapter, showUrl, type DialectEntry } from '../adapter.js';
import { stringFlag, type CommandContext, type CommandSpec, type Flags } from '../command.js';
import { loadConfig, lockConnectOptions } from '../config.js';
import { DATABASE_URL_EXAMPLE } from '../env.js';
import { CliError, EXIT, errorMessage } from '../errors.js';
import { driverInventory, type DriverRow } from '../doctor/packages.js';
import { lintSchema } from '../doctor/lint.js';
import { loadSchema, resolveSchemaFile } from '../schema.js';

export const doctor: CommandSpec = {
  name: 'doctor',
  description: 'Pre-flight check: drivers, DATABASE_URL, schema lint, live capability probe, action items',
  usage: 'doctor [--schema=<file>]',
  options: [],
  help: [
    {
      title: 'Exit codes',
      body:
        '  0  the check ran; anything to fix is listed under "Action items"\n' +
        '  1  DATABASE_URL is missing or has an unknown prefix (nothing else can be checked against a database)',
    },
  ],
  examples: ['npx forge doctor'],
  async run(ctx, _args, flags) {
    const actions: string[] = [];
    const { c, out } = ctx.o;
    out(c.bold('forge doctor'));

    const inventory = driverInventory(ctx.cwd);
    section(ctx, 'Drivers');
    for (const row of inventory) out(`  ${driverLine(ctx, row)}`);

    section(ctx, 'DATABASE_URL');
    const url = ctx.env().DATABASE_URL?.trim();
    const entry = checkUrl(ctx, url, inventory, actions);

    section(ctx, 'Schema');
    const adapter = entry ? await tryAdapter(ctx, entry, actions) : undefined;
    const uses = await checkSchema(ctx, flags, entry, adapter, actions);

    section(ctx, 'Live probe');
    if (url && entry && adapter) await probe(ctx, url, adapter, actions, uses);
    else out(`  ${c.dim('· skipped: needs a usable DATABASE_URL and its adapter')}`);

    section(ctx, 'Action items');
    if (actions.length === 0) out(`  ${c.green('✓')} nothing to do`);
    actions.forEach((a, i) => out(`  ${i + 1}. ${a}`));
    return entry ? EXIT.ok : EXIT.preflight;
  },
};

function section(ctx: CommandContext, title: string): void {
  ctx.o.out('');
  ctx.o.out(ctx.o.c.bold(title));
}

function driverLine(ctx: CommandContext, row: DriverRow): string {
  const { c } = ctx.o;
  const ok = !!row.driver.version && !!row.adapter.version;
  const driver = row.driver.version
    ? `${row.driver.name} ${row.driver.version}${row.driverViaAdapter ? c.dim(` (via ${row.adapter.name})`) : ''}`
    : `${row.driver.name} ${c.dim('not installed')}`;
  const adapter = row.adapter.version ? `${row.adapter.name} ${row.adapter.version}` : `${row.adapter.name} ${c.dim('not installed')}`;
  return `${ok ? c.green('✓') : c.dim('·')} ${row.dialect.padEnd(8)} ${driver}; ${adapter}`;
}

function checkUrl(ctx: CommandContext, url: string | undefined, inventory: DriverRow[], actions: string[]): DialectEntry | undefined {
  const { c, out } = ctx.o;
  if (!url) {
    out(`  ${c.red('✗')} not set (looked in the environment and in .env)`);
    actions.push(`set DATABASE_URL in the environment or in .env, e.g. ${DATABASE_URL_EXAMPLE}`);
    return undefined;
  }
  let entry: DialectEntry;
  try {
    entry = dialectOf(url);
  } catch (e) {
    out(`  ${c.red('✗')} ${errorMessage(e)}`);
    actions.push("fix the DATABASE_URL prefix; for a URL forge cannot recognise, pass the dialect to createDb({ url, type: 'postgres', schema })");
    return undefined;
  }
  const row = inventory.find((r) => r.dialect === entry.dialect);
  out(`  ${c.green('✓')} ${showUrl(url)} → ${entry.dialect}`);
  if (!row?.adapter.version || !row.driver.version) {
    const missing = [row?.adapter.version ? undefined : entry.packageName, row?.driver.version ? undefined : entry.driver].filter(Boolean);
    out(`  ${c.red('✗')} ${missing.join(' and ')} not installed`);
    actions.push(`npm install ${missing.join(' ')}`);
  }
  return entry;
}

async function tryAdapter(ctx: CommandContext, entry: DialectEntry, actions: string[]): Promise<Adapter | undefined> {
  try {
    return await openAdapter(entry, ctx.cwd);
  } catch (e) {
    // The install hint was already added by the URL check when the package is simply absent.
    if (!actions.some((a) => a.includes(entry.packageName))) actions.push(errorMessage(e));
    return undefined;
  }
}

/** Checks the schema and returns what it declares that needs more of the server; undefined when it did not load. */
async function checkSchema(
  ctx: CommandContext,
  flags: Flags,
  entry: DialectEntry | undefined,
  adapter: Adapter | undefined,
  actions: string[],
): Promise<Set<SchemaFeature> | undefined> {
  const { c, out } = ctx.o;
  try {
    const config = await loadConfig(ctx.cwd, ctx.configFile);
    const source = resolveSchemaFile({ cwd: ctx.cwd, flag: stringFlag(flags, 'schema'), env: ctx.env(), config });
    const schema = await loadSchema(source, ctx.cwd);
    const count = Object.keys(schema.ir.models).length;
    out(`  ${c.green('✓')} ${path.relative(ctx.cwd, schema.file)} (${schema.via}): ${count} model${count === 1 ? '' : 's'}`);
    const uses = schemaFeatures(schema.ir);
    if (uses.size > 0) out(`  ${c.dim(`· uses ${[...uses].map((f) => SCHEMA_FEATURE_LABEL[f]).join(', ')}`)}`);
    if (!entry) {
      out(`  ${c.dim('· index lint skipped: it needs the dialect from DATABASE_URL')}`);
      return uses;
    }
    const findings = lintSchema(schema.ir, entry.dialect, adapter?.capabilities);
    for (const f of findings) {
      out(`  ${f.severity === 'warn' ? c.yellow('!') : c.dim('i')} ${f.table}: ${f.message}`);
    }
    const warnings = findings.filter((f) => f.severity === 'warn').length;
    if (warnings) actions.push(`address the ${warnings} index warning(s) marked ! under Schema`);
    return uses;
  } catch (e) {
    out(`  ${c.red('✗')} ${errorMessage(e)}`);
    actions.push(e instanceof CliError && e.hint ? e.hint : 'fix the schema so it loads');
    return undefined;
  }
}

/**
 * The live probe. A step that matters only to a feature (PostGIS for geo points) is an action item when the
 * schema uses it, or when the schema could not be read (`uses` undefined); otherwise it is a line of facts.
 */
async function probe(ctx: CommandContext, url: string, adapter: Adapter, actions: string[], uses: Set<SchemaFeature> | undefined): Promise<void> {
  const { c, out } = ctx.o;
  // Best effort (seed 004): an unreachable database or a failing probe is a finding, not a crash.
  let conn: Connection;
  let lock: Pick<ConnectOptions, 'lockStrategy'> = {};
  try {
    lock = lockConnectOptions(ctx.env(), await loadConfig(ctx.cwd, ctx.configFile).catch(() => undefined));
  } catch (e) {
    out(`  ${c.red('✗')} ${errorMessage(e)}`);
    actions.push(e instanceof CliError && e.hint ? e.hint : 'fix FORGE_LOCK_STRATEGY / FORGE_LOCK_LEASE');
  }
  try {
    conn = await connect(adapter, url, undefined, lock);
  } catch (e) {
    out(`  ${c.red('✗')} ${errorMessage(e)}`);
    actions.push(`make the database at ${showUrl(url)} reachable: is it running, and are the host, port and credentials in DATABASE_URL right?`);
    return;
  }
  try {
    const report = await adapter.probe(conn);
    out(`  ${c.green('✓')} connected: ${report.dialect} ${report.version}`);
    engineFacts(ctx, conn, lock.lockStrategy);
    for (const [feature, value] of Object.entries(report.features)) {
      out(`    ${feature}: ${value === true ? 'yes' : value === false ? 'no' : value}`);
    }
    actions.push(...report.actions);
    for (const fa of report.featureActions ?? []) {
      if (!uses || uses.has(fa.feature)) actions.push(fa.action);
      else out(`    ${c.dim(`· not needed by this schema (it has no ${SCHEMA_FEATURE_LABEL[fa.feature]}): ${fa.action}`)}`);
    }
  } catch (e) {
    out(`  ${c.red('✗')} connected, but the capability probe failed: ${errorMessage(e)}`);
    actions.push('the probe failed on a reachable database: check that the DATABASE_URL user may read the system catalog');
  } finally {
    await conn.close().catch(() => undefined);
  }
}

/**
 * The engine behind the wire protocol (CockroachDB on Postgres's, TiDB on MySQL's: `Connection.engine`), the push
 * lock forge takes there and why, and each of the engine's limits, as lines of facts.
 */
function engineFacts(ctx: CommandContext, conn: Connection, forced: ConnectOptions['lockStrategy']): void {
  const engine = conn.engine;
  if (!engine) return;
  const { c, out } = ctx.o;
  const strategy = forced ?? 'auto';
  const chosen = chooseLockStrategy(engine, strategy);
  const how = chosen === 'row' ? 'a row of _forge_lock with a lease' : conn.dialect === 'postgres' ? 'an advisory lock' : 'GET_LOCK';
  const why = strategy === 'auto' ? (chosen === 'row' ? `${engine.label} has no working native lock` : 'the engine\'s own lock') : `lockStrategy '${strategy}'`;
  out(`    engine: ${engine.label}`);
  out(`    ddl: ${engine.ddl === 'transactional' ? 'transactional' : engine.ddl === 'autocommit' ? 'each statement commits on its own' : 'asynchronous schema changes, each statement commits on its own'}`);
  out(`    push lock: ${how} (${why})`);
  for (const limit of engineNotes(engine, strategy)) out(`    ${c.dim(`· ${limit}`)}`);
}
