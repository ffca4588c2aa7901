import { SignJWT } from 'jose';
import { createInMemoryBinaryHelpers } from '@budflow/node-sdk';
import { describe, expect, it } from 'vitest';
import { runTestNode } from '../internal/test-harness.js';
import { respondToWebhookNode, webhookNode } from './webhook-nodes.js';
import { webhookParams } from './webhook-params.js';
import {
  handleWebhookRequest,
  webhookLastNodeResponse,
  type IncomingWebhookRequest,
} from './webhook-request.js';

const request = (over: Partial<IncomingWebhookRequest> = {}): IncomingWebhookRequest => ({
  method: 'POST',
  headers: { 'content-type': 'application/json' },
  query: { a: '1' },
  params: {},
  body: { hello: 'world' },
  ...over,
});

const handle = (
  params: Record<string, unknown>,
  req: IncomingWebhookRequest,
  credentials: Record<string, Record<string, unknown>> = {},
  typeVersion = 2,
) =>
  handleWebhookRequest({
    params: webhookParams().parse(params),
    typeVersion,
    request: req,
    mode: 'webhook',
    binary: createInMemoryBinaryHelpers(),
    getCredentials: (type) => {
      const data = credentials[type];
      return data ? Promise.resolve(data) : Promise.reject(new Error(`no ${type}`));
    },
  });

describe('Webhook', () => {
  it('passes its input (the request item) through in every mode', async () => {
    const item = { headers: {}, params: {}, query: {}, body: { x: 1 } };
    const result = await runTestNode(webhookNode, { mode: 'webhook', items: [item] });
    expect(result.json).toEqual([item]);
  });

  it('turns a request into n8n’s trigger item and answers onReceived', async () => {
    const decision = await handle(
      { path: 'p', httpMethod: 'POST' },
      request({ webhookUrl: 'http://h/webhook/p' }),
    );
    expect(decision).toMatchObject({
      kind: 'accept',
      items: [
        {
          json: {
            headers: { 'content-type': 'application/json' },
            params: {},
            query: { a: '1' },
            body: { hello: 'world' },
            webhookUrl: 'http://h/webhook/p',
            executionMode: 'production',
          },
        },
      ],
      response: { mode: 'onReceived', statusCode: 200, body: { message: 'Workflow was started' } },
    });
    const v1 = await handle({ path: 'p' }, request(), {}, 1);
    expect(v1.kind === 'accept' && Object.keys(v1.items[0]!.json)).toEqual([
      'headers',
      'params',
      'query',
      'body',
    ]);
  });

  it('checks basic and header authentication', async () => {
    const creds = {
      httpBasicAuth: { user: 'u', password: 'p' },
      httpHeaderAuth: { name: 'X-Key', value: 'k' },
    };
    expect(await handle({ authentication: 'basicAuth' }, request(), creds)).toMatchObject({
      kind: 'reject',
      statusCode: 401,
    });
    const wrong = `Basic ${Buffer.from('u:x').toString('base64')}`;
    expect(
      await handle(
        { authentication: 'basicAuth' },
        request({ headers: { authorization: wrong } }),
        creds,
      ),
    ).toMatchObject({ kind: 'reject', statusCode: 403 });
    const right = `Basic ${Buffer.from('u:p').toString('base64')}`;
    expect(
      (
        await handle(
          { authentication: 'basicAuth' },
          request({ headers: { authorization: right } }),
          creds,
        )
      ).kind,
    ).toBe('accept');
    expect(
      (
        await handle(
          { authentication: 'headerAuth' },
          request({ headers: { 'x-key': 'k' } }),
          creds,
        )
      ).kind,
    ).toBe('accept');
    expect(
      await handle(
        { authentication: 'headerAuth' },
        request({ headers: { 'x-key': 'no' } }),
        creds,
      ),
    ).toMatchObject({ kind: 'reject', statusCode: 403 });
  });

  it('verifies a JWT and puts its payload on the item', async () => {
    const secret = 'a-very-secret-passphrase-of-enough-length';
    const token = await new SignJWT({ sub: 'user-1' })
      .setProtectedHeader({ alg: 'HS256' })
      .sign(new TextEncoder().encode(secret));
    const creds = { jwtAuth: { keyType: 'passphrase', secret, algorithm: 'HS256' } };
    const ok = await handle(
      { authentication: 'jwtAuth' },
      request({ headers: { authorization: `Bearer ${token}` } }),
      creds,
    );
    expect(ok.kind === 'accept' && ok.items[0]!.json.jwtPayload).toEqual({ sub: 'user-1' });
    const bad = await handle(
      { authentication: 'jwtAuth' },
      request({ headers: { authorization: `Bearer ${token}x` } }),
      creds,
    );
    expect(bad).toMatchObject({ kind: 'reject', statusCode: 403 });
  });

  it('stores uploaded files and raw bodies as binary', async () => {
    const files = await handle(
      { options: { binaryPropertyName: 'file' } },
      request({
        headers: { 'content-type': 'multipart/form-data; boundary=x' },
        files: [
          {
            fieldName: 'upload',
            fileName: 'a.txt',
            mimeType: 'text/plain',
            data: Buffer.from('hi'),
          },
        ],
      }),
    );
    expect(files.kind === 'accept' && files.items[0]!.binary?.file0).toMatchObject({
      fileName: 'a.txt',
      mimeType: 'text/plain',
      data: Buffer.from('hi').toString('base64'),
    });
    const raw = await handle(
      {},
      request({
        headers: { 'content-type': 'application/pdf' },
        body: undefined,
        rawBody: Buffer.from('%PDF'),
      }),
    );
    expect(raw.kind === 'accept' && raw.items[0]!.binary?.data?.mimeType).toBe('application/pdf');
  });

  it('refuses IPs outside the allow-list', async () => {
    expect(
      await handle({ options: { ipWhitelist: '10.0.0.1, 10.0.0.2' } }, request({ ip: '10.0.0.3' })),
    ).toMatchObject({ kind: 'reject', statusCode: 403 });
    expect(
      (await handle({ options: { ipWhitelist: '10.0.0.1' } }, request({ ip: '::ffff:10.0.0.1' })))
        .kind,
    ).toBe('accept');
  });

  it('builds the lastNode response from the last node’s items', async () => {
    const decision = await handle(
      { responseMode: 'lastNode', responseData: 'allEntries', responseCode: 201 },
      request(),
    );
    if (decision.kind !== 'accept') throw new Error('expected accept');
    expect(
      webhookLastNodeResponse(decision.response, [{ json: { a: 1 } }, { json: { a: 2 } }]),
    ).toEqual({
      statusCode: 201,
      headers: {},
      body: [{ a: 1 }, { a: 2 }],
    });
  });
});

