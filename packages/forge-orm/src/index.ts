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
  ensureCreated,
  ensureDeleted,
  analyze,
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
  Analysis,
  AnalyzedOperation,
  EnsureCreatedResult,
  EnsureDeletedResult,
  AfterMigrate,
  AfterMigrateDb,
} from '@forge/core';
import type { AfterMigrateDb } from '@forge/core';
export * from './drivers.js';
export { wireOtel } from '@forge/otel';
export type { WireOtelOptions, TracerLike } from '@forge/otel';

/** Typed `forge.config.ts`: `export default defineConfig({ schema: './src/schema.ts', ignore: ['logs'] })`. */
export interface ForgeConfig {
  schema?: string;
  ignore?: Array<string | RegExp> | string;
  migrationsDir?: string;
  /** How long a migration's DDL waits for a lock before it fails: '5s', '500ms' or milliseconds (FORGE_LOCK_TIMEOUT overrides; default 5s). */
  lockTimeout?: string | number;
  /** Postgres: indexes on existing tables are written CREATE INDEX CONCURRENTLY (default true). */
  concurrentIndexes?: boolean;
  /** Custom SQL after every successful push / migrate / diff apply: a .sql file path (relative to the config) or `async (db) => ...`. Keep it idempotent. */
  afterMigrate?: string | ((db: AfterMigrateDb) => unknown);
}
export function defineConfig(config: ForgeConfig): ForgeConfig {
  return config;
}
