/**
 * The comparison rules of n8n's first-generation conditions (If v1, Switch v1/v2, Filter v1):
 * loosely typed JavaScript comparisons per data type.
 */
type Value = unknown;

const isDateObject = (value: Value) => Object.prototype.toString.call(value) === '[object Date]';
const isInvalidDate = (value: Value) => isDateObject(value) && String(value) === 'Invalid Date';

function isEmpty(value: Value): boolean {
  if (value === undefined || value === null || value === '') return true;
  if (typeof value === 'number' && Number.isNaN(value)) return true;
  if (typeof value === 'object' && !isDateObject(value)) return Object.entries(value).length === 0;
  return isInvalidDate(value);
}

function legacyRegex(pattern: Value): RegExp {
  const text = String(pattern || '');
  const match = text.match(/^\/(.*?)\/([gimusy]*)$/);
  if (!match) return new RegExp(text);
  return new RegExp(match[1] ?? '', match[2]);
}

// `(a || 0) > (b || 0)` on mixed JSON values is what n8n does; keep JavaScript's coercion.
const gt = (a: Value, b: Value) => ((a || 0) as number) > ((b || 0) as number);
const lt = (a: Value, b: Value) => ((a || 0) as number) < ((b || 0) as number);
const gte = (a: Value, b: Value) => ((a || 0) as number) >= ((b || 0) as number);
const lte = (a: Value, b: Value) => ((a || 0) as number) <= ((b || 0) as number);
const text = (value: Value) => String(value || '');
const asString = (value: Value) => value as string;

export const LEGACY_OPERATIONS: Readonly<Record<string, (a: Value, b: Value) => boolean>> = {
  after: gt,
  before: lt,
  contains: (a, b) => text(a).includes(text(b)),
  notContains: (a, b) => !text(a).includes(text(b)),
  endsWith: (a, b) => asString(a).endsWith(asString(b)),
  notEndsWith: (a, b) => !asString(a).endsWith(asString(b)),
  equal: (a, b) => a === b,
  notEqual: (a, b) => a !== b,
  larger: gt,
  largerEqual: gte,
  smaller: lt,
  smallerEqual: lte,
  startsWith: (a, b) => asString(a).startsWith(asString(b)),
  notStartsWith: (a, b) => !asString(a).startsWith(asString(b)),
  isEmpty: (a) => isEmpty(a),
  isNotEmpty: (a) => !isEmpty(a),
  regex: (a, b) => legacyRegex(b).test(text(a)),
  notRegex: (a, b) => !legacyRegex(b).test(text(a)),
};

/** Runs a legacy operation; throws a TypeError naming the operation when it is unknown. */
export function compareLegacy(operation: string, value1: Value, value2: Value): boolean {
  const compare = Object.prototype.hasOwnProperty.call(LEGACY_OPERATIONS, operation)
    ? LEGACY_OPERATIONS[operation]
    : undefined;
  if (!compare) throw new TypeError(`unknown comparison operation '${operation}'`);
  return compare(value1, value2);
}

/** Converts a date value to milliseconds; throws with n8n's message when it is not a date. */
export function legacyDateTime(value: Value): number {
  let millis: number | undefined;
  if (typeof value === 'string') millis = new Date(value).getTime();
  else if (typeof value === 'number') millis = value;
  else if (value instanceof Date) millis = value.getTime();
  if (millis === undefined || Number.isNaN(millis)) {
    throw new Error(`The value "${String(value)}" is not a valid DateTime.`);
  }
  return millis;
}

/** The data types of legacy conditions, in the order n8n evaluates them. */
export const LEGACY_DATA_TYPES = ['boolean', 'dateTime', 'number', 'string'] as const;
