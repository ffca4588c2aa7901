import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, webhookWorkflow, type TestServer } from './support/test-server.js';

describe('server end to end (SQLite)', () => {
  let t: TestServer;
  beforeAll(async () => {
    // Execution events are committed by the storage writer worker thread here.
    t = await startTestServer({ BUDFLOW_STORAGE_WORKER: 'on' });
  });
  afterAll(async () => {
    await t?.close();
  });

  it('reports health and readiness', async () => {
    expect((await t.call('GET', '/healthz')).body).toEqual({ status: 'ok' });
    const ready = await t.call('GET', '/readyz');
    expect(ready.status).toBe(200);
    expect(ready.body.database).toBe('ok');
  });

  it('refuses the API before sign-in and answers unknown routes with JSON 404', async () => {
    const res = await t.api('GET', '/workflows');
    expect(res.status).toBe(401);
    expect(res.body.error.code).toBe('UNAUTHENTICATED');
    const missing = await t.call('GET', '/no/such/route');
    expect(missing.status).toBe(404);
    const traced = await t.call('POST', '/webhook/nowhere', {
      headers: { 'x-request-id': 'trace-1' },
    });
    expect(traced.status).toBe(404);
    expect(traced.headers.get('x-request-id')).toBe('trace-1');
    expect(missing.body.error.code).toBe('NOT_FOUND');
  });

  it('creates the owner once', async () => {
    expect((await t.api('GET', '/owner')).body).toEqual({ setUp: false });
    await t.setupOwner();
    expect((await t.api('GET', '/owner')).body).toEqual({ setUp: true });
    const again = await t.api('POST', '/owner/setup', {
      email: 'x@example.com',
      password: '12345678',
    });
    expect(again.status).toBe(409);
    const me = await t.api('GET', '/me');
    expect(me.body.email).toBe('owner@example.com');
    expect(me.body).not.toHaveProperty('passwordHash');
  });

  it('answers malformed JSON with 400, not 500', async () => {
    const res = await fetch(`${t.url}/api/v1/workflows`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', cookie: t.cookie! },
      body: '{"name": ',
    });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('BAD_REQUEST');
  });

  it('validates request bodies and lists the problems', async () => {
    const res = await t.api('POST', '/workflows', { name: 5 });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('VALIDATION_FAILED');
    const paths = res.body.error.details.problems.map((p: { path: string }) => p.path);
    expect(paths).toEqual(expect.arrayContaining(['name', 'nodes']));
  });

  it('creates, activates and calls a webhook workflow, then reads the execution with its run data', async () => {
    const created = await t.api('POST', '/workflows', webhookWorkflow('hello'));
    expect(created.status).toBe(201);
    const id = created.body.id as string;

    const before = await t.call('POST', '/webhook/hello', {
      body: '{}',
      headers: { 'content-type': 'application/json' },
    });
    expect(before.status).toBe(404);
    expect(before.body.error.message).toContain('activate');

    const activated = await t.api('POST', `/workflows/${id}/activate`);
    expect(activated.status).toBe(200);
    expect(activated.body.active).toBe(true);

    const call = await t.call('POST', '/webhook/hello?x=1', {
      body: JSON.stringify({ name: 'Ada' }),
      headers: { 'content-type': 'application/json' },
    });
    expect(call.status).toBe(200);
    expect(call.body.greeting).toBe('hello');
    expect(call.body.body).toEqual({ name: 'Ada' });
    expect(call.body.query).toEqual({ x: '1' });

    const list = await t.api('GET', `/executions?workflowId=${id}`);
    expect(list.body.data).toHaveLength(1);
    const execution = list.body.data[0];
    expect(execution.status).toBe('success');
    expect(execution.mode).toBe('webhook');

    const full = await t.api('GET', `/executions/${execution.id}`);
    const runData = full.body.data.resultData.runData;
    expect(Object.keys(runData).sort()).toEqual(['Edit Fields', 'Webhook']);
    expect(runData['Edit Fields'][0].data.main[0][0].json.greeting).toBe('hello');
    expect(runData.Webhook[0].data.main[0][0].json.body).toEqual({ name: 'Ada' });

    const deactivated = await t.api('POST', `/workflows/${id}/deactivate`);
    expect(deactivated.body.active).toBe(false);
    const after = await t.call('POST', '/webhook/hello', {
      body: '{}',
      headers: { 'content-type': 'application/json' },
    });
    expect(after.status).toBe(404);
  });

  it('answers through a Respond to Webhook node with its status code and body', async () => {
    const wf = {
      name: 'respond',
      nodes: [
        {
          name: 'Webhook',
          type: 'n8n-nodes-base.webhook',
          typeVersion: 2,
          position: [0, 0],
          parameters: {
            path: 'respond',
            httpMethod: 'POST',
            responseMode: 'responseNode',
            options: {},
          },
        },
        {
          name: 'Respond',
          type: 'n8n-nodes-base.respondToWebhook',
          typeVersion: 1.1,
          position: [200, 0],
          parameters: {
            respondWith: 'json',
            responseBody: '{"ok":true}',
            options: { responseCode: 201 },
          },
        },
      ],
      connections: { Webhook: { main: [[{ node: 'Respond', type: 'main', index: 0 }]] } },
    };
    const created = await t.api('POST', '/workflows', wf);
    expect((await t.api('POST', `/workflows/${created.body.id}/activate`)).status).toBe(200);
    const res = await t.call('POST', '/webhook/respond', {
      body: '{}',
      headers: { 'content-type': 'application/json' },
    });
    expect(res.status).toBe(201);
    expect(res.body).toEqual({ ok: true });
  });

  it('never turns a failing workflow into a 500 in onReceived mode', async () => {
    const wf = {
      name: 'fails',
      nodes: [
        {
          name: 'Webhook',
          type: 'n8n-nodes-base.webhook',
          typeVersion: 2,
          position: [0, 0],
          parameters: { path: 'fails', httpMethod: 'POST', options: {} },
        },
        {
          name: 'Stop',
          type: 'n8n-nodes-base.stopAndError',
          typeVersion: 1,
          position: [200, 0],
          parameters: { errorMessage: 'boom' },
        },
      ],
      connections: { Webhook: { main: [[{ node: 'Stop', type: 'main', index: 0 }]] } },
    };
    const created = await t.api('POST', '/workflows', wf);
    await t.api('POST', `/workflows/${created.body.id}/activate`);
    const res = await t.call('POST', '/webhook/fails', {
      body: '{}',
      headers: { 'content-type': 'application/json' },
    });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ message: 'Workflow was started' });
  });

  it('keeps credential values write-only', async () => {
    const created = await t.api('POST', '/credentials', {
      name: 'basic',
      type: 'httpBasicAuth',
      data: { user: 'u', password: 'super-secret-value' },
    });
    expect(created.status).toBe(201);
    expect(JSON.stringify(created.body)).not.toContain('super-secret-value');
    const got = await t.api('GET', `/credentials/${created.body.id}`);
    expect(JSON.stringify(got.body)).not.toContain('super-secret-value');
    const list = await t.api('GET', '/credentials');
    expect(JSON.stringify(list.body)).not.toContain('super-secret-value');
  });

  it('authenticates with an API key shown once', async () => {
    const created = await t.api('POST', '/api-keys', { label: 'ci' });
    expect(created.status).toBe(201);
    const key = created.body.key as string;
    const listed = await t.api('GET', '/api-keys');
    expect(JSON.stringify(listed.body)).not.toContain(key);
    const res = await fetch(`${t.url}/api/v1/workflows`, { headers: { 'x-budflow-api-key': key } });
    expect(res.status).toBe(200);
    const bad = await fetch(`${t.url}/api/v1/workflows`, {
      headers: { 'x-budflow-api-key': `${key}x` },
    });
    expect(bad.status).toBe(401);
  });

  it('serves the OpenAPI 3.1 document and Prometheus metrics', async () => {
    const doc = await t.call('GET', '/api/v1/openapi.json');
    expect(doc.body.openapi).toBe('3.1.0');
    expect(Object.keys(doc.body.paths)).toEqual(
      expect.arrayContaining(['/workflows', '/executions/{id}']),
    );
    const metrics = await t.call('GET', '/metrics');
    expect(metrics.body).toContain('budflow_executions_total');
    expect(metrics.body).toContain('budflow_http_request_duration_seconds');
  });
});

