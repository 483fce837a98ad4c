/**
 * Expiry alert thresholds: which threshold a certificate has crossed, which one to announce
 * now, and how acknowledgements and snoozes hold them. Pure: the current time is always passed
 * in, and what was announced before comes from the caller's ledger.
 */

/** The day a certificate expires: a threshold that is always there and no acknowledgement mutes. */
export const EXPIRY_DAY = 0;

/** ALERT_DAYS when it is not set. */
export const DEFAULT_ALERT_DAYS = [30, 14, 7, 3, 1];

/** What people did to a certificate's alerts: acknowledged them, or snoozed them until a time. */
export interface AlertState {
  acknowledgedAt?: Date;
  acknowledgedBy?: string;
  snoozedUntil?: Date;
  snoozedBy?: string;
}

/** The configured days sorted most distant first, plus EXPIRY_DAY (0) always, without repeats. */
export function alertThresholds(days: readonly number[]): number[] {
  return [...new Set([...days.filter((day) => Number.isFinite(day)), EXPIRY_DAY])].sort((a, b) => b - a);
}

function isSnoozed(state: AlertState | undefined, now: Date): boolean {
  const until = state?.snoozedUntil?.getTime();
  return until !== undefined && until > now.getTime();
}

function isAcknowledged(state: AlertState | undefined): boolean {
  return state?.acknowledgedAt !== undefined || state?.acknowledgedBy !== undefined;
}

/**
 * The threshold to announce now, or undefined. A certificate crosses threshold d when its days
 * left become <= d; only the most urgent crossed threshold (the smallest d crossed) is
 * announced, and only if it was not announced before. A snooze (snoozedUntil > now) holds every
 * threshold; an acknowledgement holds every threshold except EXPIRY_DAY. Unknown days left: nothing.
 *
 * So a certificate first seen with 5 days left gets the 7-day alert only (not 30, 14 and 7 at
 * once), and one whose snooze ends gets the most urgent threshold crossed meanwhile.
 */
export function dueThreshold(input: {
  daysLeft: number | undefined;
  thresholds: readonly number[];
  announced: ReadonlySet<number>;
  state?: AlertState;
  now: Date;
}): number | undefined {
  const { daysLeft, thresholds, announced, state, now } = input;
  if (daysLeft === undefined || Number.isNaN(daysLeft)) return undefined;
  if (isSnoozed(state, now)) return undefined;
  const crossed = thresholds.filter((threshold) => daysLeft <= threshold);
  if (crossed.length === 0) return undefined;
  const mostUrgent = Math.min(...crossed);
  if (announced.has(mostUrgent)) return undefined;
  if (mostUrgent !== EXPIRY_DAY && isAcknowledged(state)) return undefined;
  return mostUrgent;
}

/** 'expires in 7 days' style label of a threshold for messages: 'the 7-day threshold', 'the expiry day'. */
export function thresholdLabel(threshold: number): string {
  return threshold === EXPIRY_DAY ? 'the expiry day' : `the ${threshold}-day threshold`;
}
