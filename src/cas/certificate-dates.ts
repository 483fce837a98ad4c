import type { CertificateOrder } from './types';

/** Day arithmetic on certificate end dates, shared by the renderers, the CLI and the digest. */

const DAY_MS = 86_400_000;

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

/** Soonest end date first (expired ones, most overdue, before them); unknown end dates last. Stable. */
export function sortByDaysLeft(items: readonly CertificateOrder[], now: Date): CertificateOrder[] {
  return items
    .map((item, index) => ({ item, index, days: daysLeft(item?.EndDate, now) }))
    .sort((a, b) => {
      if (a.days === undefined || b.days === undefined) {
        if (a.days === b.days) return a.index - b.index;
        return a.days === undefined ? 1 : -1;
      }
      return a.days - b.days || a.index - b.index;
    })
    .map(({ item }) => item);
}
