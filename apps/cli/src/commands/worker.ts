import type { Command } from 'commander';

interface WorkerOptions {
  concurrency?: string;
  port?: string;
}

/** `budflow worker`: a queue-mode worker (BullMQ in Redis, the mains' database). */
export function registerWorkerCommand(program: Command): void {
  program
    .command('worker')
    .description(
      'run executions from the queue (queue mode): REDIS_URL, DATABASE_URL and BUDFLOW_ENCRYPTION_KEY as the mains',
    )
    .option(
      '-c, --concurrency <n>',
      'executions run at once (BUDFLOW_WORKER_CONCURRENCY, default 10)',
    )
    .option(
      '-p, --port <port>',
      'port of /healthz and /metrics (BUDFLOW_WORKER_PORT, default 5680)',
    )
    .action(async (options: WorkerOptions) => {
      let concurrency: number | undefined;
      if (options.concurrency !== undefined) {
        concurrency = Number(options.concurrency);
        if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 10_000) {
          throw new Error(
            `--concurrency must be an integer from 1 to 10000, not '${options.concurrency}'`,
          );
        }
      }
      const env: Record<string, string | undefined> = {
        ...process.env,
        ...(options.port !== undefined ? { BUDFLOW_WORKER_PORT: options.port } : {}),
      };
      // Loaded here so other commands do not pay for the worker's start-up.
      const { runWorkerProcess } = await import('@budflow/worker');
      await runWorkerProcess({ env, ...(concurrency !== undefined ? { concurrency } : {}) });
    });
}