describe('Respond to Webhook', () => {
  it('sends the first item by default and passes its input through', async () => {
    const result = await runTestNode(respondToWebhookNode, { items: [{ a: 1 }, { a: 2 }] });
    expect(result.responses).toEqual([{ statusCode: 200, headers: {}, body: { a: 1 } }]);
    expect(result.json).toEqual([{ a: 1 }, { a: 2 }]);
  });

  it('sends JSON, text, redirects and custom headers and codes', async () => {
    const json = await runTestNode(respondToWebhookNode, {
      params: {
        respondWith: 'json',
        responseBody: '{"ok":true}',
        options: { responseCode: 201, responseHeaders: { entries: [{ name: 'X-A', value: 'b' }] } },
      },
    });
    expect(json.responses).toEqual([
      { statusCode: 201, headers: { 'x-a': 'b' }, body: { ok: true } },
    ]);
    const text = await runTestNode(respondToWebhookNode, {
      params: { respondWith: 'text', responseBody: 'hello' },
    });
    expect(text.responses[0]).toMatchObject({ body: 'hello' });
    const redirect = await runTestNode(respondToWebhookNode, {
      params: { respondWith: 'redirect', redirectURL: 'https://example.com/' },
    });
    expect(redirect.responses[0]).toMatchObject({
      statusCode: 307,
      redirectUrl: 'https://example.com/',
    });
    await expect(
      runTestNode(respondToWebhookNode, { params: { respondWith: 'json', responseBody: '{bad' } }),
    ).rejects.toThrow(/Invalid JSON in 'Response Body' field/);
  });

  it('sends all items under a response key, and binary data', async () => {
    const all = await runTestNode(respondToWebhookNode, {
      items: [{ a: 1 }, { a: 2 }],
      params: { respondWith: 'allIncomingItems', options: { responseKey: 'data.rows' } },
    });
    expect(all.responses[0]!.body).toEqual({ data: { rows: [{ a: 1 }, { a: 2 }] } });
    const ref = { data: Buffer.from('x').toString('base64'), mimeType: 'text/plain' };
    const bin = await runTestNode(respondToWebhookNode, {
      items: [{ json: {}, binary: { data: ref } }],
      params: { respondWith: 'binary' },
    });
    expect(bin.responses[0]!.binary).toEqual(ref);
  });
});
