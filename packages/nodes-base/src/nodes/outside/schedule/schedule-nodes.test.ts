import { paramsSchemaFor } from '@budflow/node-sdk';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { runTestNode } from '../internal/test-harness.js';
import {
  cronNode,
  cronTimesToCron,
  intervalNode,
  intervalToCron,
  scheduleTriggerItem,
  scheduleTriggerNode,
} from './schedule-nodes.js';

const schedule = (params: unknown) =>
  scheduleTriggerNode.trigger!.schedule!(
    paramsSchemaFor(scheduleTriggerNode, 1.2).parse(params),
    'UTC',
  );

afterEach(() => {
  vi.useRealTimers();
});

describe('Schedule Trigger', () => {
  it('turns n8n’s rule model into cron expressions', () => {
    expect(
      schedule({
        rule: {
          interval: [
            { field: 'seconds', secondsInterval: 15 },
            { field: 'minutes', minutesInterval: 10 },
            { field: 'hours', hoursInterval: 2, triggerAtMinute: 30 },
            { field: 'days', triggerAtHour: 9, triggerAtMinute: 5 },
            { field: 'weeks', triggerAtDay: [5, 1], triggerAtHour: 8 },
            { field: 'months', monthsInterval: 3, triggerAtDayOfMonth: 15, triggerAtHour: 6 },
            { field: 'cronExpression', expression: '0 12 * * 1-5' },
          ],
        },
      }),
    ).toEqual([
      '*/15 * * * * *',
      '0 */10 * * * *',
      '0 30 */2 * * *',
      '0 5 9 */1 * *',
      '0 0 8 * * 1,5',
      '0 0 6 15 */3 *',
      '0 12 * * 1-5',
    ]);
    expect(schedule({})).toEqual(['0 0 0 */1 * *']);
  });

  it('rejects out-of-range fields and bad cron expressions', () => {
    expect(() => schedule({ rule: { interval: [{ field: 'days', triggerAtHour: 24 }] } })).toThrow(
      /triggerAtHour' must be a whole number from 0 to 23/,
    );
    expect(() =>
      schedule({ rule: { interval: [{ field: 'cronExpression', expression: 'nope' }] } }),
    ).toThrow(/invalid cron expression/);
  });

  it('emits n8n’s item in a manual run, in the workflow timezone', async () => {
    vi.useFakeTimers();
    vi.setSystemTime(new Date('2026-11-22T00:41:05Z'));
    const result = await runTestNode(scheduleTriggerNode, { timezone: 'America/New_York' });
    expect(result.json).toEqual([
      {
        timestamp: '2026-11-21T19:41:05.000-05:00',
        'Readable date': 'November 21st 2026, 7:41:05 pm',
        'Readable time': '7:41:05 pm',
        'Day of week': 'Saturday',
        Year: '2026',
        Month: 'November',
        'Day of month': '21',
        Hour: '19',
        Minute: '41',
        Second: '05',
        Timezone: 'America/New_York (UTC-05:00)',
      },
    ]);
    expect(scheduleTriggerItem(new Date('2026-01-12T00:00:00Z'), 'UTC')['Readable date']).toBe(
      'January 12th 2026, 12:00:00 am',
    );
  });
});

describe('Cron and Interval (legacy)', () => {
  it('converts trigger times and intervals', () => {
    const item = (v: Record<string, unknown>) =>
      cronTimesToCron({
        mode: 'everyDay',
        hour: 14,
        minute: 0,
        dayOfMonth: 1,
        weekday: '1',
        value: 2,
        unit: 'hours',
        cronExpression: '',
        ...v,
      } as never);
    expect(item({})).toBe('0 0 14 * * *');
    expect(item({ mode: 'everyWeek', weekday: '3', hour: 7, minute: 15 })).toBe('0 15 7 * * 3');
    expect(item({ mode: 'everyX', value: 5, unit: 'minutes' })).toBe('0 */5 * * * *');
    expect(item({ mode: 'custom', cronExpression: '*/5 * * * * *' })).toBe('*/5 * * * * *');
    expect(intervalToCron({ interval: 30, unit: 'seconds' })).toBe('*/30 * * * * *');
    expect(intervalToCron({ interval: 2, unit: 'hours' })).toBe('0 0 */2 * * *');
    expect(intervalToCron({ interval: 120, unit: 'seconds' })).toBe('0 */2 * * * *');
  });

  it('emit one empty item in a manual run', async () => {
    expect((await runTestNode(cronNode)).json).toEqual([{}]);
    expect((await runTestNode(intervalNode)).json).toEqual([{}]);
  });
});
