/** The item n8n's Schedule Trigger emits. */
export function scheduleItem(date: Date, timezone: string): Record<string, string | number> {
  const part = (options: Intl.DateTimeFormatOptions) =>
    new Intl.DateTimeFormat('en-US', { timeZone: timezone, ...options }).format(date);
  return {
    timestamp: date.toISOString(),
    'Readable date': part({ dateStyle: 'long', timeStyle: 'medium' }),
    'Readable time': part({ timeStyle: 'medium' }),
    'Day of week': part({ weekday: 'long' }),
    Year: part({ year: 'numeric' }),
    Month: part({ month: 'long' }),
    'Day of month': part({ day: '2-digit' }),
    Hour: part({ hour: '2-digit', hour12: false }),
    Minute: part({ minute: '2-digit' }),
    Second: part({ second: '2-digit' }),
    Timezone: timezone,
  };
}
