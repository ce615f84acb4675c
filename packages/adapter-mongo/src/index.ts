export { connect, mongoDriver } from './driver.js';
export { MongoConnection } from './connection.js';
export { mapMongoError, type ErrorContext } from './errors.js';
export { parseMongoUrl, POOL_DEFAULTS, DEFAULT_SELECTION_TIMEOUT_MS, type MongoUrlConfig } from './url.js';
export { commandText, parseCommandText, runCommand, type MongoCommand, type CommandResult } from './command.js';
export { capabilities } from './capabilities.js';
export { mongoFacts } from './facts.js';
export { mongoDdl } from './ddl.js';
export { indexSpec, snapshotIndex, unsupportedIndex, type MongoIndexSpec } from './indexes.js';
export { introspectMongo, snapshotFrom, pushValidators, type ValidatorPushReport } from './introspect.js';
export { jsonSchemaFor, validatorOptions, collModCommand, validatorDrift, stableJson, type ValidatorDrift } from './validator.js';
export { lock, runIsolated, conflictsWith, duplicatesPipeline, keyPattern, LOCK_WAIT_MS, LOCK_STALE_MS } from './lock.js';
export { probeMongo, probeReport } from './probe.js';
export { mongoCodec } from './codec.js';
export { MongoExecutor } from './executor.js';
export { compileNode, compileFilter, compileSelect, compileWrite, likeToRegex, newScope, type CompiledCommand, type RowShape, type Scope } from './compile.js';
export { checkValue } from './guard.js';

import type { Adapter } from '@forge/core';
import { capabilities } from './capabilities.js';
import { mongoCodec } from './codec.js';
import { mongoDdl } from './ddl.js';
import { connect } from './driver.js';
import { mapMongoError } from './errors.js';
import { MongoExecutor, MongoSqlCompiler } from './executor.js';
import { mongoFacts } from './facts.js';
import { introspectMongo, pushValidatorsLocked } from './introspect.js';
import { validatorDrift } from './validator.js';
import { lock, runIsolated } from './lock.js';
import { probeMongo } from './probe.js';
import type { MongoConnection } from './connection.js';

export const adapter: Adapter = {
  kind: 'mongo',
  capabilities,
  facts: mongoFacts,
  connect,
  introspect: (conn) => introspectMongo(conn as MongoConnection),
  ddl: mongoDdl,
  compiler: new MongoSqlCompiler(),
  executor: new MongoExecutor(),
  codec: mongoCodec,
  lock,
  runIsolated,
  // A model's $jsonSchema validator: drift of its own, settled by push with collMod.
  tableDrift: (ir, snap) =>
    validatorDrift(ir, snap).map((d) => ({ kind: 'table' as const, direction: 'mismatch' as const, table: d.table, property: 'validator', schema: d.properties, detail: d.detail })),
  pushTableObjects: (conn, ir) => pushValidatorsLocked(conn as MongoConnection, ir),
  probe: probeMongo,
  mapError: (e) => mapMongoError(e),
};
