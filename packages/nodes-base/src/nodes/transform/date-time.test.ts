import { runNode } from '@budflow/node-sdk/testing';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { dateTimeNode } from './date-time.js';

const v1 = (params: object, items: object[] = [{}], timezone?: string) =>
  runNode(dateTimeNode, {
    typeVersion: 1,
    params: params as never,
    items: items as never,
    timezone,
  });
const v2 = (params: object, items: object[] = [{}], timezone?: string) =>
  runNode(dateTimeNode, {
    typeVersion: 2,
    params: params as never,
    items: items as never,
    timezone,
  });

describe('Date & Time v1', () => {
  it.each([1682918315906, '1682918315906', 1682918315.906, '1682918315.906', '1682918315'])(
    'reads %s as a timestamp and formats it MM/DD/YYYY by default',
    async (value) => {
      const { json } = await v1({ value }, [{ keep: 1 }]);
      expect(json).toEqual([{ keep: 1, data: '05/01/2023' }]);
    },
  );

  it('formats to Unix seconds in a target zone, and back from seconds', async () => {
    const first = await v1({
      value: '2023-03-31T06:31:01.000Z',
      toFormat: 'X',
      options: { toTimezone: 'UTC' },
    });
    expect(first.json[0]!.data).toBe('1680244261');
    const second = await v1({
      value: Number(first.json[0]!.data),
      toFormat: 'YYYY-MM-DD',
      options: { toTimezone: 'UTC' },
    });
    expect(second.json[0]!.data).toBe('2023-03-31');
  });

  it('converts between zones and parses with a given format', async () => {
    const { json } = await v1({
      value: '31.03.2023 23:30',
      custom: true,
      toFormat: 'YYYY-MM-DD HH:mm Z',
      dataPropertyName: 'when',
      options: {
        fromFormat: 'DD.MM.YYYY HH:mm',
        fromTimezone: 'Europe/Berlin',
        toTimezone: 'Asia/Tokyo',
      },
    });
    expect(json[0]!.when).toBe('2023-04-01 06:30 +09:00');
  });

  it('writes a dotted property name as one key', async () => {
    const { json } = await v1({ value: 0, dataPropertyName: 'a.b' }, [{ a: { b: 1 } }]);
    expect(json[0]).toEqual({ a: { b: 1 }, 'a.b': '01/01/1970' });
  });

  it('rejects a date it cannot read', async () => {
    await expect(v1({ value: 'not a date' })).rejects.toThrow(
      'The date input format could not be recognized',
    );
  });

  it('adds and subtracts time', async () => {
    const added = await v1({
      action: 'calculate',
      value: '2024-01-31T00:00:00Z',
      duration: 1,
      timeUnit: 'months',
    });
    expect(added.json[0]!.data).toBe('2024-02-29T00:00:00.000Z');
    const subtracted = await v1({
      action: 'calculate',
      value: '01/02/2024',
      operation: 'subtract',
      duration: 2,
      timeUnit: 'days',
      options: { fromFormat: 'DD/MM/YYYY' },
    });
    expect(subtracted.json[0]!.data).toBe('2024-01-30T00:00:00.000Z');
    await expect(v1({ action: 'calculate', value: 'garbage' })).rejects.toThrow(
      'Unrecognized date input',
    );
  });

  it('turns a bad item into an error item when continuing on failure', async () => {
    const { json } = await runNode(dateTimeNode, {
      typeVersion: 1,
      continueOnFail: true,
      params: { value: 'nope' },
      items: [{}],
    });
    expect(json[0]!.error).toMatch(/could not be recognized/);
  });
});

