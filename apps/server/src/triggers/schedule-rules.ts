import type { JsonObject } from '@budflow/node-sdk';

const num = (value: unknown, fallback: number): number => {
  const n = typeof value === 'string' ? Number(value) : value;
  return typeof n === 'number' && Number.isFinite(n) ? n : fallback;
};

/**
 * Cron patterns (6 fields, with seconds) of an n8n Schedule Trigger's `rule.interval` list, as
 * n8n computes them. Weeks and months intervals above 1 fire on the matching weekday/day only.
 */
export function scheduleCronPatterns(parameters: JsonObject): string[] {
  const rule = (parameters.rule ?? { interval: [{ field: 'days' }] }) as JsonObject;
  const intervals = Array.isArray(rule.interval)
    ? (rule.interval as JsonObject[])
    : [{ field: 'days' }];
  const patterns: string[] = [];
  for (const interval of intervals) {
    const field = typeof interval.field === 'string' ? interval.field : 'days';
    const minute = num(interval.triggerAtMinute, 0);
    const hour = num(interval.triggerAtHour, 0);
    switch (field) {
      case 'seconds':
        patterns.push(`*/${Math.max(1, num(interval.secondsInterval, 30))} * * * * *`);
        break;
      case 'minutes':
        patterns.push(`0 */${Math.max(1, num(interval.minutesInterval, 5))} * * * *`);
        break;
      case 'hours':
        patterns.push(`0 ${minute} */${Math.max(1, num(interval.hoursInterval, 1))} * * *`);
        break;
      case 'days':
        patterns.push(`0 ${minute} ${hour} */${Math.max(1, num(interval.daysInterval, 1))} * *`);
        break;
      case 'weeks': {
        const days = Array.isArray(interval.triggerAtDay)
          ? (interval.triggerAtDay as unknown[]).map((d) => num(d, 0))
          : [0];
        patterns.push(`0 ${minute} ${hour} * * ${days.length > 0 ? days.join(',') : '0'}`);
        break;
      }
      case 'months':
        patterns.push(
          `0 ${minute} ${hour} ${num(interval.triggerAtDayOfMonth, 1)} */${Math.max(1, num(interval.monthsInterval, 1))} *`,
        );
        break;
      case 'cronExpression': {
        const expression =
          typeof interval.expression === 'string' ? interval.expression.trim() : '';
        if (expression === '') throw new Error('a cron rule needs an expression');
        patterns.push(expression);
        break;
      }
      default:
        throw new Error(`unknown schedule interval field '${field}'`);
    }
  }
  return patterns;
}

/** Poll times of a polling trigger (`pollTimes.item[]`, n8n's format) as cron patterns. */
export function pollCronPatterns(parameters: JsonObject): string[] {
  const pollTimes = (parameters.pollTimes ?? { item: [{ mode: 'everyMinute' }] }) as JsonObject;
  const items = Array.isArray(pollTimes.item)
    ? (pollTimes.item as JsonObject[])
    : [{ mode: 'everyMinute' }];
  return items.map((item) => {
    const minute = num(item.minute, 0);
    const hour = num(item.hour, 0);
    switch (item.mode) {
      case 'everyHour':
        return `0 ${minute} * * * *`;
      case 'everyDay':
        return `0 ${minute} ${hour} * * *`;
      case 'everyWeek':
        return `0 ${minute} ${hour} * * ${num(item.weekday, 1)}`;
      case 'everyMonth':
        return `0 ${minute} ${hour} ${num(item.dayOfMonth, 1)} * *`;
      case 'everyX':
        return item.unit === 'hours'
          ? `0 0 */${Math.max(1, num(item.value, 2))} * * *`
          : `0 */${Math.max(1, num(item.value, 2))} * * * *`;
      case 'custom':
        return String(item.cronExpression ?? '* * * * *');
      default:
        return '0 * * * * *';
    }
  });
}
