import {
  createServer,
  request as httpRequest,
  type IncomingMessage,
  type ServerResponse,
} from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { connect, type AddressInfo, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHttpClient } from '../internal/http-client.js';
import { runTestNode } from '../internal/test-harness.js';
import { curlToHttpRequest } from './curl-to-node.js';
import { createHttpRequestNode } from './http-request-node.js';

// A throwaway self-signed certificate for 127.0.0.1, for these tests only.
const TEST_KEY = `-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgB/a/4D73wuTn+T1w
PMvsnCVvM3Cp0b1510wcs3u2CeChRANCAAR+4aTSqaRI+Ci42M8/AZzVg0Tw7psB
6YyfKjgcXDs8QJHpp+i4r4PLDJgatyIhKADjnKFJKvYw6/PejxfU/J6o
-----END PRIVATE KEY-----`;
const TEST_CERT = `-----BEGIN CERTIFICATE-----
MIIBkDCCATagAwIBAgIUHIP0zUixSwruEqootnMrE4EBc1gwCgYIKoZIzj0EAwIw
FDESMBAGA1UEAwwJMTI3LjAuMC4xMCAXDTI2MTEyMjAxMTQ1OVoYDzIxMjYxMDI5
MDExNDU5WjAUMRIwEAYDVQQDDAkxMjcuMC4wLjEwWTATBgcqhkjOPQIBBggqhkjO
PQMBBwNCAAR+4aTSqaRI+Ci42M8/AZzVg0Tw7psB6YyfKjgcXDs8QJHpp+i4r4PL
DJgatyIhKADjnKFJKvYw6/PejxfU/J6oo2QwYjAdBgNVHQ4EFgQUMqZcvhYbcH+7
/sCMnMbHjFG6gtgwHwYDVR0jBBgwFoAUMqZcvhYbcH+7/sCMnMbHjFG6gtgwDwYD
VR0TAQH/BAUwAwEB/zAPBgNVHREECDAGhwR/AAABMAoGCCqGSM49BAMCA0gAMEUC
IQC4FRq5Prxc/pQe8q6xZKy/xFjY+FXN3TlZ3xYo8JglrAIgBCDKxybYjJLzytr0
lNDAC+FbpyJFhiJWNNlEoDCaSU0=
-----END CERTIFICATE-----`;

const sockets = new Set<Socket>();
const track = (socket: Socket) => {
  sockets.add(socket);
  socket.on('close', () => sockets.delete(socket));
};

const app = (req: IncomingMessage, res: ServerResponse) => {
  if (req.url === '/hang') return; // never answers
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(
      JSON.stringify({
        url: req.url,
        method: req.method,
        secure: 'encrypted' in req.socket,
        headers: req.headers,
        body: Buffer.concat(chunks).toString(),
      }),
    );
  });
};
const plain = createServer(app);
const tls = createHttpsServer({ key: TEST_KEY, cert: TEST_CERT }, app);
let proxied = 0;
const proxy = createServer((req, res) => {
  // Plain forwarding (absolute-form request target).
  proxied++;
  const target = new URL(req.url ?? '');
  const upstream = httpRequest(
    {
      host: target.hostname,
      port: target.port,
      path: target.pathname + target.search,
      method: req.method,
      headers: req.headers,
    },
    (r) => {
      res.writeHead(r.statusCode ?? 502, r.headers);
      r.pipe(res);
    },
  );
  req.pipe(upstream);
});
proxy.on('connect', (req: IncomingMessage, client: Socket, head: Buffer) => {
  proxied++;
  const [host, port] = (req.url ?? '').split(':');
  const upstream = connect(Number(port), host, () => {
    client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
    upstream.write(head);
    upstream.pipe(client);
    client.pipe(upstream);
  });
  track(upstream);
  upstream.on('error', () => client.destroy());
  client.on('error', () => upstream.destroy());
});
for (const s of [plain, tls, proxy]) s.on('connection', track);

const http = createHttpClient({ ssrf: { allow: ['127.0.0.1'] } });
const node = createHttpRequestNode({ http });
const port = (s: { address(): unknown }) => (s.address() as AddressInfo).port;
let base = '';

beforeAll(async () => {
  await Promise.all(
    [plain, tls, proxy].map(
      (s) => new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve)),
    ),
  );
  base = `http://127.0.0.1:${port(plain)}`;
});
afterAll(async () => {
  await http.close();
  for (const socket of sockets) socket.destroy();
  await Promise.all([plain, tls, proxy].map((s) => new Promise((resolve) => s.close(resolve))));
});

describe('HTTP Request transport options', () => {
  it('refuses a self-signed certificate unless SSL issues are ignored', async () => {
    const url = `https://127.0.0.1:${port(tls)}/secure`;
    await expect(runTestNode(node, { typeVersion: 4.2, params: { url } })).rejects.toThrow(
      /self[- ]signed certificate/i,
    );
    const ok = await runTestNode(node, {
      typeVersion: 4.2,
      params: { url, options: { allowUnauthorizedCerts: true } },
    });
    expect(ok.json[0]).toMatchObject({ url: '/secure', secure: true });
    const v1 = await runTestNode(node, {
      typeVersion: 1,
      params: { url, allowUnauthorizedCerts: true },
    });
    expect(v1.json[0]).toMatchObject({ secure: true });
  });

  it('times out with a message naming the URL', async () => {
    await expect(
      runTestNode(node, {
        typeVersion: 4.2,
        params: { url: `${base}/hang`, options: { timeout: 50 } },
      }),
    ).rejects.toThrow(/timeout of 50ms exceeded requesting http:\/\/127\.0\.0\.1:\d+\/hang/);
  });

  it('goes through a proxy', async () => {
    const before = proxied;
    const result = await runTestNode(node, {
      typeVersion: 4.2,
      params: { url: `${base}/via-proxy`, options: { proxy: `http://127.0.0.1:${port(proxy)}` } },
    });
    expect(result.json[0]).toMatchObject({ url: '/via-proxy' });
    expect(proxied).toBeGreaterThan(before);
  });

  it('runs what the cURL import produced', async () => {
    const imported = curlToHttpRequest(
      `curl -X PUT '${base}/items?x=1' -H 'Content-Type: application/json' -H 'X-Id: 7' -d '{"a":[1,2]}'`,
    );
    const result = await runTestNode(node, {
      typeVersion: imported.typeVersion,
      params: imported.parameters,
    });
    expect(result.json[0]).toMatchObject({ url: '/items?x=1', method: 'PUT', body: '{"a":[1,2]}' });
    expect((result.json[0]!.headers as Record<string, string>)['x-id']).toBe('7');
  });
});
