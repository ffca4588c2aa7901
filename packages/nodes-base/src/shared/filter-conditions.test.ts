import { describe, expect, it } from 'vitest';
import {
  executeFilter,
  executeFilterCondition,
  FilterError,
  type FilterOptions,
} from './filter-conditions.js';

const check = (
  type: string,
  operation: string,
  leftValue: unknown,
  rightValue?: unknown,
  options: FilterOptions = { caseSensitive: true, typeValidation: 'loose' },
) => {
  // The editor stores a right type for array operators: any value for contains, a number for lengths.
  const rightType =
    type === 'array' ? (operation.startsWith('length') ? 'number' : 'any') : undefined;
  return executeFilterCondition(
    { leftValue, rightValue, operator: { type, operation, ...(rightType ? { rightType } : {}) } },
    options,
  );
};

describe('filter conditions', () => {
  it.each([
    ['string', 'equals', 'a', 'a', true],
    ['string', 'contains', 'hello', 'ell', true],
    ['string', 'startsWith', 'Shane', 'S', true],
    ['string', 'notEndsWith', 'x@gmail.com', '@yahoo.com', true],
    ['string', 'regex', 'value', '/^value$/g', true],
    ['string', 'regex', 'value', '^value$', true],
    ['string', 'notRegex', 'value', '^value$', false],
    ['string', 'empty', '', undefined, true],
    ['number', 'equals', 1, '1', true],
    ['number', 'gt', 12, '10', true],
    ['number', 'lte', 5, 5, true],
    ['dateTime', 'before', '2023-10-20T16:45:52.367Z', '2023-10-21', true],
    ['dateTime', 'after', '2023-10-26T16:45:52.367Z', '2023-10-21', true],
    ['boolean', 'true', 'true', undefined, true],
    ['boolean', 'false', 0, undefined, true],
    ['array', 'contains', ['a', 'b'], 'b', true],
    ['array', 'lengthGt', [1, 2, 3], 2, true],
    ['array', 'empty', [], undefined, true],
    ['object', 'notEmpty', { a: 1 }, undefined, true],
    ['any', 'exists', 0, undefined, true],
    ['any', 'notExists', null, undefined, true],
  ])('%s %s %j %j -> %s', (type, operation, left, right, expected) => {
    expect(check(type, operation, left, right)).toBe(expected);
  });

  it('ignores case unless caseSensitive is true', () => {
    expect(check('string', 'startsWith', 'Shane', 's', {})).toBe(true);
    expect(check('string', 'startsWith', 'Shane', 's', { caseSensitive: true })).toBe(false);
    expect(check('array', 'contains', ['A'], 'a', { caseSensitive: false })).toBe(true);
  });

  it('rejects other types in strict mode with n8n messages', () => {
    const strict: FilterOptions = { typeValidation: 'strict', caseSensitive: true };
    expect(() => check('number', 'equals', '1', 1, strict)).toThrow(FilterError);
    expect(() => check('number', 'equals', '1', 1, strict)).toThrow(
      "Wrong type: '1' is a string but was expecting a number [condition 0, item 0]",
    );
    expect(() => check('number', 'equals', 'a', 'b', strict)).toThrow(
      'Comparison type expects a number but both fields are a string',
    );
  });

  it('reports conversion errors in loose mode', () => {
    expect(() => check('number', 'equals', 'abc', 1)).toThrow(
      "Conversion error: the string 'abc' can't be converted to a number [condition 0, item 0]",
    );
  });

  it('treats an empty string as no number from version 3 on', () => {
    expect(check('number', 'empty', '', undefined, { version: 3 })).toBe(true);
    expect(check('number', 'empty', '', undefined, { version: 1 })).toBe(false);
  });

  it('parses "false" as false for loose booleans from version 2 on', () => {
    expect(check('boolean', 'true', 'false', undefined, { version: 1 })).toBe(true);
    expect(check('boolean', 'true', 'false', undefined, { version: 2 })).toBe(false);
  });

  it('combines conditions with and / or', () => {
    const conditions = [
      { leftValue: 1, rightValue: 1, operator: { type: 'number', operation: 'equals' } },
      { leftValue: 1, rightValue: 2, operator: { type: 'number', operation: 'equals' } },
    ];
    expect(executeFilter({ options: {}, conditions, combinator: 'and' })).toBe(false);
    expect(executeFilter({ options: {}, conditions, combinator: 'or' })).toBe(true);
    expect(executeFilter({ options: {}, conditions: [], combinator: 'and' })).toBe(true);
  });
});
