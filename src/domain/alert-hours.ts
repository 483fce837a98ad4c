/**
 * The daily window alerts may be posted in (ALERT_HOURS), read in a time zone. Pure: `now` is
 * always passed in; time zones come from Intl.
 */

/** Minutes after midnight, 0..1440, start < end; the start minute is inside, the end minute is not. */
export interface AlertHours {
  startMinute: number;
  endMinute: number;
}

const MINUTES_PER_DAY = 24 * 60;
const FORMAT = 'must be HH:MM-HH:MM such as 09:00-20:00 (00:00-24:00 for always)';

function minuteOfDay(hours: string, minutes: string): number | undefined {
  const h = Number(hours);
  const m = Number(minutes);
  if (m > 59 || h > 24 || (h === 24 && m !== 0)) return undefined;
  return h * 60 + m;
}

/** 'HH:MM-HH:MM' (00:00-24:00 means always); a string says what is wrong. */
export function parseAlertHours(text: string): AlertHours | string {
  const match = /^(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})$/.exec(text.trim());
  if (!match) return FORMAT;
  const startMinute = minuteOfDay(match[1], match[2]);
  const endMinute = minuteOfDay(match[3], match[4]);
  if (startMinute === undefined || endMinute === undefined)
    return `${FORMAT}: hours 00 to 24, minutes 00 to 59, 24:00 only as the end`;
  if (startMinute === MINUTES_PER_DAY) return `${FORMAT}: 24:00 can only be the end`;
  if (startMinute >= endMinute)
    return `${FORMAT}: the start must be before the end (a window across midnight is not supported)`;
  return { startMinute, endMinute };
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(timeZone);
  if (!formatter) {
    // Throws a RangeError for a zone Intl does not know (the configuration checks zones at start).
    formatter = new Intl.DateTimeFormat('en-US', { timeZone, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
    formatters.set(timeZone, formatter);
  }
  return formatter;
}

/** Minutes after local midnight of `now` in `timeZone`, 0..1439. */
export function localMinute(timeZone: string, now: Date): number {
  let hour = 0;
  let minute = 0;
  for (const part of formatterFor(timeZone).formatToParts(now)) {
    if (part.type === 'hour') hour = Number(part.value) % 24;
    else if (part.type === 'minute') minute = Number(part.value);
  }
  return hour * 60 + minute;
}

/**
 * Whether `now` is inside the window in `timeZone` (IANA). Local wall-clock time decides, so the
 * window follows daylight saving time. Throws a RangeError for an unknown time zone.
 */
export function insideAlertHours(hours: AlertHours, timeZone: string, now: Date): boolean {
  if (hours.startMinute <= 0 && hours.endMinute >= MINUTES_PER_DAY) return true;
  const minute = localMinute(timeZone, now);
  return minute >= hours.startMinute && minute < hours.endMinute;
}
