import { spawn, type ChildProcess } from 'node:child_process';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runWorkflow } from '@budflow/core';
import { createExecutionRecorder, createStorage, type Storage } from '@budflow/storage';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultRegistry } from './registry.js';
import { workflowFromText } from './workflow-file.js';

/**
 * Every command through a child process, as a user runs it:
 * `tsx --conditions=@budflow/source apps/cli/src/bin.ts ...` on a temporary data dir.
 */
const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const TSX = join(ROOT, 'node_modules/.bin/tsx');
const BIN = join(ROOT, 'apps/cli/src/bin.ts');
const EXAMPLES = join(ROOT, 'examples');
const KEY = 'cli-test-encryption-key-0123456789abcdef';
const SLOW = 180_000;

interface Result {
  code: number | null;
  stdout: string;
  stderr: string;
}

let dataDir: string;
let work: string;

function start(args: string[], env: Record<string, string> = {}): ChildProcess {
  return spawn(TSX, ['--conditions=@budflow/source', BIN, ...args], {
    cwd: ROOT,
    env: {
      ...process.env,
      BUDFLOW_DATA_DIR: dataDir,
      BUDFLOW_ENCRYPTION_KEY: KEY,
      BUDFLOW_URL: '',
      BUDFLOW_API_KEY: '',
      DATABASE_URL: '',
      TZ: 'UTC',
      ...env,
    },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
}

function budflow(
  args: string[],
  options: { env?: Record<string, string>; stdin?: string } = {},
): Promise<Result> {
  const child = start(args, options.env);
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  child.stdin!.end(options.stdin ?? '');
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr })));
}

const parse = <T = any>(result: Result): T => {
  try {
    return JSON.parse(result.stdout) as T;
  } catch {
    throw new Error(`not JSON (exit ${result.code}):\n${result.stdout}\n${result.stderr}`);
  }
};

async function withStorage<T>(fn: (storage: Storage) => Promise<T>): Promise<T> {
  const storage = await createStorage({ dialect: 'sqlite', dataDir }, { encryptionKey: KEY });
  try {
    return await fn(storage);
  } finally {
    await storage.close();
  }
}

/** A stand-in for a running server: records requests, answers like the real routes. */
async function fakeServer(
  handler: (req: IncomingMessage) => { status: number; body: string; type?: string },
): Promise<{ url: string; requests: IncomingMessage[]; close: () => Promise<void> }> {
  const requests: IncomingMessage[] = [];
  const server: Server = createServer((req, res) => {
    requests.push(req);
    const answer = handler(req);
    res.writeHead(answer.status, { 'content-type': answer.type ?? 'application/json' });
    res.end(answer.body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'budflow-cli-'));
  dataDir = join(work, 'data');
});
afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

