import { ValidationError } from '../errors.js';
import type { RawFragment } from '../query/compiler.js';
import { isRawFragment } from '../query/compiler.js';

/**
 * raw`...`: a reusable SQL fragment whose `${values}` are bound parameters (fragments nest).
 * It never splices a value into the SQL text.
 */
export function raw(strings: TemplateStringsArray, ...values: unknown[]): RawFragment {
  if (!isTemplate(strings)) {
    throw new ValidationError('raw must be used as a tagged template: raw`SELECT ... WHERE id = ${id}`');
  }
  return { __forgeRaw: true, node: { t: 'raw', strings: [...strings], values } };
}

function isTemplate(v: unknown): v is TemplateStringsArray {
  return Array.isArray(v) && Array.isArray((v as unknown as { raw?: unknown }).raw);
}

/** Normalise the arguments of `$queryRaw` / `$executeRaw`: a tagged template or a raw fragment, never a plain string. */
export function toRawFragment(method: string, first: unknown, values: unknown[]): RawFragment {
  if (isRawFragment(first)) {
    if (values.length) throw new ValidationError(`${method}(raw\`...\`) takes no extra arguments: put values inside the template`);
    return first;
  }
  if (isTemplate(first)) return { __forgeRaw: true, node: { t: 'raw', strings: [...first], values } };
  if (typeof first === 'string') {
    throw new ValidationError(
      `${method} refuses a plain string: it would invite SQL injection. Use a tagged template (db.${method}\`SELECT * FROM t WHERE id = \${id}\`), ` +
        `raw\`...\`, or ${method}Unsafe(sql, ...params) if you really build SQL text yourself`,
    );
  }
  throw new ValidationError(`${method} takes a tagged template or a raw\`...\` fragment`);
}
