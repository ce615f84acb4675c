import { startSqliteWorker } from '../../src/index.js';

startSqliteWorker();
