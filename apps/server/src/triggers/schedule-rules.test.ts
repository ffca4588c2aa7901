import { describe, expect, it } from 'vitest';
import { pollCronPatterns, scheduleCronPatterns } from './schedule-rules.js';

describe('scheduleCronPatterns', () => {
  it('turns n8n Schedule Trigger intervals into cron patterns with seconds', () => {
    expect(
      scheduleCronPatterns({
        rule: {
          interval: [
            { field: 'seconds', secondsInterval: 10 },
            { field: 'minutes', minutesInterval: 15 },
            { field: 'hours', hoursInterval: 2, triggerAtMinute: 30 },
            { field: 'days', triggerAtHour: 9 },
            { field: 'weeks', triggerAtDay: [1, 5], triggerAtHour: 8 },
            { field: 'months', triggerAtDayOfMonth: 15 },
            { field: 'cronExpression', expression: '0 12 * * 1-5' },
          ],
        },
      }),
    ).toEqual([
      '*/10 * * * * *',
      '0 */15 * * * *',
      '0 30 */2 * * *',
      '0 0 9 */1 * *',
      '0 0 8 * * 1,5',
      '0 0 0 15 */1 *',
      '0 12 * * 1-5',
    ]);
  });

  it('defaults to once a day at midnight and rejects unknown fields', () => {
    expect(scheduleCronPatterns({})).toEqual(['0 0 0 */1 * *']);
    expect(() => scheduleCronPatterns({ rule: { interval: [{ field: 'fortnights' }] } })).toThrow(
      /fortnights/,
    );
  });
});

describe('pollCronPatterns', () => {
  it('reads poll times', () => {
    expect(
      pollCronPatterns({
        pollTimes: {
          item: [
            { mode: 'everyHour', minute: 5 },
            { mode: 'everyX', unit: 'minutes', value: 3 },
          ],
        },
      }),
    ).toEqual(['0 5 * * * *', '0 */3 * * * *']);
    expect(pollCronPatterns({})).toEqual(['0 * * * * *']);
  });
});
