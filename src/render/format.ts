import { parseTime } from '../domain/expiry';

/**
 * Plain-text formatting shared by every renderer (Slack and terminal): UTC dates and times,
 * numbers, days left. Pure: the current time is always passed in.
 */

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

/** 'expired 3 days ago', 'expired yesterday', 'expires today', 'expires tomorrow', '12 days left'. */
export function describeDaysLeft(days: number | undefined): string {
  if (days === undefined) return 'end date unknown';
  if (days < -1) return `expired ${formatNumber(-days)} days ago`;
  if (days === -1) return 'expired yesterday';
  if (days === 0) return 'expires today';
  if (days === 1) return 'expires tomorrow';
  return `${formatNumber(days)} days left`;
}

/** '4 min ago', '2 h ago', '3 days ago', 'just now'. */
export function describeAge(from: Date, now: Date): string {
  const seconds = Math.max(0, Math.round((now.getTime() - from.getTime()) / 1000));
  if (seconds < 60) return 'just now';
  const minutes = Math.floor(seconds / 60);
  if (minutes < 120) return `${formatNumber(minutes)} min ago`;
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return `${formatNumber(hours)} h ago`;
  return `${formatNumber(Math.floor(hours / 24))} days ago`;
}

/**
 * What a list's freshness (see inventory/certificate-source) says to a person, in one line.
 * `time` writes the sync's time of day (UTC by default; Slack passes its reader's-zone token).
 */
export function describeFreshness(
  freshness:
    | { source: 'inventory'; syncedAt: Date; lastFailure?: { at: Date; message: string } }
    | { source: 'live'; reason: 'never-synced' | 'asked' | 'stale' },
  now: Date,
  time: (at: Date) => string = (at) => formatUtc(at).slice(11),
): string {
  if (freshness.source === 'live') {
    if (freshness.reason === 'never-synced') return 'Listed live from CAS: no inventory sync has finished yet';
    if (freshness.reason === 'stale') return 'Listed live from CAS: the inventory is out of date';
    return 'Listed live from CAS';
  }
  const line = `As of ${time(freshness.syncedAt)}, synced ${describeAge(freshness.syncedAt, now)}`;
  if (!freshness.lastFailure) return line;
  return `${line}; the last sync failed ${describeAge(freshness.lastFailure.at, now)}: ${freshness.lastFailure.message}`;
}
