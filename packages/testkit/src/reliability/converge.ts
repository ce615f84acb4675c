import { buildSchemaIR, type AnyModel, type Connection } from '@forge/core';
import { assertConverges } from '../target.js';
import { absentFrom } from './simulate.js';
import type { ReliabilityTarget } from './targets.js';

/**
 * assertConverges (push, diff empty, second push applies nothing), then a direct look at the database:
 * every declared table, column, index and foreign key is there.
 */
export async function assertConvergesFully(target: ReliabilityTarget, conn: Connection, schema: Record<string, AnyModel>): Promise<void> {
  await assertConverges(target, conn, schema);
  const absent = absentFrom(await target.adapter.introspect(conn), buildSchemaIR(schema), target.adapter);
  if (absent.length) throw new Error(`push reported success and diff is empty, yet the database lacks:\n  ${absent.join('\n  ')}`);
}
