import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { createBroadcast, createLeaderElection, type ClusterMessage } from '../../src/index.js';

const url = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const admin = new Redis(url);

afterAll(async () => {
  await admin.quit();
});

const uniqueKey = () => `budflow-test:leader:${randomBytes(6).toString('hex')}`;

/** Polls until `check` holds (bounded). */
async function until(check: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('leader election', () => {
  it('elects exactly one leader among three mains', async () => {
    const key = uniqueKey();
    const mains = [1, 2, 3].map(() => createLeaderElection({ url, key, ttlMs: 1000 }));
    try {
      await Promise.all(mains.map((m) => m.start()));
      expect(mains.filter((m) => m.isLeader)).toHaveLength(1);
      const leader = mains.find((m) => m.isLeader)!;
      expect(await leader.isCurrent(leader.token!)).toBe(true);
    } finally {
      await Promise.all(mains.map((m) => m.stop()));
      await admin.del(key, `${key}:fence`);
    }
  });

  it('moves leadership when the leader dies, with a higher fencing token', async () => {
    const key = uniqueKey();
    const deadClient = new Redis(url);
    const a = createLeaderElection({ url, key, ttlMs: 800, redis: deadClient, id: 'a' });
    const b = createLeaderElection({ url, key, ttlMs: 800, id: 'b' });
    const changes: Array<{ isLeader: boolean; token: number | undefined }> = [];
    b.onLeadershipChange((c) => changes.push(c));
    try {
      await a.start();
      await b.start();
      expect(a.isLeader).toBe(true);
      expect(b.isLeader).toBe(false);
      const first = a.token!;
      // The leader's process dies: its connection drops and it stops renewing.
      deadClient.disconnect();
      await until(() => b.isLeader);
      expect(b.token).toBeGreaterThan(first);
      expect(changes).toEqual([{ isLeader: true, token: b.token }]);
      // The old term is fenced off.
      expect(await b.isCurrent(first)).toBe(false);
    } finally {
      await a.stop().catch(() => undefined);
      await b.stop();
      await admin.del(key, `${key}:fence`);
    }
  });

  it('hands over at once when the leader stops gracefully', async () => {
    const key = uniqueKey();
    const a = createLeaderElection({ url, key, ttlMs: 60_000, intervalMs: 50, id: 'a' });
    const b = createLeaderElection({ url, key, ttlMs: 60_000, intervalMs: 50, id: 'b' });
    try {
      await a.start();
      await b.start();
      expect(a.isLeader).toBe(true);
      await a.stop();
      // The lease was released: b does not wait for the 60 s TTL.
      await until(() => b.isLeader, 5_000);
    } finally {
      await b.stop();
      await admin.del(key, `${key}:fence`);
    }
  });

  it('a leader whose lease was taken steps down', async () => {
    const key = uniqueKey();
    const a = createLeaderElection({ url, key, ttlMs: 5_000, intervalMs: 50, id: 'a' });
    const seen: boolean[] = [];
    a.onLeadershipChange((c) => seen.push(c.isLeader));
    try {
      await a.start();
      expect(a.isLeader).toBe(true);
      await admin.set(key, 'intruder#999', 'PX', 5_000);
      await until(() => !a.isLeader);
      expect(seen).toEqual([true, false]);
    } finally {
      await a.stop();
      await admin.del(key, `${key}:fence`);
    }
  });
});

describe('broadcast', () => {
  it('delivers activation changes to the other mains, not back to the sender', async () => {
    const channel = `budflow-test:cluster:${randomBytes(6).toString('hex')}`;
    const one = createBroadcast({ url, channel });
    const two = createBroadcast({ url, channel });
    const atOne: ClusterMessage[] = [];
    const atTwo: ClusterMessage[] = [];
    one.subscribe((m) => atOne.push(m));
    two.subscribe((m) => atTwo.push(m));
    try {
      await Promise.all([one.ready(), two.ready()]);
      await one.publish({ type: 'workflow.activated', workflowId: 'w1' });
      await until(() => atTwo.length === 1);
      expect(atTwo).toEqual([{ type: 'workflow.activated', workflowId: 'w1' }]);
      expect(atOne).toEqual([]);
    } finally {
      await one.close();
      await two.close();
    }
  });
});
