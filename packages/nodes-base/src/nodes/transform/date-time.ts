import {
  copyFields,
  defineNode,
  NodeError,
  type Item,
  type JsonObject,
  type JsonValue,
} from '@budflow/node-sdk';
import { DateTime } from 'luxon';
import type moment from 'moment-timezone';
import { z } from 'zod';
import { workflowTimezone } from './internal/context.js';
import { parseDate } from './internal/dates.js';
import { defineOwn, hasForbiddenKey } from './internal/paths.js';
import { bool, num, options, str } from './internal/schema.js';
import { loadOnce } from '../../shared/index.js';

/*
 * moment-timezone (~13 MB of memory with its zone data) serves only v1; v2 uses Luxon. It is
 * loaded when a v1 node first runs.
 */
type Moment = typeof moment;
type MomentDate = moment.Moment;
const loadMoment = loadOnce(() =>
  import('moment-timezone').then(({ default: loaded }): Moment => {
    // moment falls back to `new Date()` for non-ISO strings, as n8n's v1 relies on; keep it quiet.
    loaded.suppressDeprecationWarnings = true;
    return loaded;
  }),
);

const dateValue = () => z.unknown().optional();
const timeUnit = () =>
  z
    .enum([
      'quarters',
      'years',
      'months',
      'weeks',
      'days',
      'hours',
      'minutes',
      'seconds',
      'milliseconds',
    ])
    .default('days');

const paramsV1 = () =>
  z.object({
    action: z.enum(['format', 'calculate']).default('format'),
    value: dateValue(),
    dataPropertyName: str('data'),
    custom: bool(),
    toFormat: str('MM/DD/YYYY'),
    operation: z.enum(['add', 'subtract']).default('add'),
    duration: num(0),
    timeUnit: timeUnit(),
    options: options({
      fromFormat: z.string().optional(),
      fromTimezone: z.string().optional(),
      toTimezone: z.string().optional(),
    }),
  });
type ParamsV1 = z.infer<ReturnType<typeof paramsV1>>;

const paramsV2 = () =>
  z.object({
    operation: z
      .enum([
        'addToDate',
        'extractDate',
        'formatDate',
        'getCurrentDate',
        'getTimeBetweenDates',
        'roundDate',
        'subtractFromDate',
      ])
      .default('getCurrentDate'),
    includeTime: bool(true),
    outputFieldName: z.string().optional(),
    magnitude: dateValue(),
    timeUnit: timeUnit(),
    duration: num(0),
    date: dateValue(),
    format: str('MM/dd/yyyy'),
    customFormat: str(),
    mode: z.enum(['roundDown', 'roundUp']).default('roundDown'),
    toNearest: z
      .enum(['year', 'month', 'week', 'day', 'hour', 'minute', 'second'])
      .default('month'),
    to: z.enum(['month']).default('month'),
    startDate: dateValue(),
    endDate: dateValue(),
    units: z
      .array(z.enum(['year', 'month', 'week', 'day', 'hour', 'minute', 'second', 'millisecond']))
      .default(['day']),
    part: z.enum(['year', 'month', 'week', 'day', 'hour', 'minute', 'second']).default('month'),
    options: options({
      includeInputFields: bool(),
      timezone: z.union([z.string(), z.boolean()]).optional(),
      fromFormat: z.string().optional(),
      isoString: bool(),
    }),
  });
type ParamsV2 = z.infer<ReturnType<typeof paramsV2>>;

const OUTPUT_DEFAULTS: Record<ParamsV2['operation'], string> = {
  getCurrentDate: 'currentDate',
  addToDate: 'newDate',
  subtractFromDate: 'newDate',
  formatDate: 'formattedDate',
  roundDate: 'roundedDate',
  getTimeBetweenDates: 'timeDifference',
  extractDate: 'datePart',
};

function assertOutputName(name: string, itemIndex: number): void {
  if (hasForbiddenKey(name)) {
    throw new NodeError(`Invalid output field name '${name}'`, { itemIndex });
  }
}

/** v1 'format': moment parsing and formatting, timestamps in seconds or milliseconds. */
function formatV1(
  moment: Moment,
  value: unknown,
  p: ParamsV1,
  workflowTimezone: string,
  itemIndex: number,
) {
  let current: unknown = value;
  if (
    typeof current === 'number' ||
    (typeof current === 'string' && !Number.isNaN(Number(current)))
  ) {
    current = Number(current);
    if (!Number.isInteger(current)) current = (current as number) * 1000;
  } else if (current === null) {
    current = 0;
  }
  const { fromFormat, fromTimezone, toTimezone } = p.options;
  const input = current as string | number;
  if (fromFormat === undefined && !moment(input).isValid()) {
    throw new NodeError(
      'The date input format could not be recognized. Please set the "From Format" field',
      { itemIndex },
    );
  }
  let date: MomentDate;
  if (typeof input === 'number' && Number.isInteger(input)) {
    date = String(input).length < 12 ? moment.unix(input) : moment(input);
  } else if (fromTimezone || toTimezone) {
    const from = fromTimezone || workflowTimezone;
    date = fromFormat ? moment.tz(String(input), fromFormat, from) : moment.tz(input, from);
  } else {
    date = fromFormat ? moment(String(input), fromFormat) : moment(input);
  }
  if (fromTimezone || toTimezone) date = date.tz(toTimezone || workflowTimezone);
  return date.format(p.toFormat);
}

