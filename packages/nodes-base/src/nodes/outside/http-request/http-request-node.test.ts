import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createExpressionEvaluator, createSingleItemScope } from '@budflow/expression';
import { createHttpClient } from '../internal/http-client.js';
import { bindTemplateKeys } from '../internal/node-context.js';
import { runTestNode } from '../internal/test-harness.js';
import { createHttpRequestNode, httpRequestNode } from './http-request-node.js';

let base = '';
const gate: Array<() => void> = [];
let inFlight = 0;
let maxInFlight = 0;
let tokenRequests = 0;
const seen: Array<{
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: Buffer;
}> = [];

const md5 = (s: string) => createHash('md5').update(s).digest('hex');

function handle(req: IncomingMessage, res: ServerResponse, body: Buffer) {
  const url = new URL(req.url ?? '/', base);
  const json = (status: number, value: unknown, headers: Record<string, string> = {}) => {
    res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers });
    res.end(JSON.stringify(value));
  };
  switch (url.pathname) {
    case '/json':
      return json(200, { hello: 'world' });
    case '/array':
      return json(200, [{ a: 1 }, { a: 2 }]);
    case '/text':
      res.writeHead(200, { 'content-type': 'text/plain' });
      return res.end('plain words');
    case '/file':
      res.writeHead(200, {
        'content-type': 'image/png',
        'content-disposition': 'attachment; filename="dot.png"',
      });
      return res.end(Buffer.from([0x89, 0x50, 0x4e, 0x47]));
    case '/echo':
      return json(200, {
        method: req.method,
        query: Object.fromEntries(url.searchParams),
        rawQuery: url.search,
        headers: req.headers,
        body: body.toString('utf8'),
      });
    case '/missing':
      return json(404, { error: 'no such thing', detail: 'x'.repeat(500) });
    case '/pages': {
      const page = Number(url.searchParams.get('page') ?? '1');
      return json(
        200,
        page <= 3
          ? [
              { page, n: 1 },
              { page, n: 2 },
            ]
          : [],
      );
    }
    case '/cursor': {
      const cursor = Number(url.searchParams.get('cursor') ?? '0');
      return json(200, {
        items: [cursor],
        next: cursor < 2 ? `${base}/cursor?cursor=${cursor + 1}` : null,
      });
    }
    case '/until-404': {
      const page = Number(url.searchParams.get('page') ?? '1');
      return page > 2 ? json(404, { done: true }) : json(200, { page });
    }
    case '/to-metadata':
      res.writeHead(302, { location: 'http://169.254.169.254/latest/meta-data/' });
      return res.end();
    case '/to-json':
      res.writeHead(301, { location: '/json' });
      return res.end();
    case '/digest': {
      const auth = req.headers.authorization ?? '';
      if (!auth.startsWith('Digest ')) {
        res.writeHead(401, {
          'www-authenticate': 'Digest realm="test", nonce="abc123", qop="auth", opaque="op"',
        });
        return res.end();
      }
      const fields = Object.fromEntries(
        [...auth.matchAll(/(\w+)="?([^",]+)"?/g)].map((m) => [m[1], m[2]]),
      );
      const ha1 = md5('alice:test:s3cret');
      const ha2 = md5(`GET:${fields.uri}`);
      const expected = md5(`${ha1}:abc123:${fields.nc}:${fields.cnonce}:${fields.qop}:${ha2}`);
      return fields.response === expected ? json(200, { ok: 'digest' }) : json(401, {});
    }
    case '/gate': {
      // Answers only once three requests are waiting: proves they were sent together.
      gate.push(() => json(200, { n: url.searchParams.get('n') }));
      if (gate.length === 3) gate.splice(0).forEach((release) => release());
      return;
    }
    case '/serial': {
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      setImmediate(() => {
        inFlight--;
        json(200, { n: url.searchParams.get('n') });
      });
      return;
    }
    case '/oauth/token': {
      tokenRequests++;
      const form = new URLSearchParams(body.toString());
      const basic = Buffer.from('client-1:secret-1').toString('base64');
      if (
        form.get('grant_type') !== 'client_credentials' ||
        req.headers.authorization !== `Basic ${basic}`
      ) {
        return json(401, { error: 'invalid_client' });
      }
      return json(200, { access_token: 'tok-42', token_type: 'bearer', expires_in: 3600 });
    }
    case '/protected':
      return req.headers.authorization === 'Bearer tok-42'
        ? json(200, { secret: 'data' })
        : json(401, { error: 'unauthorized' });
    default:
      return json(404, { error: 'not found' });
  }
}

