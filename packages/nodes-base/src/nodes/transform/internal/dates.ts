import { NodeError } from '@budflow/node-sdk';
import { DateTime } from 'luxon';

const EXPLICIT_ZONE = /(?:Z|[+-]\d{2}(?::?\d{2})?|\b(?:GMT|UTC|UT)\b)\s*$/i;

export interface ParseDateOptions {
  /** Zone to read zone-less input in and to express the result in. */
  timezone?: string;
  /** Luxon format of the input. */
  fromFormat?: string;
}

function assertZone(zone: string): void {
  if (!DateTime.now().setZone(zone).isValid) {
    throw new NodeError(`The timezone ${zone} is not valid. Please check the timezone.`);
  }
}

/**
 * Reads a date the way Date & Time v2 does: numbers and numeric strings are Unix seconds (fewer
 * than 12 digits) or milliseconds (floats are seconds with a fraction); ISO, RFC 2822, HTTP and
 * SQL strings; other strings as JavaScript's `Date` reads them. Zone-less input is wall-clock time
 * in `timezone` (Etc/UTC without one), and the result is expressed in that zone.
 */
export function parseDate(value: unknown, options: ParseDateOptions = {}): DateTime {
  const tz = options.timezone;
  if (tz) assertZone(tz);
  if (value === null || value === undefined) throw new NodeError('Invalid date type');
  if (typeof value === 'object') throw new NodeError('Invalid date type');
  const text = String(value).trim();
  if (text === '') throw new NodeError('Invalid date format');

  // Without a timezone n8n reads and expresses dates in Etc/UTC.
  const zone = tz ?? 'Etc/UTC';
  let parsed: DateTime;
  const numeric = Number(text);
  if (!options.fromFormat && (typeof value === 'number' || !Number.isNaN(numeric))) {
    if (!Number.isFinite(numeric)) throw new NodeError('Invalid numeric timestamp');
    if (!Number.isInteger(numeric)) parsed = DateTime.fromMillis(Math.round(numeric * 1000));
    else if (String(Math.abs(numeric)).length < 12) parsed = DateTime.fromSeconds(numeric);
    else parsed = DateTime.fromMillis(numeric);
    return parsed.setZone(zone);
  }
  if (options.fromFormat) {
    parsed = DateTime.fromFormat(text, options.fromFormat, { zone });
  } else {
    parsed = DateTime.fromISO(text, { zone });
    if (!parsed.isValid) parsed = DateTime.fromRFC2822(text, { zone });
    if (!parsed.isValid) parsed = DateTime.fromHTTP(text, { zone });
    if (!parsed.isValid) parsed = DateTime.fromSQL(text, { zone });
    if (!parsed.isValid) parsed = fromJsDate(text, zone);
  }
  if (!parsed.isValid) {
    throw new NodeError(`Invalid date format: '${text}'`, {
      description: parsed.invalidExplanation ?? undefined,
    });
  }
  return parsed.setZone(zone);
}

/** JavaScript's lenient parser; zone-less text is taken as wall-clock time in `zone`. */
function fromJsDate(text: string, zone: string): DateTime {
  const date = new Date(text);
  if (Number.isNaN(date.getTime()))
    return DateTime.invalid('unparsable', `'${text}' is not a date`);
  if (EXPLICIT_ZONE.test(text)) return DateTime.fromJSDate(date).setZone(zone);
  return DateTime.fromObject(
    {
      year: date.getFullYear(),
      month: date.getMonth() + 1,
      day: date.getDate(),
      hour: date.getHours(),
      minute: date.getMinutes(),
      second: date.getSeconds(),
      millisecond: date.getMilliseconds(),
    },
    { zone },
  );
}
