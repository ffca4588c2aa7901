import { mkdtemp, rm } from 'node:fs/promises';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLogger, startServer, type RunningServer } from '@budflow/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { webhookWorkflow } from './support/test-server.js';

// Webhooks are answered by the server's node:http listener, not by Hono; these tests hold that
// path to what the Hono app does for every other request (and for `app.request` callers).
describe('webhook HTTP layer', () => {
  let server: RunningServer;
  let dataDir: string;
  let cookie: string;
  const lines: Array<Record<string, unknown>> = [];

  const api = async (method: string, path: string, body?: unknown) =>
    fetch(`${server.url}/api/v1${path}`, {
      method,
      headers: { 'content-type': 'application/json', cookie },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'budflow-e2e-'));
    server = await startServer({
      env: {
        BUDFLOW_PORT: '0',
        BUDFLOW_HOST: '127.0.0.1',
        BUDFLOW_DATA_DIR: dataDir,
        BUDFLOW_ENCRYPTION_KEY: 'e2e-test-encryption-key-0123456789abcdef',
        BUDFLOW_STORAGE_WORKER: 'off',
      },
      logger: createLogger('debug', {
        write: (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>),
      }),
    });
    const setup = await fetch(`${server.url}/api/v1/owner/setup`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'owner@example.com', password: 'correct horse battery' }),
    });
    cookie = setup.headers.get('set-cookie')!.split(';')[0]!;
    const created = (await (await api('POST', '/workflows', webhookWorkflow('http'))).json()) as {
      id: string;
    };
    expect((await api('POST', `/workflows/${created.id}/activate`)).status).toBe(200);
  });
  afterAll(async () => {
    await server?.close();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  const call = (path: string, headers: Record<string, string> = {}) =>
    fetch(`${server.url}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify({ name: 'Ada' }),
    });

  it('answers with the correlation id, logs the call with it and counts it in the metrics', async () => {
    const res = await call('/webhook/http?x=1', { 'x-request-id': 'trace-42' });
    expect(res.status).toBe(200);
    expect(res.headers.get('x-request-id')).toBe('trace-42');
    expect(res.headers.get('content-type')).toBe('application/json; charset=utf-8');
    const body = (await res.json()) as Record<string, unknown>;
    expect(body).toMatchObject({ greeting: 'hello', body: { name: 'Ada' }, query: { x: '1' } });
    expect(body.webhookUrl).toBe(`${server.url}/webhook/http?x=1`);
    expect((body.headers as Record<string, string>)['x-request-id']).toBe('trace-42');

    const generated = await call('/webhook/http');
    expect(generated.headers.get('x-request-id')).toMatch(/^[\w.-]{8,}$/);

    const logged = lines.find((l) => l.reqId === 'trace-42' && l.msg === 'request');
    expect(logged).toMatchObject({ method: 'POST', path: '/webhook/http', status: 200 });

    const metrics = await (await fetch(`${server.url}/metrics`)).text();
    expect(metrics).toMatch(
      /budflow_http_request_duration_seconds_count\{method="POST",route="\/webhook",status="200"\} [1-9]/,
    );
  });

  it('answers a call the same way through the Hono app', async () => {
    const overHttp = (await (await call('/webhook/http?x=1')).json()) as Record<string, unknown>;
    const res = await server.app.request('http://localhost/webhook/http?x=1', {
      method: 'POST',
      headers: { 'content-type': 'application/json', host: 'localhost' },
      body: JSON.stringify({ name: 'Ada' }),
    });
    expect(res.status).toBe(200);
    const viaApp = (await res.json()) as Record<string, unknown>;
    expect(viaApp.body).toEqual(overHttp.body);
    expect(viaApp.query).toEqual(overHttp.query);
    expect(viaApp.greeting).toBe('hello');
  });

  it('gives unknown webhooks, bad JSON and preflights their answers, with the correlation id', async () => {
    const missing = await call('/webhook/nowhere', { 'x-request-id': 'trace-43' });
    expect(missing.status).toBe(404);
    expect(missing.headers.get('x-request-id')).toBe('trace-43');
    expect(((await missing.json()) as { error: { code: string } }).error.code).toBe(
      'WEBHOOK_NOT_REGISTERED',
    );

    const bad = await fetch(`${server.url}/webhook/http`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"name": ',
    });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { code: string } }).error.code).toBe('BAD_REQUEST');

    const preflight = await fetch(`${server.url}/webhook/http`, {
      method: 'OPTIONS',
      headers: { origin: 'https://example.com' },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-methods')).toBe('POST, OPTIONS');
    expect(preflight.headers.get('access-control-allow-origin')).toBe('https://example.com');
  });

  it('routes a dot-segment path by where it leads, not by how it starts', async () => {
    // `/webhook/../api/v1/workflows` is `/api/v1/workflows`: the API, which needs a session.
    // `fetch` would resolve the dots itself; a raw request target keeps them.
    const res = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const { hostname, port } = new URL(server.url);
      const req = request({ hostname, port, path: '/webhook/../api/v1/workflows' });
      req.on('response', (response) => {
        let body = '';
        response.on('data', (chunk: Buffer) => (body += chunk.toString()));
        response.on('end', () => resolve({ status: response.statusCode ?? 0, body }));
      });
      req.on('error', reject);
      req.end();
    });
    expect(res.status).toBe(401);
    expect(JSON.parse(res.body)).toMatchObject({ error: { code: 'UNAUTHENTICATED' } });
  });
});
