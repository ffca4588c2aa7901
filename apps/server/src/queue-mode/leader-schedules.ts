import type { LeaderElection } from '@budflow/cluster';
import type { JobQueue, JobWorker } from '@budflow/queue';

/** One tick of a schedule (or polling) trigger, fired once across all mains. */
export interface FiredSchedule {
  workflowId: string;
  nodeName: string;
  kind: 'schedule' | 'poll';
  timezone: string;
  /** The tick's time (epoch ms). */
  firedAt: number;
}

export interface LeaderSchedulerOptions {
  /** A queue of its own (e.g. BullMQ `budflow-schedules`), shared by every main. */
  queue: JobQueue;
  election: LeaderElection;
  /** Starts the execution of a tick (the server's trigger launch: it enqueues for the workers). */
  fire(tick: FiredSchedule): Promise<void>;
  onError?: (error: unknown) => void;
}

export interface LeaderScheduler {
  /** Registers a trigger's cron patterns (idempotent: every main may call it). */
  register(
    workflowId: string,
    nodeName: string,
    patterns: readonly string[],
    options: { timezone: string; kind?: 'schedule' | 'poll' },
  ): Promise<void>;
  /** Removes every schedule of a workflow (from any main). */
  unregisterWorkflow(workflowId: string): Promise<void>;
  /** True while this main fires the ticks. */
  readonly firing: boolean;
  close(): Promise<void>;
}

const scheduleName = (workflowId: string, kind: string, nodeName: string, index: number) =>
  `${workflowId}|${kind}|${index}|${nodeName}`;

/**
 * Schedules for several mains. Every main registers each active workflow's cron patterns as
 * BullMQ job schedulers (an upsert by name: registering twice keeps one), so each tick becomes
 * exactly one job. Only the leader takes those jobs and fires them: it starts its schedule worker
 * when it gains leadership and stops it when it loses it; a tick that comes while no main leads
 * waits in the queue until the next leader takes it.
 */
export function createLeaderScheduler(o: LeaderSchedulerOptions): LeaderScheduler {
  let worker: JobWorker | undefined;
  let switching: Promise<void> = Promise.resolve();

  const start = () => {
    if (worker) return;
    worker = o.queue.process(
      async (data, ctx) => {
        const [workflowId, kind, , ...rest] = (
          ctx.job.id.startsWith('repeat:') ? ctx.job.id.slice('repeat:'.length) : ctx.job.id
        ).split('|');
        const tail = rest.join('|');
        // The job id ends with `:<tick ms>` after the scheduler name.
        const colon = tail.lastIndexOf(':');
        const tick = Number(colon >= 0 ? tail.slice(colon + 1) : NaN);
        await o.fire({
          workflowId: data.workflowId ?? workflowId ?? '',
          nodeName: data.meta?.nodeName ?? (colon >= 0 ? tail.slice(0, colon) : tail),
          kind: (data.meta?.kind ?? kind) === 'poll' ? 'poll' : 'schedule',
          timezone: data.meta?.timezone ?? 'UTC',
          firedAt: Number.isFinite(tick) ? tick : Date.now(),
        });
      },
      { concurrency: 5 },
    );
  };
  const stop = async () => {
    const w = worker;
    worker = undefined;
    await w?.close(10_000);
  };

  const off = o.election.onLeadershipChange(({ isLeader }) => {
    switching = switching
      .then(() => (isLeader ? start() : stop()))
      .catch((error: unknown) => o.onError?.(error));
  });
  if (o.election.isLeader) start();

  return {
    get firing() {
      return worker !== undefined;
    },
    async register(workflowId, nodeName, patterns, options) {
      const kind = options.kind ?? 'schedule';
      for (const [index, cron] of patterns.entries()) {
        await o.queue.schedule(
          scheduleName(workflowId, kind, nodeName, index),
          { cron, timezone: options.timezone },
          {
            executionId: '',
            workflowId,
            kind: 'schedule',
            meta: { nodeName, kind, timezone: options.timezone },
          },
        );
      }
    },
    async unregisterWorkflow(workflowId) {
      const names = await o.queue.schedules();
      for (const name of names) {
        if (name.startsWith(`${workflowId}|`)) await o.queue.unschedule(name);
      }
    },
    async close() {
      off();
      await switching;
      await stop();
    },
  };
}
