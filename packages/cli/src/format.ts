import type { MigrationOp, DiffApplyResult, DriftItem, DriftReport, PlannedStatement, PushReport } from '@forge/core';
import type { Colors } from './output.js';

/** Pure renderers: data in, lines out, so the wording is tested without a database. */

/** What a push statement does, in words: `create table users`, `index forge_users_uq_email`. */
export function describeOp(op: MigrationOp, label: string): string {
  switch (op.op) {
    case 'createTable':
      return `create table ${op.table.name}`;
    case 'addColumn':
      return `add column ${op.table}.${op.column.name}`;
    case 'createIndex':
      return `index ${op.index.name}`;
    case 'addForeignKey':
      return `foreign key ${op.fk.name}`;
    case 'createView':
      return `create view ${op.table.name}`;
    case 'createSearch':
      return `full-text search on ${op.table.name}`;
    case 'createExtension':
      return `extension ${op.name}`;
    case 'dropColumn':
      return `drop column ${op.table}.${op.column}`;
    case 'dropIndex':
      return `drop index ${op.index}`;
    case 'dropForeignKey':
      return `drop foreign key ${op.fk}`;
    case 'dropTable':
      return `drop table ${op.table}`;
    case 'renameTable':
      return `rename table ${op.from} to ${op.to}`;
    case 'renameColumn':
      return `rename column ${op.table}.${op.from} to ${op.to}`;
    default:
      return label;
  }
}

export function statementLine(c: Colors, s: PlannedStatement, outcome: 'applied' | 'failed' | 'note', error?: string): string {
  const what = s.rename ? describeOp(s.rename, s.label) : describeOp(s.op, s.label);
  if (outcome === 'applied') return `${c.green('+')} ${what}`;
  if (outcome === 'failed') return `${c.red('✗')} ${what}: ${error ?? 'failed'}`;
  return `${c.yellow('!')} ${what}: ${s.comment ?? 'not emitted on this dialect'}`;
}

export function pushSummary(c: Colors, r: PushReport): string[] {
  const lines = r.notes.map((n) => `${c.yellow('!')} ${n}`);
  const failures = r.failures.length ? c.red(`failures: ${r.failures.length}`) : 'failures: 0';
  const undone = r.rolledBack?.length ? `, rolled back: ${r.rolledBack.length}` : '';
  lines.push(`applied: ${r.applied.length}, skipped: ${r.skipped.length}, ${failures}${undone}`);
  return lines;
}

const MARKS: Record<DriftItem['direction'], (c: Colors) => string> = {
  missing: (c) => c.green('+'),
  extra: (c) => c.red('-'),
  mismatch: (c) => c.yellow('≠'),
};

export function driftLine(c: Colors, item: DriftItem): string {
  return `${MARKS[item.direction](c)} [${item.kind}] ${item.table}: ${item.detail}`;
}

/** `ignored 2 tables: logs, sessions` (collections on Mongo): printed whenever anything was filtered. */
export function ignoredLine(report: Pick<DriftReport, 'dialect' | 'ignored'>): string | undefined {
  const n = report.ignored.length;
  if (n === 0) return undefined;
  const noun = report.dialect === 'mongo' ? 'collection' : 'table';
  return `ignored ${n} ${noun}${n === 1 ? '' : 's'}: ${report.ignored.join(', ')}`;
}

export function driftReport(c: Colors, report: DriftReport): string[] {
  const ignored = ignoredLine(report);
  // Declared objects this database cannot hold: said every time, never counted as drift.
  const notes = (report.notes ?? []).map((n) => c.dim(`note: ${n}`));
  if (report.inSync) {
    return [`${c.green('✓')} no drift — live ${report.dialect} schema matches forge schema${ignored ? c.dim(` (${ignored})`) : ''}`, ...notes];
  }
  const lines = report.items.map((i) => driftLine(c, i));
  const count = (d: DriftItem['direction']) => report.items.filter((i) => i.direction === d).length;
  const parts = (['missing', 'extra', 'mismatch'] as const).filter((d) => count(d) > 0).map((d) => `${count(d)} ${d}`);
  lines.push('', `${report.items.length} drift item(s): ${parts.join(', ')}`);
  if (count('missing') > 0) lines.push(c.dim('  → `npx forge push` creates what is missing'));
  if (count('missing') < report.items.length) lines.push(c.dim('  → `npx forge diff apply --dry` previews a migration for the rest'));
  if (ignored) lines.push(ignored);
  lines.push(...notes);
  return lines;
}

/** `--json`: the report's four keys in a fixed order, for CI scripts and `jq`, and `notes` when there are any. */
export function driftJson(report: DriftReport): string {
  const { dialect, items, inSync, ignored, notes } = report;
  return JSON.stringify(notes?.length ? { dialect, items, inSync, ignored, notes } : { dialect, items, inSync, ignored }, null, 2);
}

export function changeList(c: Colors, r: DiffApplyResult): string[] {
  return [
    `[forge:diff:apply] ${r.changes.length} change(s):`,
    ...r.changes.map((ch) => `  • ${ch.destructive ? c.red(ch.text) : ch.text}`),
  ];
}

export function deferredLines(c: Colors, r: DiffApplyResult): string[] {
  if (r.deferred.length === 0) return [];
  return [
    `${c.yellow('!')} not in this migration (${r.deferred.length}):`,
    ...r.deferred.map((i) => `    ${driftLine(c, i)}`),
    c.dim('  → missing tables come from `npx forge push`; type changes need a hand-written migration'),
  ];
}
