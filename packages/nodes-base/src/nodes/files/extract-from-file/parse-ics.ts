import type { JsonObject } from '@budflow/node-sdk';
import { convertIcsCalendar } from 'ts-ics';
import { toJsonObject } from '../internal/data-path.js';

/**
 * Parses an iCalendar file into an object (dates become ISO strings). An `UNTIL` given as a bare
 * date is widened to midnight UTC first, as n8n does, because the parser needs a date-time there.
 */
export function parseIcsCalendar(text: string): JsonObject {
  const normalized = text.replace(
    /(^|\r?\n)(RRULE[^\r\n]*?\bUNTIL=)(\d{8})(?=;|\r?\n|$)/g,
    '$1$2$3T000000Z',
  );
  return toJsonObject(convertIcsCalendar(undefined, normalized));
}
