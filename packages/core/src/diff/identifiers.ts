import type { Capabilities, DialectFacts } from '../adapter.js';
import { SchemaError } from '../errors.js';
import type { SchemaIR } from '../schema/ir.js';

const short = (name: string) => (name.length > 40 ? `${name.slice(0, 40)}…` : name);

/**
 * Refuse a schema whose table, column or declared index names are longer than the dialect allows, or that
 * the dialect refuses outright (`DialectFacts.identifierProblem`), before any DDL runs.
 * Some engines truncate a long identifier without an error, so the push would "succeed" and every later
 * diff would report the table missing and its truncated twin extra. Bytes are counted, as such engines do.
 */
export function assertIdentifiersFit(
  ir: SchemaIR,
  caps: Pick<Capabilities, 'dialect' | 'maxIdentifierLength'>,
  facts?: Pick<DialectFacts, 'identifierProblem'>,
): void {
  /** `fix.shorten` absent: the name is generated (an unnamed index), so only the dialect's refusal applies. */
  const check = (what: string, name: string, fix: { rename: string; shorten?: string }) => {
    const problem = facts?.identifierProblem?.(name);
    if (problem) throw new SchemaError(`${what} cannot be used on ${caps.dialect}: ${problem}. ${fix.rename}`);
    if (fix.shorten === undefined) return;
    const bytes = Buffer.byteLength(name, 'utf8');
    if (bytes <= caps.maxIdentifierLength) return;
    throw new SchemaError(
      `${what} is ${bytes} bytes long; ${caps.dialect} identifiers are at most ${caps.maxIdentifierLength} bytes (a longer one would be cut short silently). ${fix.shorten}`,
    );
  };
  for (const t of Object.values(ir.models)) {
    check(`table name '${short(t.name)}'`, t.name, { rename: 'Rename the model.', shorten: 'Shorten the model name.' });
    for (const c of t.columns) {
      check(`column '${short(c.name)}' of table '${short(t.name)}'`, c.name, {
        rename: "Rename it, or keep the field name and store it under another column with .map('column_name').",
        shorten: "Shorten it, or keep the field name and store it under a shorter column with .map('short_name').",
      });
    }
    for (const ix of t.indexes) {
      check(`index name '${short(ix.name)}' on table '${short(t.name)}'`, ix.name, {
        rename: 'Rename the index (or the column its generated name comes from).',
        shorten: ix.named ? 'Shorten the index name.' : undefined,
      });
    }
  }
}
