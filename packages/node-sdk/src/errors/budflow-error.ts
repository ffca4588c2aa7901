/** Error codes per domain. The server maps them to HTTP statuses in one table. */
export const ERROR_CODES = {
  WORKFLOW_INVALID: 'WORKFLOW_INVALID',
  WORKFLOW_NODE_UNKNOWN: 'WORKFLOW_NODE_UNKNOWN',
  WORKFLOW_NODE_VERSION_UNKNOWN: 'WORKFLOW_NODE_VERSION_UNKNOWN',
  WORKFLOW_NO_START_NODE: 'WORKFLOW_NO_START_NODE',
  NODE_NOT_FOUND: 'NODE_NOT_FOUND',
  NODE_EXECUTION_FAILED: 'NODE_EXECUTION_FAILED',
  NODE_PARAMETER_INVALID: 'NODE_PARAMETER_INVALID',
  NODE_OUTPUT_INVALID: 'NODE_OUTPUT_INVALID',
  NODE_STOPPED: 'NODE_STOPPED',
  EXECUTION_CANCELED: 'EXECUTION_CANCELED',
  EXECUTION_TIMEOUT: 'EXECUTION_TIMEOUT',
  EXECUTION_ENDLESS_LOOP: 'EXECUTION_ENDLESS_LOOP',
  EXPRESSION_EVALUATOR_MISSING: 'EXPRESSION_EVALUATOR_MISSING',
  EXPRESSION_SYNTAX: 'EXPRESSION_SYNTAX',
  EXPRESSION_ERROR: 'EXPRESSION_ERROR',
  CREDENTIAL_NOT_FOUND: 'CREDENTIAL_NOT_FOUND',
  CREDENTIAL_RESOLVER_MISSING: 'CREDENTIAL_RESOLVER_MISSING',
  CREDENTIAL_DECRYPT_FAILED: 'CREDENTIAL_DECRYPT_FAILED',
  WORKFLOW_LOADER_MISSING: 'WORKFLOW_LOADER_MISSING',
  SANDBOX_TIMEOUT: 'SANDBOX_TIMEOUT',
  SANDBOX_MEMORY: 'SANDBOX_MEMORY',
  SANDBOX_OUTPUT_TOO_LARGE: 'SANDBOX_OUTPUT_TOO_LARGE',
  SANDBOX_ERROR: 'SANDBOX_ERROR',
  INTERNAL: 'INTERNAL',
} as const;
export type ErrorCode = (typeof ERROR_CODES)[keyof typeof ERROR_CODES] | (string & {});

export interface BudflowErrorOptions {
  details?: Record<string, unknown>;
  cause?: unknown;
}

/** The one base class of BudFlow errors: a stable `code`, structured `details`, and an ES2022 `cause`. */
export class BudflowError extends Error {
  override name = 'BudflowError';
  readonly code: ErrorCode;
  readonly details: Record<string, unknown>;

  constructor(code: ErrorCode, message: string, options: BudflowErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.details = options.details ?? {};
  }

  toJSON(): { name: string; code: string; message: string; details: Record<string, unknown> } {
    return { name: this.name, code: this.code, message: this.message, details: this.details };
  }
}

export function isBudflowError(error: unknown): error is BudflowError {
  return error instanceof BudflowError;
}

export interface NodeErrorOptions extends BudflowErrorOptions {
  nodeName?: string;
  itemIndex?: number;
  retryable?: boolean;
  description?: string;
}

/** An error raised while a node runs; it names the node and, when known, the item. */
export class NodeError extends BudflowError {
  override name = 'NodeError';
  nodeName: string | undefined;
  itemIndex: number | undefined;
  readonly retryable: boolean;
  readonly description: string | undefined;

  constructor(message: string, options: NodeErrorOptions & { code?: ErrorCode } = {}) {
    super(options.code ?? ERROR_CODES.NODE_EXECUTION_FAILED, message, options);
    this.nodeName = options.nodeName;
    this.itemIndex = options.itemIndex;
    this.retryable = options.retryable ?? true;
    this.description = options.description;
  }

  override toJSON() {
    return {
      ...super.toJSON(),
      details: {
        ...this.details,
        ...(this.nodeName === undefined ? {} : { nodeName: this.nodeName }),
        ...(this.itemIndex === undefined ? {} : { itemIndex: this.itemIndex }),
        ...(this.description === undefined ? {} : { description: this.description }),
      },
    };
  }
}

export interface ValidationProblem {
  /** JSON path in the workflow document, e.g. `nodes[2].parameters.assignments`. */
  path: string;
  message: string;
  nodeName?: string;
}

/** A workflow that cannot run. Lists every problem found, not just the first. */
export class WorkflowValidationError extends BudflowError {
  override name = 'WorkflowValidationError';
  readonly problems: ValidationProblem[];

  constructor(problems: ValidationProblem[], message?: string) {
    super(
      ERROR_CODES.WORKFLOW_INVALID,
      message ??
        `workflow is invalid (${problems.length} problem${problems.length === 1 ? '' : 's'}):\n` +
          problems.map((p) => `  - ${p.path}: ${p.message}`).join('\n'),
      { details: { problems } },
    );
    this.problems = problems;
  }
}

/** An error in a `{{ }}` expression, with its position in the template when known. */
export class ExpressionError extends BudflowError {
  override name = 'ExpressionError';
  readonly position: { start: number; end: number } | undefined;

  constructor(
    message: string,
    options: BudflowErrorOptions & {
      code?: ErrorCode;
      position?: { start: number; end: number };
    } = {},
  ) {
    super(options.code ?? ERROR_CODES.EXPRESSION_ERROR, message, options);
    this.position = options.position;
  }
}

/** Converts anything thrown into a `BudflowError`, keeping the original as `cause`. */
export function toBudflowError(error: unknown): BudflowError {
  if (error instanceof BudflowError) return error;
  if (error instanceof Error)
    return new BudflowError(ERROR_CODES.INTERNAL, error.message, { cause: error });
  return new BudflowError(ERROR_CODES.INTERNAL, String(error));
}
