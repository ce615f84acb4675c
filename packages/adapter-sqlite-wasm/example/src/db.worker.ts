import { startSqliteWorker } from '../../src/worker.js';

startSqliteWorker();