describe('budflow (child process)', { timeout: SLOW }, () => {
  it('suggests the command on a typo and exits 2', async () => {
    const result = await budflow(['valdate', 'x.yaml']);
    expect(result.code, result.stderr).toBe(2);
    expect(result.stderr).toMatch(/unknown command 'valdate'/);
    expect(result.stderr).toMatch(/Did you mean validate\?/);
  });

  it('bench: times a workflow and prints its figures; a bad --repeat is a usage error', async () => {
    const result = await budflow([
      'bench',
      '../shared/bench/workflows/branching-pinned.json',
      '--repeat',
      '3',
      '--json',
    ]);
    expect(result.code, result.stderr).toBe(0);
    const figures = parse<{ runs: number; execPerSec: number; p99Ms: number }>(result);
    expect(figures.runs).toBe(3);
    expect(figures.execPerSec).toBeGreaterThan(0);
    expect((await budflow(['bench', 'x.json', '--repeat', '0'])).code).toBe(2);
  });

  it('run: a YAML workflow with a pinned HTTP response, as JSON', async () => {
    const result = await budflow([
      'run',
      'examples/schedule-http-filter-aggregate.yaml',
      '--pin',
      'Fetch orders=@examples/data/orders.json',
      '--json',
    ]);
    expect(result.code, result.stderr).toBe(0);
    const run = parse(result);
    expect(run.status).toBe('success');
    expect(run.data.resultData.runData['Collect ids'][0].data.main[0][0].json).toEqual({
      id: ['A-1', 'A-3'],
    });
    // --json keeps stderr free of progress lines.
    expect(result.stderr).toBe('');
  });

  it('run: --input feeds the start node, --to stops at a node; plain output lists nodes', async () => {
    const result = await budflow([
      'run',
      'examples/webhook-transform-respond.yaml',
      '--input',
      '{"body":{"name":"Grace"}}',
      '--to',
      'Build greeting',
    ]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain('▸ Build greeting: 1 item(s)');
    expect(result.stdout).toContain('{"greeting":"Hello, Grace!","length":5}');
    expect(result.stdout).not.toContain('▸ Respond');
    expect(result.stdout).not.toContain('webhook response');
    // Not a terminal: progress comes as plain lines on stderr.
    expect(result.stderr).toMatch(/success, 2 node run\(s\)/);
  });

  it("run: a webhook workflow's Respond to Webhook response is part of the result", async () => {
    const result = await budflow([
      'run',
      'examples/webhook-transform-respond.yaml',
      '--input',
      '{"body":{"name":"Ada"}}',
      '--json',
    ]);
    expect(result.code, result.stderr).toBe(0);
    expect(parse(result).response).toMatchObject({
      statusCode: 200,
      body: { greeting: 'Hello, Ada!', length: 3 },
    });
  });

  it('run: a failing workflow exits 1 and names the node', async () => {
    const result = await budflow(['run', 'examples/error-workflow/charge-card.yaml']);
    expect(result.code, result.stderr).toBe(1);
    expect(result.stderr).toContain(
      "execution failed at node 'Charge': payment provider unavailable",
    );
  });

  it('run: a bad --pin node and an unreadable file are usage errors', async () => {
    const pin = await budflow(['run', 'examples/code-node.yaml', '--pin', 'Nope=[]']);
    expect(pin.code, pin.stderr).toBe(2);
    expect(pin.stderr).toContain("no node named 'Nope'");
    const missing = await budflow(['run', 'examples/missing.yaml']);
    expect(missing.code, missing.stderr).toBe(2);
    expect(missing.stderr).toMatch(/cannot read examples\/missing\.yaml/);
  });

  it('run --watch runs again when the file changes and stops on Ctrl-C', async () => {
    const file = join(work, 'watched.yaml');
    const flow = (value: string) =>
      `nodes:\n  Start: { type: manualTrigger }\n  Say:\n    type: set\n    params:\n      assignments:\n        assignments:\n          - { id: a, name: said, type: string, value: ${value} }\n`;
    await writeFile(file, flow('first'));
    const child = start(['run', file, '--watch']);
    let stdout = '';
    let stderr = '';
    let exited = false;
    const waiters: Array<() => void> = [];
    child.stdout!.on('data', (d: Buffer) => {
      stdout += d.toString();
      for (const check of waiters) check();
    });
    child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    const closed = new Promise<number | null>((resolve) =>
      child.on('close', (code) => {
        exited = true;
        for (const check of waiters) check();
        resolve(code);
      }),
    );
    const seen = (text: string) =>
      new Promise<void>((resolve, reject) => {
        const check = () => {
          if (stdout.includes(text)) resolve();
          else if (exited) reject(new Error(`exited before '${text}':\n${stdout}\n${stderr}`));
        };
        waiters.push(check);
        check();
      });
    await seen('{"said":"first"}');
    await writeFile(file, flow('second'));
    await seen('{"said":"second"}');
    child.kill('SIGINT');
    expect(await closed).toBe(130);
  });

  it('validate: valid files pass; problems come with file:line:column; --json', async () => {
    const bad = join(work, 'bad.yaml');
    await writeFile(bad, 'nodes:\n  A:\n    type: sett\n  B:\n    type: set\n    parms: {}\n');
    const ok = await budflow([
      'validate',
      'examples/webhook-transform-respond.yaml',
      'examples/loop-over-items-with-wait.json',
    ]);
    expect(ok.code, ok.stderr).toBe(0);
    expect(ok.stdout).toContain('✓ examples/loop-over-items-with-wait.json');
    const result = await budflow(['validate', bad]);
    expect(result.code, result.stderr).toBe(1);
    expect(result.stdout).toContain(`${bad}:6:5: nodes.B.parms: unknown key 'parms'`);
    const json = parse(await budflow(['validate', bad, '--json']));
    expect(json[0]).toMatchObject({ valid: false, format: 'yaml' });
  });

  it('convert: JSON → YAML → n8n JSON keeps the workflow', async () => {
    const yamlFile = join(work, 'loop.yaml');
    const toYaml = await budflow([
      'convert',
      'examples/loop-over-items-with-wait.json',
      '--to',
      'yaml',
      '-o',
      yamlFile,
    ]);
    expect(toYaml.code, toYaml.stderr).toBe(0);
    const yaml = await readFile(yamlFile, 'utf8');
    expect(yaml).toContain('type: splitInBatches');
    expect(yaml).toMatch(/next:\n\s+done: All processed\n\s+loop: Wait a second/);
    const back = parse(await budflow(['convert', yamlFile, '--to', 'n8n']));
    const original = JSON.parse(
      await readFile(join(EXAMPLES, 'loop-over-items-with-wait.json'), 'utf8'),
    );
    expect(back.connections).toEqual(original.connections);
    expect(back.nodes.map((n: { type: string }) => n.type)).toEqual(
      original.nodes.map((n: { type: string }) => n.type),
    );
    const wrong = await budflow(['convert', yamlFile, '--to', 'xml']);
    expect(wrong.code, wrong.stderr).toBe(2);
  });

  it('schema yaml prints the JSON Schema of the format', async () => {
    const schema = parse(await budflow(['schema', 'yaml']));
    expect(schema.$schema).toMatch(/json-schema\.org/);
    expect(schema.properties.nodes.additionalProperties.properties.type.examples).toContain(
      'http.request',
    );
  });

  it('nodes list and show, with parameters as JSON Schema; unknown types suggest', async () => {
    const list = parse<Array<{ type: string; n8nType: string }>>(
      await budflow(['nodes', 'list', '--json']),
    );
    expect(list).toContainEqual(
      expect.objectContaining({ type: 'if', n8nType: 'n8n-nodes-base.if' }),
    );
    const show = parse(await budflow(['nodes', 'show', 'if', '--json']));
    expect(show.outputs.map((o: { name: string }) => o.name)).toEqual(['true', 'false']);
    expect(show.parameters.type).toBe('object');
    const unknown = await budflow(['nodes', 'show', 'iff']);
    expect(unknown.code, unknown.stderr).toBe(3);
    expect(unknown.stderr).toMatch(/did you mean/);
  });

  it('credentials set (stdin), list, delete; values never printed', async () => {
    const set = await budflow(
      ['credentials', 'set', 'Billing API', '--type', 'httpHeaderAuth', '--json'],
      { stdin: '{"name":"X-Key","value":"s3cr3t-value"}' },
    );
    expect(set.code, set.stderr).toBe(0);
    const saved = parse(set);
    expect(saved).toMatchObject({ name: 'Billing API', type: 'httpHeaderAuth' });
    const again = await budflow(['credentials', 'set', 'Billing API', '--type', 'httpHeaderAuth'], {
      stdin: '{"name":"X-Key","value":"rotated-value"}',
    });
    expect(again.stdout).toContain(saved.id);
    const list = await budflow(['credentials', 'list', '--json']);
    expect(parse(list)).toEqual([expect.objectContaining({ id: saved.id, name: 'Billing API' })]);
    expect(list.stdout).not.toContain('value');
    const stored = await withStorage((s) => s.credentials.getDecrypted(saved.id));
    expect(stored?.data).toEqual({ name: 'X-Key', value: 'rotated-value' });
    const empty = await budflow(['credentials', 'set', 'x', '--type', 'httpHeaderAuth']);
    expect(empty.code, empty.stderr).toBe(2);
    expect((await budflow(['credentials', 'delete', 'Billing API'])).code).toBe(0);
    expect((await budflow(['credentials', 'delete', 'Billing API'])).code).toBe(3);
  });

  it('import a directory, export encrypted and decrypted, import the export elsewhere', async () => {
    await budflow(['credentials', 'set', 'Login', '--type', 'httpBasicAuth'], {
      stdin: '{"user":"ada","password":"pw-123456"}',
    });
    const imported = await budflow(['import', 'examples', '--json']);
    expect(imported.code, imported.stderr).toBe(0);
    const outcomes = parse<Array<{ status: string; name: string }>>(imported);
    expect(outcomes.filter((o) => o.status === 'imported').map((o) => o.name)).toEqual(
      expect.arrayContaining(['Greet', 'Rate-limited loop', 'Error handler', 'Word count']),
    );
    // examples/data/orders.json is data, not a workflow: ignored, not an error.
    expect(outcomes.filter((o) => o.status !== 'imported')).toEqual([
      expect.objectContaining({ file: 'examples/data/orders.json', status: 'ignored' }),
    ]);
    // The error handler keeps its id; importing it again is a conflict unless --overwrite.
    const twice = await budflow(['import', 'examples/error-workflow/error-handler.json']);
    expect(twice.code, twice.stderr).toBe(6);
    expect(
      (await budflow(['import', 'examples/error-workflow/error-handler.json', '--overwrite'])).code,
    ).toBe(0);

    const out = join(work, 'export');
    const exported = await budflow(['export', '--all', '--dir', out, '--yaml']);
    expect(exported.code, exported.stderr).toBe(0);
    const files = await readdir(out);
    expect(files).toContain('credentials.json');
    expect(files.filter((f) => f.endsWith('.yaml'))).toHaveLength(outcomes.length - 1);
    const credentials = JSON.parse(await readFile(join(out, 'credentials.json'), 'utf8'));
    expect(credentials.encrypted).toBe(true);
    expect(JSON.stringify(credentials)).not.toContain('pw-123456');

    const clear = await budflow(['export', '--all', '--decrypted']);
    expect(clear.stderr).toMatch(/WARNING: --decrypted/);
    expect(parse(clear).credentials.credentials[0].data).toEqual({
      user: 'ada',
      password: 'pw-123456',
    });

    // Another data dir with the same key takes the encrypted export as is.
    const other = join(work, 'other');
    const again = await budflow(['import', out, '--json'], { env: { BUDFLOW_DATA_DIR: other } });
    expect(again.code, again.stderr).toBe(0);
    const list = parse(
      await budflow(['credentials', 'list', '--json'], { env: { BUDFLOW_DATA_DIR: other } }),
    );
    expect(list).toEqual([expect.objectContaining({ name: 'Login', type: 'httpBasicAuth' })]);
    const usage = await budflow(['export']);
    expect(usage.code, usage.stderr).toBe(2);
  });

  it('execution list, show, retry (here) and cancel (data dir)', async () => {
    const registry = defaultRegistry();
    const file = join(EXAMPLES, 'error-workflow/charge-card.yaml');
    const workflow = workflowFromText(file, await readFile(file, 'utf8'), registry);
    const { failedId, waitingId } = await withStorage(async (storage) => {
      const stored = await storage.workflows.create({ document: workflow });
      const result = await runWorkflow(
        { ...workflow, id: stored.id },
        { registry, observer: createExecutionRecorder(storage, { workflow }) },
      );
      const waiting = await storage.executions.create({
        workflowId: stored.id,
        mode: 'manual',
        status: 'waiting',
        workflow,
      });
      return { failedId: result.executionId, waitingId: waiting.id };
    });
    const list = parse<Array<{ id: string; status: string }>>(
      await budflow(['execution', 'list', '--json']),
    );
    expect(list).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ id: failedId, status: 'error' }),
        expect.objectContaining({ id: waitingId, status: 'waiting' }),
      ]),
    );
    const show = parse(await budflow(['execution', 'show', failedId, '--json']));
    expect(show).toMatchObject({ status: 'error', lastNode: 'Charge' });
    expect(show.runData.Trigger).toHaveLength(1);
    expect((await budflow(['execution', 'show', 'nope'])).code).toBe(3);

    const retry = await budflow(['execution', 'retry', failedId, '--json']);
    expect(retry.code, retry.stderr).toBe(1);
    const retried = parse(retry);
    expect(retried).toMatchObject({ retryOf: failedId, status: 'error' });
    const stored = await withStorage((s) => s.executions.get(retried.id));
    expect(stored).toMatchObject({ retryOf: failedId, status: 'error', mode: 'retry' });

    expect((await budflow(['execution', 'cancel', waitingId])).code).toBe(0);
    expect((await withStorage((s) => s.executions.get(waitingId)))?.status).toBe('canceled');
    expect((await budflow(['execution', 'cancel', failedId])).code).toBe(6);
  });

  it('execution retry and cancel go to the server when BUDFLOW_URL is set', async () => {
    const server = await fakeServer((req) =>
      req.headers['x-budflow-api-key'] !== 'key-1'
        ? { status: 401, body: '{"message":"bad key"}' }
        : req.url === '/api/v1/executions/42/retry'
          ? { status: 201, body: '{"id":"43","retryOf":"42","status":"new"}' }
          : { status: 200, body: '{"id":"42","status":"canceled"}' },
    );
    try {
      const env = { BUDFLOW_URL: server.url, BUDFLOW_API_KEY: 'key-1' };
      const retry = await budflow(['execution', 'retry', '42', '--json'], { env });
      expect(retry.code, retry.stderr).toBe(0);
      expect(parse(retry)).toEqual({ id: '43', retryOf: '42', status: 'new' });
      const cancel = await budflow(['execution', 'cancel', '42', '--json'], { env });
      expect(parse(cancel)).toEqual({ id: '42', status: 'canceled' });
      expect(server.requests.map((r) => `${r.method} ${r.url}`)).toEqual([
        'POST /api/v1/executions/42/retry',
        'POST /api/v1/executions/42/cancel',
      ]);
      const refused = await budflow(['execution', 'cancel', '42'], {
        env: { ...env, BUDFLOW_API_KEY: 'wrong' },
      });
      expect(refused.code, refused.stderr).toBe(5);
    } finally {
      await server.close();
    }
  });

  it('user create: password from stdin, stored hashed; a taken email conflicts', async () => {
    const created = await budflow(['user', 'create', '--email', 'ada@example.com', '--json'], {
      stdin: 'correct horse battery\n',
    });
    expect(created.code, created.stderr).toBe(0);
    const user = parse(created);
    expect(user).toMatchObject({ email: 'ada@example.com', role: 'owner' });
    expect(user.passwordHash).toBeUndefined();
    const stored = await withStorage((s) => s.users.getByEmail('ada@example.com'));
    expect(stored?.passwordHash).toMatch(/^\$argon2id\$/);
    expect(stored?.passwordHash).not.toContain('correct horse');
    const twice = await budflow(['user', 'create', '--email', 'ada@example.com'], {
      stdin: 'correct horse battery\n',
    });
    expect(twice.code, twice.stderr).toBe(6);
    const short = await budflow(['user', 'create', '--email', 'b@example.com'], {
      stdin: 'short\n',
    });
    expect(short.code, short.stderr).toBe(2);
  });

  it("status reads the server's health, readiness and metrics", async () => {
    const server = await fakeServer((req) => {
      if (req.url === '/healthz') return { status: 200, body: '{"status":"ok"}' };
      if (req.url === '/readyz')
        return { status: 200, body: '{"status":"ready","database":"ok","migrations":"applied"}' };
      return {
        status: 200,
        type: 'text/plain',
        body: [
          '# HELP budflow_queue_waiting Executions waiting in the queue',
          '# TYPE budflow_queue_waiting gauge',
          'budflow_queue_waiting 7',
          'budflow_queue_running 2',
          'budflow_workers 3',
          'budflow_executions_total{status="success"} 40',
          'budflow_executions_total{status="error"} 2',
        ].join('\n'),
      };
    });
    try {
      const result = await budflow(['status', '--json'], { env: { BUDFLOW_URL: server.url } });
      expect(result.code, result.stderr).toBe(0);
      expect(parse(result)).toMatchObject({
        healthy: true,
        ready: true,
        readiness: { database: 'ok' },
        queue: { waiting: 7, running: 2 },
        workers: 3,
        executions: { success: 40, error: 2 },
      });
    } finally {
      await server.close();
    }
    const down = await budflow(['status'], { env: { BUDFLOW_URL: server.url } });
    expect(down.code, down.stderr).toBe(4);
    expect(down.stderr).toMatch(/cannot reach the server/);
    const unset = await budflow(['status']);
    expect(unset.code, unset.stderr).toBe(2);
    expect(unset.stderr).toMatch(/set BUDFLOW_URL/);
  });
});
