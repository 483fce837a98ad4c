/**
 * Expiry rules: days left to an end date, urgency, the "expiring soon" window, ordering.
 * Pure: the current time is always passed in.
 */

const DAY_MS = 86_400_000;

/** A certificate ending within this many days counts as expiring soon (CAS's own window). */
export const EXPIRING_SOON_DAYS = 30;

function utcMidnight(year: number, month: number, day: number): number | undefined {
  const date = new Date(0);
  date.setUTCFullYear(year, month - 1, day);
  if (date.getUTCFullYear() !== year || date.getUTCMonth() !== month - 1 || date.getUTCDate() !== day) return undefined;
  return date.getTime();
}

/**
 * Whole UTC calendar days from `now` to `endDate` ('YYYY-MM-DD'; a time after the date is
 * ignored): 0 on the end date itself, negative once it has passed, undefined when unknown.
 */
export function daysLeft(endDate: string | undefined, now: Date): number | undefined {
  if (typeof endDate !== 'string') return undefined;
  const match = /^(\d{4})-(\d{2})-(\d{2})(?:$|[T ])/.exec(endDate.trim());
  if (!match) return undefined;
  const end = utcMidnight(Number(match[1]), Number(match[2]), Number(match[3]));
  const nowMs = now.getTime();
  if (end === undefined || !Number.isFinite(nowMs)) return undefined;
  const today = utcMidnight(now.getUTCFullYear(), now.getUTCMonth() + 1, now.getUTCDate());
  if (today === undefined) return undefined;
  return Math.round((end - today) / DAY_MS);
}

export type Urgency = 'expired' | 'expiring' | 'valid' | 'unknown';

/** How urgent a certificate is from its days left (and CAS's own Expired flag when the date is missing). */
export function urgency(days: number | undefined, expiredFlag?: boolean): Urgency {
  if (days === undefined) return expiredFlag ? 'expired' : 'unknown';
  if (days < 0) return 'expired';
  if (days <= EXPIRING_SOON_DAYS) return 'expiring';
  return 'valid';
}

/** Soonest end date first (expired ones, most overdue, before them); unknown end dates last. Stable. */
export function sortByDaysLeft<T extends { endDate?: string }>(items: readonly T[], now: Date): T[] {
  return items
    .map((item, index) => ({ item, index, days: daysLeft(item?.endDate, now) }))
    .sort((a, b) => {
      if (a.days === undefined || b.days === undefined) {
        if (a.days === b.days) return a.index - b.index;
        return a.days === undefined ? 1 : -1;
      }
      return a.days - b.days || a.index - b.index;
    })
    .map(({ item }) => item);
}

/**
 * Epoch milliseconds for a time CAS may send as a number or a string: epoch milliseconds
 * (a value below 1e11 is taken as epoch seconds), an ISO date-time (without a zone it is UTC)
 * or 'YYYY-MM-DD HH:mm[:ss]'. 0, empty or unparseable values give undefined.
 */
export function parseTime(value: number | string | Date | undefined): number | undefined {
  if (value === undefined || value === null) return undefined;
  if (value instanceof Date) return Number.isFinite(value.getTime()) ? value.getTime() : undefined;
  let ms: number;
  if (typeof value === 'number' || /^\d+$/.test(String(value).trim())) {
    const n = Number(value);
    if (!Number.isFinite(n) || n <= 0) return undefined;
    ms = n < 1e11 ? n * 1000 : n;
  } else {
    let text = String(value).trim();
    if (text === '') return undefined;
    if (/^\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}(:\d{2}(\.\d+)?)?$/.test(text)) text = `${text.replace(' ', 'T')}Z`;
    ms = Date.parse(text);
  }
  return Number.isFinite(ms) && Number.isFinite(new Date(ms).getTime()) ? ms : undefined;
}
