import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { NodeError, validateParams, type JsonValue } from '@budflow/node-sdk';
import { createItemParamsValidator } from './item-params-validator.js';

const node = { name: 'Set', type: 'n8n-nodes-base.set', typeVersion: 3.4 };
const schema = z.object({
  assignments: z
    .object({
      assignments: z
        .array(
          z.object({ name: z.string(), value: z.unknown(), type: z.string().default('string') }),
        )
        .default([]),
    })
    .default({ assignments: [] }),
  count: z.number().optional(),
  options: z.object({ dotNotation: z.boolean().default(true) }).default({ dotNotation: true }),
});

const raw = {
  assignments: { assignments: [{ name: 'a', value: '={{ $json.x }}' }] },
  count: '={{ $json.n }}',
} as JsonValue;
const resolved = (x: unknown, n: unknown) =>
  ({ assignments: { assignments: [{ name: 'a', value: x }] }, count: n }) as JsonValue;

describe('createItemParamsValidator', () => {
  it('gives the same result as a full validation for every item', () => {
    const validate = createItemParamsValidator(schema, raw, node).fromTree;
    for (let i = 0; i < 5; i++) {
      const value = resolved({ deep: i }, i * 2);
      expect(validate(value, i)).toEqual(validateParams(schema, value, node, i));
    }
  });

  it('does not share the substituted containers between items', () => {
    const validate = createItemParamsValidator(schema, raw, node).fromTree;
    const first = validate(resolved('one', 1), 0);
    const second = validate(resolved('two', 2), 1);
    expect(first.assignments.assignments[0]!.value).toBe('one');
    expect(second.assignments.assignments[0]!.value).toBe('two');
    expect(second.assignments.assignments[0]!.type).toBe('string');
    expect(second.options).toEqual({ dotNotation: true });
  });

  it('refills one tree per node run for transient parameters, never the first item', () => {
    const { fromValues } = createItemParamsValidator(schema, raw, node);
    const reuse: { tree?: unknown } = {};
    const first = fromValues(['zero', 0], 0);
    const one = fromValues(['one', 1], 1, reuse);
    expect(one).toEqual({
      ...first,
      assignments: { assignments: [{ name: 'a', value: 'one', type: 'string' }] },
      count: 1,
    });
    const two = fromValues(['two', 2], 2, reuse);
    // The same containers, refilled; item 0's tree and the literal parts stay as they were.
    expect(two).toBe(one);
    expect(two.assignments.assignments[0]).toEqual({ name: 'a', value: 'two', type: 'string' });
    expect(two.count).toBe(2);
    expect(first.assignments.assignments[0]!.value).toBe('zero');
    expect(first.count).toBe(0);
    expect(two.options).toBe(first.options);
    // Without `reuse` each item still gets its own tree.
    expect(fromValues(['three', 3], 3)).not.toBe(two);
    // A bad value still fails with the full validation message, and the tree is left alone.
    expect(() => fromValues(['x', 'nope'], 4, reuse)).toThrow(/count/);
    expect(two.count).toBe(2);
  });

  it('reports a bad expression value with the full validation message', () => {
    const validate = createItemParamsValidator(schema, raw, node).fromTree;
    validate(resolved('ok', 1), 0);
    let error: unknown;
    try {
      validate(resolved('ok', 'not a number'), 3);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(NodeError);
    expect((error as NodeError).message).toContain("parameter 'count'");
    expect((error as NodeError).itemIndex).toBe(3);
  });

  it('falls back to full validation when a container transforms its value', () => {
    const transformed = z.object({
      n: z.number().optional(),
      pair: z.object({ v: z.unknown() }).transform((o) => ({ ...o, tagged: true })),
    });
    const rawT = { n: '={{ 1 }}', pair: { v: '={{ 2 }}' } } as JsonValue;
    const validate = createItemParamsValidator(transformed, rawT, node).fromTree;
    const value = { n: 1, pair: { v: 5 } } as JsonValue;
    expect(validate(value, 0)).toEqual({ n: 1, pair: { v: 5, tagged: true } });
    expect(validate({ n: 2, pair: { v: 6 } }, 1)).toEqual({
      n: 2,
      pair: { v: 6, tagged: true },
    });
  });

  it('validates expression values alone like the whole tree', () => {
    const paths = [['assignments', 'assignments', 0, 'value'], ['count']];
    const fromValues = createItemParamsValidator(schema, raw, node, paths).fromValues;
    for (let i = 0; i < 5; i++) {
      const values = [{ deep: i }, i * 2] as JsonValue[];
      expect(fromValues(values, i)).toEqual(
        validateParams(schema, resolved({ deep: i }, i * 2), node, i),
      );
    }
  });

  it('gives zod answers for leaf values that a fast check would get wrong', () => {
    const leafy = z.object({
      n: z.number().optional(),
      s: z.string().nullable(),
      b: z.boolean().default(true),
    });
    const rawL = { n: '={{ 1 }}', s: '={{ 2 }}', b: '={{ 3 }}' } as JsonValue;
    const { fromValues } = createItemParamsValidator(leafy, rawL, node);
    expect(fromValues([1, 'x', false], 0)).toEqual({ n: 1, s: 'x', b: false });
    expect(fromValues([undefined as unknown as JsonValue, null, true], 1)).toEqual(
      validateParams(leafy, { n: undefined, s: null, b: true }, node, 1),
    );
    expect(() => fromValues([1, 'x', null], 5)).toThrow(/parameter 'b'/);
    expect(() => fromValues([Number.NaN, 'x', true], 2)).toThrow(NodeError);
    expect(() => fromValues([Number.POSITIVE_INFINITY, 'x', true], 3)).toThrow(NodeError);
    expect(() => fromValues([1, 5, true], 4)).toThrow(/parameter 's'/);
  });

  it('refuses expression paths that do not match the parameters', () => {
    expect(() => createItemParamsValidator(schema, raw, node, [['count']])).toThrow(
      /other expression paths/,
    );
  });

  it('shares the validated tree when an item resolves to the same values as before', () => {
    const { fromValues } = createItemParamsValidator(schema, raw, node);
    const first = fromValues(['same', 1], 0);
    expect(fromValues(['same', 1], 0)).toBe(first);
    const other = fromValues(['other', 1], 1);
    expect(other).not.toBe(first);
    expect(other.assignments.assignments[0]!.value).toBe('other');
    expect(first.assignments.assignments[0]!.value).toBe('same');
  });
});