const server = createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    const body = Buffer.concat(chunks);
    seen.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body });
    handle(req, res, body);
  });
});

// Tests call a local server: they opt out of the SSRF guard for 127.0.0.1 only, explicitly.
const http = createHttpClient({ ssrf: { allow: ['127.0.0.1'] } });
const node = createHttpRequestNode({ http });

beforeAll(async () => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await http.close();
  await new Promise((resolve) => server.close(resolve));
});

describe('HTTP Request v4.2', () => {
  it('GETs JSON (autodetect) and splits arrays into items', async () => {
    const one = await runTestNode(node, { typeVersion: 4.2, params: { url: `${base}/json` } });
    expect(one.json).toEqual([{ hello: 'world' }]);
    const many = await runTestNode(node, { typeVersion: 4.2, params: { url: `${base}/array` } });
    expect(many.json).toEqual([{ a: 1 }, { a: 2 }]);
    expect(many.items.map((i) => i.pairedItem)).toEqual([{ item: 0 }, { item: 0 }]);
  });

  it('returns text and files, and the full response on request', async () => {
    const text = await runTestNode(node, { typeVersion: 4.2, params: { url: `${base}/text` } });
    expect(text.json).toEqual([{ data: 'plain words' }]);
    const file = await runTestNode(node, {
      typeVersion: 4.2,
      items: [{ keep: 'me' }],
      params: { url: `${base}/file` },
    });
    // n8n keeps the input item's json next to the downloaded file.
    expect(file.json).toEqual([{ keep: 'me' }]);
    expect(file.items[0]?.binary?.data).toMatchObject({
      mimeType: 'image/png',
      fileName: 'dot.png',
      data: Buffer.from([0x89, 0x50, 0x4e, 0x47]).toString('base64'),
    });
    const full = await runTestNode(node, {
      typeVersion: 4.2,
      params: { url: `${base}/json`, options: { response: { response: { fullResponse: true } } } },
    });
    expect(full.json[0]).toMatchObject({
      body: { hello: 'world' },
      statusCode: 200,
      statusMessage: 'OK',
      headers: { 'content-type': 'application/json; charset=utf-8' },
    });
  });

  it('sends query, headers and a JSON body from fields', async () => {
    const result = await runTestNode(node, {
      typeVersion: 4.2,
      params: {
        method: 'POST',
        url: `${base}/echo`,
        sendQuery: true,
        queryParameters: {
          parameters: [
            { name: 'q', value: 'x y' },
            { name: 'tag', value: 'a' },
            { name: 'tag', value: 'b' },
          ],
        },
        sendHeaders: true,
        headerParameters: { parameters: [{ name: 'X-Custom', value: 'yes' }] },
        sendBody: true,
        bodyParameters: { parameters: [{ name: 'name', value: 'Ada' }] },
      },
    });
    const echo = result.json[0]!;
    expect(echo.method).toBe('POST');
    expect(decodeURIComponent(echo.rawQuery as string)).toBe('?q=x y&tag[]=a&tag[]=b');
    expect((echo.headers as Record<string, string>)['x-custom']).toBe('yes');
    expect((echo.headers as Record<string, string>)['content-type']).toBe('application/json');
    expect(JSON.parse(echo.body as string)).toEqual({ name: 'Ada' });
  });

  it('sends JSON, form-urlencoded and raw bodies', async () => {
    const json = await runTestNode(node, {
      typeVersion: 4.2,
      params: {
        method: 'PUT',
        url: `${base}/echo`,
        sendBody: true,
        specifyBody: 'json',
        jsonBody: '{"a":[1,2],"b":{"c":true}}',
      },
    });
    expect(JSON.parse(json.json[0]!.body as string)).toEqual({ a: [1, 2], b: { c: true } });
    const form = await runTestNode(node, {
      typeVersion: 4.2,
      params: {
        method: 'POST',
        url: `${base}/echo`,
        sendBody: true,
        contentType: 'form-urlencoded',
        bodyParameters: {
          parameters: [
            { name: 'a', value: '1 2' },
            { name: 'b', value: 'x&y' },
          ],
        },
      },
    });
    expect(form.json[0]!.body).toBe('a=1%202&b=x%26y');
    const raw = await runTestNode(node, {
      typeVersion: 4.2,
      params: {
        method: 'POST',
        url: `${base}/echo`,
        sendBody: true,
        contentType: 'raw',
        rawContentType: 'text/xml',
        body: '<a/>',
      },
    });
    expect(raw.json[0]!.body).toBe('<a/>');
    expect((raw.json[0]!.headers as Record<string, string>)['content-type']).toBe('text/xml');
  });

  it('rejects an invalid JSON body parameter with a clear message', async () => {
    await expect(
      runTestNode(node, {
        typeVersion: 4.2,
        params: {
          method: 'POST',
          url: `${base}/echo`,
          sendBody: true,
          specifyBody: 'json',
          jsonBody: '{nope',
        },
      }),
    ).rejects.toThrow(/JSON parameter needs to be valid JSON/);
  });

  it('uploads a binary file as multipart/form-data', async () => {
    const result = await runTestNode(node, {
      typeVersion: 4.2,
      items: [
        {
          json: {},
          binary: {
            file: {
              data: Buffer.from('file-content-123').toString('base64'),
              mimeType: 'text/plain',
              fileName: 'hello.txt',
            },
          },
        },
      ],
      params: {
        method: 'POST',
        url: `${base}/echo`,
        sendBody: true,
        contentType: 'multipart-form-data',
        bodyParameters: {
          parameters: [
            { parameterType: 'formData', name: 'title', value: 'greeting' },
            { parameterType: 'formBinaryData', name: 'upload', inputDataFieldName: 'file' },
          ],
        },
      },
    });
    const echo = result.json[0]!;
    const contentType = (echo.headers as Record<string, string>)['content-type']!;
    expect(contentType).toMatch(/^multipart\/form-data; boundary=/);
    const body = echo.body as string;
    expect(body).toContain('name="title"\r\n\r\ngreeting');
    expect(body).toContain('name="upload"; filename="hello.txt"');
    expect(body).toContain('Content-Type: text/plain\r\n\r\nfile-content-123');
  });

  it('sends binary data as the body', async () => {
    const result = await runTestNode(node, {
      typeVersion: 4.2,
      items: [
        {
          json: {},
          binary: {
            data: { data: Buffer.from('BIN').toString('base64'), mimeType: 'application/x-thing' },
          },
        },
      ],
      params: {
        method: 'POST',
        url: `${base}/echo`,
        sendBody: true,
        contentType: 'binaryData',
        inputDataFieldName: 'data',
      },
    });
    expect(result.json[0]!.body).toBe('BIN');
    expect((result.json[0]!.headers as Record<string, string>)['content-type']).toBe(
      'application/x-thing',
    );
  });

  it('names URL, status and the start of the body on an HTTP error; neverError returns it', async () => {
    const error = await runTestNode(node, {
      typeVersion: 4.2,
      params: { url: `${base}/missing?api_key=SECRET` },
    }).catch((e: unknown) => e as Error);
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).message).toMatch(
      /^GET http:\/\/127\.0\.0\.1:\d+\/missing\?api_key=\*\*\* failed with status 404 Not Found: \{"error":"no such thing"/,
    );
    expect((error as Error).message).not.toContain('SECRET');
    expect((error as Error).message.length).toBeLessThan(450);
    const never = await runTestNode(node, {
      typeVersion: 4.2,
      params: {
        url: `${base}/missing`,
        options: { response: { response: { neverError: true, fullResponse: true } } },
      },
    });
    expect(never.json[0]).toMatchObject({ statusCode: 404, body: { error: 'no such thing' } });
  });

  it('continues on fail with an error item', async () => {
    const result = await runTestNode(node, {
      typeVersion: 4.2,
      continueOnFail: true,
      items: [{ path: 'json' }, { path: 'missing' }],
      params: { url: `${base}/missing` },
    });
    expect(result.json[0]).toMatchObject({ error: { httpCode: '404' } });
    expect(result.json).toHaveLength(2);
  });

  it('follows redirects but refuses one to a blocked address, naming the rule', async () => {
    const ok = await runTestNode(node, { typeVersion: 4.2, params: { url: `${base}/to-json` } });
    expect(ok.json).toEqual([{ hello: 'world' }]);
    await expect(
      runTestNode(node, { typeVersion: 4.2, params: { url: `${base}/to-metadata` } }),
    ).rejects.toThrow(/169\.254\.169\.254 is a cloud metadata address \(rule 'cloud-metadata'\)/);
    const noFollow = await runTestNode(node, {
      typeVersion: 4.2,
      params: {
        url: `${base}/to-json`,
        options: {
          redirect: { redirect: { followRedirects: false } },
          response: { response: { neverError: true, fullResponse: true } },
        },
      },
    });
    expect(noFollow.json[0]).toMatchObject({ statusCode: 301 });
    // v3 follows only when the Redirects option says so.
    await expect(
      runTestNode(node, { typeVersion: 3, params: { url: `${base}/to-json` } }),
    ).rejects.toThrow(/failed with status 301/);
    const v3 = await runTestNode(node, {
      typeVersion: 3,
      params: {
        url: `${base}/to-json`,
        options: { redirect: { redirect: { followRedirects: true } } },
      },
    });
    expect(v3.json).toEqual([{ hello: 'world' }]);
  });

  it('is guarded by default: the default node refuses the local server', async () => {
    await expect(
      runTestNode(httpRequestNode, { typeVersion: 4.2, params: { url: `${base}/json` } }),
    ).rejects.toThrow(/SSRF guard: 127\.0\.0\.1 is a loopback address/);
  });

  it('paginates by updating a parameter with $pageCount until the response is empty', async () => {
    const result = await runTestNode(node, {
      typeVersion: 4.2,
      expressions: true,
      params: {
        url: `${base}/pages`,
        options: {
          pagination: {
            pagination: {
              parameters: {
                parameters: [{ type: 'qs', name: 'page', value: '={{ $pageCount + 1 }}' }],
              },
            },
          },
        },
      },
    });
    expect(result.json).toEqual([
      { page: 1, n: 1 },
      { page: 1, n: 2 },
      { page: 2, n: 1 },
      { page: 2, n: 2 },
      { page: 3, n: 1 },
      { page: 3, n: 2 },
    ]);
    expect(seen.filter((r) => r.url.startsWith('/pages')).map((r) => r.url)).toEqual([
      '/pages',
      '/pages?page=2',
      '/pages?page=3',
      '/pages?page=4',
    ]);
  });

  it('paginates by a next URL from $response and stops by a complete expression', async () => {
    const result = await runTestNode(node, {
      typeVersion: 4.2,
      expressions: true,
      params: {
        url: `${base}/cursor`,
        options: {
          pagination: {
            pagination: {
              paginationMode: 'responseContainsNextURL',
              nextURL: '={{ $response.body.next }}',
              paginationCompleteWhen: 'other',
              completeExpression:
                '={{ $response.body.next === null && $response.statusCode === 200 }}',
            },
          },
        },
      },
    });
    expect(result.json).toEqual([
      { items: [0], next: `${base}/cursor?cursor=1` },
      { items: [1], next: `${base}/cursor?cursor=2` },
      { items: [2], next: null },
    ]);
  });

  it('stops paginating on a given status code and at the page limit', async () => {
    const byStatus = await runTestNode(node, {
      typeVersion: 4.2,
      expressions: true,
      params: {
        url: `${base}/until-404`,
        options: {
          pagination: {
            pagination: {
              parameters: {
                parameters: [{ type: 'qs', name: 'page', value: '={{ $pageCount + 1 }}' }],
              },
              paginationCompleteWhen: 'receiveSpecificStatusCodes',
              statusCodesWhenComplete: '404',
            },
          },
        },
      },
    });
    expect(byStatus.json).toEqual([{ page: 1 }, { page: 2 }]);
    const limited = await runTestNode(node, {
      typeVersion: 4.2,
      expressions: true,
      params: {
        url: `${base}/pages`,
        options: {
          pagination: {
            pagination: {
              parameters: {
                parameters: [{ type: 'qs', name: 'page', value: '={{ $pageCount + 1 }}' }],
              },
              limitPagesFetched: true,
              maxRequests: 2,
            },
          },
        },
      },
    });
    expect(limited.json.map((j) => j.page)).toEqual([1, 1, 2, 2]);
  });

  it('binds $response into templates whose JSON contains braces', async () => {
    const evaluator = createExpressionEvaluator({ isolation: 'inline' });
    const bound = bindTemplateKeys('=next: {{ $response.body.a.b }}!', {
      $response: { body: { a: { b: '}}{{x' } } },
    });
    expect(await evaluator.evaluate(bound, createSingleItemScope(), 0)).toBe('next: }}{{x!');
    await evaluator.close();
  });

  it('authenticates with basic, header, query, bearer, digest and OAuth2 client credentials', async () => {
    const generic = (type: string, credentials: Record<string, unknown>, url = `${base}/echo`) =>
      runTestNode(node, {
        typeVersion: 4.2,
        params: { url, authentication: 'genericCredentialType', genericAuthType: type },
        credentials: { [type]: credentials },
      });
    const basic = await generic('httpBasicAuth', { user: 'u', password: 'p' });
    expect((basic.json[0]!.headers as Record<string, string>).authorization).toBe(
      `Basic ${Buffer.from('u:p').toString('base64')}`,
    );
    const header = await generic('httpHeaderAuth', { name: 'X-Api-Key', value: 'k1' });
    expect((header.json[0]!.headers as Record<string, string>)['x-api-key']).toBe('k1');
    const query = await generic('httpQueryAuth', { name: 'token', value: 'k2' });
    expect(query.json[0]!.query).toEqual({ token: 'k2' });
    const bearer = await generic('httpBearerAuth', { token: 'k3' });
    expect((bearer.json[0]!.headers as Record<string, string>).authorization).toBe('Bearer k3');
    const digest = await generic(
      'httpDigestAuth',
      { user: 'alice', password: 's3cret' },
      `${base}/digest`,
    );
    expect(digest.json).toEqual([{ ok: 'digest' }]);
    const oauth = await generic(
      'oAuth2Api',
      {
        grantType: 'clientCredentials',
        accessTokenUrl: `${base}/oauth/token`,
        clientId: 'client-1',
        clientSecret: 'secret-1',
      },
      `${base}/protected`,
    );
    expect(oauth.json).toEqual([{ secret: 'data' }]);
  });
});

