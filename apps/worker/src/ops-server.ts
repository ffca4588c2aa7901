import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { QueueMetrics } from '@budflow/queue';
import type { ProcessorMetrics } from './execution-processor.js';

export interface WorkerMetrics extends ProcessorMetrics {
  registry: Registry;
}

/** Prometheus metrics of one worker: jobs by outcome, durations, running jobs, queue depth. */
export function createWorkerMetrics(sources: {
  running: () => number;
  concurrency: number;
  queue: () => Promise<QueueMetrics>;
}): WorkerMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'budflow_worker_' });
  const started = new Counter({
    name: 'budflow_worker_jobs_started_total',
    help: 'Execution jobs started, by kind (run, recover from the event log, resume a wait).',
    labelNames: ['kind'],
    registers: [registry],
  });
  const finished = new Counter({
    name: 'budflow_worker_executions_total',
    help: 'Executions this worker finished, by status.',
    labelNames: ['status'],
    registers: [registry],
  });
  const duration = new Histogram({
    name: 'budflow_worker_execution_duration_seconds',
    help: 'Execution run time in this worker.',
    buckets: [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 30, 120],
    registers: [registry],
  });
  new Gauge({
    name: 'budflow_worker_running_jobs',
    help: 'Jobs running in this worker now.',
    registers: [registry],
    collect() {
      this.set(sources.running());
    },
  });
  new Gauge({
    name: 'budflow_worker_concurrency',
    help: 'Jobs this worker runs at once at most.',
    registers: [registry],
    collect() {
      this.set(sources.concurrency);
    },
  });
  new Gauge({
    name: 'budflow_queue_jobs',
    help: 'Jobs in the queue by state (shared by every worker).',
    labelNames: ['state'],
    registers: [registry],
    async collect() {
      const m = await sources.queue().catch(() => undefined);
      if (!m) return;
      for (const [state, value] of Object.entries(m)) this.set({ state }, value);
    },
  });
  return {
    registry,
    started: (kind) => started.inc({ kind }),
    finished: (status, seconds) => {
      finished.inc({ status });
      duration.observe(seconds);
    },
  };
}

export interface OpsServer {
  port: number;
  close(): Promise<void>;
}

/** `/healthz` (503 while stopping) and `/metrics` on the worker's own port. */
export async function startOpsServer(options: {
  host: string;
  port: number;
  metrics: WorkerMetrics;
  health: () => { ok: boolean; [field: string]: unknown };
}): Promise<OpsServer> {
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD' }).end();
      return;
    }
    if (path === '/healthz') {
      const health = options.health();
      res
        .writeHead(health.ok ? 200 : 503, { 'content-type': 'application/json' })
        .end(JSON.stringify({ status: health.ok ? 'ok' : 'stopping', ...health }));
      return;
    }
    if (path === '/metrics') {
      options.metrics.registry.metrics().then(
        (text) =>
          res.writeHead(200, { 'content-type': options.metrics.registry.contentType }).end(text),
        (error: unknown) => res.writeHead(500).end(String(error)),
      );
      return;
    }
    res.writeHead(404, { 'content-type': 'application/json' }).end('{"error":"not found"}');
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => resolve());
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
