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
  /**
   * While no main subscribes to `events`, live engine events are not published; this is how
   * often (ms) a publisher looks again whether one does (default 1000).
   */
  liveRecheckMs?: number;
  onError?: (error: unknown) => void;
}

export interface ExecutionChannel {
  publish(message: ExecutionMessage): Promise<void>;
  /**
   * Publishes a live engine event serialized already (`eventJson` is `JSON.stringify(event)`):
   * the same message as `publish({ type: 'event', ...meta, event })`, without serializing the
   * event again. Optional, so channels written for tests need not have it.
   */
  publishEvent?(
    meta: { executionId: string; workflowId: string | null; projectId: string | null },
    eventJson: string,
  ): Promise<void>;
  /** `events`: live events and webhook responses (mains); `control`: cancels (workers). */
  subscribe(topic: Topic, listener: (message: ExecutionMessage) => void): () => void;
  /** Resolves once the subscriptions made so far are live. */
  ready(): Promise<void>;
  close(): Promise<void>;
}

/**
 * Pub/sub between mains and workers: two channels, so workers do not receive every live event.
 * Messages published in the same turn of the event loop go out as one Redis message (a JSON
 * array; a lone message stays a plain object), so a worker running many executions sends one
 * PUBLISH per turn instead of one per engine event; subscribers unpack the array in order.
 *
 * Live engine events go out only while some process subscribes to `events`: a PUBLISH that
 * reached nobody stops them, and `PUBSUB NUMSUB` is asked again every `liveRecheckMs` while
 * events keep coming (a main that subscribes starts receiving them within that time). Webhook
 * responses and cancels are always published.
 */
export function createExecutionChannel(
  options: ExecutionChannelOptions = {},
): Required<ExecutionChannel> {
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
        let parsed: ExecutionMessage | ExecutionMessage[];
        try {
          parsed = JSON.parse(raw) as ExecutionMessage | ExecutionMessage[];
        } catch (error) {
          options.onError?.(error);
          return;
        }
        for (const message of Array.isArray(parsed) ? parsed : [parsed]) {
          for (const l of listeners[t]) {
            try {
              l(message);
            } catch (error) {
              options.onError?.(error);
            }
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

  /** Messages of this turn per topic, serialized, and the promise of their one PUBLISH. */
  interface Pending {
    texts: string[];
    done: Promise<void>;
  }
  const pending: Partial<Record<Topic, Pending>> = {};
  /** Subscribers of `events` last seen (undefined: not known yet, publish). */
  let liveListeners: number | undefined;
  let listenersAt = 0;
  let asking = false;
  const recheckMs = options.liveRecheckMs ?? 1000;
  const heard = (count: number) => {
    liveListeners = count;
    listenersAt = Date.now();
  };
  /** False while nobody listens to live events (and asks Redis again now and then). */
  const liveWanted = (): boolean => {
    if (liveListeners !== 0) return true;
    if (!asking && Date.now() - listenersAt >= recheckMs) {
      asking = true;
      void pub
        .pubsub('NUMSUB', channel('events'))
        .then(
          (reply) => heard(Number(reply[1] ?? 0)),
          (error: unknown) => options.onError?.(error),
        )
        .finally(() => (asking = false));
    }
    return false;
  };
  const flush = async (topic: Topic, batch: Pending) => {
    // Yield one turn so every message of this turn joins the batch.
    await new Promise<void>((resolve) => setImmediate(resolve));
    delete pending[topic];
    const body = batch.texts.length === 1 ? batch.texts[0]! : `[${batch.texts.join(',')}]`;
    const receivers = await pub.publish(channel(topic), body);
    if (topic === 'events') heard(receivers);
  };
  const enqueue = (topic: Topic, text: string): Promise<void> => {
    let batch = pending[topic];
    if (!batch) {
      batch = { texts: [], done: Promise.resolve() };
      batch.done = flush(topic, batch);
      pending[topic] = batch;
    }
    batch.texts.push(text);
    return batch.done;
  };

  return {
    publish(message) {
      if (message.type === 'event' && !liveWanted()) return Promise.resolve();
      return enqueue(topicOf(message), JSON.stringify(message));
    },
    publishEvent(meta, eventJson) {
      if (!liveWanted()) return Promise.resolve();
      // Key order and escaping as JSON.stringify of the message object would give.
      const head = JSON.stringify({
        type: 'event',
        executionId: meta.executionId,
        workflowId: meta.workflowId,
        projectId: meta.projectId,
      });
      return enqueue('events', `${head.slice(0, -1)},"event":${eventJson}}`);
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
      // Messages of this turn still go out.
      await Promise.allSettled(Object.values(pending).map((b) => b.done));
      listeners.events.clear();
      listeners.control.clear();
      sub?.disconnect();
      await pub.quit().catch(() => pub.disconnect());
    },
  };
}
