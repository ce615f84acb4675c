import type { Capabilities, Dialect, IndexIR, SchemaIR } from '@forge/core';

export interface LintFinding {
  severity: 'warn' | 'info';
  table: string;
  message: string;
}

const MONGO_ONLY_KEYS = new Set(['text', '2dsphere', '2d', 'hashed']);

/**
 * Index declarations the target database cannot honour (seed 004, "forge doctor" step 3). `caps` is
 * absent when the adapter is not installed; only the dialect-level checks run then.
 */
export function lintSchema(ir: SchemaIR, dialect: Dialect, caps?: Capabilities): LintFinding[] {
  const findings: LintFinding[] = [];
  for (const table of Object.values(ir.models)) {
    for (const index of table.indexes) {
      const warn = (message: string) => findings.push({ severity: 'warn', table: table.name, message: `index '${index.name}' ${message}` });
      if (dialect === 'mongo') lintForMongo(index, warn);
      else lintForSql(index, dialect, caps, warn);
      if (index.parser && index.method !== 'fulltext') warn(`sets parser '${index.parser}', which only applies to a fulltext index`);
      if (index.origin === 'indexes' && !index.named) {
        findings.push({
          severity: 'info',
          table: table.name,
          message: `an unnamed index on (${index.columns.join(', ') || index.expression}) gets the generated name '${index.name}'; name it to enable the deep drift checks`,
        });
      }
    }
  }
  return findings;
}

function lintForSql(index: IndexIR, dialect: Dialect, caps: Capabilities | undefined, warn: (m: string) => void): void {
  if (index.collation) warn(`sets collation, a MongoDB-only option that ${dialect} ignores`);
  if (index.wildcardProjection) warn(`sets wildcardProjection, a MongoDB-only option that ${dialect} ignores`);
  if (index.partialFilterExpression) warn(`sets partialFilterExpression, a MongoDB-only option: use \`where\` on ${dialect}`);
  const mongoKeys = index.directions.filter((d) => typeof d === 'string' && MONGO_ONLY_KEYS.has(d));
  if (mongoKeys.length) warn(`uses MongoDB key type ${[...new Set(mongoKeys)].map((k) => `'${k}'`).join(', ')}, which ${dialect} has no equivalent for`);
  if (!caps) return;
  if (index.method && !caps.indexMethods.includes(index.method)) {
    warn(`uses method '${index.method}', which ${dialect} does not support (supported: ${caps.indexMethods.join(', ') || 'none'})`);
  }
  if (index.include?.length && !caps.coveringIndexes) warn(`has include (covering columns), which ${dialect} cannot create`);
  if (index.where && !caps.partialIndexes) warn(`has a where clause (partial index), which ${dialect} cannot create`);
  if (index.expression && !caps.expressionIndexes) warn(`is an expression index, which ${dialect} cannot create`);
}

function lintForMongo(index: IndexIR, warn: (m: string) => void): void {
  if (index.method) warn(`sets method '${index.method}', a SQL-only option MongoDB ignores`);
  if (index.include?.length) warn('sets include, a SQL-only option MongoDB ignores');
  if (index.expression) warn('is an expression index, which MongoDB does not have');
  if (index.where) warn('sets where: use partialFilterExpression on MongoDB');
}
