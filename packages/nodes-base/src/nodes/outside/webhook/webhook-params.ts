import { z } from 'zod';
import { lazySchema } from '../../../shared/index.js';
import { bool, num, str } from '../internal/params.js';

export const HTTP_METHODS = ['DELETE', 'GET', 'HEAD', 'PATCH', 'POST', 'PUT'] as const;

const headerEntries = lazySchema(() =>
  z
    .object({
      entries: z.array(z.object({ name: str(), value: str() })).default([]),
    })
    .partial()
    .optional(),
);

/** A response code as n8n writes it: a number, or v2's `{ values: { responseCode, customCode } }`. */
const responseCodeOption = lazySchema(() =>
  z
    .union([
      num(200),
      z.object({
        values: z
          .object({ responseCode: num(200), customCode: num(200).optional() })
          .partial()
          .optional(),
      }),
    ])
    .optional(),
);

export const webhookOptions = lazySchema(() =>
  z
    .object({
      binaryData: bool(false).optional(),
      binaryPropertyName: str('data').optional(),
      ignoreBots: bool(false).optional(),
      ipWhitelist: str().optional(),
      noResponseBody: bool(false).optional(),
      rawBody: bool(false).optional(),
      responseContentType: str().optional(),
      responseData: str().optional(),
      responseHeaders: headerEntries(),
      responsePropertyName: str('data').optional(),
      responseCode: responseCodeOption(),
      allowedOrigins: str('*').optional(),
    })
    .default({}),
);

/** Webhook v1, v1.1, v2, v2.1 (one schema: later versions only add fields). */
export const webhookParams = lazySchema(() =>
  z.object({
    multipleMethods: bool(false),
    httpMethod: z.union([z.enum(HTTP_METHODS), z.array(z.enum(HTTP_METHODS))]).default('GET'),
    path: str(),
    authentication: z.enum(['none', 'basicAuth', 'headerAuth', 'jwtAuth']).default('none'),
    responseMode: z
      .enum(['onReceived', 'lastNode', 'responseNode', 'streaming'])
      .default('onReceived'),
    responseCode: num(200),
    responseData: z
      .enum(['allEntries', 'firstEntryJson', 'firstEntryBinary', 'noData'])
      .default('firstEntryJson'),
    responseBinaryPropertyName: str('data'),
    options: webhookOptions(),
  }),
);
export type WebhookParams = z.output<ReturnType<typeof webhookParams>>;
