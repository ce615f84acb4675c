/**
 * The studio's JSON API: every handler goes through the typed client (`createDbWith`) or the engine the CLI
 * commands use (`runDiff`, `planPush`, `runGenerate`, `runMigrateFiles`, `runMigrateDown`), so the studio can do
 * nothing the CLI could not, and refuses what the CLI refuses (consent for destructive changes included).
 */
import {
  ConsentRefusedError,
  createDbWith,
  diffSchema,
  lintStatements,
  needsConsent,
  parseMigration,
  planPush,
  readMigrationFiles,
  runGenerate,
  runMigrateDown,
  runMigrateFiles,
  runMigrationStatus,
  type Adapter,
  type AnyModel,
  type Connection,
  type Db,
  type Finding,
  type SchemaIR,
  type TableIR,
} from '@forge/core';
import { buildWhere, coerceData, keyWhere, OPERATORS, StudioInputError, toJsonValue, uiKind } from './values.js';

export interface LoadedStudioSchema {
  ir: SchemaIR;
  models: Record<string, AnyModel>;
}

export interface StudioContext {
  adapter: Adapter;
  conn: Connection;
  /** Reads the schema file again (it may have changed while the studio runs). */
  loadSchema(): Promise<LoadedStudioSchema>;
  migrationsDir: string;
  lockTimeoutMs?: number;
  /** Above this many rows (by the catalog's estimate), counts are the estimate, not a scan. */
  estimateAbove?: number;
}

type AnyDb = Db<Record<string, AnyModel>>;
type ModelApi = {
  findMany(a: unknown): Promise<Record<string, unknown>[]>;
  findFirst(a: unknown): Promise<Record<string, unknown> | null>;
  count(a?: unknown): Promise<number>;
  create(a: unknown): Promise<Record<string, unknown>>;
  update(a: unknown): Promise<Record<string, unknown>>;
  updateMany(a: unknown): Promise<{ count: number }>;
  delete(a: unknown): Promise<Record<string, unknown>>;
  deleteMany(a: unknown): Promise<{ count: number }>;
};

export class StudioApi {
  private schema?: LoadedStudioSchema;
  private db?: AnyDb;

  constructor(private readonly ctx: StudioContext) {}

  /** The schema as last loaded, and a client over it; `reload` reads the file again. */
  async current(reload = false): Promise<{ schema: LoadedStudioSchema; db: AnyDb }> {
    if (reload || !this.schema || !this.db) {
      const schema = await this.ctx.loadSchema();
      this.db = createDbWith(this.ctx.adapter, this.ctx.conn, schema.models);
      this.schema = schema;
    }
    return { schema: this.schema!, db: this.db! };
  }

  private async model(key: unknown): Promise<{ table: TableIR; m: ModelApi; key: string; ir: SchemaIR }> {
    const { schema, db } = await this.current();
    if (typeof key !== 'string' || !Object.prototype.hasOwnProperty.call(schema.ir.models, key)) {
      throw new StudioInputError(`unknown model '${String(key)}'; models: ${Object.keys(schema.ir.models).join(', ')}`, {}, 404);
    }
    return { table: schema.ir.models[key], m: (db as unknown as Record<string, ModelApi>)[key], key, ir: schema.ir };
  }

  /** The schema for the page: models, columns with their filter operators, relations with target keys. */
  async schemaInfo(reload = false) {
    const { schema } = await this.current(reload);
    const byTable = new Map(Object.entries(schema.ir.models).map(([k, t]) => [t.name, k]));
    return {
      dialect: this.ctx.adapter.kind,
      models: Object.entries(schema.ir.models).map(([key, t]) => ({
        key,
        table: t.name,
        view: !!t.view,
        readonly: t.readonly,
        primaryKey: t.columns.filter((c) => c.primaryKey).map((c) => c.field),
        columns: t.columns.map((c) => ({
          field: c.field,
          name: c.name,
          kind: c.kind,
          ui: uiKind(c),
          nullable: c.nullable,
          primaryKey: c.primaryKey,
          unique: c.unique,
          searchable: !!c.searchable,
          hasDefault: c.default !== undefined || !!c.updatedAt,
          enumValues: c.enumValues,
          operators: OPERATORS[uiKind(c)],
          references: c.references ? { ...c.references, model: byTable.get(c.references.table) } : undefined,
        })),
        relations: t.relations.map((r) => ({ ...r, targetModel: byTable.get(r.target) })),
        indexes: t.indexes.map((i) => ({ name: i.name, columns: i.columns, unique: i.unique })),
        foreignKeys: t.foreignKeys,
      })),
    };
  }