describe('Date & Time v2', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it.each([1682918315906, 1682918315.906, 1682918315, '1682918315'])(
    'formats the timestamp %s, with or without the input fields',
    async (date) => {
      const bare = await v2(
        { operation: 'formatDate', date, format: 'yyyy/MM/dd', outputFieldName: 'data' },
        [{ x: 1 }],
      );
      expect(bare.json).toEqual([{ data: '2023/05/01' }]);
      const kept = await v2(
        {
          operation: 'formatDate',
          date,
          format: 'yyyy/MM/dd',
          outputFieldName: 'data',
          options: { includeInputFields: true },
        },
        [{ x: 1 }],
      );
      expect(kept.json).toEqual([{ x: 1, data: '2023/05/01' }]);
    },
  );

  it('formats with a custom format, a from-format and the workflow timezone', async () => {
    const { json } = await v2(
      {
        operation: 'formatDate',
        date: '20240301 10:00',
        format: 'custom',
        customFormat: 'yyyy-MM-dd HH:mm ZZ',
        options: { fromFormat: 'yyyyMMdd HH:mm', timezone: true },
      },
      [{}],
      'Asia/Kolkata',
    );
    expect(json[0]!.formattedDate).toBe('2024-03-01 10:00 +05:30');
  });

  it('extracts parts in the workflow timezone', async () => {
    const tz = 'America/New_York';
    const hour = async (date: string) =>
      (await v2({ operation: 'extractDate', date, part: 'hour' }, [{}], tz)).json[0]!.datePart;
    expect(await hour('2023-04-11T14:30:00')).toBe(14);
    expect(await hour('April 11, 2023 2:30 PM')).toBe(14);
    expect(await hour('2023-04-11T14:30:00+05:00')).toBe(5);
    const week = await v2({ operation: 'extractDate', date: '2024-01-10', part: 'week' });
    expect(week.json[0]!.datePart).toBe(2);
  });

  it('adds, subtracts and rounds', async () => {
    const added = await v2({
      operation: 'addToDate',
      magnitude: '2024-01-31',
      timeUnit: 'months',
      duration: 1,
    });
    expect(added.json[0]!.newDate).toBe('2024-02-29T00:00:00.000Z');
    const subtracted = await v2({
      operation: 'subtractFromDate',
      magnitude: '2024-03-01T12:00:00Z',
      timeUnit: 'hours',
      duration: 13,
    });
    expect(subtracted.json[0]!.newDate).toBe('2024-02-29T23:00:00.000Z');
    const down = await v2({
      operation: 'roundDate',
      date: '2024-05-17T08:09:10Z',
      toNearest: 'day',
    });
    expect(down.json[0]!.roundedDate).toBe('2024-05-17T00:00:00.000Z');
    const up = await v2({ operation: 'roundDate', date: '2024-05-17T08:09:10Z', mode: 'roundUp' });
    expect(up.json[0]!.roundedDate).toBe('2024-06-01T00:00:00.000Z');
  });

  it('measures the time between dates as units or an ISO duration', async () => {
    const parts = await v2({
      operation: 'getTimeBetweenDates',
      startDate: '2024-01-01T00:00:00Z',
      endDate: '2024-02-02T06:00:00Z',
      units: ['month', 'day', 'hour'],
    });
    expect(parts.json[0]!.timeDifference).toEqual({ months: 1, days: 1, hours: 6 });
    const iso = await v2({
      operation: 'getTimeBetweenDates',
      startDate: '2024-01-01',
      endDate: '2024-01-03',
      options: { isoString: true },
    });
    expect(iso.json[0]!.timeDifference).toBe('P2D');
  });

  it('gives the current date in a timezone, with or without the time', async () => {
    vi.useFakeTimers();
    vi.setSystemTime(new Date('2024-06-01T22:30:00Z'));
    const withTime = await v2({
      operation: 'getCurrentDate',
      options: { timezone: 'Europe/Paris' },
    });
    expect(withTime.json[0]!.currentDate).toBe('2024-06-02T00:30:00.000+02:00');
    const dayOnly = await v2({ operation: 'getCurrentDate', includeTime: false });
    expect(dayOnly.json[0]!.currentDate).toBe('2024-06-01T00:00:00.000Z');
    await expect(
      v2({ operation: 'getCurrentDate', options: { timezone: 'Mars/Olympus' } }),
    ).rejects.toThrow('The timezone Mars/Olympus is not valid');
  });

  it('rejects dates it cannot read and keeps a null date null', async () => {
    await expect(v2({ operation: 'extractDate', date: 'soon' })).rejects.toThrow(
      "Invalid date format: 'soon'",
    );
    const { json } = await v2({ operation: 'formatDate', date: null });
    expect(json).toEqual([{ formattedDate: null }]);
  });

  it('refuses a prototype-pollution output name', async () => {
    await expect(
      v2({ operation: 'extractDate', date: '2024-01-01', outputFieldName: '__proto__' }),
    ).rejects.toThrow("Invalid output field name '__proto__'");
  });
});
