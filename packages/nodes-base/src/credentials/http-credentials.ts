import { z } from 'zod';
import { defineCredential, type HttpRequestOptions } from '@budflow/node-sdk';

const secret = (title: string) => z.string().default('').meta({ title, secret: true });

const withHeader = (request: HttpRequestOptions, name: string, value: string) => ({
  ...request,
  headers: { ...(request.headers ?? {}), [name]: value },
});

const withQuery = (request: HttpRequestOptions, name: string, value: string) => {
  const url = new URL(request.url);
  url.searchParams.set(name, value);
  return { ...request, url: url.toString() };
};

const basic = (user: string, password: string) =>
  `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

export const httpBasicAuth = defineCredential({
  type: 'httpBasicAuth',
  title: 'Basic Auth',
  data: z.object({
    user: z.string().default('').meta({ title: 'User' }),
    password: secret('Password'),
  }),
  authenticate: (data, request) =>
    withHeader(request, 'authorization', basic(data.user, data.password)),
});

/** Digest needs the server's challenge: the HTTP Request node answers it; no static header. */
export const httpDigestAuth = defineCredential({
  type: 'httpDigestAuth',
  title: 'Digest Auth',
  data: z.object({
    user: z.string().default('').meta({ title: 'User' }),
    password: secret('Password'),
  }),
});

export const httpHeaderAuth = defineCredential({
  type: 'httpHeaderAuth',
  title: 'Header Auth',
  data: z.object({ name: z.string().default('').meta({ title: 'Name' }), value: secret('Value') }),
  authenticate: (data, request) => withHeader(request, data.name, data.value),
});

export const httpQueryAuth = defineCredential({
  type: 'httpQueryAuth',
  title: 'Query Auth',
  data: z.object({ name: z.string().default('').meta({ title: 'Name' }), value: secret('Value') }),
  authenticate: (data, request) => withQuery(request, data.name, data.value),
});

export const httpBearerAuth = defineCredential({
  type: 'httpBearerAuth',
  title: 'Bearer Auth',
  data: z.object({ token: secret('Bearer Token') }),
  authenticate: (data, request) => withHeader(request, 'authorization', `Bearer ${data.token}`),
});

/** n8n's custom auth: a JSON object with `headers`, `qs` and/or `body` merged into the request. */
export const httpCustomAuth = defineCredential({
  type: 'httpCustomAuth',
  title: 'Custom Auth',
  data: z.object({ json: secret('JSON').default('{}') }),
  authenticate: (data, request) => {
    const parsed = JSON.parse(data.json || '{}') as {
      headers?: Record<string, string>;
      qs?: Record<string, string>;
    };
    let out = request;
    for (const [k, v] of Object.entries(parsed.headers ?? {})) out = withHeader(out, k, String(v));
    for (const [k, v] of Object.entries(parsed.qs ?? {})) out = withQuery(out, k, String(v));
    return out;
  },
});

const oAuth2Data = z.object({
  grantType: z
    .enum(['authorizationCode', 'clientCredentials', 'pkce'])
    .default('authorizationCode')
    .meta({ title: 'Grant Type' }),
  authUrl: z.string().default('').meta({ title: 'Authorization URL' }),
  accessTokenUrl: z.string().default('').meta({ title: 'Access Token URL' }),
  clientId: z.string().default('').meta({ title: 'Client ID' }),
  clientSecret: secret('Client Secret'),
  scope: z.string().default('').meta({ title: 'Scope' }),
  authQueryParameters: z.string().default('').meta({ title: 'Auth URI Query Parameters' }),
  /** Where the client credentials go in the token request. */
  authentication: z.enum(['header', 'body']).default('header').meta({ title: 'Authentication' }),
  /** Token data stored after an authorization-code flow (`access_token`, `token_type`, ...). */
  oauthTokenData: z
    .record(z.string(), z.unknown())
    .optional()
    .meta({ title: 'Token data', secret: true }),
});
export type OAuth2ApiData = z.output<typeof oAuth2Data>;

/**
 * OAuth2. The client-credentials grant is fetched by the node (it needs the HTTP client); here a
 * stored token (from an authorization-code flow done by the server) is applied as a Bearer header.
 */
export const oAuth2Api = defineCredential({
  type: 'oAuth2Api',
  title: 'OAuth2 API',
  data: oAuth2Data,
  authenticate: (data, request) => {
    const token = data.oauthTokenData?.access_token;
    return typeof token === 'string'
      ? withHeader(request, 'authorization', `Bearer ${token}`)
      : request;
  },
});
