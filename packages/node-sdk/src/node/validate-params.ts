import type { ZodError, ZodType } from 'zod';
import { ERROR_CODES, NodeError } from '../errors/budflow-error.js';
import type { JsonValue } from '../item/item.js';

export interface ParamIssue {
  /** Dotted path inside `parameters`, e.g. `assignments.assignments[0].type`. */
  path: string;
  message: string;
}

export function formatIssuePath(path: ReadonlyArray<PropertyKey>): string {
  let out = '';
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`;
    else out += out === '' ? String(key) : `.${String(key)}`;
  }
  return out;
}

export function zodIssues(error: ZodError): ParamIssue[] {
  return error.issues.map((issue) => ({
    path: formatIssuePath(issue.path),
    message: issue.message,
  }));
}

/**
 * Validates resolved parameters against a node's schema. Returns the typed value with defaults
 * applied, or throws a `NodeError` that names the node, its type and every bad parameter.
 */
export function validateParams<P>(
  schema: ZodType<P>,
  value: JsonValue,
  node: { name: string; type: string; typeVersion: number },
  itemIndex?: number,
): P {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issues = zodIssues(result.error);
  const where = `node '${node.name}' (${node.type} v${node.typeVersion})`;
  const list = issues.map((i) => `parameter '${i.path || '(root)'}' ${i.message}`).join('; ');
  throw new NodeError(`${where}: ${list}${itemIndex === undefined ? '' : ` [item ${itemIndex}]`}`, {
    code: ERROR_CODES.NODE_PARAMETER_INVALID,
    nodeName: node.name,
    itemIndex,
    retryable: false,
    details: { issues },
  });
}
