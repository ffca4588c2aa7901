import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { runTestNode } from '../internal/test-harness.js';
import { waitNode, waitResumeWebhookParams } from './wait-node.js';

const NOW = new Date('2026-03-01T10:00:00Z');

beforeEach(() => {
  vi.useFakeTimers();
  vi.setSystemTime(NOW);
});
afterEach(() => {
  vi.useRealTimers();
});

describe('Wait', () => {
  it('sleeps short waits in-process and passes items through', async () => {
    let done = false;
    const pending = runTestNode(waitNode, {
      typeVersion: 1,
      params: { amount: 2, unit: 'seconds' },
      items: [{ a: 1 }],
    }).then((r) => {
      done = true;
      return r;
    });
    await vi.advanceTimersByTimeAsync(1999);
    expect(done).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    const short = await pending;
    expect(short.wait).toBeUndefined();
    expect(short.json).toEqual([{ a: 1 }]);
  });

  it('cancels an in-process wait when the execution is cancelled', async () => {
    const controller = new AbortController();
    const pending = runTestNode(waitNode, {
      typeVersion: 1.1,
      params: { amount: 30 },
      signal: controller.signal,
    });
    controller.abort(new Error('cancelled'));
    await expect(pending).rejects.toThrow('cancelled');
  });

  it('parks long waits, with the v1 default of one hour', async () => {
    const v1Default = await runTestNode(waitNode, { typeVersion: 1, items: [{ a: 1 }] });
    expect(v1Default.wait?.until?.toISOString()).toBe('2026-03-01T11:00:00.000Z');
    expect(v1Default.json).toEqual([{ a: 1 }]);
    const v11 = await runTestNode(waitNode, {
      typeVersion: 1.1,
      params: { amount: 2, unit: 'minutes' },
    });
    expect(v11.wait?.until?.toISOString()).toBe('2026-03-01T10:02:00.000Z');
  });

  it('waits until a specific time in the workflow timezone', async () => {
    const result = await runTestNode(waitNode, {
      typeVersion: 1.1,
      timezone: 'Europe/Berlin',
      params: { resume: 'specificTime', dateTime: '2026-03-02T09:30:00' },
    });
    expect(result.wait?.until?.toISOString()).toBe('2026-03-02T08:30:00.000Z');
    await expect(
      runTestNode(waitNode, {
        typeVersion: 1.1,
        params: { resume: 'specificTime', dateTime: 'soon' },
      }),
    ).rejects.toThrow(/not a valid date/);
  });

  it('waits for a webhook call, forever or up to a limit', async () => {
    const open = await runTestNode(waitNode, { typeVersion: 1.1, params: { resume: 'webhook' } });
    expect(open.wait).toEqual({ until: null });
    const limited = await runTestNode(waitNode, {
      typeVersion: 1.1,
      params: { resume: 'webhook', limitWaitTime: true, resumeAmount: 3, resumeUnit: 'minutes' },
    });
    expect(limited.wait?.until?.toISOString()).toBe('2026-03-01T10:03:00.000Z');
    expect(
      waitResumeWebhookParams({
        resume: 'webhook',
        httpMethod: 'POST',
        incomingAuthentication: 'headerAuth',
      }),
    ).toMatchObject({
      httpMethod: 'POST',
      authentication: 'headerAuth',
      responseMode: 'onReceived',
    });
  });

  it('rejects a negative amount', async () => {
    await expect(runTestNode(waitNode, { params: { amount: -1 } })).rejects.toThrow(
      /Invalid wait amount/,
    );
  });
});