describe('payload limit', () => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer({ BUDFLOW_PAYLOAD_LIMIT: '1kb', BUDFLOW_API_PAYLOAD_LIMIT: '2kb' });
  });
  afterAll(async () => {
    await t?.close();
  });

  it('answers 413 for a body over the limit', async () => {
    const big = JSON.stringify({ text: 'x'.repeat(5000) });
    const webhook = await t.call('POST', '/webhook/anything', {
      body: big,
      headers: { 'content-type': 'application/json' },
    });
    expect(webhook.status).toBe(413);
    expect(webhook.body.error.code).toBe('PAYLOAD_TOO_LARGE');
    // Without a content-length (chunked), the limit is enforced while reading.
    await t.setupOwner();
    const created = await t.api('POST', '/workflows', webhookWorkflow('small'));
    await t.api('POST', `/workflows/${created.body.id}/activate`);
    const chunked = await fetch(`${t.url}/webhook/small`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: new ReadableStream({
        start(controller) {
          controller.enqueue(new TextEncoder().encode(big));
          controller.close();
        },
      }),
      duplex: 'half',
    });
    expect(chunked.status).toBe(413);
    const api = await t.call('POST', '/api/v1/login', {
      body: big,
      headers: { 'content-type': 'application/json' },
    });
    expect(api.status).toBe(413);
  });
});