  /** The catalog's row estimate, where the dialect keeps one cheaply; undefined elsewhere. */
  private async estimate(db: AnyDb, table: string): Promise<number | undefined> {
    try {
      if (this.ctx.adapter.kind === 'postgres') {
        const q = this.ctx.adapter.compiler.quoteIdent(table);
        const rows = await db.$queryRawUnsafe<{ n: unknown }>('SELECT reltuples::bigint AS n FROM pg_class WHERE oid = to_regclass($1)', q);
        const n = Number(rows[0]?.n);
        return Number.isFinite(n) && n >= 0 ? n : undefined;
      }
      if (this.ctx.adapter.kind === 'mysql') {
        const rows = await db.$queryRawUnsafe<{ n: unknown }>('SELECT table_rows AS n FROM information_schema.tables WHERE table_schema = DATABASE() AND table_name = ?', table);
        const n = Number(rows[0]?.n);
        return Number.isFinite(n) ? n : undefined;
      }
    } catch {
      return undefined;
    }
    return undefined;
  }

  private async countOf(db: AnyDb, m: ModelApi, table: TableIR, where: Record<string, unknown>): Promise<{ count: number; estimated: boolean }> {
    if (Object.keys(where).length === 0) {
      const est = await this.estimate(db, table.name);
      if (est !== undefined && est > (this.ctx.estimateAbove ?? 100_000)) return { count: est, estimated: true };
    }
    return { count: await m.count({ where }), estimated: false };
  }

  /** Every model with its row count (an estimate from the catalog when the table is large). */
  async tables() {
    const { schema, db } = await this.current();
    const out = [];
    for (const [key, t] of Object.entries(schema.ir.models)) {
      const m = (db as unknown as Record<string, ModelApi>)[key];
      try {
        out.push({ key, table: t.name, ...(await this.countOf(db, m, t, {})) });
      } catch (e) {
        out.push({ key, table: t.name, count: null, estimated: false, error: (e as Error).message });
      }
    }
    return out;
  }

  /** One page of rows: filters (the client's operators), search, sort, skip/take. */
  async rows(body: Record<string, unknown>) {
    const { table, m } = await this.model(body.model);
    const { db } = await this.current();
    const where = buildWhere(table, body.filters, body.search);
    const take = body.take === undefined ? 50 : Number(body.take);
    const skip = body.skip === undefined ? 0 : Number(body.skip);
    if (!Number.isInteger(take) || take < 1 || take > 500) throw new StudioInputError('take must be a whole number from 1 to 500');
    if (!Number.isInteger(skip) || skip < 0) throw new StudioInputError('skip must be a whole number, 0 or more');
    const orderBy: Array<Record<string, 'asc' | 'desc'>> = [];
    if (body.sort !== undefined) {
      const s = body.sort as { field?: unknown; dir?: unknown };
      if (!s || typeof s.field !== 'string' || !table.columns.some((c) => c.field === s.field)) {
        throw new StudioInputError(`sort.field must be a field of ${table.name}`, { [String(s?.field)]: 'not a field' });
      }
      if (s.dir !== 'asc' && s.dir !== 'desc') throw new StudioInputError("sort.dir must be 'asc' or 'desc'");
      orderBy.push({ [s.field]: s.dir });
    }
    // A stable order for paging: the primary key last.
    for (const c of table.columns.filter((c) => c.primaryKey)) if (!orderBy.some((o) => c.field in o)) orderBy.push({ [c.field]: 'asc' });
    const rows = await m.findMany({ where, orderBy, skip, take });
    const total = await this.countOf(db, m, table, where);
    return { rows: rows.map(jsonRow), total: total.count, estimated: total.estimated, skip, take };
  }

  async insert(body: Record<string, unknown>) {
    const { table, m } = await this.model(body.model);
    const data = coerceData(table, body.data);
    return { row: jsonRow(await m.create({ data })) };
  }

  async update(body: Record<string, unknown>) {
    const { table, m } = await this.model(body.model);
    const where = keyWhere(table, body.key);
    const data = coerceData(table, body.data);
    if (Object.keys(data).length === 0) throw new StudioInputError('nothing to update: data is empty');
    if (table.primaryKey.length === 1) return { row: jsonRow(await m.update({ where, data })) };
    const r = await m.updateMany({ where, data });
    if (r.count !== 1) throw new StudioInputError(`no row of ${table.name} has that key`, {}, 404);
    return { row: jsonRow(await m.findFirst({ where: { ...where, ...pick(data, table.primaryKey) } })) };
  }

