import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startTestServer, webhookWorkflow, type TestServer } from './support/test-server.js';

async function login(t: TestServer, email: string, password: string) {
  const res = await fetch(`${t.url}/api/v1/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, password }),
  });
  return { status: res.status, cookie: res.headers.get('set-cookie')?.split(';')[0] };
}

describe('server access control and limits', () => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer({ BUDFLOW_LOGIN_RATE_LIMIT: '3', BUDFLOW_WEBHOOK_RATE_LIMIT: '2' });
    await t.setupOwner();
  });
  afterAll(async () => {
    await t?.close();
  });

  it('keeps members to their own projects', async () => {
    const ownerFlow = await t.api('POST', '/workflows', webhookWorkflow('owner-only'));
    const created = await t.api('POST', '/users', {
      email: 'member@example.com',
      password: 'member-password',
      role: 'member',
    });
    expect(created.status).toBe(201);
    const member = await login(t, 'member@example.com', 'member-password');
    expect(member.status).toBe(200);
    const as = { cookie: member.cookie! };

    const hidden = await t.api('GET', `/workflows/${ownerFlow.body.id}`, undefined, as);
    expect(hidden.status).toBe(404);
    const list = await t.api('GET', '/workflows', undefined, as);
    expect(list.body.data.map((w: { id: string }) => w.id)).not.toContain(ownerFlow.body.id);

    const mine = await t.api('POST', '/workflows', webhookWorkflow('member-flow'), as);
    expect(mine.status).toBe(201);
    expect((await t.api('GET', `/workflows/${mine.body.id}`, undefined, as)).status).toBe(200);
    expect((await t.api('GET', '/users', undefined, as)).status).toBe(403);
    // The owner sees everything.
    expect((await t.api('GET', `/workflows/${mine.body.id}`)).status).toBe(200);
  });

  it('rate-limits failed logins per email and client', async () => {
    for (let i = 0; i < 3; i++) {
      expect((await login(t, 'owner@example.com', 'wrong password')).status).toBe(401);
    }
    expect((await login(t, 'owner@example.com', 'correct horse battery')).status).toBe(429);
  });

  it('rate-limits a webhook per second when configured', async () => {
    const created = await t.api('POST', '/workflows', webhookWorkflow('limited'));
    await t.api('POST', `/workflows/${created.body.id}/activate`);
    // The server runs in this process: a frozen clock keeps every call in one rate window.
    vi.useFakeTimers({ toFake: ['Date'], now: new Date('2026-01-01T00:00:00.100Z') });
    try {
      const statuses: number[] = [];
      for (let i = 0; i < 5; i++) {
        const res = await t.call('POST', '/webhook/limited', {
          body: '{}',
          headers: { 'content-type': 'application/json' },
        });
        statuses.push(res.status);
      }
      expect(statuses).toEqual([200, 200, 429, 429, 429]);
    } finally {
      vi.useRealTimers();
    }
  });
});
