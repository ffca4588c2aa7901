import type { ExecutionEvent, ExecutionObserver } from '@budflow/core';
import type { RunData } from '@budflow/node-sdk';
import {
  createGroupCommit,
  defaultLeaseOwner,
  runEndPatch,
  type CreateExecutionInput,
  type Storage,
  type UpdateExecutionInput,
} from '@budflow/storage';

/**
 * Appends execution events to storage with group commit: the writes of every execution in flight
 * are gathered and committed together in one transaction per turn of the event loop, so a busy
 * server pays one commit for many executions instead of several per execution.
 *
 * The engine waits only where it matters: the end of a run (finished, failed, canceled, waiting)
 * resolves after its commit, so a webhook answers only once its execution is saved. Node
 * checkpoints are committed within the same turn but not waited for; a process that dies loses at
 * most the checkpoints of its last turn, and recovery resumes from the last committed one.
 */
export interface GroupCommitRecorder extends ExecutionObserver {
  readonly leaseOwner: string;
  /** A promise for the end of a run (settles once committed); nothing for a checkpoint. */
  onEvent(event: ExecutionEvent): void | Promise<void>;
  /** Queues the creation of an execution row (committed with the next batch; nothing to wait for). */
  create(input: CreateExecutionInput): void;
  /** Continues a recorded execution: new events are numbered after `lastSeq`. */
  continueExecution(executionId: string, from: { lastSeq: number; runData: RunData }): void;
  /** Commits everything queued. */
  flush(): Promise<void>;
  close(): Promise<void>;
}

interface Tracked {
  offset: number;
  runData: RunData;
}

/** One commit's worth of writes (structured-cloneable: it may cross to a worker thread). */
export interface RecorderBatch {
  creates: CreateExecutionInput[];
  events: ExecutionEvent[];
  patches: Map<string, UpdateExecutionInput>;
  data: Map<string, RunData>;
}

const emptyBatch = (): RecorderBatch => ({
  creates: [],
  events: [],
  patches: new Map(),
  data: new Map(),
});

const isEmpty = (b: RecorderBatch) =>
  b.creates.length + b.events.length + b.patches.size + b.data.size === 0;

/**
 * Commits a batch in one transaction (`ExecutionRepository.writeBatch`: on SQLite, prepared
 * statements for the whole batch; on PostgreSQL, one statement when no row is created).
 */
export async function writeBatch(
  storage: Pick<Storage, 'executions'>,
  b: RecorderBatch,
): Promise<void> {
  await storage.executions.writeBatch({
    creates: b.creates,
    events: b.events,
    updates: b.patches,
    runData: b.data,
  });
}

/** Where batches are committed: this thread (default) or a storage writer worker. */
export type BatchWriter = (batch: RecorderBatch) => Promise<void>;

export interface GroupCommitRecorderOptions {
  leaseMs?: number;
  leaseOwner?: string;
  now?: () => number;
  /** Called when a batch cannot be committed (the waiters also reject). */
  onError?: (error: unknown) => void;
  /** Commits batches elsewhere (a worker thread); default: `writeBatch` on this thread. */
  writer?: BatchWriter;
}

export function createGroupCommitRecorder(
  storage: Pick<Storage, 'executions'>,
  options: GroupCommitRecorderOptions = {},
): GroupCommitRecorder {
  const leaseOwner = options.leaseOwner ?? defaultLeaseOwner();
  const leaseMs = options.leaseMs ?? 60_000;
  const now = options.now ?? Date.now;
  const tracked = new Map<string, Tracked>();
  const write: BatchWriter = options.writer ?? ((b) => writeBatch(storage, b));
  const group = createGroupCommit({ empty: emptyBatch, isEmpty, write, onError: options.onError });
  const { schedule, committed } = group;

  const track = (id: string): Tracked => {
    let entry = tracked.get(id);
    if (!entry) tracked.set(id, (entry = { offset: 0, runData: {} }));
    return entry;
  };

  // The patch of an execution in the batch being gathered (merged in place: many per run).
  const patchOf = (id: string): UpdateExecutionInput => {
    const patches = group.batch.patches;
    let patch = patches.get(id);
    if (!patch) patches.set(id, (patch = {}));
    return patch;
  };
  const patch = (id: string, update: UpdateExecutionInput) => {
    Object.assign(patchOf(id), update);
  };

  const lease = (): UpdateExecutionInput => ({ leaseOwner, leaseExpiresAt: now() + leaseMs });

  const heartbeat = setInterval(() => {
    for (const id of tracked.keys()) patch(id, lease());
    if (tracked.size > 0) schedule();
  }, leaseMs / 3);
  heartbeat.unref();

  return {
    leaseOwner,

    create(input) {
      group.batch.creates.push(input);
      schedule();
    },

    continueExecution(executionId, from) {
      const entry = track(executionId);
      entry.offset = from.lastSeq + 1;
      entry.runData = structuredClone(from.runData);
    },

    onEvent(original) {
      const entry = track(original.executionId);
      const event =
        entry.offset === 0 ? original : { ...original, seq: original.seq + entry.offset };
      const id = event.executionId;
      group.batch.events.push(event);
      patchOf(id).lastSeq = event.seq;
      switch (event.type) {
        case 'execution.started':
          patch(id, { status: 'running', startedAt: event.at, ...lease() });
          schedule();
          return;
        case 'node.started':
          schedule();
          return;
        case 'node.finished':
          (entry.runData[event.nodeName] ??= [])[event.runIndex] = event.task;
          patch(id, { lastNodeExecuted: event.nodeName });
          schedule();
          return;
        case 'execution.waiting':
          tracked.delete(id);
          patch(id, {
            status: 'waiting',
            waitTill: event.waitTill,
            leaseOwner: null,
            leaseExpiresAt: null,
          });
          group.batch.data.set(id, entry.runData);
          return committed();
        case 'execution.finished':
        case 'execution.failed':
        case 'execution.canceled': {
          tracked.delete(id);
          patch(id, runEndPatch(event));
          group.batch.data.set(id, entry.runData);
          return committed();
        }
      }
    },

    flush: group.flush,

    async close() {
      clearInterval(heartbeat);
      await this.flush();
    },
  };
}
