import { reachTarget, runConformanceOn } from '@forge/testkit';
import { adapter } from '../src/index.js';

// Every database a temp file (the test-target registry in @forge/testkit), so WAL, busy_timeout and the push
// lock behave as in production.
runConformanceOn(await reachTarget('sqlite', { adapter }), { name: 'sqlite' });
