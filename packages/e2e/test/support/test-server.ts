import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer, type RunningServer } from '@budflow/server';

export interface ApiResponse<T = any> {
  status: number;
  body: T;
  headers: Headers;
}

export interface TestServer {
  server: RunningServer;
  url: string;
  dataDir: string;
  /** Calls the API with the current session cookie (or API key). */
  api<T = any>(
    method: string,
    path: string,
    body?: unknown,
    headers?: Record<string, string>,
  ): Promise<ApiResponse<T>>;
  /** Calls any URL of the server without credentials. */
  call(
    method: string,
    path: string,
    init?: { body?: string | FormData | Uint8Array; headers?: Record<string, string> },
  ): Promise<ApiResponse>;
  /** Sets up the owner and keeps the session cookie for `api`. */
  setupOwner(): Promise<void>;
  cookie: string | undefined;
  close(): Promise<void>;
}

const KEY = 'e2e-test-encryption-key-0123456789abcdef';

async function read(res: Response): Promise<ApiResponse> {
  const text = await res.text();
  let body: unknown = text;
  if ((res.headers.get('content-type') ?? '').includes('json') && text !== '')
    body = JSON.parse(text);
  return { status: res.status, body, headers: res.headers };
}

/** Starts a server on a random port with a fresh SQLite data dir (or the given DATABASE_URL). */
export async function startTestServer(env: Record<string, string> = {}): Promise<TestServer> {
  const dataDir = await mkdtemp(join(tmpdir(), 'budflow-e2e-'));
  const server = await startServer({
    env: {
      BUDFLOW_PORT: '0',
      BUDFLOW_HOST: '127.0.0.1',
      BUDFLOW_DATA_DIR: dataDir,
      BUDFLOW_ENCRYPTION_KEY: KEY,
      BUDFLOW_LOG_LEVEL: 'silent',
      BUDFLOW_SHUTDOWN_TIMEOUT: '5',
      BUDFLOW_STORAGE_WORKER: 'off',
      ...env,
    },
  });
  const t: TestServer = {
    server,
    url: server.url,
    dataDir,
    cookie: undefined,
    async call(method, path, init = {}) {
      return read(await fetch(`${server.url}${path}`, { method, ...init }));
    },
    async api(method, path, body, headers = {}) {
      const res = await fetch(`${server.url}/api/v1${path}`, {
        method,
        headers: {
          ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
          ...(t.cookie ? { cookie: t.cookie } : {}),
          ...headers,
        },
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      });
      return read(res);
    },
    async setupOwner() {
      const res = await fetch(`${server.url}/api/v1/owner/setup`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email: 'owner@example.com', password: 'correct horse battery' }),
      });
      if (res.status !== 201)
        throw new Error(`owner setup failed: ${res.status} ${await res.text()}`);
      t.cookie = res.headers.get('set-cookie')!.split(';')[0];
    },
    async close() {
      await server.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
  return t;
}

/** Webhook -> Edit Fields (fixed values) -> (last node answers). */
export function webhookWorkflow(path: string, extra: Record<string, unknown> = {}) {
  return {
    name: `webhook ${path}`,
    nodes: [
      {
        name: 'Webhook',
        type: 'n8n-nodes-base.webhook',
        typeVersion: 2,
        position: [0, 0],
        webhookId: `id-${path}`,
        parameters: { path, httpMethod: 'POST', responseMode: 'lastNode', options: {} },
      },
      {
        name: 'Edit Fields',
        type: 'n8n-nodes-base.set',
        typeVersion: 3.4,
        position: [200, 0],
        parameters: {
          mode: 'manual',
          assignments: {
            assignments: [{ id: 'a1', name: 'greeting', value: 'hello', type: 'string' }],
          },
          includeOtherFields: true,
          options: {},
        },
      },
    ],
    connections: {
      Webhook: { main: [[{ node: 'Edit Fields', type: 'main', index: 0 }]] },
    },
    settings: { executionOrder: 'v1' },
    ...extra,
  };
}

/**
 * The end-to-end scenario: owner, webhook workflow created and activated through the API,
 * the webhook called, the execution read back with its run data. Returns what a test asserts on.
 */
export async function webhookScenario(t: TestServer, path: string) {
  await t.setupOwner();
  const created = await t.api('POST', '/workflows', webhookWorkflow(path));
  if (created.status !== 201) throw new Error(`create failed: ${JSON.stringify(created.body)}`);
  const id = created.body.id as string;
  const activated = await t.api('POST', `/workflows/${id}/activate`);
  const call = await t.call('POST', `/webhook/${path}`, {
    body: JSON.stringify({ name: 'Ada' }),
    headers: { 'content-type': 'application/json' },
  });
  const list = await t.api('GET', `/executions?workflowId=${id}`);
  const executionId = list.body.data[0]?.id as string;
  const execution = await t.api('GET', `/executions/${executionId}`);
  return { id, activated, call, list, execution };
}
