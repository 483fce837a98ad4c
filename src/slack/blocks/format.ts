/**
 * Formatting shared by every renderer: one emoji per meaning, UTC dates and times, numbers,
 * days left. Pure: the current time is always passed in.
 */

/** One emoji per meaning, the same in every command. */
export const EMOJI = {
  expired: ':red_circle:',
  expiring: ':large_orange_circle:',
  valid: ':large_green_circle:',
  notDeployed: ':white_circle:',
  failedReview: ':x:',
  notHosted: ':package:',
  noAlerts: ':no_bell:',
  unmonitored: ':globe_with_meridians:',
  good: ':white_check_mark:',
  allClear: ':white_check_mark:',
  revoked: ':no_entry:',
  unknown: ':grey_question:',
  warning: ':warning:',
  cancelled: ':leftwards_arrow_with_hook:',
  locked: ':lock:',
} as const;

/** A certificate ending within this many days counts as expiring soon. */
export const EXPIRING_SOON_DAYS = 30;

export { daysLeft } from '../../cas/certificate-dates';

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

const pad = (n: number): string => String(n).padStart(2, '0');

/** 'YYYY-MM-DD HH:mm UTC', or 'unknown time' when the value cannot be read (see parseTime). */
export function formatUtc(value: number | string | Date): string {
  const ms = parseTime(value);
  if (ms === undefined) return 'unknown time';
  const d = new Date(ms);
  const year = d.getUTCFullYear();
  const yyyy = year >= 0 && year <= 9999 ? String(year).padStart(4, '0') : String(year);
  return `${yyyy}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())} UTC`;
}

/** 1234567 → '1,234,567'; fractions keep up to 2 decimals; non-finite values → '?'. */
// One formatter for every number: toLocaleString with options builds a new Intl.NumberFormat
// on each call, which profiling showed as the costliest step of rendering a summary.
const NUMBER_FORMAT = new Intl.NumberFormat('en-US', { maximumFractionDigits: 2 });

export function formatNumber(n: number | undefined): string {
  if (typeof n !== 'number' || !Number.isFinite(n)) return '?';
  if (Math.abs(n) >= 1e21) return n.toExponential(2);
  return NUMBER_FORMAT.format(n);
}

/** '▲ 3' when up, '▼ 2' when down, '–' when unchanged or unknown. */
export function formatDelta(n: number | undefined): string {
  if (typeof n !== 'number' || !Number.isFinite(n) || n === 0) return '–';
  return n > 0 ? `▲ ${formatNumber(n)}` : `▼ ${formatNumber(-n)}`;
}

/** '1 certificate', '3 certificates'. */
export function plural(n: number, singular: string, pluralForm = `${singular}s`): string {
  return `${formatNumber(n)} ${n === 1 ? singular : pluralForm}`;
}

export type Urgency = 'expired' | 'expiring' | 'valid' | 'unknown';

/** How urgent a certificate is from its days left (and CAS's own Expired flag when the date is missing). */
export function urgency(days: number | undefined, expiredFlag?: boolean): Urgency {
  if (days === undefined) return expiredFlag ? 'expired' : 'unknown';
  if (days < 0) return 'expired';
  if (days <= EXPIRING_SOON_DAYS) return 'expiring';
  return 'valid';
}

export const URGENCY_EMOJI: Record<Urgency, string> = {
  expired: EMOJI.expired,
  expiring: EMOJI.expiring,
  valid: EMOJI.valid,
  unknown: EMOJI.unknown,
};

/** 'expired 3 days ago', 'expired yesterday', 'expires today', 'expires tomorrow', '12 days left'. */
export function describeDaysLeft(days: number | undefined): string {
  if (days === undefined) return 'end date unknown';
  if (days < -1) return `expired ${formatNumber(-days)} days ago`;
  if (days === -1) return 'expired yesterday';
  if (days === 0) return 'expires today';
  if (days === 1) return 'expires tomorrow';
  return `${formatNumber(days)} days left`;
}
