/**
 * Field type validation and conversion with n8n's rules (`validateFieldType`): used by Edit Fields
 * (Set) assignments and by the filter-conditions model.
 */
import JSON5 from 'json5';
import { DateTime } from 'luxon';

export type FieldType =
  | 'string'
  | 'number'
  | 'boolean'
  | 'array'
  | 'object'
  | 'dateTime'
  | 'time'
  | 'url'
  | 'jwt'
  | 'options'
  | 'any';

export type FieldValidation =
  { valid: true; newValue: unknown } | { valid: false; errorMessage: string };

export interface ValidateFieldOptions {
  /** Reject values of another JavaScript type instead of converting them. */
  strict?: boolean;
  /** Convert non-strings to strings for the `string` type (the filter model does). */
  parseStrings?: boolean;
  /** Allowed values for the `options` type. */
  valueOptions?: readonly unknown[];
}

class ConversionError extends Error {}

/** How n8n describes a value in type errors: `'text'`, `'null'`, `array`, `object`. */
export function describeValue(value: unknown): string {
  if (typeof value === 'object') {
    if (value === null) return "'null'";
    if (Array.isArray(value)) return 'array';
    return 'object';
  }
  return `'${String(value)}'`;
}

export function toNumber(value: unknown): number {
  const parsed = Number(value);
  if (Number.isNaN(parsed)) throw new ConversionError('Failed to parse value to number');
  return parsed;
}

export function toStringValue(value: unknown): string {
  if (typeof value === 'object') return JSON.stringify(value) ?? String(value);
  if (value === undefined) return '';
  return String(value);
}

export function toBoolean(value: unknown): boolean {
  if (typeof value === 'boolean') return value;
  if (typeof value === 'string' && ['true', 'false'].includes(value.toLowerCase())) {
    return value.toLowerCase() === 'true';
  }
  if (!(typeof value === 'string' && value.trim() === '')) {
    const num = Number(value);
    if (num === 0) return false;
    if (num === 1) return true;
  }
  throw new ConversionError('Failed to parse value as boolean');
}

// Parsed dates by text: filters compare every item with the same right-hand value, and Luxon
// DateTimes are immutable, so sharing them is safe.
const parsedDates = new Map<string, DateTime>();
const PARSED_DATES_MAX = 512;

/** Parses a date the way n8n does: ISO, HTTP, RFC 2822, SQL, then `Date.parse`. */
export function toDateTime(value: unknown, zone?: string): DateTime {
  if (DateTime.isDateTime(value) && value.isValid) return value;
  if (value instanceof Date) {
    const fromDate = DateTime.fromJSDate(value, { zone });
    if (fromDate.isValid) return fromDate;
  }
  const text = String(value).trim();
  const key = `${zone ?? ''}|${text}`;
  const cached = parsedDates.get(key);
  if (cached) return cached;
  const parsed = parseDateText(text, zone);
  // The system zone can change between calls (tests, TZ), so only fixed-zone results are kept.
  if (zone !== undefined || parsed.zone.type === 'fixed') {
    if (parsedDates.size >= PARSED_DATES_MAX) parsedDates.clear();
    parsedDates.set(key, parsed);
  }
  return parsed;
}

function parseDateText(text: string, zone: string | undefined): DateTime {
  const options = { zone, setZone: true };
  const parsers = [
    (t: string) => DateTime.fromISO(t, options),
    (t: string) => DateTime.fromHTTP(t, options),
    (t: string) => DateTime.fromRFC2822(t, options),
    (t: string) => DateTime.fromSQL(t, options),
  ];
  for (const parse of parsers) {
    const parsed = parse(text);
    if (parsed.isValid) return parsed;
  }
  const millis = DateTime.fromMillis(Date.parse(text), { zone });
  if (millis.isValid) return millis;
  throw new ConversionError('Value is not a valid date');
}

export function toTime(value: unknown): string {
  const isTime = /^\d{2}:\d{2}(:\d{2})?((-|\+)\d{4})?((-|\+)\d{1,2}(:\d{2})?)?$/s.test(
    String(value),
  );
  if (!isTime) throw new ConversionError('Value is not a valid time');
  return String(value);
}

export function toArray(value: unknown): unknown[] {
  if (Array.isArray(value)) return value;
  let parsed: unknown;
  try {
    parsed = JSON.parse(String(value));
  } catch {
    try {
      parsed = JSON.parse(String(value).replace(/'/g, '"'));
    } catch {
      throw new ConversionError('Value is not a valid array');
    }
  }
  if (!Array.isArray(parsed)) throw new ConversionError('Value is not a valid array');
  return parsed;
}

/**
 * Parses JSON, also accepting a JavaScript object literal (unquoted keys, single quotes, trailing
 * commas) as n8n's `jsonParse(..., { acceptJSObject: true })` does. JSON5 parses; nothing runs.
 */
export function parseJsonLenient(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    try {
      return JSON5.parse(text);
    } catch {
      throw error;
    }
  }
}

export function toObject(value: unknown): object {
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) return value;
  let parsed: unknown;
  try {
    parsed = parseJsonLenient(String(value));
  } catch {
    throw new ConversionError('Value is not a valid object');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new ConversionError('Value is not a valid object');
  }
  return parsed;
}

