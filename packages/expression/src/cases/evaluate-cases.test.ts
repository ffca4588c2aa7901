import { afterAll, describe, expect, it } from 'vitest';
import { createExpressionEvaluator } from '../create-expression-evaluator.js';
import { evaluateCases, toPrintable } from './evaluate-cases.js';

const evaluator = createExpressionEvaluator({ isolation: 'inline' });
afterAll(() => evaluator.close());

async function all(lines: string[], timezone?: string) {
  const out = [];
  for await (const r of evaluateCases(evaluator, lines, { timezone })) out.push(r);
  return out;
}

describe('evaluateCases', () => {
  it('prints one result per case and keeps going after failures', async () => {
    const out = await all([
      '{"id": "a", "expression": "={{ $json.a + 1 }}", "json": {"a": 1}}',
      'not json',
      '',
      '{"id": "b", "expression": "={{ [1, \\"x\\"].sum() }}", "json": {}}',
      '{"id": "c", "expression": "={{ $json.missing }}"}',
      '{"id": "d", "expression": "={{ DateTime.fromISO(\\"2024-01-15T10:00:00Z\\") }}"}',
    ]);
    expect(out).toEqual([
      { id: 'a', value: 2 },
      { id: null, error: { code: 'CASE_INVALID', message: expect.stringMatching(/^line 2: /) } },
      {
        id: 'b',
        error: {
          code: 'EXPRESSION_ERROR',
          message: expect.stringContaining('sum(): all array elements must be numbers'),
        },
      },
      { id: 'c', value: null, valueType: 'undefined' },
      { id: 'd', value: '2024-01-15T10:00:00.000Z', valueType: 'DateTime' },
    ]);
  });

  it('evaluates in the requested time zone', async () => {
    const [r] = await all(
      [
        '{"id": 1, "expression": "={{ $now.zoneName + \\" \\" + DateTime.local(2024, 1, 1).toISO() }}"}',
      ],
      'Europe/Paris',
    );
    expect(r).toEqual({ id: 1, value: 'Europe/Paris 2024-01-01T00:00:00.000+01:00' });
  });

  it('toPrintable marks values JSON cannot carry', () => {
    expect(toPrintable(Number.NaN)).toEqual({ value: null, valueType: 'NaN' });
    expect(toPrintable(new Date(0))).toEqual({
      value: '1970-01-01T00:00:00.000Z',
      valueType: 'Date',
    });
    expect(toPrintable({ a: [1] })).toEqual({ value: { a: [1] } });
  });
});
