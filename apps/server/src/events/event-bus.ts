import type { ExecutionEvent } from '@budflow/core';

/** An execution event as the server publishes it: with the workflow and project it belongs to. */
export interface LiveEvent {
  event: ExecutionEvent;
  workflowId: string | null;
  projectId: string | null;
}

export type LiveListener = (live: LiveEvent) => void;

/** In-process publish/subscribe of execution events (SSE and WebSocket read from it). */
export interface EventBus {
  publish(live: LiveEvent): void;
  /** Events of one execution; returns the unsubscribe function. */
  subscribeExecution(executionId: string, listener: LiveListener): () => void;
  /** Every event; returns the unsubscribe function. */
  subscribeAll(listener: LiveListener): () => void;
  /** Whether anyone listens to this execution's events (publishers skip building them). */
  listening(executionId: string): boolean;
  /** Listener count (for tests and metrics). */
  size(): number;
}

export function createEventBus(): EventBus {
  const byExecution = new Map<string, Set<LiveListener>>();
  const all = new Set<LiveListener>();
  const call = (listener: LiveListener, live: LiveEvent) => {
    try {
      listener(live);
    } catch {
      // A broken subscriber must not break the execution that publishes.
    }
  };
  return {
    publish(live) {
      const listeners = byExecution.get(live.event.executionId);
      if (listeners) for (const l of listeners) call(l, live);
      for (const l of all) call(l, live);
    },
    subscribeExecution(executionId, listener) {
      let set = byExecution.get(executionId);
      if (!set) byExecution.set(executionId, (set = new Set()));
      set.add(listener);
      return () => {
        set.delete(listener);
        if (set.size === 0) byExecution.delete(executionId);
      };
    },
    subscribeAll(listener) {
      all.add(listener);
      return () => all.delete(listener);
    },
    listening: (executionId) => all.size > 0 || byExecution.has(executionId),
    size: () => all.size + [...byExecution.values()].reduce((n, s) => n + s.size, 0),
  };
}
