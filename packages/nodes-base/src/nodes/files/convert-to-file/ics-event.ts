import type { DateArray, EventAttributes } from 'ics';
import { DateTime } from 'luxon';
import { z } from 'zod';
import { looseNumber, looseString } from '../internal/schema.js';
import { loadOnce, lazySchema } from '../../../shared/index.js';

const person = lazySchema(() =>
  z.object({ name: z.string().default(''), email: z.string().default('') }),
);

/** Parameters of the "Convert to ICS" operation (n8n's iCalendar "create event"). */
export const icsEventParams = {
  title: looseString(),
  start: looseString(),
  end: looseString(),
  allDay: z.boolean().default(false),
  additionalFields: z
    .object({
      attendeesUi: z
        .object({
          attendeeValues: z.array(person().extend({ rsvp: z.boolean().optional() })).optional(),
        })
        .optional(),
      busyStatus: z.enum(['BUSY', 'TENTATIVE', '']).optional(),
      calName: z.string().optional(),
      description: z.string().optional(),
      fileName: z.string().optional(),
      geolocationUi: z
        .object({
          geolocationValues: z.object({ lat: looseString(), lon: looseString() }).optional(),
        })
        .optional(),
      location: z.string().optional(),
      recurrenceRule: z.string().optional(),
      organizerUi: z.object({ organizerValues: person().optional() }).optional(),
      sequence: looseNumber().optional(),
      status: z.enum(['CONFIRMED', 'CANCELLED', 'TENTATIVE']).optional(),
      uid: z.string().optional(),
      url: z.string().optional(),
      useWorkflowTimezone: z.boolean().optional(),
    })
    .default({}),
};

type IcsEventInput = {
  [K in keyof typeof icsEventParams]: z.infer<(typeof icsEventParams)[K]>;
};

function parseDate(value: string, what: string): DateTime {
  const parsed = DateTime.fromISO(value, { zone: 'utc' });
  if (parsed.isValid) return parsed.toUTC();
  const fromJs = new Date(value);
  if (!Number.isNaN(fromJs.getTime())) return DateTime.fromJSDate(fromJs).toUTC();
  throw new Error(`parameter '${what}' is not a valid date: '${value}'`);
}

function dateArray(date: DateTime, allDay: boolean): DateArray {
  if (allDay) return [date.year, date.month, date.day];
  // ics accepts seconds as a sixth element although its type stops at minutes.
  return [
    date.year,
    date.month,
    date.day,
    date.hour,
    date.minute,
    date.second,
  ] as unknown as DateArray;
}

// ics (~11 MB of memory) is loaded when a node first writes an event.
const loadCreateEvent = loadOnce(() => import('ics').then((m) => m.createEvent));

/**
 * Builds one ICS event file. Dates are read as instants and written in UTC (n8n, run in UTC,
 * writes the same components whether or not "use workflow timezone" is set).
 */
export async function createIcsEvent(
  params: IcsEventInput,
  _timezone: string,
  _itemIndex: number,
): Promise<{ bytes: Buffer; fileName: string }> {
  const start = parseDate(params.start, 'start');
  let end = params.end ? parseDate(params.end, 'end') : start;
  if (params.allDay) end = end.plus({ days: 1 });
  const fields = params.additionalFields;
  const event: EventAttributes = {
    title: params.title,
    start: dateArray(start, params.allDay),
    end: dateArray(end, params.allDay),
    startInputType: 'utc',
    endInputType: 'utc',
  };
  const geo = fields.geolocationUi?.geolocationValues;
  if (geo) event.geo = { lat: Number(geo.lat), lon: Number(geo.lon) };
  const organizer = fields.organizerUi?.organizerValues;
  if (organizer) event.organizer = organizer;
  const attendees = fields.attendeesUi?.attendeeValues;
  if (attendees) event.attendees = attendees;
  if (fields.busyStatus) event.busyStatus = fields.busyStatus;
  if (fields.calName) event.calName = fields.calName;
  if (fields.description) event.description = fields.description;
  if (fields.location) event.location = fields.location;
  if (fields.recurrenceRule) event.recurrenceRule = fields.recurrenceRule;
  if (fields.sequence !== undefined) event.sequence = fields.sequence;
  if (fields.status) event.status = fields.status;
  if (fields.uid) event.uid = fields.uid;
  if (fields.url) event.url = fields.url;
  const createEvent = await loadCreateEvent();
  const { error, value } = createEvent(event);
  if (error || value === null) throw new Error(error?.message ?? 'could not create the event');
  return { bytes: Buffer.from(value), fileName: fields.fileName || 'event.ics' };
}
