import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, webhookScenario, type TestServer } from './support/test-server.js';

const DATABASE_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

describe('server end to end (PostgreSQL)', () => {
  let t: TestServer;
  beforeAll(async () => {
    // A fresh schema per run, so earlier runs never leak in.
    t = await startTestServer({
      DATABASE_URL,
      BUDFLOW_DATABASE_SCHEMA: `e2e_${randomBytes(6).toString('hex')}`,
      BUDFLOW_STORAGE_WORKER: 'on',
    });
  });
  afterAll(async () => {
    await t?.close();
  });

  it('runs the webhook scenario and stores the execution with its run data', async () => {
    const ready = await t.call('GET', '/readyz');
    expect(ready.body).toMatchObject({ status: 'ready', database: 'ok' });
    const { activated, call, list, execution } = await webhookScenario(t, 'pg-hello');
    expect(activated.status).toBe(200);
    expect(call.status).toBe(200);
    expect(call.body).toMatchObject({ greeting: 'hello', body: { name: 'Ada' } });
    expect(list.body.data).toHaveLength(1);
    expect(execution.body.status).toBe('success');
    const runData = execution.body.data.resultData.runData;
    expect(runData['Edit Fields'][0].data.main[0][0].json.greeting).toBe('hello');
    expect(runData.Webhook[0].data.main[0][0].json.body).toEqual({ name: 'Ada' });
  });
});
