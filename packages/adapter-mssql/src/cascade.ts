import type { ForeignKeyIR, ReferentialAction, TableIR } from '@forge/core';
import { SchemaError } from '@forge/core';

/**
 * SQL Server refuses a foreign key whose referential action would let one DELETE or UPDATE reach a table along
 * two paths of cascading keys, or come back to where it started (error 1785, "may cause cycles or multiple
 * cascade paths"): CASCADE, SET NULL and SET DEFAULT all count, a key to its own table included. The server
 * finds it at the key's CREATE / ALTER, in the middle of a push; forge finds it while planning, from the schema
 * alone, and refuses the schema with a SchemaError before any DDL runs.
 *
 * Delete and update actions are counted together (a table reached once through an ON DELETE and once through an
 * ON UPDATE action is refused too, as the documented rule reads: one path per table among all the cascading
 * actions a statement starts), so forge may refuse a pair of keys a server would have taken, never the reverse.
 */
const CASCADING: ReadonlySet<ReferentialAction | undefined> = new Set<ReferentialAction | undefined>(['cascade', 'setNull']);

interface Edge {
  /** The referenced table: deleting or updating its rows acts on `to`. */
  from: string;
  to: string;
  label: string;
}

function fieldsOf(t: TableIR, fk: ForeignKeyIR): string {
  return fk.columns.map((c) => t.columns.find((x) => x.name === c)?.field ?? c).join(', ');
}

function actionText(fk: ForeignKeyIR): string {
  const parts: string[] = [];
  if (CASCADING.has(fk.onDelete)) parts.push(`onDelete: '${fk.onDelete}'`);
  if (CASCADING.has(fk.onUpdate)) parts.push(`onUpdate: '${fk.onUpdate}'`);
  return parts.join(', ');
}

/** A path of accepted edges from `start` to any table in `goal`, or undefined. */
function pathTo(edges: readonly Edge[], start: string, goal: ReadonlySet<string>): Edge[] | undefined {
  const seen = new Set<string>([start]);
  const queue: Array<{ at: string; path: Edge[] }> = [{ at: start, path: [] }];
  while (queue.length) {
    const { at, path } = queue.shift()!;
    for (const e of edges) {
      if (e.from !== at || seen.has(e.to)) continue;
      const next = [...path, e];
      if (goal.has(e.to)) return next;
      seen.add(e.to);
      queue.push({ at: e.to, path: next });
    }
  }
  return undefined;
}

/** Tables that reach `table` through accepted edges (its cascade ancestors), itself included. */
function reaching(edges: readonly Edge[], table: string): string[] {
  const out = new Set<string>([table]);
  for (let grew = true; grew; ) {
    grew = false;
    for (const e of edges) {
      if (out.has(e.to) && !out.has(e.from)) {
        out.add(e.from);
        grew = true;
      }
    }
  }
  return [...out];
}

/** Tables `table` reaches through accepted edges (its cascade descendants), itself included. */
function reachedFrom(edges: readonly Edge[], table: string): Set<string> {
  const out = new Set<string>([table]);
  for (let grew = true; grew; ) {
    grew = false;
    for (const e of edges) {
      if (out.has(e.from) && !out.has(e.to)) {
        out.add(e.to);
        grew = true;
      }
    }
  }
  return out;
}

const FIX =
  'Give one of these keys no onDelete / onUpdate (NO ACTION: SQL Server then refuses to delete a row still referenced) and delete or clear the dependent rows yourself first, in the same transaction.';

/**
 * The first cascading key of the schema (in model and key order) that SQL Server would refuse beside the keys
 * before it, as a message naming the fields and the fix; undefined when there is none.
 */
export function cascadePathProblem(tables: readonly TableIR[]): string | undefined {
  const edges: Edge[] = [];
  for (const t of tables) {
    if (t.view || t.readonly) continue;
    for (const fk of t.foreignKeys) {
      if (!CASCADING.has(fk.onDelete) && !CASCADING.has(fk.onUpdate)) continue;
      const label = `model('${t.name}').${fieldsOf(t, fk)} (${actionText(fk)}, to '${fk.refTable}')`;
      const parent = fk.refTable;
      const child = t.name;
      const lead = `${label} would give SQL Server`;
      const tail = `; SQL Server refuses that key (error 1785, "may cause cycles or multiple cascade paths"). ${FIX}`;
      if (parent === child) return `${lead} a cascade from '${child}' to itself${tail}`;
      // A path back from the child to the parent: the new key closes a cycle.
      const back = pathTo(edges, child, new Set([parent]));
      if (back) return `${lead} a cascade cycle through ${back.map((e) => e.label).join(', ')}${tail}`;
      // Some table already cascading to the parent (or the parent itself) already reaches the child or a table
      // below it: the new key is a second path there.
      const below = reachedFrom(edges, child);
      for (const top of reaching(edges, parent)) {
        const other = pathTo(edges, top, below);
        if (other) return `${lead} a second cascade path from '${top}' to '${other[other.length - 1].to}', beside ${other.map((e) => e.label).join(', ')}${tail}`;
      }
      edges.push({ from: parent, to: child, label });
    }
  }
  return undefined;
}

const checked = new WeakMap<readonly TableIR[], string | null>();

/** Throws the SchemaError for `tables` (the schema a push plans for, `DdlEnv.tables`); memoised per schema. */
export function assertCascadePaths(tables: readonly TableIR[] | undefined): void {
  if (!tables) return;
  let problem = checked.get(tables);
  if (problem === undefined) {
    problem = cascadePathProblem(tables) ?? null;
    checked.set(tables, problem);
  }
  if (problem) throw new SchemaError(problem);
}
