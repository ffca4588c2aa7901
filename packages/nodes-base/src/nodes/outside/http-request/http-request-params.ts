import { z } from 'zod';
import { bool, jsonParam, num, optNum, str } from '../internal/params.js';
import { lazySchema } from '../../../shared/index.js';

const METHODS = ['DELETE', 'GET', 'HEAD', 'OPTIONS', 'PATCH', 'POST', 'PUT'] as const;
const method = () =>
  z.preprocess(
    (v) => (typeof v === 'string' ? v.toUpperCase() : v),
    z.enum(METHODS).default('GET'),
  );

const pair = lazySchema(() => z.object({ name: str(), value: z.unknown().default('') }));
const pairList = (key: 'parameter' | 'parameters') =>
  z
    .object({ [key]: z.array(pair()).default([]) })
    .partial()
    .default({});

/** HTTP Request v1 and v2 (n8n's `HttpRequestV1` / `HttpRequestV2`). */
export const httpRequestV1Params = () =>
  z.object({
    requestMethod: method(),
    url: str(),
    authentication: str('none'),
    nodeCredentialType: str(),
    genericAuthType: str(),
    allowUnauthorizedCerts: bool(false),
    responseFormat: z.enum(['file', 'json', 'string']).default('json'),
    dataPropertyName: str('data'),
    jsonParameters: bool(false),
    sendBinaryData: bool(false),
    binaryPropertyName: str('data'),
    bodyParametersJson: jsonParam(),
    headerParametersJson: jsonParam(),
    queryParametersJson: jsonParam(),
    bodyParametersUi: z
      .object({ parameter: z.array(pair()).default([]) })
      .partial()
      .default({}),
    headerParametersUi: z
      .object({ parameter: z.array(pair()).default([]) })
      .partial()
      .default({}),
    queryParametersUi: z
      .object({ parameter: z.array(pair()).default([]) })
      .partial()
      .default({}),
    options: z
      .object({
        batchInterval: optNum(),
        batchSize: optNum(),
        bodyContentType: z
          .enum(['json', 'raw', 'multipart-form-data', 'form-urlencoded'])
          .optional(),
        bodyContentCustomMimeType: str().optional(),
        followAllRedirects: bool(false).optional(),
        followRedirect: bool(true).optional(),
        fullResponse: bool(false).optional(),
        ignoreResponseCode: bool(false).optional(),
        proxy: str().optional(),
        splitIntoItems: bool(false).optional(),
        timeout: optNum(),
        useQueryString: bool(false).optional(),
      })
      .default({}),
  });
export type HttpRequestV1Params = z.output<ReturnType<typeof httpRequestV1Params>>;

const bodyField = lazySchema(() =>
  z.object({
    parameterType: z.enum(['formData', 'formBinaryData']).default('formData'),
    name: str(),
    value: z.unknown().default(''),
    inputDataFieldName: str(),
  }),
);

const paginationParam = lazySchema(() =>
  z.object({
    type: z.enum(['body', 'headers', 'qs']).default('qs'),
    name: str(),
    value: z.unknown().default(''),
  }),
);

/** HTTP Request v3, v4, v4.1, v4.2, v4.3 (n8n's `HttpRequestV3`). */
export const httpRequestV3Params = () =>
  z.object({
    method: method(),
    url: str(),
    authentication: z
      .enum(['none', 'predefinedCredentialType', 'genericCredentialType'])
      .default('none'),
    nodeCredentialType: str(),
    genericAuthType: str(),
    sendQuery: bool(false),
    specifyQuery: z.enum(['keypair', 'json']).default('keypair'),
    queryParameters: pairList('parameters'),
    jsonQuery: jsonParam(),
    sendHeaders: bool(false),
    specifyHeaders: z.enum(['keypair', 'json']).default('keypair'),
    headerParameters: pairList('parameters'),
    jsonHeaders: jsonParam(),
    sendBody: bool(false),
    contentType: z
      .enum(['json', 'form-urlencoded', 'multipart-form-data', 'binaryData', 'raw'])
      .default('json'),
    specifyBody: z.enum(['keypair', 'json', 'string']).default('keypair'),
    bodyParameters: z
      .object({ parameters: z.array(bodyField()).default([]) })
      .partial()
      .default({}),
    jsonBody: jsonParam(),
    body: z.unknown().default(''),
    inputDataFieldName: str(),
    rawContentType: str(),
    options: z
      .object({
        batching: z
          .object({
            batch: z
              .object({ batchSize: num(50), batchInterval: num(1000) })
              .partial()
              .optional(),
          })
          .optional(),
        allowUnauthorizedCerts: bool(false).optional(),
        requestUncompressedResponse: bool(false).optional(),
        queryParameterArrays: z.enum(['repeat', 'brackets', 'indices']).optional(),
        lowercaseHeaders: bool(true).optional(),
        redirect: z
          .object({
            redirect: z
              .object({ followRedirects: bool(true), maxRedirects: num(21) })
              .partial()
              .optional(),
          })
          .optional(),
        response: z
          .object({
            response: z
              .object({
                fullResponse: bool(false),
                neverError: bool(false),
                responseFormat: z
                  .enum(['autodetect', 'file', 'json', 'text'])
                  .default('autodetect'),
                outputPropertyName: str('data'),
              })
              .partial()
              .optional(),
          })
          .optional(),
        pagination: z
          .object({
            pagination: z
              .object({
                paginationMode: z
                  .enum(['off', 'updateAParameterInEachRequest', 'responseContainsNextURL'])
                  .default('updateAParameterInEachRequest'),
                nextURL: z.unknown().optional(),
                parameters: z
                  .object({ parameters: z.array(paginationParam()).default([]) })
                  .partial()
                  .optional(),
                paginationCompleteWhen: z
                  .enum(['responseIsEmpty', 'receiveSpecificStatusCodes', 'other'])
                  .default('responseIsEmpty'),
                statusCodesWhenComplete: str(),
                completeExpression: z.unknown().optional(),
                limitPagesFetched: bool(false),
                maxRequests: num(100),
                requestInterval: num(0),
              })
              .partial()
              .optional(),
          })
          .optional(),
        proxy: str().optional(),
        timeout: optNum(),
        sendCredentialsOnCrossOriginRedirect: bool(false).optional(),
      })
      .default({}),
  });
export type HttpRequestV3Params = z.output<ReturnType<typeof httpRequestV3Params>>;

export type HttpRequestParams =
  ({ version: 'v1' } & HttpRequestV1Params) | ({ version: 'v3' } & HttpRequestV3Params);

export const HTTP_REQUEST_VERSIONS = [1, 2, 3, 4, 4.1, 4.2, 4.3] as const;

export function httpRequestParamsFor(typeVersion: number) {
  return typeVersion < 3
    ? httpRequestV1Params().transform((p) => ({ version: 'v1' as const, ...p }))
    : httpRequestV3Params().transform((p) => ({ version: 'v3' as const, ...p }));
}
