export { connect, mongoDriver } from './driver.js';
export { MongoConnection } from './connection.js';
export { mapMongoError, type ErrorContext } from './errors.js';
export { parseMongoUrl, POOL_DEFAULTS, DEFAULT_SELECTION_TIMEOUT_MS, type MongoUrlConfig } from './url.js';
export { commandText, parseCommandText, runCommand, type MongoCommand, type CommandResult } from './command.js';
