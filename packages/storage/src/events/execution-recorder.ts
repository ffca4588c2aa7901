import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import type { ExecutionEvent, ExecutionObserver } from '@budflow/core';
import type { JsonObject, RunData } from '@budflow/node-sdk';
import type { SecretRedactor } from '@budflow/secrets';
import type {
  CreateExecutionInput,
  UpdateExecutionInput,
} from '../repositories/execution-repository.js';
import type { Storage } from '../storage.js';

export interface ExecutionRecorderOptions {
  /**
   * Hold `node.started` events back and write them with the next checkpoint (`node.finished` or
   * the end) in one transaction. Recovery only needs checkpoints, so nothing it uses is delayed.
   * Default true; false writes every event on its own.
   */
  batch?: boolean;
  /** Identifies this process in the lease columns. */
  leaseOwner?: string;
  /** How long a lease holds without renewal (default 60 s); renewed at every checkpoint. */
  leaseMs?: number;
  /**
   * Removes these secrets from events and run data before they are written. Recovery then
   * resumes with redacted values, so leave it off where secrets flow through item data.
   */
  redactor?: SecretRedactor;
  /**
   * The workflow JSON, stored with the executions the recorder has to create itself, except
   * sub-workflow runs (mode `integrated`) that report through the same observer.
   */
  workflow?: JsonObject;
  now?: () => number;
  /**
   * `relaxed` commits events without waiting for the disk flush on PostgreSQL (see
   * `TransactionOptions`): several times more events per second; a database-server crash may
   * lose the last events, so recovery re-runs a little more. Default `strict`.
   */
  durability?: 'strict' | 'relaxed';
}

/** The end of a run: finished, failed or canceled. */
export type RunEndEvent = Extract<
  ExecutionEvent,
  { type: 'execution.finished' | 'execution.failed' | 'execution.canceled' }
>;

/**
 * The row patch of a run's end (every recorder's): its status, stop time, error and last node,
 * no wait, lease released.
 */
export function runEndPatch(event: RunEndEvent): UpdateExecutionInput {
  return {
    status:
      event.type === 'execution.finished'
        ? 'success'
        : event.type === 'execution.failed'
          ? 'error'
          : 'canceled',
    stoppedAt: event.at,
    waitTill: null,
    leaseOwner: null,
    leaseExpiresAt: null,
    ...(event.type === 'execution.failed' ? { error: event.error } : {}),
    ...(event.type !== 'execution.canceled' && event.lastNodeExecuted !== undefined
      ? { lastNodeExecuted: event.lastNodeExecuted }
      : {}),
  };
}

interface Tracked {
  /** Added to the engine's `seq`: a resumed run numbers its events from 0 again. */
  offset: number;
  pending: ExecutionEvent[];
  runData: RunData;
  lastNode: string | undefined;
}

/** An `ExecutionObserver` that appends the engine's events to storage. */
export interface ExecutionRecorder extends ExecutionObserver {
  readonly leaseOwner: string;
  /**
   * Records the event; returns what the engine must wait for (nothing, when the event need not
   * be durable before the run goes on: the engine then spends no promise on it).
   */
  onEvent(event: ExecutionEvent): void | Promise<void>;
  /**
   * Continues an execution recorded before (recovery, or a resumed wait): its new events are
   * numbered after `lastSeq`, and the run data saved at the end includes `runData`.
   */
  continueExecution(executionId: string, from: { lastSeq: number; runData: RunData }): void;
  /** Renews the leases of the executions in progress. */
  heartbeat(): Promise<void>;
  /**
   * Renews leases every `intervalMs` (default a third of the lease), so a node that runs longer
   * than the lease does not look dead. Returns the function that stops it.
   */
  startHeartbeat(intervalMs?: number, onError?: (error: unknown) => void): () => void;
  /** Writes held-back events now. */
  flush(): Promise<void>;
}

export function defaultLeaseOwner(): string {
  return `${hostname()}:${process.pid}:${randomBytes(4).toString('hex')}`;
}

