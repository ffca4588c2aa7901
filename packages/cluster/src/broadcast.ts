import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import { createRedis, defaultRedisUrl } from './redis.js';

/** A change one main tells the others about. */
export type ClusterMessage =
  | { type: 'workflow.activated'; workflowId: string }
  | { type: 'workflow.deactivated'; workflowId: string }
  | { type: string; [field: string]: unknown };

export interface BroadcastOptions {
  url?: string;
  /** Pub/sub channel (default `budflow:cluster`). */
  channel?: string;
  onError?: (error: unknown) => void;
}

export interface Broadcast {
  /** This process's sender id: its own messages are not delivered back to it. */
  readonly id: string;
  publish(message: ClusterMessage): Promise<void>;
  subscribe(listener: (message: ClusterMessage) => void): () => void;
  /** Resolves once the subscription is live (messages published before are not seen). */
  ready(): Promise<void>;
  close(): Promise<void>;
}

interface Envelope {
  from: string;
  message: ClusterMessage;
}

/** Redis pub/sub between mains: activation changes and other cluster-wide notices. */
export function createBroadcast(options: BroadcastOptions = {}): Broadcast {
  const url = options.url ?? defaultRedisUrl();
  const channel = options.channel ?? 'budflow:cluster';
  const id = randomBytes(8).toString('hex');
  const pub: Redis = createRedis(url);
  const sub: Redis = createRedis(url);
  const listeners = new Set<(message: ClusterMessage) => void>();
  const subscribed = sub.subscribe(channel).then(() => undefined);
  subscribed.catch((error: unknown) => options.onError?.(error));
  sub.on('message', (from: string, raw: string) => {
    if (from !== channel) return;
    let envelope: Envelope;
    try {
      envelope = JSON.parse(raw) as Envelope;
    } catch (error) {
      options.onError?.(error);
      return;
    }
    if (envelope.from === id || typeof envelope.message?.type !== 'string') return;
    for (const l of listeners) {
      try {
        l(envelope.message);
      } catch (error) {
        options.onError?.(error);
      }
    }
  });
  return {
    id,
    async publish(message) {
      await pub.publish(channel, JSON.stringify({ from: id, message } satisfies Envelope));
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    ready: () => subscribed,
    async close() {
      listeners.clear();
      sub.disconnect();
      pub.disconnect();
    },
  };
}
