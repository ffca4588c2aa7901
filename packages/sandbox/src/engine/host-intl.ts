/**
 * The data-only bridge behind the sandbox's `Intl` shim: QuickJS has no ICU, so formatting requests
 * (locale, options, a number or a timestamp) are answered by this thread's `Intl`. Only JSON text
 * crosses, in both directions; no host object is ever handed to the sandbox.
 */
interface IntlRequest {
  op: string;
  args: unknown[];
}

type Formatter =
  | Intl.DateTimeFormat
  | Intl.NumberFormat
  | Intl.RelativeTimeFormat
  | Intl.PluralRules
  | Intl.ListFormat
  | Intl.Collator;

const cache = new Map<string, Formatter>();
const CACHE_MAX = 512;

function options(value: unknown): Record<string, unknown> | undefined {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return undefined;
  // Only primitive option values are meaningful to Intl; drop anything else.
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value)) {
    if (key === '__proto__' || key === 'constructor' || key === 'prototype') continue;
    if (v === null || ['string', 'number', 'boolean'].includes(typeof v)) out[key] = v;
  }
  return out;
}

function locales(value: unknown): string | string[] | undefined {
  if (typeof value === 'string') return value;
  if (Array.isArray(value)) return value.map(String);
  return undefined;
}

function formatter(kind: string, l: unknown, o: unknown): Formatter {
  const key = `${kind}\u0000${JSON.stringify(l ?? null)}\u0000${JSON.stringify(o ?? null)}`;
  let f = cache.get(key);
  if (f) return f;
  const loc = locales(l);
  const opts = options(o);
  switch (kind) {
    case 'DateTimeFormat':
      f = new Intl.DateTimeFormat(loc, opts);
      break;
    case 'NumberFormat':
      f = new Intl.NumberFormat(loc, opts);
      break;
    case 'RelativeTimeFormat':
      f = new Intl.RelativeTimeFormat(loc, opts);
      break;
    case 'PluralRules':
      f = new Intl.PluralRules(loc, opts);
      break;
    case 'ListFormat':
      f = new Intl.ListFormat(loc, opts);
      break;
    case 'Collator':
      f = new Intl.Collator(loc, opts);
      break;
    default:
      throw new TypeError(`Intl.${kind} is not supported in the sandbox`);
  }
  if (cache.size >= CACHE_MAX) cache.clear();
  cache.set(key, f);
  return f;
}

function num(v: unknown): number {
  return typeof v === 'number' ? v : Number(v);
}

function answer(request: IntlRequest): unknown {
  const [a, b, c, d] = request.args;
  const dot = request.op.indexOf('.');
  const kind = dot === -1 ? request.op : request.op.slice(0, dot);
  const method = dot === -1 ? '' : request.op.slice(dot + 1);
  switch (request.op) {
    case 'getCanonicalLocales':
      return Intl.getCanonicalLocales(locales(a));
    case 'timeZoneName':
      return (
        new Intl.DateTimeFormat('en-US', { timeZoneName: 'long' })
          .formatToParts(num(a))
          .find((p) => p.type === 'timeZoneName')?.value ?? 'Coordinated Universal Time'
      );
    case 'Locale': {
      const loc = new Intl.Locale(String(a), options(b));
      return {
        baseName: loc.baseName,
        language: loc.language,
        region: loc.region,
        script: loc.script,
        calendar: loc.calendar,
        numberingSystem: loc.numberingSystem,
        hourCycle: loc.hourCycle,
      };
    }
    case 'Locale.weekInfo': {
      const loc = new Intl.Locale(String(a)) as Intl.Locale & {
        getWeekInfo?: () => unknown;
        weekInfo?: unknown;
      };
      return typeof loc.getWeekInfo === 'function' ? loc.getWeekInfo() : (loc.weekInfo ?? null);
    }
  }
  if (method === 'supportedLocalesOf') {
    const ctor = (
      Intl as unknown as Record<string, { supportedLocalesOf?: (l: unknown) => string[] }>
    )[kind];
    if (!ctor?.supportedLocalesOf) throw new TypeError(`Intl.${kind} is not supported`);
    return ctor.supportedLocalesOf(locales(a));
  }
  const f = formatter(kind, a, b);
  switch (request.op) {
    case 'DateTimeFormat.resolvedOptions':
    case 'NumberFormat.resolvedOptions':
    case 'RelativeTimeFormat.resolvedOptions':
    case 'PluralRules.resolvedOptions':
    case 'ListFormat.resolvedOptions':
    case 'Collator.resolvedOptions':
      return f.resolvedOptions();
    case 'DateTimeFormat.format':
      return (f as Intl.DateTimeFormat).format(num(c));
    case 'DateTimeFormat.formatToParts':
      return (f as Intl.DateTimeFormat).formatToParts(num(c));
    case 'NumberFormat.format':
      return (f as Intl.NumberFormat).format(typeof c === 'string' ? BigInt(c) : num(c));
    case 'NumberFormat.formatToParts':
      return (f as Intl.NumberFormat).formatToParts(num(c));
    case 'RelativeTimeFormat.format':
      return (f as Intl.RelativeTimeFormat).format(
        num(c),
        String(d) as Intl.RelativeTimeFormatUnit,
      );
    case 'RelativeTimeFormat.formatToParts':
      return (f as Intl.RelativeTimeFormat).formatToParts(
        num(c),
        String(d) as Intl.RelativeTimeFormatUnit,
      );
    case 'PluralRules.select':
      return (f as Intl.PluralRules).select(num(c));
    case 'ListFormat.format':
      return (f as Intl.ListFormat).format(Array.isArray(c) ? c.map(String) : []);
    case 'Collator.compare':
      return (f as Intl.Collator).compare(String(c), String(d));
  }
  throw new TypeError(`Intl operation ${request.op} is not supported in the sandbox`);
}

/** Answers one `Intl` request (`op` without the `intl.` prefix). */
export function answerIntl(op: string, args: unknown[]): unknown {
  return answer({ op, args });
}
