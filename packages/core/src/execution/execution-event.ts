import type {
  Item,
  JsonObject,
  RunData,
  SerializedError,
  TaskData,
  TaskSource,
} from '@budflow/node-sdk';

/**
 * Events an execution emits, in order. They are the execution's log: storage appends them,
 * the server streams them, and recovery rebuilds an interrupted execution from them.
 * `seq` is a per-execution sequence number starting at 0.
 */
export type ExecutionEvent =
  | {
      type: 'execution.started';
      executionId: string;
      seq: number;
      at: number;
      workflowId: string | undefined;
      mode: string;
      /** Set for sub-workflow runs: the execution of the calling workflow. */
      parentExecutionId?: string;
      /** Start node and its input, so recovery can restart from the very beginning if needed. */
      startNode: string;
      input: Item[];
    }
  | {
      type: 'node.started';
      executionId: string;
      seq: number;
      at: number;
      nodeName: string;
      runIndex: number;
    }
  | {
      type: 'node.finished';
      executionId: string;
      seq: number;
      at: number;
      nodeName: string;
      runIndex: number;
      /** Items per main output (counts only; the data is in `task`). */
      itemCounts: number[];
      durationMs: number;
      status: TaskData['executionStatus'];
      /** The full task data, so the event log alone can rebuild run data. */
      task: TaskData;
      /** Engine state after this node, so recovery resumes exactly here. */
      state: EngineStateSnapshot;
    }
  | {
      type: 'execution.waiting';
      executionId: string;
      seq: number;
      at: number;
      waitTill: number | null;
      nodeName: string;
      state: EngineStateSnapshot;
    }
  | {
      type: 'execution.finished';
      executionId: string;
      seq: number;
      at: number;
      status: 'success';
      lastNodeExecuted: string | undefined;
    }
  | {
      type: 'execution.failed';
      executionId: string;
      seq: number;
      at: number;
      error: SerializedError;
      lastNodeExecuted: string | undefined;
    }
  | {
      type: 'execution.canceled';
      executionId: string;
      seq: number;
      at: number;
      reason: 'canceled' | 'timeout';
    };

export type ExecutionEventType = ExecutionEvent['type'];

/** A slot of node input in a snapshot: items inline, or a reference to a recorded output. */
export type SnapshotSlot = Item[] | null | { ref: TaskSource };

/**
 * The engine's resumable state (n8n's `executionData`: the node stack, the waiting inputs of
 * multi-input nodes, per-node execution context). JSON-serialisable. Input data that is some
 * node's recorded output is stored as a reference into run data, so snapshots stay small.
 */
export interface EngineStateSnapshot {
  stack: Array<{
    node: string;
    /** Input slots per connection type and input index. */
    data: Record<string, SnapshotSlot[]>;
    source: Array<TaskSource | null> | null;
  }>;
  waiting: Record<
    string,
    Record<number, { main: SnapshotSlot[]; source: Array<TaskSource | null> }>
  >;
  executionIndex: number;
  /** Per-node execution context (`ctx.getNodeContext()`), by node name. */
  nodeContexts: Record<string, JsonObject>;
  /** Set while parked: the node that asked to wait (it is on top of the stack). */
  waitingNode?: string;
}

/** Reconstructs run data from an event log (the `task` of each `node.finished`). */
export function runDataFromEvents(events: readonly ExecutionEvent[]): RunData {
  const runData: RunData = {};
  for (const event of events) {
    if (event.type !== 'node.finished') continue;
    (runData[event.nodeName] ??= [])[event.runIndex] = event.task;
  }
  return runData;
}