export function createExecutionRecorder(
  storage: Pick<Storage, 'executions'>,
  options: ExecutionRecorderOptions = {},
): ExecutionRecorder {
  const batch = options.batch ?? true;
  const durability = options.durability ?? 'strict';
  const leaseOwner = options.leaseOwner ?? defaultLeaseOwner();
  const leaseMs = options.leaseMs ?? 60_000;
  const now = options.now ?? Date.now;
  const tracked = new Map<string, Tracked>();

  const track = (id: string): Tracked => {
    let entry = tracked.get(id);
    if (!entry) {
      entry = { offset: 0, pending: [], runData: {}, lastNode: undefined };
      tracked.set(id, entry);
    }
    return entry;
  };

  const write = async (
    id: string,
    entry: Tracked,
    patch: UpdateExecutionInput,
    extra: { create?: CreateExecutionInput; runData?: RunData } = {},
  ) => {
    const events = entry.pending;
    entry.pending = [];
    if (events.length === 0 && !extra.create && extra.runData === undefined) return;
    await storage.executions.checkpoint({ executionId: id, events, patch, durability, ...extra });
  };

  const lease = (): UpdateExecutionInput => ({
    leaseOwner,
    leaseExpiresAt: now() + leaseMs,
  });

  const heartbeat = async () => {
    const until = now() + leaseMs;
    for (const id of tracked.keys()) {
      await storage.executions.renewLease(id, leaseOwner, until);
    }
  };

  return {
    leaseOwner,

    continueExecution(executionId, from) {
      const entry = track(executionId);
      entry.offset = from.lastSeq + 1;
      entry.runData = structuredClone(from.runData);
    },

    async onEvent(original) {
      const entry = track(original.executionId);
      const shifted: ExecutionEvent = { ...original, seq: original.seq + entry.offset };
      const event = options.redactor ? options.redactor.redact(shifted) : shifted;
      entry.pending.push(event);
      const id = event.executionId;
      switch (event.type) {
        case 'node.started':
          if (!batch) await write(id, entry, lease());
          return;
        case 'execution.started':
          {
            const snapshot = event.mode === 'integrated' ? undefined : options.workflow;
            // Newer engines may name the parent of a sub-workflow run on the event.
            const parent = (event as { parentExecutionId?: unknown }).parentExecutionId;
            await write(
              id,
              entry,
              { status: 'running', ...lease() },
              {
                create: {
                  workflowId: event.workflowId ?? null,
                  mode: event.mode,
                  status: 'running',
                  startedAt: event.at,
                  ...(typeof parent === 'string' ? { parentExecutionId: parent } : {}),
                  ...(snapshot ? { workflow: snapshot } : {}),
                },
              },
            );
          }
          return;
        case 'node.finished':
          (entry.runData[event.nodeName] ??= [])[event.runIndex] = event.task;
          entry.lastNode = event.nodeName;
          await write(id, entry, { lastNodeExecuted: event.nodeName, ...lease() });
          return;
        case 'execution.waiting':
          tracked.delete(id);
          await write(
            id,
            entry,
            { status: 'waiting', waitTill: event.waitTill, leaseOwner: null, leaseExpiresAt: null },
            { runData: entry.runData },
          );
          return;
        case 'execution.finished':
        case 'execution.failed':
        case 'execution.canceled': {
          tracked.delete(id);
          await write(id, entry, runEndPatch(event), { runData: entry.runData });
          return;
        }
      }
    },

    heartbeat,

    startHeartbeat(intervalMs = Math.max(1000, Math.floor(leaseMs / 3)), onError) {
      const timer = setInterval(() => {
        heartbeat().catch((error: unknown) => onError?.(error));
      }, intervalMs);
      timer.unref?.();
      return () => clearInterval(timer);
    },

    async flush() {
      for (const [id, entry] of tracked) await write(id, entry, lease());
    },
  };
}
