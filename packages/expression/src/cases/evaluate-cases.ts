import { DateTime } from 'luxon';
import type { ExpressionEvaluator, JsonObject, JsonValue } from '@budflow/node-sdk';
import { isJsonObject } from '@budflow/node-sdk';
import { createSingleItemScope } from '../scope/single-item-scope.js';

/** A value as printed by `budflow eval`: JSON, plus its kind when JSON cannot say it. */
export interface PrintableValue {
  value: JsonValue;
  /** `undefined`, `NaN`, `Infinity`, `-Infinity`, `DateTime` or `Date` (the value is then null or an ISO string). */
  valueType?: string;
}

export interface EvalCaseResult extends Partial<PrintableValue> {
  id: unknown;
  error?: { code: string; message: string };
}

export function toPrintable(value: unknown): PrintableValue {
  if (value === undefined) return { value: null, valueType: 'undefined' };
  if (typeof value === 'number' && !Number.isFinite(value))
    return {
      value: null,
      valueType: Number.isNaN(value) ? 'NaN' : value > 0 ? 'Infinity' : '-Infinity',
    };
  if (DateTime.isDateTime(value))
    return { value: value.isValid ? value.toISO() : null, valueType: 'DateTime' };
  if (value instanceof Date)
    return { value: Number.isNaN(value.getTime()) ? null : value.toISOString(), valueType: 'Date' };
  return { value: JSON.parse(JSON.stringify(value) ?? 'null') as JsonValue };
}

function errorOf(error: unknown): { code: string; message: string } {
  const e = error as { code?: unknown; message?: unknown };
  return {
    code: typeof e?.code === 'string' ? e.code : 'EXPRESSION_ERROR',
    message: typeof e?.message === 'string' ? e.message : String(error),
  };
}

/**
 * Evaluates JSONL cases `{"id", "expression", "json"}` as the only item of a one-node manual run
 * (run 0, item 0) in `timezone`. Yields one result per non-empty line; a failing case never stops
 * the others.
 */
export async function* evaluateCases(
  evaluator: ExpressionEvaluator,
  lines: Iterable<string> | AsyncIterable<string>,
  options: { timezone?: string } = {},
): AsyncGenerator<EvalCaseResult> {
  let lineNumber = 0;
  for await (const line of lines) {
    lineNumber++;
    if (line.trim() === '') continue;
    let c: { id?: unknown; expression?: unknown; json?: unknown };
    try {
      c = JSON.parse(line) as typeof c;
    } catch (error) {
      yield {
        id: null,
        error: { code: 'CASE_INVALID', message: `line ${lineNumber}: ${errorOf(error).message}` },
      };
      continue;
    }
    const id = c.id ?? lineNumber;
    if (typeof c.expression !== 'string') {
      yield {
        id,
        error: {
          code: 'CASE_INVALID',
          message: `line ${lineNumber}: "expression" must be a string`,
        },
      };
      continue;
    }
    const json: JsonObject = isJsonObject(c.json) ? c.json : {};
    try {
      const scope = createSingleItemScope({ json, timezone: options.timezone });
      const value = await evaluator.evaluate(c.expression, scope, 0);
      yield { id, ...toPrintable(value) };
    } catch (error) {
      yield { id, error: errorOf(error) };
    }
  }
}
