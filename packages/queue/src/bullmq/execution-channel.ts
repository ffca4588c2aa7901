import { Redis } from 'ioredis';
import { redisOptions } from './bullmq-queue.js';

/** What mains and workers tell each other about executions, over Redis pub/sub. */
export type ExecutionMessage =
  /** A live engine event from a worker (for SSE/WebSocket clients of any main). */
  | {
      type: 'event';
      executionId: string;
      workflowId: string | null;
      projectId: string | null;
      event: unknown;
    }
  /** A Respond to Webhook node answered: the main holding the HTTP request sends it. */
  | { type: 'response'; executionId: string; response: unknown }
  /** Stop an execution wherever it runs. */
  | { type: 'cancel'; executionId: string; reason?: string };

type Topic = 'events' | 'control';

const topicOf = (message: ExecutionMessage): Topic =>
  message.type === 'cancel' ? 'control' : 'events';

export interface ExecutionChannelOptions {
  url?: string;
  /** Channel prefix (default `budflow`); use the queue's prefix so test queues stay apart. */
  prefix?: string;
  onError?: (error: unknown) => void;
}

export interface ExecutionChannel {
  publish(message: ExecutionMessage): Promise<void>;
  /** `events`: live events and webhook responses (mains); `control`: cancels (workers). */
  subscribe(topic: Topic, listener: (message: ExecutionMessage) => void): () => void;
  /** Resolves once the subscriptions made so far are live. */
  ready(): Promise<void>;
  close(): Promise<void>;
}

/**
 * Pub/sub between mains and workers: two channels, so workers do not receive every live event.
 * Publishing uses ioredis auto-pipelining (many events of many executions share round trips).
 */
export function createExecutionChannel(options: ExecutionChannelOptions = {}): ExecutionChannel {
  const url = options.url ?? process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
  const prefix = options.prefix ?? 'budflow';
  const channel = (topic: Topic) => `${prefix}:executions:${topic}`;
  const base = { ...redisOptions(url), lazyConnect: false };
  const pub = new Redis({ ...base, enableAutoPipelining: true });
  pub.on('error', (error) => options.onError?.(error));
  let sub: Redis | undefined;
  const listeners: Record<Topic, Set<(message: ExecutionMessage) => void>> = {
    events: new Set(),
    control: new Set(),
  };
  const subscriptions: Array<Promise<unknown>> = [];
  const subscribed = new Set<Topic>();

  const ensureSub = (topic: Topic) => {
    if (!sub) {
      sub = new Redis(base);
      sub.on('error', (error) => options.onError?.(error));
      sub.on('message', (name: string, raw: string) => {
        const t: Topic | undefined =
          name === channel('events')
            ? 'events'
            : name === channel('control')
              ? 'control'
              : undefined;
        if (!t) return;
        let message: ExecutionMessage;
        try {
          message = JSON.parse(raw) as ExecutionMessage;
        } catch (error) {
          options.onError?.(error);
          return;
        }
        for (const l of listeners[t]) {
          try {
            l(message);
          } catch (error) {
            options.onError?.(error);
          }
        }
      });
    }
    if (!subscribed.has(topic)) {
      subscribed.add(topic);
      const p = sub.subscribe(channel(topic));
      p.catch((error: unknown) => options.onError?.(error));
      subscriptions.push(p);
    }
  };

  return {
    async publish(message) {
      await pub.publish(channel(topicOf(message)), JSON.stringify(message));
    },
    subscribe(topic, listener) {
      ensureSub(topic);
      listeners[topic].add(listener);
      return () => listeners[topic].delete(listener);
    },
    async ready() {
      await Promise.all(subscriptions);
    },
    async close() {
      listeners.events.clear();
      listeners.control.clear();
      sub?.disconnect();
      await pub.quit().catch(() => pub.disconnect());
    },
  };
}
