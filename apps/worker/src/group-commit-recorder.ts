import type { ExecutionEvent } from '@budflow/core';
import type { RunData } from '@budflow/node-sdk';
import {
  createGroupCommit,
  runEndPatch,
  type CreateExecutionInput,
  type ExecutionRecorder,
  type SerializedExecutionEvent,
  type Storage,
  type UpdateExecutionInput,
} from '@budflow/storage';

interface Tracked {
  offset: number;
  /**
   * Run data, kept only for a continued run (recovered or resumed): its row may hold run data
   * stored before, which must be replaced. A run started here stores none: readers rebuild it
   * from the event log (`executions.getData`), which holds the same tasks.
   */
  runData: RunData | undefined;
}

interface Batch {
  creates: CreateExecutionInput[];
  events: SerializedExecutionEvent[];
  patches: Map<string, UpdateExecutionInput>;
  data: Map<string, RunData>;
}

const emptyBatch = (): Batch => ({
  creates: [],
  events: [],
  patches: new Map(),
  data: new Map(),
});

const isEmpty = (b: Batch) =>
  b.creates.length + b.events.length + b.patches.size + b.data.size === 0;

export interface WorkerRecorderOptions {
  leaseOwner: string;
  leaseMs?: number;
  durability?: 'strict' | 'relaxed';
  onError?: (error: unknown) => void;
}

export interface RecordedEvent {
  /** The event as stored (`JSON.stringify`, with the sequence number of a continued run). */
  json: string;
  /** Settles once the event is durable, when the engine must wait for that; else undefined. */
  committed: Promise<void> | undefined;
}

export interface WorkerRecorder extends ExecutionRecorder {
  /**
   * `onEvent` that also returns the event's JSON, so live publishing does not serialize the
   * event a second time.
   */
  record(event: ExecutionEvent): RecordedEvent;
  /** The row of this execution exists already (created by a main): never create it. */
  expect(executionId: string): void;
  /**
   * Nodes of this execution without side effects: their checkpoints are committed with the next
   * batch but not waited for (re-running them after a crash is harmless).
   */
  pureNodes(executionId: string, names: ReadonlySet<string>): void;
  close(): Promise<void>;
}

/**
 * The worker's execution recorder, with group commit: the checkpoints of every execution this
 * worker runs are gathered and committed in one transaction per turn (one in flight at a time, so
 * a slow commit grows the next batch instead of queueing transactions). Unlike the server's
 * recorder, the checkpoint of every node that may have side effects (and the end) is awaited: the
 * engine starts the next node only once such a node is durable, so a crash repeats at most the
 * side effect of the node that was running. Checkpoints of pure nodes (`pureNodes`: data
 * transformation, flow control) and `node.started` events ride along with the next commit.
 *
 * While a run is in progress its row is written only at the start (status, lease) and by the
 * heartbeat; `lastSeq` and `lastNodeExecuted` are set at the end.
 *
 * Rows of top-level runs exist already (the main created them); rows of sub-workflow runs
 * (`parentExecutionId`) are created with their first event.
 */
