import { z } from 'zod';
import { describe, expect, it } from 'vitest';
import { baseCredentials } from './index.js';
import {
  httpBasicAuth,
  httpBearerAuth,
  httpCustomAuth,
  httpHeaderAuth,
  httpQueryAuth,
  oAuth2Api,
} from './http-credentials.js';

const request = { url: 'https://api.example.com/items?a=1', headers: { accept: 'x' } };

describe('generic HTTP credentials', () => {
  it('add n8n-style authentication to a request', async () => {
    expect(
      (await httpBasicAuth.authenticate!({ user: 'u', password: 'p' }, request)).headers,
    ).toEqual({
      accept: 'x',
      authorization: `Basic ${Buffer.from('u:p').toString('base64')}`,
    });
    expect(
      (await httpHeaderAuth.authenticate!({ name: 'X-Key', value: 'k' }, request)).headers,
    ).toMatchObject({ 'X-Key': 'k' });
    expect((await httpQueryAuth.authenticate!({ name: 'token', value: 'a b' }, request)).url).toBe(
      'https://api.example.com/items?a=1&token=a+b',
    );
    expect((await httpBearerAuth.authenticate!({ token: 't' }, request)).headers).toMatchObject({
      authorization: 'Bearer t',
    });
    const custom = await httpCustomAuth.authenticate!(
      { json: '{"headers":{"X-A":"1"},"qs":{"k":"v"}}' },
      request,
    );
    expect(custom).toEqual({
      url: 'https://api.example.com/items?a=1&k=v',
      headers: { accept: 'x', 'X-A': '1' },
    });
    const oauth = oAuth2Api.data.parse({ oauthTokenData: { access_token: 'abc' } });
    expect((await oAuth2Api.authenticate!(oauth, request)).headers).toMatchObject({
      authorization: 'Bearer abc',
    });
  });

  it('mark secret fields for redaction and default every field', () => {
    for (const credential of baseCredentials) {
      const schema = z.toJSONSchema(credential.data) as {
        properties?: Record<string, { secret?: boolean }>;
      };
      const secrets = Object.entries(schema.properties ?? {}).filter(([, p]) => p.secret);
      expect(secrets.length, credential.type).toBeGreaterThan(0);
      expect(() => credential.data.parse({}), credential.type).not.toThrow();
    }
    expect(baseCredentials.map((c) => c.type)).toEqual([
      'httpBasicAuth',
      'httpDigestAuth',
      'httpHeaderAuth',
      'httpQueryAuth',
      'httpBearerAuth',
      'httpCustomAuth',
      'oAuth2Api',
    ]);
  });
});
