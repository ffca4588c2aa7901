import { DateTime } from 'luxon';
import { z } from 'zod';
import { defineTrigger, type JsonObject } from '@budflow/node-sdk';
import { num, str } from '../internal/params.js';
import { lazySchema } from '../../../shared/index.js';

const intervalRule = lazySchema(() =>
  z.object({
    field: z
      .enum(['seconds', 'minutes', 'hours', 'days', 'weeks', 'months', 'cronExpression'])
      .default('days'),
    secondsInterval: num(30),
    minutesInterval: num(5),
    hoursInterval: num(1),
    daysInterval: num(1),
    weeksInterval: num(1),
    monthsInterval: num(1),
    triggerAtMinute: num(0).optional(),
    triggerAtHour: num(0),
    triggerAtDay: z.array(num(0)).default([]),
    triggerAtDayOfMonth: num(1),
    expression: str(),
  }),
);
export type ScheduleIntervalRule = z.output<ReturnType<typeof intervalRule>>;

const scheduleParams = () =>
  z.object({
    rule: z
      .object({ interval: z.array(intervalRule()).prefault([{ field: 'days' }]) })
      .prefault({}),
  });
type ScheduleParams = z.output<ReturnType<typeof scheduleParams>>;

const cronField = (value: number, name: string, min: number, max: number) => {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new Error(`Schedule Trigger: '${name}' must be a whole number from ${min} to ${max}`);
  }
  return value;
};

/**
 * n8n's rule model as six-field cron expressions (second minute hour day month weekday). n8n picks
 * a random second (and minute) where the rule leaves them open; BudFlow uses 0 so schedules are
 * reproducible. Intervals of more than one week are registered weekly and must be filtered by the
 * scheduler (see the README).
 */
export function scheduleRuleToCron(rule: ScheduleIntervalRule): string {
  const minute = cronField(rule.triggerAtMinute ?? 0, 'triggerAtMinute', 0, 59);
  const hour = cronField(rule.triggerAtHour, 'triggerAtHour', 0, 23);
  switch (rule.field) {
    case 'seconds':
      return `*/${cronField(rule.secondsInterval, 'secondsInterval', 1, 59)} * * * * *`;
    case 'minutes':
      return `0 */${cronField(rule.minutesInterval, 'minutesInterval', 1, 59)} * * * *`;
    case 'hours':
      return `0 ${minute} */${cronField(rule.hoursInterval, 'hoursInterval', 1, 23)} * * *`;
    case 'days':
      return `0 ${minute} ${hour} */${cronField(rule.daysInterval, 'daysInterval', 1, 31)} * *`;
    case 'weeks': {
      const days = rule.triggerAtDay.length > 0 ? [...rule.triggerAtDay].sort().join(',') : '*';
      return `0 ${minute} ${hour} * * ${days}`;
    }
    case 'months':
      return `0 ${minute} ${hour} ${cronField(rule.triggerAtDayOfMonth, 'triggerAtDayOfMonth', 1, 31)} */${cronField(rule.monthsInterval, 'monthsInterval', 1, 12)} *`;
    case 'cronExpression': {
      const expression = rule.expression.trim();
      const fields = expression.split(/\s+/);
      if (fields.length < 5 || fields.length > 6) {
        throw new Error(`Schedule Trigger: invalid cron expression '${expression}'`);
      }
      return expression;
    }
  }
}

function ordinal(day: number): string {
  const rest = day % 100;
  if (rest >= 11 && rest <= 13) return `${day}th`;
  const suffix: Record<number, string> = { 1: 'st', 2: 'nd', 3: 'rd' };
  return `${day}${suffix[day % 10] ?? 'th'}`;
}

/** The item a schedule emits (n8n's Schedule Trigger shape), in the workflow's timezone. */
export function scheduleTriggerItem(date: Date, timezone: string): JsonObject {
  const t = DateTime.fromJSDate(date, { zone: timezone });
  const time = `${t.toFormat('h:mm:ss')} ${t.toFormat('a').toLowerCase()}`;
  return {
    timestamp: t.toISO() ?? '',
    'Readable date': `${t.toFormat('MMMM')} ${ordinal(t.day)} ${t.year}, ${time}`,
    'Readable time': time,
    'Day of week': t.toFormat('cccc'),
    Year: t.toFormat('yyyy'),
    Month: t.toFormat('MMMM'),
    'Day of month': t.toFormat('dd'),
    Hour: t.toFormat('HH'),
    Minute: t.toFormat('mm'),
    Second: t.toFormat('ss'),
    Timezone: `${timezone} (UTC${t.toFormat('ZZ')})`,
  };
}

