import type { Command } from 'commander';
import { serverClient } from '../api-client.js';
import { EXIT, fail, printJson, printLine } from '../output.js';

interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** Parses Prometheus text exposition (samples only; comments and types are skipped). */
export function parsePrometheus(text: string): Sample[] {
  const samples: Sample[] = [];
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const match = /^([A-Za-z_:][\w:]*)(?:\{(.*)\})?\s+(\S+)/.exec(line);
    if (!match) continue;
    const labels: Record<string, string> = {};
    for (const pair of (match[2] ?? '').matchAll(/([A-Za-z_]\w*)="((?:[^"\\]|\\.)*)"/g)) {
      labels[pair[1]!] = pair[2]!;
    }
    const value = Number(match[3]);
    if (!Number.isNaN(value)) samples.push({ name: match[1]!, labels, value });
  }
  return samples;
}

const sum = (samples: Sample[]) => samples.reduce((total, s) => total + s.value, 0);

/** Queue depth by job state and worker count from the server's metrics. */
export function summariseMetrics(samples: Sample[]) {
  const queue: Record<string, number> = {};
  for (const s of samples.filter((s) => /queue/.test(s.name) && !/worker/.test(s.name))) {
    const state =
      s.labels.state ??
      s.labels.status ??
      /(waiting|running|active|delayed|failed|completed|paused|depth|prioritized)/.exec(
        s.name,
      )?.[1];
    if (!state || /_(bucket|sum|count|total)$/.test(s.name)) continue;
    queue[state === 'depth' ? 'waiting' : state] =
      (queue[state === 'depth' ? 'waiting' : state] ?? 0) + s.value;
  }
  const workerSamples = samples.filter((s) =>
    /workers?(_active|_connected|_online)?$/.test(s.name),
  );
  const executions: Record<string, number> = {};
  for (const s of samples.filter((s) => /executions?_total$/.test(s.name))) {
    const status = s.labels.status ?? 'all';
    executions[status] = (executions[status] ?? 0) + s.value;
  }
  return {
    queue: Object.keys(queue).length > 0 ? queue : null,
    workers: workerSamples.length > 0 ? sum(workerSamples) : null,
    executions: Object.keys(executions).length > 0 ? executions : null,
  };
}

const jsonOrText = (text: string): unknown => {
  try {
    return JSON.parse(text);
  } catch {
    return text.trim();
  }
};

export function registerStatusCommand(program: Command): void {
  program
    .command('status')
    .description(
      "a running server's health: liveness, database and migrations, queue depth, workers (BUDFLOW_URL)",
    )
    .option('--json', 'print as JSON')
    .action(async (options: { json?: boolean }) => {
      try {
        const server = serverClient();
        const [health, ready, metrics] = await Promise.all([
          server.get('/healthz'),
          server.get('/readyz'),
          server.get('/metrics'),
        ]);
        const summary =
          metrics.status === 200 ? summariseMetrics(parsePrometheus(metrics.text)) : null;
        const status = {
          url: server.url,
          healthy: health.status === 200,
          ready: ready.status === 200,
          health: jsonOrText(health.text),
          readiness: jsonOrText(ready.text),
          queue: summary?.queue ?? null,
          workers: summary?.workers ?? null,
          executions: summary?.executions ?? null,
          metrics: metrics.status === 200 ? 'available' : `unavailable (HTTP ${metrics.status})`,
        };
        if (options.json) printJson(status);
        else {
          printLine(`server:     ${status.url}`);
          printLine(`health:     ${status.healthy ? 'ok' : `failing (HTTP ${health.status})`}`);
          printLine(
            `ready:      ${status.ready ? 'ok' : `not ready (HTTP ${ready.status})`}${typeof status.readiness === 'object' && status.readiness ? ` ${JSON.stringify(status.readiness)}` : ''}`,
          );
          printLine(
            `queue:      ${
              status.queue
                ? Object.entries(status.queue)
                    .map(([k, v]) => `${k} ${v}`)
                    .join(', ')
                : 'no queue metrics'
            }`,
          );
          printLine(`workers:    ${status.workers ?? 'no worker metrics (single process)'}`);
          if (status.executions)
            printLine(
              `executions: ${Object.entries(status.executions)
                .map(([k, v]) => `${k} ${v}`)
                .join(', ')}`,
            );
        }
        process.exitCode = status.healthy && status.ready ? EXIT.OK : EXIT.UNAVAILABLE;
      } catch (error) {
        fail(error);
      }
    });
}