export function createWorkerRecorder(
  storage: Pick<Storage, 'executions'>,
  options: WorkerRecorderOptions,
): WorkerRecorder {
  const leaseOwner = options.leaseOwner;
  const leaseMs = options.leaseMs ?? 60_000;
  const tracked = new Map<string, Tracked>();
  const known = new Set<string>();
  const pure = new Map<string, ReadonlySet<string>>();

  const track = (id: string): Tracked => {
    let entry = tracked.get(id);
    if (!entry) tracked.set(id, (entry = { offset: 0, runData: undefined }));
    return entry;
  };
  /** A run that ended or waits: nothing of it stays here. */
  const forget = (id: string) => {
    tracked.delete(id);
    known.delete(id);
    pure.delete(id);
  };
  const patch = (id: string, update: UpdateExecutionInput) => {
    const patches = group.batch.patches;
    patches.set(id, { ...patches.get(id), ...update });
  };
  const lease = (): UpdateExecutionInput => ({
    leaseOwner,
    leaseExpiresAt: Date.now() + leaseMs,
  });
  // One statement per batch on PostgreSQL (see `ExecutionRepository.writeBatch`).
  const write = (b: Batch) =>
    storage.executions.writeBatch(
      { creates: b.creates, serializedEvents: b.events, updates: b.patches, runData: b.data },
      { durability: options.durability ?? 'strict' },
    );
  const group = createGroupCommit({ empty: emptyBatch, isEmpty, write, onError: options.onError });
  const { schedule, committed, flush } = group;

  const heartbeat = async () => {
    for (const id of tracked.keys()) patch(id, lease());
    if (tracked.size > 0) await committed();
  };

  /** Serializes the event once into the batch; returns its JSON and what to wait for. */
  const record = (original: ExecutionEvent): RecordedEvent => {
    const entry = track(original.executionId);
    const event = entry.offset === 0 ? original : { ...original, seq: original.seq + entry.offset };
    const id = event.executionId;
    const json = JSON.stringify(event);
    group.batch.events.push({
      executionId: id,
      seq: event.seq,
      type: event.type,
      at: event.at,
      json,
    });
    switch (event.type) {
      case 'execution.started':
        if (!known.has(id)) {
          known.add(id);
          group.batch.creates.push({
            id,
            workflowId: event.workflowId ?? null,
            mode: event.mode,
            status: 'running',
            startedAt: event.at,
            ...(event.parentExecutionId ? { parentExecutionId: event.parentExecutionId } : {}),
          });
        }
        patch(id, { status: 'running', startedAt: event.at, lastSeq: event.seq, ...lease() });
        // Not awaited: it commits before (or with) the first node's checkpoint, and a row
        // still `new` after a crash simply runs again from the start.
        schedule();
        return { json, committed: undefined };
      case 'node.started':
        return { json, committed: undefined };
      case 'node.finished':
        // Only the event: recovery reads the log, and the row's `lastSeq`/`lastNodeExecuted`
        // are set at the end (one row update per batch and execution would cap throughput).
        if (entry.runData) (entry.runData[event.nodeName] ??= [])[event.runIndex] = event.task;
        if (pure.get(id)?.has(event.nodeName)) {
          schedule();
          return { json, committed: undefined };
        }
        return { json, committed: committed() };
      case 'execution.waiting':
        forget(id);
        patch(id, {
          lastSeq: event.seq,
          status: 'waiting',
          waitTill: event.waitTill,
          leaseOwner: null,
          leaseExpiresAt: null,
        });
        if (entry.runData) group.batch.data.set(id, entry.runData);
        return { json, committed: committed() };
      case 'execution.finished':
      case 'execution.failed':
      case 'execution.canceled': {
        forget(id);
        patch(id, { lastSeq: event.seq, ...runEndPatch(event) });
        if (entry.runData) group.batch.data.set(id, entry.runData);
        return { json, committed: committed() };
      }
      default:
        schedule();
        return { json, committed: undefined };
    }
  };

  return {
    leaseOwner,
    expect(executionId) {
      known.add(executionId);
    },
    pureNodes(executionId, names) {
      pure.set(executionId, names);
    },
    continueExecution(executionId, from) {
      known.add(executionId);
      const entry = track(executionId);
      entry.offset = from.lastSeq + 1;
      entry.runData = structuredClone(from.runData);
    },
    record,
    async onEvent(event) {
      await record(event).committed;
    },
    heartbeat,
    startHeartbeat(intervalMs = Math.max(1000, Math.floor(leaseMs / 3)), onError) {
      const timer = setInterval(() => {
        heartbeat().catch((error: unknown) => onError?.(error));
      }, intervalMs);
      timer.unref();
      return () => clearInterval(timer);
    },
    flush,
    close: flush,
  };
}
