import { readFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { DateTime } from 'luxon';
import { createExpressionEvaluator } from './create-expression-evaluator.js';
import { createSingleItemScope } from './scope/single-item-scope.js';

const DIR = new URL('../../../../shared/conformance/n8n-expressions/', import.meta.url);

interface Case {
  id: string;
  expression: string;
  json: Record<string, unknown>;
  expected?: unknown;
  expectedType?: string;
}

function lines(file: string): Case[] {
  return readFileSync(new URL(file, DIR), 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as Case);
}

/** Makes an evaluated value comparable with the corpus' JSON `expected`. */
function normalise(value: unknown, expectedType: string | undefined): unknown {
  if (DateTime.isDateTime(value)) return value.isValid ? value.toISO() : null;
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? null : value.toISOString();
  if (expectedType === 'NaN') return Number.isNaN(value) ? null : value;
  if (expectedType === 'Infinity') return value === Infinity || value === -Infinity ? null : value;
  if (expectedType === 'undefined') return value === undefined ? null : ['defined', value];
  if (expectedType === 'tagged')
    return JSON.parse(
      JSON.stringify(value, (_k, v: unknown) =>
        typeof v === 'number' && Number.isNaN(v) ? { $type: 'NaN' } : v,
      ),
    );
  return value === undefined ? ['undefined'] : JSON.parse(JSON.stringify(value));
}

const evaluator = createExpressionEvaluator({ isolation: 'inline' });
afterAll(() => evaluator.close());

describe('n8n expression conformance', () => {
  it('reproduces at least 99 % of cases.jsonl exactly', async () => {
    const cases = lines('cases.jsonl');
    const failures: string[] = [];
    for (const c of cases) {
      const scope = createSingleItemScope({ json: c.json as never });
      let actual: unknown;
      try {
        actual = normalise(await evaluator.evaluate(c.expression, scope, 0), c.expectedType);
      } catch (error) {
        failures.push(`${c.id}: threw ${(error as Error).message}`);
        continue;
      }
      try {
        expect(actual).toEqual(c.expected);
      } catch {
        failures.push(
          `${c.id}: ${c.expression}\n    expected ${JSON.stringify(c.expected)}\n    actual   ${JSON.stringify(actual)}`,
        );
      }
    }
    if (failures.length)
      console.log(`${failures.length} of ${cases.length} cases differ:\n${failures.join('\n')}`);
    expect(failures.length / cases.length).toBeLessThanOrEqual(0.01);
  }, 120_000);

  it('fails on every case of errors.jsonl', async () => {
    const cases = lines('errors.jsonl');
    const passed: string[] = [];
    for (const c of cases) {
      const scope = createSingleItemScope({ json: c.json as never });
      try {
        const v = await evaluator.evaluate(c.expression, scope, 0);
        passed.push(`${c.id}: ${c.expression} gave ${JSON.stringify(v)}`);
      } catch {
        // expected
      }
    }
    expect(passed).toEqual([]);
  }, 60_000);
});