describe('HTTP Request items, batching and token reuse', () => {
  it('sends the requests of all items together and keeps item order', async () => {
    const result = await runTestNode(node, {
      typeVersion: 4.2,
      items: [{ n: 1 }, { n: 2 }, { n: 3 }],
      params: { url: `${base}/gate` },
    });
    expect(result.items.map((i) => i.pairedItem)).toEqual([{ item: 0 }, { item: 1 }, { item: 2 }]);
  });

  it('sends one batch after the other', async () => {
    maxInFlight = 0;
    const result = await runTestNode(node, {
      typeVersion: 4.2,
      items: [{ n: 1 }, { n: 2 }, { n: 3 }, { n: 4 }],
      params: {
        url: `${base}/serial`,
        options: { batching: { batch: { batchSize: 1, batchInterval: 0 } } },
      },
    });
    expect(result.json).toHaveLength(4);
    expect(maxInFlight).toBe(1);
  });

  it('reuses an OAuth2 client-credentials token until it expires', async () => {
    const fresh = createHttpRequestNode({ http });
    const before = tokenRequests;
    const params = {
      url: `${base}/protected`,
      authentication: 'genericCredentialType',
      genericAuthType: 'oAuth2Api',
    };
    const credentials = {
      oAuth2Api: {
        grantType: 'clientCredentials',
        accessTokenUrl: `${base}/oauth/token`,
        clientId: 'client-1',
        clientSecret: 'secret-1',
      },
    };
    await runTestNode(fresh, { typeVersion: 4.2, params, credentials });
    const second = await runTestNode(fresh, { typeVersion: 4.2, params, credentials });
    expect(second.json).toEqual([{ secret: 'data' }]);
    expect(tokenRequests - before).toBe(1);
  });
});