function parseV1Strict(moment: Moment, value: unknown, fromFormat: string | undefined): MomentDate {
  if (fromFormat) {
    const date = moment(String(value), fromFormat, true);
    if (date.isValid()) return date;
    throw new NodeError(
      'Date input cannot be parsed. Please recheck the value and the "From Format" field.',
    );
  }
  const date = new Date(value as string);
  if (Number.isNaN(date.getTime())) {
    throw new NodeError(
      'Unrecognized date input. Please specify a format in the "From Format" field.',
    );
  }
  return moment(date.toISOString());
}

function executeV1(
  moment: Moment,
  items: Item[],
  params: (i: number) => ParamsV1,
  timezone: string,
): Item[] {
  const out: Item[] = [];
  items.forEach((item, i) => {
    const p = params(i);
    const key = p.dataPropertyName;
    assertOutputName(key, i);
    let result: string;
    if (p.action === 'format') {
      if (p.value === undefined) return;
      result = formatV1(moment, p.value, p, timezone, i);
    } else {
      const date = parseV1Strict(moment, p.value, p.options.fromFormat);
      if (p.operation === 'add') date.add(p.duration, p.timeUnit);
      else date.subtract(p.duration, p.timeUnit);
      result = date.toISOString();
    }
    const json: Record<string, unknown> = key.includes('.')
      ? structuredClone(item.json)
      : copyFields(item.json);
    defineOwn(json, key, result);
    const next: Item = { json: json as JsonObject, pairedItem: { item: i } };
    if (item.binary) next.binary = item.binary;
    out.push(next);
  });
  return out;
}

function executeV2(
  items: Item[],
  params: (i: number) => ParamsV2,
  workflowTimezone: string,
): Item[] {
  const includeInputFields = params(0).options.includeInputFields;
  return items.map((item, i) => {
    const p = params(i);
    const output = p.outputFieldName ?? OUTPUT_DEFAULTS[p.operation];
    assertOutputName(output, i);
    const json: Record<string, unknown> = includeInputFields ? copyFields(item.json) : {};
    const next: Item = { json: json as JsonObject, pairedItem: { item: i } };
    if (includeInputFields && item.binary) next.binary = item.binary;
    const tz = workflowTimezone;
    let value: JsonValue;
    switch (p.operation) {
      case 'getCurrentDate': {
        const zone =
          typeof p.options.timezone === 'string' && p.options.timezone ? p.options.timezone : tz;
        const now = DateTime.now().setZone(zone);
        if (!now.isValid) {
          throw new NodeError(`The timezone ${zone} is not valid. Please check the timezone.`, {
            itemIndex: i,
          });
        }
        value = (p.includeTime ? now : now.startOf('day')).toString();
        break;
      }
      case 'addToDate':
      case 'subtractFromDate': {
        const date = parseDate(p.magnitude, { timezone: tz });
        const change = { [p.timeUnit]: p.duration };
        value = (p.operation === 'addToDate' ? date.plus(change) : date.minus(change)).toString();
        break;
      }
      case 'formatDate': {
        if (p.date === null || p.date === undefined) {
          value = null;
          break;
        }
        const date = parseDate(p.date, {
          timezone: p.options.timezone === true ? tz : undefined,
          fromFormat: p.options.fromFormat || undefined,
        });
        value = date.toFormat(p.format === 'custom' ? p.customFormat : p.format);
        break;
      }
      case 'roundDate': {
        const date = parseDate(p.date, { timezone: tz });
        value =
          p.mode === 'roundDown'
            ? date.startOf(p.toNearest).toString()
            : date
                .plus({ [p.to]: 1 })
                .startOf(p.to)
                .toString();
        break;
      }
      case 'getTimeBetweenDates': {
        const start = parseDate(p.startDate, { timezone: tz });
        const end = parseDate(p.endDate, { timezone: tz });
        const duration = end.diff(start, p.units);
        value = p.options.isoString ? duration.toString() : (duration.toObject() as JsonObject);
        break;
      }
      case 'extractDate': {
        const date = parseDate(p.date, { timezone: tz });
        value = p.part === 'week' ? date.weekNumber : date.get(p.part);
        break;
      }
    }
    defineOwn(json, output, value);
    return next;
  });
}

/**
 * n8n's Date & Time node. v1 formats (moment tokens) or adds/subtracts time; v2 has Luxon-based
 * operations (current date, add, subtract, format, round, time between, extract part) in the
 * workflow's timezone.
 */
export const dateTimeNode = defineNode<ParamsV1 | ParamsV2>({
  type: 'budflow.dateTime',
  version: 1,
  title: 'Date & Time',
  description: 'Manipulate date and time values',
  category: 'transform',
  compat: { n8n: { type: 'n8n-nodes-base.dateTime', versions: [1, 2] } },
  params: (typeVersion: number): z.ZodType<ParamsV1 | ParamsV2> =>
    typeVersion >= 2 ? paramsV2() : paramsV1(),
  async execute(ctx) {
    const timezone = workflowTimezone(ctx);
    const moment = ctx.typeVersion >= 2 ? undefined : await loadMoment();
    const out: Item[] = [];
    for (let i = 0; i < ctx.items.length; i++) {
      const single = [ctx.items[i]!];
      try {
        const produced = moment
          ? executeV1(moment, single, () => ctx.params(i) as ParamsV1, timezone)
          : executeV2(single, () => ctx.params(i) as ParamsV2, timezone);
        for (const item of produced) out.push({ ...item, pairedItem: { item: i } });
      } catch (error) {
        if (!ctx.continueOnFail) {
          if (error instanceof NodeError) {
            error.itemIndex ??= i;
            throw error;
          }
          throw new NodeError(error instanceof Error ? error.message : String(error), {
            itemIndex: i,
            cause: error,
          });
        }
        out.push({
          json: { error: error instanceof Error ? error.message : String(error) },
          pairedItem: { item: i },
        });
      }
    }
    return [out];
  },
});
