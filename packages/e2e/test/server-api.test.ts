import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import WebSocket from 'ws';
import { startTestServer, webhookWorkflow, type TestServer } from './support/test-server.js';

const manualFlow = (stopDisabled: boolean) => ({
  name: 'manual',
  nodes: [
    {
      name: 'Start',
      type: 'n8n-nodes-base.manualTrigger',
      typeVersion: 1,
      position: [0, 0],
      parameters: {},
    },
    {
      name: 'Set',
      type: 'n8n-nodes-base.set',
      typeVersion: 3.4,
      position: [200, 0],
      parameters: {
        mode: 'manual',
        assignments: { assignments: [{ id: 'a', name: 'n', value: 1, type: 'number' }] },
        includeOtherFields: true,
        options: {},
      },
    },
    {
      name: 'Stop',
      type: 'n8n-nodes-base.stopAndError',
      typeVersion: 1,
      position: [400, 0],
      disabled: stopDisabled,
      parameters: { errorMessage: 'stopped on purpose' },
    },
  ],
  connections: {
    Start: { main: [[{ node: 'Set', type: 'main', index: 0 }]] },
    Set: { main: [[{ node: 'Stop', type: 'main', index: 0 }]] },
  },
});

describe('server API end to end', () => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer();
    await t.setupOwner();
  });
  afterAll(async () => {
    await t?.close();
  });

  it('runs a workflow manually with pinned data and a destination node', async () => {
    const created = await t.api('POST', '/workflows', manualFlow(false));
    const run = await t.api('POST', `/workflows/${created.body.id}/run`, {
      destinationNode: 'Set',
      pinData: { Start: [{ json: { pinned: true } }] },
    });
    expect(run.status).toBe(200);
    expect(run.body.status).toBe('success');
    const runData = run.body.data.resultData.runData;
    expect(Object.keys(runData).sort()).toEqual(['Set', 'Start']);
    expect(runData.Set[0].data.main[0][0].json).toEqual({ pinned: true, n: 1 });
  });

  it('retries a failed execution from the failed node with the fixed workflow', async () => {
    const created = await t.api('POST', '/workflows', manualFlow(false));
    const id = created.body.id as string;
    const failed = await t.api('POST', `/workflows/${id}/run`, {});
    expect(failed.body.status).toBe('error');
    expect(failed.body.error.message).toContain('stopped on purpose');

    await t.api('PUT', `/workflows/${id}`, manualFlow(true));
    const retried = await t.api('POST', `/executions/${failed.body.executionId}/retry`, {
      loadWorkflow: 'current',
    });
    expect(retried.body).toMatchObject({ status: 'success', retryOf: failed.body.executionId });
    const original = await t.api('GET', `/executions/${failed.body.executionId}?includeData=false`);
    expect(original.body.retrySuccessId).toBe(retried.body.executionId);
  });

  it('keeps versions of a workflow and restores one', async () => {
    const created = await t.api('POST', '/workflows', manualFlow(false));
    const id = created.body.id as string;
    await t.api('PUT', `/workflows/${id}`, { name: 'renamed' });
    const versions = await t.api('GET', `/workflows/${id}/versions`);
    expect(versions.body.data.map((v: { versionNumber: number }) => v.versionNumber)).toEqual([
      2, 1,
    ]);
    const restored = await t.api('POST', `/workflows/${id}/versions/1/restore`);
    expect(restored.body.name).toBe('manual');
    const exported = await t.api('GET', `/workflows/${id}/export`);
    expect(exported.body).toMatchObject({ id, name: 'manual', nodes: expect.any(Array) });
  });

  it('streams execution events as Server-Sent Events', async () => {
    const created = await t.api('POST', '/workflows', manualFlow(true));
    const run = await t.api('POST', `/workflows/${created.body.id}/run`, { wait: false });
    expect(run.status).toBe(202);
    const res = await fetch(`${t.url}/api/v1/executions/${run.body.executionId}/events`, {
      headers: { cookie: t.cookie! },
    });
    expect(res.headers.get('content-type')).toContain('text/event-stream');
    const text = await res.text();
    const types = [...text.matchAll(/^event: (.+)$/gm)].map((m) => m[1]);
    expect(types[0]).toBe('execution.started');
    expect(types).toContain('node.finished');
    expect(types.at(-1)).toBe('execution.finished');
  });

  it('pushes live events over the WebSocket to a signed-in user', async () => {
    const created = await t.api('POST', '/workflows', webhookWorkflow('ws-hook'));
    await t.api('POST', `/workflows/${created.body.id}/activate`);
    const ws = new WebSocket(`${t.url.replace('http', 'ws')}/api/v1/ws`, {
      headers: { cookie: t.cookie! },
    });
    const received: string[] = [];
    const finished = new Promise<void>((resolve, reject) => {
      ws.on('message', (data) => {
        const event = JSON.parse(String(data)) as { type: string };
        received.push(event.type);
        if (event.type === 'execution.finished') resolve();
      });
      ws.on('error', reject);
    });
    await new Promise<void>((resolve, reject) => {
      ws.on('open', () => resolve());
      ws.on('error', reject);
    });
    await t.call('POST', '/webhook/ws-hook', {
      body: '{}',
      headers: { 'content-type': 'application/json' },
    });
    await finished;
    ws.close();
    expect(received[0]).toBe('execution.started');

    const anonymous = new WebSocket(`${t.url.replace('http', 'ws')}/api/v1/ws`);
    const refused = await new Promise<string>((resolve) => {
      anonymous.on('unexpected-response', (_req, res) => resolve(String(res.statusCode)));
      anonymous.on('error', (error) => resolve(error.message));
    });
    expect(refused).toContain('401');
  });

  it('registers a test webhook for one call', async () => {
    const created = await t.api('POST', '/workflows', webhookWorkflow('try-me'));
    const before = await t.call('POST', '/webhook-test/try-me', {
      body: '{}',
      headers: { 'content-type': 'application/json' },
    });
    expect(before.status).toBe(404);
    const listening = await t.api('POST', `/workflows/${created.body.id}/test-webhook`);
    expect(listening.body.webhooks[0].url).toMatch(/\/webhook-test\/try-me$/);
    const first = await t.call('POST', '/webhook-test/try-me', {
      body: '{"a":1}',
      headers: { 'content-type': 'application/json' },
    });
    expect(first.status).toBe(200);
    expect(first.body.body).toEqual({ a: 1 });
    const second = await t.call('POST', '/webhook-test/try-me', {
      body: '{}',
      headers: { 'content-type': 'application/json' },
    });
    expect(second.status).toBe(404);
    const executions = await t.api('GET', `/executions?workflowId=${created.body.id}`);
    expect(executions.body.data[0].mode).toBe('manual');
  });

  it('checks the webhook node basic auth in constant time and parses forms and dynamic paths', async () => {
    const cred = await t.api('POST', '/credentials', {
      name: 'hook auth',
      type: 'httpBasicAuth',
      data: { user: 'alice', password: 'wonderland' },
    });
    const wf = webhookWorkflow('users/:id');
    const webhook = wf.nodes[0] as Record<string, any>;
    webhook.webhookId = 'abc';
    webhook.parameters.authentication = 'basicAuth';
    webhook.credentials = { httpBasicAuth: { id: cred.body.id, name: 'hook auth' } };
    const created = await t.api('POST', '/workflows', wf);
    expect((await t.api('POST', `/workflows/${created.body.id}/activate`)).status).toBe(200);
    const path = '/webhook/abc/users/42';
    const none = await t.call('POST', path, {
      body: 'a=1',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(none.status).toBe(401);
    const wrong = await t.call('POST', path, {
      body: 'a=1',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        authorization: `Basic ${Buffer.from('alice:nope').toString('base64')}`,
      },
    });
    expect(wrong.status).toBe(403);
    const ok = await t.call('POST', path, {
      body: 'a=1&a=2&b=x',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        authorization: `Basic ${Buffer.from('alice:wonderland').toString('base64')}`,
      },
    });
    expect(ok.status).toBe(200);
    expect(ok.body.params).toEqual({ id: '42' });
    expect(ok.body.body).toEqual({ a: ['1', '2'], b: 'x' });
    expect(JSON.stringify(ok.body)).not.toContain('wonderland');
  });

  it('turns uploaded files into binary data', async () => {
    const created = await t.api('POST', '/workflows', webhookWorkflow('upload'));
    await t.api('POST', `/workflows/${created.body.id}/activate`);
    const form = new FormData();
    form.append('title', 'report');
    form.append('file', new Blob(['hello file'], { type: 'text/plain' }), 'hello.txt');
    await t.call('POST', '/webhook/upload', { body: form });
    const list = await t.api('GET', `/executions?workflowId=${created.body.id}`);
    const execution = await t.api('GET', `/executions/${list.body.data[0].id}`);
    const item = execution.body.data.resultData.runData.Webhook[0].data.main[0][0];
    expect(item.json.body).toEqual({ title: 'report' });
    expect(item.binary.file).toMatchObject({ fileName: 'hello.txt', mimeType: 'text/plain' });
    expect(Buffer.from(item.binary.file.data, 'base64').toString()).toBe('hello file');
  });

  it('parks an execution at a Wait node and resumes it on /webhook-waiting/<id>', async () => {
    const created = await t.api('POST', '/workflows', {
      name: 'wait for call',
      nodes: [
        {
          name: 'Start',
          type: 'n8n-nodes-base.manualTrigger',
          typeVersion: 1,
          position: [0, 0],
          parameters: {},
        },
        {
          name: 'Wait',
          type: 'n8n-nodes-base.wait',
          typeVersion: 1.1,
          position: [200, 0],
          webhookId: 'wait-hook',
          parameters: { resume: 'webhook', httpMethod: 'POST', options: {} },
        },
        {
          name: 'Set',
          type: 'n8n-nodes-base.set',
          typeVersion: 3.4,
          position: [400, 0],
          parameters: {
            mode: 'manual',
            assignments: {
              assignments: [{ id: 'a', name: 'resumed', value: true, type: 'boolean' }],
            },
            includeOtherFields: true,
            options: {},
          },
        },
      ],
      connections: {
        Start: { main: [[{ node: 'Wait', type: 'main', index: 0 }]] },
        Wait: { main: [[{ node: 'Set', type: 'main', index: 0 }]] },
      },
    });
    const run = await t.api('POST', `/workflows/${created.body.id}/run`, {});
    expect(run.body.status).toBe('waiting');
    const executionId = run.body.executionId as string;
    const waiting = await t.api('GET', `/executions/${executionId}?includeData=false`);
    expect(waiting.body).toMatchObject({ status: 'waiting', waitTill: null });

    const resumed = await t.call('POST', `/webhook-waiting/${executionId}`, {
      body: JSON.stringify({ approved: true }),
      headers: { 'content-type': 'application/json' },
    });
    expect(resumed.status).toBe(200);
    expect(resumed.body).toMatchObject({ resumed: true, body: { approved: true } });
    const done = await t.api('GET', `/executions/${executionId}`);
    expect(done.body.status).toBe('success');
    expect(Object.keys(done.body.data.resultData.runData).sort()).toEqual(['Set', 'Start', 'Wait']);

    const again = await t.call('POST', `/webhook-waiting/${executionId}`, {
      body: '{}',
      headers: { 'content-type': 'application/json' },
    });
    expect(again.status).toBe(404);
  });

  it('runs the error workflow with the Error Trigger payload when a workflow fails', async () => {
    const handler = await t.api('POST', '/workflows', {
      name: 'on error',
      nodes: [
        {
          name: 'Error Trigger',
          type: 'n8n-nodes-base.errorTrigger',
          typeVersion: 1,
          position: [0, 0],
          parameters: {},
        },
      ],
      connections: {},
    });
    const failing = await t.api('POST', '/workflows', {
      ...manualFlow(false),
      name: 'fails with handler',
      settings: { errorWorkflow: handler.body.id },
    });
    const run = await t.api('POST', `/workflows/${failing.body.id}/run`, {});
    expect(run.body.status).toBe('error');
    const handled = await vi.waitFor(
      async () => {
        const list = await t.api('GET', `/executions?workflowId=${handler.body.id}&status=success`);
        expect(list.body.data).toHaveLength(1);
        return list.body.data[0];
      },
      { timeout: 10_000, interval: 50 },
    );
    expect(handled.mode).toBe('error');
    const execution = await t.api('GET', `/executions/${handled.id}`);
    const payload = execution.body.data.resultData.runData['Error Trigger'][0].data.main[0][0].json;
    expect(payload.execution.id).toBe(run.body.executionId);
    expect(payload.execution.lastNodeExecuted).toBe('Stop');
    expect(payload.workflow).toMatchObject({ id: failing.body.id, name: 'fails with handler' });
  });
});
