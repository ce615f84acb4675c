/**
 * forge-orm: the one import users write. It loads no database driver: createDb imports only the adapter for
 * the URL (or driver handle) it is given, and the driver factories (bundled from the adapters, see
 * drivers.ts) merely wrap clients you own.
 */
export {
  createDb,
  createDbWith,
  model,
  f,
  one,
  many,
  raw,
  ForgeError,
  DbKnownError,
  ValidationError,
  SchemaError,
  ConfigError,
  buildSchemaIR,
  pushMany,
  diffMany,
  parseTargets,
  checkConcurrency,
} from '@forge/core';
export type {
  Db,
  DbHandle,
  CreateDbOptions,
  Infer,
  Row,
  Model,
  AnyModel,
  Field,
  GeoPoint,
  JsonValue,
  QueryEvent,
  ErrorEvent,
  DbErrorCode,
  TransactionOptions,
  DriftReport,
  DriftItem,
  MigrateReport,
  ProbeReport,
  DriverHandle,
  Dialect,
  IndexDef,
  WhereInput,
  CreateInput,
  UpdateInput,
  GeoFilter,
  GeoOrder,
  GeoPointInput,
  FanoutReport,
  TargetReport,
  FanoutTarget,
  FanoutInput,
  PushManyOptions,
  DiffManyOptions,
  EnumCheckOp,
} from '@forge/core';
export * from './drivers.js';
export { wireOtel } from '@forge/otel';
export type { WireOtelOptions, TracerLike } from '@forge/otel';

/** Typed `forge.config.ts`: `export default defineConfig({ schema: './src/schema.ts', ignore: ['logs'] })`. */
export interface ForgeConfig {
  schema?: string;
  ignore?: Array<string | RegExp> | string;
  migrationsDir?: string;
}
export function defineConfig(config: ForgeConfig): ForgeConfig {
  return config;
}
