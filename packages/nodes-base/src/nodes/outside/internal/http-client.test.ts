import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHttpClient, redactUrl } from './http-client.js';
import { createSsrfGuard } from './ssrf-guard.js';

let base = '';
let port = 0;
const server = createServer((req: IncomingMessage, res: ServerResponse) => {
  const url = new URL(req.url ?? '/', 'http://x');
  if (url.pathname === '/to-metadata') {
    res.writeHead(302, { location: 'http://169.254.169.254/latest/meta-data/' }).end();
  } else if (url.pathname === '/to-loopback-2') {
    res.writeHead(302, { location: `http://127.0.0.2:${port}/ok` }).end();
  } else if (url.pathname === '/to-mapped') {
    res.writeHead(301, { location: `http://[::ffff:127.0.0.5]:${port}/ok` }).end();
  } else if (url.pathname === '/to-ok') {
    res.writeHead(303, { location: '/ok' }).end();
  } else if (url.pathname === '/loop') {
    res.writeHead(302, { location: '/loop' }).end();
  } else {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ path: url.pathname, method: req.method }));
  }
});

beforeAll(async () => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
  base = `http://127.0.0.1:${port}`;
});
afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
});

describe('ssrf guard', () => {
  const guard = createSsrfGuard();
  it.each([
    ['127.0.0.1', 'loopback'],
    ['::1', 'loopback'],
    ['10.1.2.3', 'private'],
    ['172.20.0.1', 'private'],
    ['192.168.1.1', 'private'],
    ['fd12::1', 'private'],
    ['169.254.10.10', 'link-local'],
    ['fe80::1', 'link-local'],
    ['169.254.169.254', 'cloud-metadata'],
    ['fd00:ec2::254', 'cloud-metadata'],
    ['0.0.0.0', 'unspecified'],
    ['::ffff:127.0.0.1', 'ipv4-mapped-ipv6'],
    ['::ffff:a9fe:a9fe', 'ipv4-mapped-ipv6'],
    ['64:ff9b::a00:1', 'ipv4-mapped-ipv6'],
  ])('blocks %s by rule %s', (address, rule) => {
    expect(guard.checkAddress(address)?.rule).toBe(rule);
  });
  it('lets public addresses through', () => {
    expect(guard.checkAddress('93.184.216.34')).toBeUndefined();
    expect(guard.checkAddress('2606:2800:220:1::1')).toBeUndefined();
  });
  it('blocks metadata host names and honours the allow-list', () => {
    expect(guard.checkHostname('metadata.google.internal')).toMatchObject({
      rule: 'cloud-metadata',
    });
    const allowing = createSsrfGuard({ allow: ['10.0.0.0/8', '*.corp.example'] });
    expect(allowing.checkAddress('10.9.9.9')).toBeUndefined();
    expect(allowing.checkAddress('192.168.0.1')?.rule).toBe('private');
    expect(allowing.checkHostname('api.corp.example')).toBe('allowed');
    expect(allowing.checkHostname('corp.example.evil')).toBeUndefined();
  });
});

describe('createHttpClient', () => {
  it('refuses a loopback URL by default and names the rule', async () => {
    const client = createHttpClient();
    await expect(client.request({ url: `${base}/ok` })).rejects.toThrow(
      /blocked by the SSRF guard: 127\.0\.0\.1 is a loopback address \(rule 'loopback'\)/,
    );
    await client.close();
  });

  it('checks the address a host name resolves to', async () => {
    const client = createHttpClient({
      resolve: async () => [{ address: '10.0.0.7', family: 4 }],
    });
    await expect(client.request({ url: 'http://innocent.example/' })).rejects.toMatchObject({
      code: 'HTTP_SSRF_BLOCKED',
      details: { rule: 'private' },
    });
    await client.close();
  });

  it('checks resolution at connect time (a name that resolves to loopback)', async () => {
    const client = createHttpClient({
      ssrf: { allow: ['127.0.0.1'] },
      resolve: async () => [{ address: '127.0.0.3', family: 4 }],
    });
    await expect(client.request({ url: `http://rebind.example:${port}/ok` })).rejects.toThrow(
      /rebind\.example \(127\.0\.0\.3\) is a loopback address/,
    );
    await client.close();
  });

  it('reaches an allow-listed server and follows a safe redirect', async () => {
    const client = createHttpClient({ ssrf: { allow: ['127.0.0.1'] } });
    const response = await client.request({ url: `${base}/to-ok`, method: 'POST', body: 'x' });
    expect(response.status).toBe(200);
    expect(JSON.parse(response.body.toString())).toEqual({ path: '/ok', method: 'GET' });
    expect(response.redirects).toBe(1);
    await client.close();
  });

  it.each([
    ['/to-metadata', 'cloud-metadata'],
    ['/to-loopback-2', 'loopback'],
    ['/to-mapped', 'ipv4-mapped-ipv6'],
  ])('refuses a redirect %s to a blocked address', async (path, rule) => {
    const client = createHttpClient({ ssrf: { allow: ['127.0.0.1'] } });
    await expect(client.request({ url: `${base}${path}` })).rejects.toMatchObject({
      code: 'HTTP_SSRF_BLOCKED',
      details: { rule },
    });
    await client.close();
  });

  it('stops after maxRedirects', async () => {
    const client = createHttpClient({ ssrf: false });
    await expect(client.request({ url: `${base}/loop`, maxRedirects: 3 })).rejects.toThrow(
      /too many redirects \(more than 3\)/,
    );
    await client.close();
  });

  it('redacts credentials in URLs', () => {
    expect(redactUrl('https://bob:hunter2@example.com/a?api_key=abc&q=1')).toBe(
      'https://***:***@example.com/a?api_key=***&q=1',
    );
  });
});
