import { describe, expect, it } from 'vitest';
import { parseDate } from './dates.js';

describe('parseDate (Date & Time v2)', () => {
  const ny = { timezone: 'America/New_York' };

  it('reads zone-less strings as wall-clock time in the timezone', () => {
    expect(parseDate('2023-04-11T14:30:00', ny).hour).toBe(14);
    expect(parseDate('2023-04-11 14:30:00', { timezone: 'Europe/Athens' }).hour).toBe(14);
    expect(parseDate('2014-08-06 10:00:00 AM', { timezone: 'Europe/Athens' }).hour).toBe(10);
    expect(parseDate('April 11, 2023 2:30 PM', ny).hour).toBe(14);
    const day = parseDate('2023-04-11', { timezone: 'Europe/Athens' });
    expect([day.day, day.hour]).toEqual([11, 0]);
  });

  it('converts strings with an offset into the timezone', () => {
    expect(parseDate('2023-04-11T14:30:00+05:00', ny).hour).toBe(5);
    expect(parseDate('2023-04-11T14:30:00+0500', ny).hour).toBe(5);
    expect(parseDate('2023-04-11T14:30:00+05', ny).hour).toBe(5);
    expect(parseDate('2023-04-11T14:30:00Z', ny).hour).toBe(10);
  });

  it('uses Etc/UTC without a timezone', () => {
    const date = parseDate('2023-04-11T14:30:00+05:00');
    expect(date.zoneName).toBe('Etc/UTC');
    expect(date.hour).toBe(9);
  });

  it('reads timestamps in seconds, milliseconds and fractional seconds', () => {
    const expected = Date.UTC(2023, 4, 1, 5, 18, 35, 906);
    expect(parseDate(1682918315906).toMillis()).toBe(expected);
    expect(parseDate('1682918315.906').toMillis()).toBe(expected);
    expect(parseDate(1682918315).toMillis()).toBe(expected - 906);
  });

  it('reads a given format and rejects what it cannot read', () => {
    expect(parseDate('11/04/2023', { fromFormat: 'dd/MM/yyyy' }).month).toBe(4);
    expect(() => parseDate('not-a-date', ny)).toThrow('Invalid date format');
    expect(() => parseDate(null)).toThrow('Invalid date type');
    expect(() => parseDate('2023-01-01', { timezone: 'Nowhere/Land' })).toThrow(
      'The timezone Nowhere/Land is not valid',
    );
  });
});