/** Schedule Trigger (v1-v1.2): n8n's rule model, registered as cron in the workflow timezone. */
export const scheduleTriggerNode = defineTrigger<ScheduleParams>({
  type: 'budflow.scheduleTrigger',
  version: 1,
  title: 'Schedule Trigger',
  description: 'Triggers the workflow on a given schedule',
  category: 'trigger',
  compat: { n8n: { type: 'n8n-nodes-base.scheduleTrigger', versions: [1, 1.1, 1.2, 1.3] } },
  inputs: [],
  outputs: [{ type: 'main' }],
  params: scheduleParams,
  paramItems: 'first',
  trigger: {
    kind: 'schedule',
    schedule: (params: ScheduleParams) => params.rule.interval.map(scheduleRuleToCron),
    manual: (ctx) => [[{ json: scheduleTriggerItem(new Date(), ctx.workflow.timezone) }]],
  },
});

const cronItem = lazySchema(() =>
  z.object({
    mode: z
      .enum(['everyMinute', 'everyHour', 'everyDay', 'everyWeek', 'everyMonth', 'everyX', 'custom'])
      .default('everyDay'),
    hour: num(14),
    minute: num(0),
    dayOfMonth: num(1),
    weekday: str('1'),
    value: num(2),
    unit: z.enum(['minutes', 'hours']).default('hours'),
    cronExpression: str('* * * * * *'),
  }),
);
const cronParams = () =>
  z.object({
    triggerTimes: z
      .object({ item: z.array(cronItem()).default([]) })
      .partial()
      .default({}),
  });
type CronParams = z.output<ReturnType<typeof cronParams>>;

/** The legacy Cron node's trigger times as cron expressions (second 0, see above). */
export function cronTimesToCron(item: z.output<ReturnType<typeof cronItem>>): string {
  const minute = cronField(item.minute, 'minute', 0, 59);
  const hour = cronField(item.hour, 'hour', 0, 23);
  switch (item.mode) {
    case 'everyMinute':
      return '0 * * * * *';
    case 'everyHour':
      return `0 ${minute} * * * *`;
    case 'everyDay':
      return `0 ${minute} ${hour} * * *`;
    case 'everyWeek':
      return `0 ${minute} ${hour} * * ${item.weekday}`;
    case 'everyMonth':
      return `0 ${minute} ${hour} ${cronField(item.dayOfMonth, 'dayOfMonth', 1, 31)} * *`;
    case 'everyX':
      return item.unit === 'minutes'
        ? `0 */${cronField(item.value, 'value', 1, 59)} * * * *`
        : `0 0 */${cronField(item.value, 'value', 1, 23)} * * *`;
    case 'custom':
      return item.cronExpression.trim();
  }
}

/** Cron (legacy v1). */
export const cronNode = defineTrigger<CronParams>({
  type: 'budflow.cron',
  version: 1,
  title: 'Cron',
  description: 'Triggers the workflow at a specific time',
  category: 'trigger',
  compat: { n8n: { type: 'n8n-nodes-base.cron', versions: [1] } },
  inputs: [],
  outputs: [{ type: 'main' }],
  params: cronParams,
  paramItems: 'first',
  trigger: {
    kind: 'schedule',
    schedule: (params: CronParams) => (params.triggerTimes.item ?? []).map(cronTimesToCron),
    manual: () => [[{ json: {} }]],
  },
});

const intervalParams = () =>
  z.object({
    interval: num(1),
    unit: z.enum(['seconds', 'minutes', 'hours']).default('seconds'),
  });
type IntervalParams = z.output<ReturnType<typeof intervalParams>>;

/**
 * The legacy Interval node as cron. Exact when the interval divides its unit's cycle (e.g. 15 s,
 * 10 min, 6 h); otherwise the cron step restarts at each minute/hour/day boundary.
 */
export function intervalToCron(params: IntervalParams): string {
  const n = params.interval;
  if (!Number.isInteger(n) || n < 1) throw new Error('Interval: the interval must be at least 1');
  if (params.unit === 'seconds') {
    if (n < 60) return `*/${n} * * * * *`;
    return intervalToCron({ interval: Math.max(1, Math.round(n / 60)), unit: 'minutes' });
  }
  if (params.unit === 'minutes') {
    if (n < 60) return `0 */${n} * * * *`;
    return intervalToCron({ interval: Math.max(1, Math.round(n / 60)), unit: 'hours' });
  }
  return n < 24 ? `0 0 */${n} * * *` : `0 0 0 */${Math.max(1, Math.round(n / 24))} * *`;
}

/** Interval (legacy v1). */
export const intervalNode = defineTrigger<IntervalParams>({
  type: 'budflow.interval',
  version: 1,
  title: 'Interval',
  description: 'Triggers the workflow in a given interval',
  category: 'trigger',
  compat: { n8n: { type: 'n8n-nodes-base.interval', versions: [1] } },
  inputs: [],
  outputs: [{ type: 'main' }],
  params: intervalParams,
  paramItems: 'first',
  trigger: {
    kind: 'schedule',
    schedule: (params: IntervalParams) => [intervalToCron(params)],
    manual: () => [[{ json: {} }]],
  },
});
