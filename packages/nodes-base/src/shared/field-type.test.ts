import { describe, expect, it } from 'vitest';
import { toDateTime, toJsonValue, validateFieldType } from './field-type.js';

const convert = (value: unknown, type: string) => validateFieldType('field', value, type);

describe('validateFieldType', () => {
  it.each([
    ['3', 'number', 3],
    ['3.14', 'number', 3.14],
    [' ', 'number', 0],
    [true, 'number', 1],
    ['TRUE', 'boolean', true],
    ['false', 'boolean', false],
    ['1', 'boolean', true],
    ['0', 'boolean', false],
    [0, 'boolean', false],
    ['["apples", "oranges"]', 'array', ['apples', 'oranges']],
    ["['a']", 'array', ['a']],
    ['{"a": 1, "b": { "c": 10 }}', 'object', { a: 1, b: { c: 10 } }],
    ['{a: 1}', 'object', { a: 1 }],
    ["{a: 'x', b: [1, 2,],}", 'object', { a: 'x', b: [1, 2] }],
  ])('converts %j to %s', (value, type, expected) => {
    expect(convert(value, type)).toEqual({ valid: true, newValue: expected });
  });

  it.each([
    ['hello', 'number', "'field' expects a number but we got 'hello'"],
    [[1, 2], 'number', "'field' expects a number but we got array"],
    ['3', 'boolean', "'field' expects a boolean but we got '3'"],
    [52472, 'boolean', "'field' expects a boolean but we got '52472'"],
    ['"a", "b"', 'array', `'field' expects a array but we got '"a", "b"'`],
    ['3', 'array', "'field' expects a array but we got '3'"],
    ['nope', 'object', "'field' expects a object but we got 'nope'"],
  ])('rejects %j as %s', (value, type, message) => {
    expect(convert(value, type)).toEqual({ valid: false, errorMessage: message });
  });

  it('keeps null and undefined as valid', () => {
    expect(convert(null, 'number')).toEqual({ valid: true, newValue: null });
    expect(convert(undefined, 'object')).toEqual({ valid: true, newValue: undefined });
  });

  it('rejects other JavaScript types in strict mode and stringifies with parseStrings', () => {
    expect(validateFieldType('f', '1', 'number', { strict: true }).valid).toBe(false);
    expect(validateFieldType('f', 1, 'string', { parseStrings: true })).toEqual({
      valid: true,
      newValue: '1',
    });
    expect(validateFieldType('f', { a: 1 }, 'string', { parseStrings: true })).toEqual({
      valid: true,
      newValue: '{"a":1}',
    });
  });

  it('parses dates in ISO, RFC 2822 and SQL forms', () => {
    for (const text of [
      '2023-08-01T12:34:56Z',
      'Tue, 01 Nov 2016 13:23:12 +0630',
      '2017-05-15 09:24:15',
    ]) {
      const result = convert(text, 'dateTime');
      expect(result.valid).toBe(true);
    }
    expect(convert('not a date', 'dateTime').valid).toBe(false);
    expect(
      toJsonValue((convert('2023-08-01T12:34:56Z', 'dateTime') as { newValue: unknown }).newValue),
    ).toBe('2023-08-01T12:34:56.000Z');
  });

  it('parses object literals without touching prototypes', () => {
    const result = validateFieldType('f', '{__proto__: {polluted: true}, a: 1}', 'object');
    expect(result.valid).toBe(true);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('parses the same fixed-offset date once and keeps zones apart', () => {
    const a = toDateTime('2023-01-01T00:00:00+02:00');
    expect(toDateTime('2023-01-01T00:00:00+02:00')).toBe(a);
    expect(a.toMillis()).toBe(Date.UTC(2022, 11, 31, 22));
    expect(toDateTime('2023-01-01 10:00', 'America/New_York').toISO()).toBe(
      '2023-01-01T10:00:00.000-05:00',
    );
    expect(() => toDateTime('nope')).toThrow('Value is not a valid date');
  });

  it('drops __proto__ keys when making JSON', () => {
    const parsed = JSON.parse('{"__proto__": {"polluted": true}, "a": 1}') as unknown;
    const value = toJsonValue(parsed) as Record<string, unknown>;
    expect(Object.keys(value)).toEqual(['a']);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});