export function toUrl(value: unknown): string {
  let text = value;
  if (typeof text === 'string' && !text.includes('://')) text = `http://${text}`;
  if (!/^(https?|ftp|file):\/\/\S+|www\.\S+/.test(String(text))) {
    throw new ConversionError(`The value "${String(text)}" is not a valid url.`);
  }
  return String(text);
}

export function toJwt(value: unknown): string {
  if (!value || !/^[A-Za-z0-9-_]+\.[A-Za-z0-9-_]+\.[A-Za-z0-9-_.+/=]*$/.test(String(value))) {
    throw new ConversionError(`The value "${String(value)}" is not a valid JWT token.`);
  }
  return String(value);
}

function expectedType(fieldName: string, type: string, value: unknown): FieldValidation {
  return {
    valid: false,
    errorMessage: `'${fieldName}' expects a ${type} but we got ${describeValue(value)}`,
  };
}

function converted(
  convert: (value: unknown) => unknown,
  fieldName: string,
  type: string,
  value: unknown,
): FieldValidation {
  try {
    return { valid: true, newValue: convert(value) };
  } catch {
    return expectedType(fieldName, type, value);
  }
}

/**
 * Validates `value` against `type` and converts it when allowed (n8n's `validateFieldType`).
 * `null`/`undefined` are always valid and stay as they are.
 */
export function validateFieldType(
  fieldName: string,
  value: unknown,
  type: FieldType | (string & {}),
  options: ValidateFieldOptions = {},
): FieldValidation {
  if (value === null || value === undefined) return { valid: true, newValue: value };
  const strict = options.strict ?? false;
  // Called once per field and item: no closures here.
  switch (type.toLowerCase()) {
    case 'string':
      if (!options.parseStrings) return { valid: true, newValue: value };
      if (strict && typeof value !== 'string') return expectedType(fieldName, type, value);
      return converted(toStringValue, fieldName, type, value);
    case 'number':
      if (strict && typeof value !== 'number') return expectedType(fieldName, type, value);
      return converted(toNumber, fieldName, type, value);
    case 'boolean':
      if (strict && typeof value !== 'boolean') return expectedType(fieldName, type, value);
      return converted(toBoolean, fieldName, type, value);
    case 'datetime':
      try {
        return { valid: true, newValue: toDateTime(value) };
      } catch {
        return {
          valid: false,
          errorMessage: `${(expectedType(fieldName, type, value) as { errorMessage: string }).errorMessage} <br/><br/> Consider using <a href="https://moment.github.io/luxon/api-docs/index.html#datetimefromformat" target="_blank"><code>DateTime.fromFormat</code></a> to work with custom date formats.`,
        };
      }
    case 'time':
      try {
        return { valid: true, newValue: toTime(value) };
      } catch {
        return {
          valid: false,
          errorMessage: `'${fieldName}' expects time (hh:mm:(:ss)) but we got ${describeValue(value)}.`,
        };
      }
    case 'object':
      if (strict && (typeof value !== 'object' || value === null) && typeof value !== 'function') {
        return expectedType(fieldName, type, value);
      }
      return converted(toObject, fieldName, type, value);
    case 'array':
      if (strict && !Array.isArray(value)) return expectedType(fieldName, type, value);
      return converted(toArray, fieldName, type, value);
    case 'options': {
      const allowed = options.valueOptions ?? [];
      if (!allowed.includes(value)) {
        return {
          valid: false,
          errorMessage: `'${fieldName}' expects one of the following values: [${allowed.map(String).join(', ')}] but we got ${describeValue(value)}`,
        };
      }
      return { valid: true, newValue: value };
    }
    case 'url':
      return converted(toUrl, fieldName, type, value);
    case 'jwt':
      try {
        return { valid: true, newValue: toJwt(value) };
      } catch {
        return { valid: false, errorMessage: 'Value is not a valid JWT token' };
      }
    default:
      return { valid: true, newValue: value };
  }
}

/** Makes a converted value JSON: Luxon dates become ISO strings; prototype keys are dropped. */
export function toJsonValue(value: unknown): unknown {
  if (DateTime.isDateTime(value)) return value.toISO();
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value)) return value.map(toJsonValue);
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [key, inner] of Object.entries(value)) {
      if (key === '__proto__') continue;
      out[key] = toJsonValue(inner);
    }
    return out;
  }
  return value;
}