describe('HTTP Request v1', () => {
  it('uses the v1 parameter names and output shapes', async () => {
    const json = await runTestNode(node, { typeVersion: 1, params: { url: `${base}/json` } });
    expect(json.json).toEqual([{ hello: 'world' }]);
    const text = await runTestNode(node, {
      typeVersion: 2,
      params: { url: `${base}/text`, responseFormat: 'string', dataPropertyName: 'out' },
    });
    expect(text.json).toEqual([{ out: 'plain words' }]);
    const split = await runTestNode(node, {
      typeVersion: 1,
      params: { url: `${base}/array`, options: { splitIntoItems: true } },
    });
    expect(split.json).toEqual([{ a: 1 }, { a: 2 }]);
    const post = await runTestNode(node, {
      typeVersion: 1,
      params: {
        requestMethod: 'POST',
        url: `${base}/echo`,
        bodyParametersUi: { parameter: [{ name: 'x', value: '1' }] },
        headerParametersUi: { parameter: [{ name: 'X-Up', value: 'v' }] },
        queryParametersUi: { parameter: [{ name: 'a', value: 'b' }] },
      },
    });
    expect(post.json[0]).toMatchObject({ method: 'POST', query: { a: 'b' }, body: '{"x":"1"}' });
    expect((post.json[0]!.headers as Record<string, string>)['x-up']).toBe('v');
  });
});
