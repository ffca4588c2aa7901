import type { JsonObject } from '@budflow/node-sdk';
import { toJsonObject } from '../internal/data-path.js';
import { loadOnce } from '../../../shared/index.js';

// ts-ics (~7 MB of memory) is loaded when a node first reads a calendar.
const loadConvertIcsCalendar = loadOnce(() => import('ts-ics').then((m) => m.convertIcsCalendar));

/**
 * Parses an iCalendar file into an object (dates become ISO strings). An `UNTIL` given as a bare
 * date is widened to midnight UTC first, as n8n does, because the parser needs a date-time there.
 */
export async function parseIcsCalendar(text: string): Promise<JsonObject> {
  const convertIcsCalendar = await loadConvertIcsCalendar();
  const normalized = text.replace(
    /(^|\r?\n)(RRULE[^\r\n]*?\bUNTIL=)(\d{8})(?=;|\r?\n|$)/g,
    '$1$2$3T000000Z',
  );
  return toJsonObject(convertIcsCalendar(undefined, normalized));
}
