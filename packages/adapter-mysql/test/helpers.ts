import { requireTarget, type ReachedTarget, type TestDatabase } from '@forge/testkit';
import { adapter } from '../src/index.js';

export type { TestDatabase } from '@forge/testkit';

let target: Promise<ReachedTarget> | undefined;

/**
 * The server these tests run against, from the test-target registry in @forge/testkit (FORGE_TEST_MYSQL_URL,
 * else MariaDB at 127.0.0.1:3306). The adapter's own tests need it: no server fails them, with the reason.
 */
export function reached(): Promise<ReachedTarget> {
  target ??= requireTarget('mysql', { adapter });
  return target;
}

/** A fresh database for one test file. */
export async function createTestDatabase(): Promise<TestDatabase> {
  return (await reached()).fresh();
}
