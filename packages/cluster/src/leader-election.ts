import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import { createRedis, defaultRedisUrl } from './redis.js';

/**
 * Takes the lease when nobody holds it (`SET NX PX`) and stamps it with a fencing token: a counter
 * that only grows, so a leader that paused past its lease can be told apart from the new one.
 * KEYS: lease, fence counter. ARGV: holder id, ttl ms. Returns the token, or nil when taken.
 */
const ACQUIRE = `
local token = tonumber(redis.call('GET', KEYS[2]) or '0') + 1
if redis.call('SET', KEYS[1], ARGV[1] .. '#' .. token, 'NX', 'PX', ARGV[2]) then
  redis.call('SET', KEYS[2], token)
  return token
end
return nil`;

/** Extends the lease only while it still holds our value. KEYS: lease. ARGV: value, ttl ms. */
const RENEW = `
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('PEXPIRE', KEYS[1], ARGV[2])
end
return 0`;

/** Deletes the lease only while it still holds our value. KEYS: lease. ARGV: value. */
const RELEASE = `
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0`;

export interface LeadershipChange {
  isLeader: boolean;
  /** The fencing token of this term (set while leader). */
  token: number | undefined;
}

export interface LeaderElectionOptions {
  /** Redis URL (default `REDIS_URL`, else `redis://127.0.0.1:6379`). */
  url?: string;
  /** Use this client instead of opening one (it is not closed by `stop`). */
  redis?: Redis;
  /** Lease key (default `budflow:leader`); the fence counter is `<key>:fence`. */
  key?: string;
  /** This process (default host:pid:random). */
  id?: string;
  /** Lease time to live (default 5 s): how long a dead leader blocks the others. */
  ttlMs?: number;
  /** How often the leader renews and followers try to take over (default a third of the TTL). */
  intervalMs?: number;
  onLeadershipChange?: (change: LeadershipChange) => void;
  onError?: (error: unknown) => void;
}

export interface LeaderElection {
  readonly id: string;
  readonly isLeader: boolean;
  /** The fencing token of the current term, undefined when not leader. */
  readonly token: number | undefined;
  /** Starts competing; resolves after the first attempt. */
  start(): Promise<void>;
  /** Stops competing and releases the lease when held (another main takes over at once). */
  stop(): Promise<void>;
  onLeadershipChange(listener: (change: LeadershipChange) => void): () => void;
  /** True while `token` is still the newest term (check before a write that must not race). */
  isCurrent(token: number): Promise<boolean>;
}

interface ScriptClient extends Redis {
  budflowAcquire(lease: string, fence: string, id: string, ttl: number): Promise<number | null>;
  budflowRenew(lease: string, value: string, ttl: number): Promise<number>;
  budflowRelease(lease: string, value: string): Promise<number>;
}

/**
 * Leader election over one Redis key: exactly one main holds the lease and runs pollers and
 * other non-BullMQ timers. The leader renews every `intervalMs`; when it dies the lease lapses
 * after `ttlMs` and a follower takes it at its next attempt. A leader that cannot renew in time
 * (Redis unreachable) steps down before its lease can lapse, so two leaders never overlap.
 */
export function createLeaderElection(options: LeaderElectionOptions = {}): LeaderElection {
  const key = options.key ?? 'budflow:leader';
  const fenceKey = `${key}:fence`;
  const id = options.id ?? `${hostname()}:${process.pid}:${randomBytes(4).toString('hex')}`;
  const ttlMs = options.ttlMs ?? 5_000;
  const intervalMs = options.intervalMs ?? Math.max(50, Math.floor(ttlMs / 3));
  const owned = options.redis === undefined;
  const redis = (options.redis ?? createRedis(options.url ?? defaultRedisUrl())) as ScriptClient;
  redis.defineCommand('budflowAcquire', { numberOfKeys: 2, lua: ACQUIRE });
  redis.defineCommand('budflowRenew', { numberOfKeys: 1, lua: RENEW });
  redis.defineCommand('budflowRelease', { numberOfKeys: 1, lua: RELEASE });

  const listeners = new Set<(change: LeadershipChange) => void>();
  if (options.onLeadershipChange) listeners.add(options.onLeadershipChange);
  let token: number | undefined;
  let renewedAt = 0;
  let timer: NodeJS.Timeout | undefined;
  let running = false;
  let ticking: Promise<void> | undefined;

  const value = () => `${id}#${token}`;
  const emit = () => {
    const change = { isLeader: token !== undefined, token };
    for (const l of listeners) {
      try {
        l(change);
      } catch (error) {
        options.onError?.(error);
      }
    }
  };
  const stepDown = () => {
    if (token === undefined) return;
    token = undefined;
    emit();
  };

  const tick = async () => {
    const started = Date.now();
    try {
      if (token !== undefined) {
        const ok = await redis.budflowRenew(key, value(), ttlMs);
        if (ok === 1) renewedAt = started;
        else stepDown();
      } else {
        const got = await redis.budflowAcquire(key, fenceKey, id, ttlMs);
        if (got !== null && running) {
          token = Number(got);
          renewedAt = started;
          emit();
        } else if (got !== null) {
          await redis.budflowRelease(key, `${id}#${got}`);
        }
      }
    } catch (error) {
      options.onError?.(error);
      // Could not renew: give up before the lease lapses and someone else may take it.
      if (token !== undefined && Date.now() - renewedAt > ttlMs - intervalMs) stepDown();
    }
  };

  const schedule = () => {
    if (!running) return;
    timer = setTimeout(() => {
      ticking = tick().finally(() => {
        ticking = undefined;
        schedule();
      });
    }, intervalMs);
    timer.unref();
  };

  return {
    id,
    get isLeader() {
      return token !== undefined;
    },
    get token() {
      return token;
    },
    async start() {
      if (running) return;
      running = true;
      await tick();
      schedule();
    },
    async stop() {
      running = false;
      if (timer) clearTimeout(timer);
      await ticking;
      if (token !== undefined) {
        const held = value();
        stepDown();
        await redis.budflowRelease(key, held).catch((error: unknown) => options.onError?.(error));
      }
      if (owned) redis.disconnect();
    },
    onLeadershipChange(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    async isCurrent(candidate) {
      const current = await redis.get(key);
      return current !== null && current === `${id}#${candidate}`;
    },
  };
}
