import { BudflowError, ERROR_CODES, isBudflowError } from '@budflow/node-sdk';
import { STORAGE_ERROR_CODES } from '@budflow/storage';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { QUEUE_ERROR_CODES } from '../execution/execution-queue.js';

/** Error codes the server itself raises. */
export const HTTP_ERROR_CODES = {
  BAD_REQUEST: 'BAD_REQUEST',
  VALIDATION_FAILED: 'VALIDATION_FAILED',
  UNAUTHENTICATED: 'UNAUTHENTICATED',
  FORBIDDEN: 'FORBIDDEN',
  NOT_FOUND: 'NOT_FOUND',
  CONFLICT: 'CONFLICT',
  PAYLOAD_TOO_LARGE: 'PAYLOAD_TOO_LARGE',
  RATE_LIMITED: 'RATE_LIMITED',
  WEBHOOK_NOT_REGISTERED: 'WEBHOOK_NOT_REGISTERED',
  WORKFLOW_FAILED: 'WORKFLOW_FAILED',
  SETUP_DONE: 'SETUP_DONE',
} as const;

/** One table from error code to HTTP status; anything else is a 500. */
const STATUS_BY_CODE: Record<string, ContentfulStatusCode> = {
  [HTTP_ERROR_CODES.BAD_REQUEST]: 400,
  [HTTP_ERROR_CODES.VALIDATION_FAILED]: 400,
  [HTTP_ERROR_CODES.UNAUTHENTICATED]: 401,
  [HTTP_ERROR_CODES.FORBIDDEN]: 403,
  [HTTP_ERROR_CODES.NOT_FOUND]: 404,
  [HTTP_ERROR_CODES.WEBHOOK_NOT_REGISTERED]: 404,
  [HTTP_ERROR_CODES.CONFLICT]: 409,
  [HTTP_ERROR_CODES.SETUP_DONE]: 409,
  [HTTP_ERROR_CODES.PAYLOAD_TOO_LARGE]: 413,
  [HTTP_ERROR_CODES.RATE_LIMITED]: 429,
  [HTTP_ERROR_CODES.WORKFLOW_FAILED]: 500,
  [ERROR_CODES.WORKFLOW_INVALID]: 400,
  [ERROR_CODES.WORKFLOW_NODE_UNKNOWN]: 400,
  [ERROR_CODES.WORKFLOW_NODE_VERSION_UNKNOWN]: 400,
  [ERROR_CODES.WORKFLOW_NO_START_NODE]: 400,
  [ERROR_CODES.NODE_NOT_FOUND]: 400,
  [ERROR_CODES.CREDENTIAL_NOT_FOUND]: 400,
  [STORAGE_ERROR_CODES.STORAGE_NOT_FOUND]: 404,
  [STORAGE_ERROR_CODES.STORAGE_CONFLICT]: 409,
  [STORAGE_ERROR_CODES.STORAGE_VERSION_CONFLICT]: 409,
  [STORAGE_ERROR_CODES.STORAGE_INVALID_INPUT]: 400,
  [STORAGE_ERROR_CODES.EXECUTION_NOT_RECOVERABLE]: 409,
  [QUEUE_ERROR_CODES.QUEUE_FULL]: 503,
  [QUEUE_ERROR_CODES.QUEUE_CLOSED]: 503,
};

export function statusOf(error: unknown): ContentfulStatusCode {
  if (isBudflowError(error)) return STATUS_BY_CODE[error.code] ?? 500;
  return 500;
}

export interface ErrorBody {
  error: { code: string; message: string; details?: Record<string, unknown> };
}

/** The JSON body of an error response. Unknown (non-Budflow) errors never leak their message. */
export function errorBody(error: unknown): ErrorBody {
  if (isBudflowError(error) && statusOf(error) < 500) {
    const details = Object.keys(error.details).length > 0 ? error.details : undefined;
    return { error: { code: error.code, message: error.message, ...(details ? { details } : {}) } };
  }
  return {
    error: { code: ERROR_CODES.INTERNAL, message: 'internal server error; see the server log' },
  };
}

export function httpError(
  code: keyof typeof HTTP_ERROR_CODES,
  message: string,
  details?: Record<string, unknown>,
): BudflowError {
  return new BudflowError(HTTP_ERROR_CODES[code], message, details ? { details } : {});
}
