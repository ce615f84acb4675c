/** `forge-orm/scripts/diff-core`: the differ's building blocks, for tooling around `forge diff`. */
export { parseIgnoreList, diffSchema, planPush, buildSchemaIR } from '@forge/core';
export type { DriftReport, DriftItem, IgnorePattern, Snapshot, SchemaIR, PushPlan } from '@forge/core';
