import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import { looseNumber, looseString } from './schema.js';

describe('loose parameter schemas', () => {
  it('turns what expressions resolve to into strings', () => {
    const schema = looseString('fallback');
    expect(schema.parse(undefined)).toBe('fallback');
    expect(schema.parse(null)).toBe('fallback');
    expect(schema.parse(12)).toBe('12');
    expect(schema.parse(false)).toBe('false');
    expect(schema.parse({ a: 1 })).toBe('{"a":1}');
    expect(schema.parse(new Date('2024-05-01T10:00:00Z'))).toBe('2024-05-01T10:00:00.000Z');
    expect(schema.parse(DateTime.fromISO('2024-05-01T10:00:00Z', { zone: 'utc' }))).toBe(
      '2024-05-01T10:00:00.000Z',
    );
  });

  it('accepts numeric strings as numbers and rejects other text', () => {
    expect(looseNumber().parse('42')).toBe(42);
    expect(looseNumber().parse(7)).toBe(7);
    expect(looseNumber().safeParse('abc').success).toBe(false);
  });
});
