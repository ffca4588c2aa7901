import { startWorker, type StartWorkerOptions } from './start-worker.js';

/**
 * Runs a worker until SIGTERM/SIGINT: the first signal drains (running executions get
 * `BUDFLOW_WORKER_SHUTDOWN_TIMEOUT`, then are released to other workers); a second one exits at
 * once (the jobs are recovered from their event logs by the next worker).
 */
export async function runWorkerProcess(options: StartWorkerOptions = {}): Promise<void> {
  const worker = await startWorker(options);
  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) process.exit(130);
    stopping = true;
    process.stderr.write(`budflow worker: ${signal}, stopping (again to quit at once)\n`);
    worker.close().then(
      () => process.exit(0),
      (error: unknown) => {
        process.stderr.write(`budflow worker: ${String(error)}\n`);
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}
