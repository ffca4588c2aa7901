import type { ExecutionEvent } from '@budflow/core';
import type { ExecutionChannel } from '@budflow/queue/bullmq';
import type { EventBus } from '../events/event-bus.js';

/**
 * Forwards the live events workers publish over Redis to this main's event bus, so SSE and
 * WebSocket clients of any main see executions that run on any worker. Returns the unsubscribe.
 */
export function forwardWorkerEvents(channel: ExecutionChannel, bus: EventBus): () => void {
  return channel.subscribe('events', (message) => {
    if (message.type !== 'event') return;
    bus.publish({
      event: message.event as ExecutionEvent,
      workflowId: message.workflowId,
      projectId: message.projectId,
    });
  });
}