  async remove(body: Record<string, unknown>) {
    const { table, m } = await this.model(body.model);
    const where = keyWhere(table, body.key);
    if (table.primaryKey.length === 1) return { row: jsonRow(await m.delete({ where })) };
    const r = await m.deleteMany({ where });
    if (r.count !== 1) throw new StudioInputError(`no row of ${table.name} has that key`, {}, 404);
    return { deleted: r.count };
  }

  /** A row's relation, both ways: a belongs-to gives its one row, a has-many its rows (through `include`). */
  async related(body: Record<string, unknown>) {
    const { table, m, ir } = await this.model(body.model);
    const rel = table.relations.find((r) => r.name === body.relation);
    if (!rel) throw new StudioInputError(`${table.name} has no relation '${String(body.relation)}'; relations: ${table.relations.map((r) => r.name).join(', ') || 'none'}`);
    const where = keyWhere(table, body.key);
    const row = await m.findFirst({ where, include: { [rel.name]: true } });
    if (!row) throw new StudioInputError(`no row of ${table.name} has that key`, {}, 404);
    const targetModel = Object.entries(ir.models).find(([, t]) => t.name === rel.target)?.[0];
    const value = row[rel.name];
    const rows = value === null || value === undefined ? [] : Array.isArray(value) ? value : [value];
    return { relation: rel.name, kind: rel.kind, targetModel, rows: rows.map((r) => jsonRow(r as Record<string, unknown>)) };
  }

  /** The live drift report beside the schema, and the SQL `forge push` would run for it. */
  async drift() {
    const { schema } = await this.current(true);
    const snap = await this.ctx.adapter.introspect(this.ctx.conn);
    const report = diffSchema(schema.ir, snap, this.ctx.adapter);
    const plan = planPush(schema.ir, snap, this.ctx.adapter);
    return {
      report,
      push: { statements: plan.toApply.map((s) => ({ label: s.label, sql: s.sql, comment: s.comment })), notes: plan.notes },
    };
  }

  /** The ledger beside the files: state of each, and the SQL of each file's up and down blocks. */
  async migrations() {
    const ctx = { adapter: this.ctx.adapter, conn: this.ctx.conn };
    const status = await runMigrationStatus(ctx, { dir: this.ctx.migrationsDir });
    const files = new Map((await readMigrationFiles(this.ctx.migrationsDir)).map((f) => [f.name, f]));
    return {
      dir: status.dir,
      clean: status.clean,
      rows: status.rows.map((r) => {
        const f = files.get(r.name);
        const parsed = f ? parseMigration(f.text, f.name, this.ctx.adapter.capabilities.dialect) : undefined;
        return { ...r, up: parsed?.up, down: parsed?.down, text: f?.text };
      }),
    };
  }

  /**
   * Generate the next migration. Without `write` it is the preview (nothing written): the file, its changes and
   * the findings. With `write`, a change that needs consent is written only with `accept`.
   */
  async generate(body: Record<string, unknown>) {
    const { schema } = await this.current(true);
    const name = body.name === undefined ? undefined : String(body.name);
    if (body.write && (!name || !/^[A-Za-z0-9_-]+$/.test(name))) {
      throw new StudioInputError('a migration needs a name of letters, digits, _ or -, e.g. add_status', { name: 'letters, digits, _ or - only' });
    }
    let refused: Finding[] | undefined;
    // `forge generate --baseline`: the first migration plans from the live database instead of an empty one.
    const base = body.baseline === true ? await this.ctx.adapter.introspect(this.ctx.conn) : undefined;
    const r = await runGenerate({
      base,
      adapter: this.ctx.adapter,
      ir: schema.ir,
      dir: this.ctx.migrationsDir,
      name: name || 'migration',
      dry: !body.write,
      consent: async (findings) => {
        if (body.accept === true) return true;
        refused = findings;
        return false;
      },
    });
    if (refused) return consentNeeded('generate', refused, { content: r.content, changes: r.changes });
    return {
      name: r.name,
      written: !!r.file,
      file: r.file,
      upToDate: r.upToDate,
      content: r.content,
      up: r.up,
      down: r.down,
      changes: r.changes,
      deferred: r.deferred,
      findings: r.findings,
      breaking: r.findings.filter(needsConsent),
      baseline: r.baseline,
    };
  }

