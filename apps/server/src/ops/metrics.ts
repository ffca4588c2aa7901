import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** Prometheus metrics of one server (its own registry, so several servers in a test never clash). */
export interface ServerMetrics {
  registry: Registry;
  executions: Counter<'status' | 'mode'>;
  nodeDuration: Histogram<'node_type' | 'status'>;
  httpDuration: Histogram<'method' | 'route' | 'status'>;
}

export function createServerMetrics(
  queueStats: () => { running: number; waiting: number },
): ServerMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'budflow_' });
  const executions = new Counter({
    name: 'budflow_executions_total',
    help: 'Finished executions by status and mode',
    labelNames: ['status', 'mode'] as const,
    registers: [registry],
  });
  const nodeDuration = new Histogram({
    name: 'budflow_node_duration_seconds',
    help: 'Node run durations',
    labelNames: ['node_type', 'status'] as const,
    buckets: [0.0005, 0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 30],
    registers: [registry],
  });
  const httpDuration = new Histogram({
    name: 'budflow_http_request_duration_seconds',
    help: 'HTTP request latency by route',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 5],
    registers: [registry],
  });
  new Gauge({
    name: 'budflow_queue_waiting',
    help: 'Executions waiting in the queue',
    registers: [registry],
    collect() {
      this.set(queueStats().waiting);
    },
  });
  new Gauge({
    name: 'budflow_queue_running',
    help: 'Executions running',
    registers: [registry],
    collect() {
      this.set(queueStats().running);
    },
  });
  return { registry, executions, nodeDuration, httpDuration };
}
