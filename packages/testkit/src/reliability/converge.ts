import { buildSchemaIR, planPush, pullSchema, runDiff, runPush, SchemaError, type AnyModel, type Connection } from '@forge/core';
import { evaluateSchemaSource } from './evaluate.js';
import { assertConverges } from '../target.js';
import { absentFrom, namesCollide } from './simulate.js';
import type { ReliabilityTarget } from './targets.js';

/**
 * assertConverges (push, diff empty, second push applies nothing), then a direct look at the database:
 * every declared table, column, index and foreign key is there, except an index forge said this database
 * cannot hold (a note of the drift report naming it, as push noted it: MySQL's indexes over JSON columns).
 */
export async function assertConvergesFully(target: ReliabilityTarget, conn: Connection, schema: Record<string, AnyModel>): Promise<void> {
  await assertConverges(target, conn, schema);
  const ir = buildSchemaIR(schema);
  const notes = (await runDiff({ adapter: target.adapter, conn, ir })).notes ?? [];
  const absent = absentFrom(await target.adapter.introspect(conn), ir, target.adapter, notes);
  if (absent.length) throw new Error(`push reported success and diff is empty, yet the database lacks:\n  ${absent.join('\n  ')}`);
}

/**
 * A schema whose names collide where the dialect keeps one namespace must be refused: push throws a
 * SchemaError and leaves the database as it was. Any other schema must converge fully. Returns whether
 * the schema was one to refuse.
 */
export async function assertConvergesOrRefused(target: ReliabilityTarget, conn: Connection, schema: Record<string, AnyModel>): Promise<'converged' | 'refused'> {
  const ir = buildSchemaIR(schema);
  if (!namesCollide(ir, target.adapter)) {
    await assertConvergesFully(target, conn, schema);
    return 'converged';
  }
  const before = JSON.stringify(await target.adapter.introspect(conn));
  let error: unknown;
  try {
    await runPush({ adapter: target.adapter, conn, ir });
  } catch (e) {
    error = e;
  }
  if (!(error instanceof SchemaError)) throw new Error(`push of a schema with colliding names did not throw a SchemaError: ${String(error)}`);
  if (JSON.stringify(await target.adapter.introspect(conn)) !== before) throw new Error(`push refused the schema (${error.message}) but changed the database`);
  return 'refused';
}

/**
 * `forge pull`'s contract on what is in the database now: the schema it writes builds, diffs empty against the
 * database, and plans no statement for push.
 */
export async function assertPullRoundTrips(target: ReliabilityTarget, conn: Connection): Promise<void> {
  const pulled = pullSchema(await target.adapter.introspect(conn), target.adapter.facts);
  let schema: Record<string, AnyModel>;
  let ir: ReturnType<typeof buildSchemaIR>;
  try {
    schema = evaluateSchemaSource(pulled.source);
    ir = buildSchemaIR(schema);
  } catch (e) {
    throw new Error(`the pulled schema does not build: ${(e as Error).message}\n${pulled.source}`);
  }
  const report = await runDiff({ adapter: target.adapter, conn, ir });
  if (!report.inSync) throw new Error(`the pulled schema drifts from the database it came from: ${JSON.stringify(report.items, null, 2)}\n${pulled.source}`);
  const plan = planPush(ir, await target.adapter.introspect(conn), target.adapter);
  if (plan.summary.apply !== 0) throw new Error(`push of the pulled schema would apply ${plan.summary.apply}: ${plan.toApply.map((s) => s.label).join(', ')}\n${pulled.source}`);
}
