/** The worker process: `node dist/main.js` (or `budflow worker`). */
import { BudflowError } from '@budflow/node-sdk';
import { runWorkerProcess } from './run-worker-process.js';

runWorkerProcess().catch((error: unknown) => {
  const message = error instanceof BudflowError ? error.message : String(error);
  process.stderr.write(`budflow worker: ${message}\n`);
  process.exit(1);
});
