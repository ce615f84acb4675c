import { postgresFacts } from '@forge/adapter-postgres';
import { sqliteFacts } from '@forge/adapter-sqlite';
import type { Capabilities } from '../src/index.js';
import { pgCaps, sqliteCaps } from './sync-fixtures.js';

/**
 * What diff and planning read of an adapter (capabilities and dialect facts), from the real adapters: a
 * test file may import adapters, core's src never does. `over` narrows a capability for one case.
 */
export const pg = (over: Partial<Capabilities> = {}) => ({ capabilities: pgCaps(over), facts: postgresFacts });
export const lite = (over: Partial<Capabilities> = {}) => ({ capabilities: sqliteCaps(over), facts: sqliteFacts });