  /** Apply pending files (`forge migrate`): the counted preview first, consent with `accept`. */
  async apply(body: Record<string, unknown>) {
    const ctx = { adapter: this.ctx.adapter, conn: this.ctx.conn };
    try {
      const r = await runMigrateFiles(ctx, {
        dir: this.ctx.migrationsDir,
        allowOutOfOrder: body.allowOutOfOrder === true,
        lockTimeoutMs: this.ctx.lockTimeoutMs,
        dry: body.dry === true,
        // The dry run is the preview: it lists the findings and asks nobody.
        consent: body.dry === true ? undefined : async () => body.accept === true,
      });
      return {
        applied: r.applied,
        failed: r.failed ? { name: r.failed.name, error: r.failed.error.message } : undefined,
        findings: r.findings,
        breaking: r.findings.filter(needsConsent),
        pending: [...r.status.pending, ...(body.allowOutOfOrder === true ? r.status.outOfOrder : [])],
        edited: r.edited,
        dry: body.dry === true,
      };
    } catch (e) {
      if (e instanceof ConsentRefusedError) return consentNeeded('apply', e.findings);
      throw e;
    } finally {
      await this.current(true).catch(() => undefined);
    }
  }

  /** Undo the last `count` applied migrations (`forge migrate down`), consent with `accept`. */
  async rollback(body: Record<string, unknown>) {
    const count = body.count === undefined ? 1 : Number(body.count);
    if (!Number.isInteger(count) || count < 1) throw new StudioInputError('count must be a positive whole number');
    try {
      const r = await runMigrateDown(
        { adapter: this.ctx.adapter, conn: this.ctx.conn },
        { dir: this.ctx.migrationsDir, count, lockTimeoutMs: this.ctx.lockTimeoutMs, consent: async () => body.accept === true },
      );
      return { reverted: r.reverted.map((x) => ({ name: x.name, statements: x.statements })), failed: r.failed ? { name: r.failed.name, error: r.failed.error.message } : undefined, findings: r.findings };
    } catch (e) {
      if (e instanceof ConsentRefusedError) return consentNeeded('rollback', e.findings);
      throw e;
    }
  }

  /**
   * The SQL console: one statement, values bound as parameters (the dialect's placeholders). A statement that
   * drops or rewrites data is linted like a migration and runs only with `accept`.
   */
  async sql(body: Record<string, unknown>) {
    const { db } = await this.current();
    if (typeof body.sql !== 'string' || body.sql.trim() === '') throw new StudioInputError('sql must be the statement text', { sql: 'empty' });
    const params = body.params === undefined ? [] : body.params;
    if (!Array.isArray(params)) throw new StudioInputError('params must be an array of values', { params: 'not an array' });
    const text = body.sql.trim().replace(/;\s*$/, '');
    const findings: Finding[] = lintStatements([text]);
    // The linter reads DDL; a DELETE, UPDATE or TRUNCATE that reaches every row is asked about too.
    if (/^\s*(delete|update|truncate)\b/i.test(text) && !/\bwhere\b/i.test(text)) {
      findings.push({ code: 'FORGE_STUDIO_UNFILTERED_WRITE', table: '', text: 'this statement changes or removes every row of the table (it has no WHERE)', fix: 'add a WHERE clause, or confirm to run it as it is' } as unknown as Finding);
    }
    const asked = findings.filter((f) => needsConsent(f) || (f.code as string) === 'FORGE_STUDIO_UNFILTERED_WRITE');
    if (asked.length && body.accept !== true) return consentNeeded('sql', findings);
    const started = performance.now();
    if (/^\s*(select|with|pragma|explain|show|values|describe|table)\b/i.test(text) || /\breturning\b/i.test(text)) {
      const rows = await db.$queryRawUnsafe(text, ...params);
      const columns = rows.length ? Object.keys(rows[0]) : [];
      return { kind: 'rows', columns, rows: rows.map(jsonRow), ms: Math.round(performance.now() - started) };
    }
    const affected = await db.$executeRawUnsafe(text, ...params);
    return { kind: 'exec', affected, ms: Math.round(performance.now() - started) };
  }
}

function consentNeeded(action: string, findings: Finding[], extra: Record<string, unknown> = {}) {
  return { consentRequired: true, action, findings, breaking: findings.filter((f) => needsConsent(f) || (f.code as string) === 'FORGE_STUDIO_UNFILTERED_WRITE'), ...extra };
}

function pick(o: Record<string, unknown>, keys: string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const k of keys) if (k in o) out[k] = o[k];
  return out;
}

function jsonRow(row: Record<string, unknown> | null): Record<string, unknown> | null {
  if (!row) return row;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(row)) {
    out[k] = Array.isArray(v) ? v.map((x) => (x && typeof x === 'object' && !(x instanceof Date) && !(x instanceof Uint8Array) ? jsonRow(x as Record<string, unknown>) : toJsonValue(x))) : toJsonValue(v);
  }
  return out;
}
