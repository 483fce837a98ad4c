/**
 * The change window of deployments (DEPLOY_HOURS): the same daily HH:MM-HH:MM window as
 * ALERT_HOURS, in a time zone. A deployment asked for outside it is scheduled for the window's
 * next start rather than refused. Pure: `now` is always passed in.
 */
import { type AlertHours, insideAlertHours, localMinute } from './alert-hours';

export type ChangeWindow = { hours: AlertHours; timeZone: string };

const MINUTE_MS = 60_000;
const MINUTES_PER_DAY = 24 * 60;

/**
 * The first instant after `now` at which the window opens: its start minute on the wall clock of
 * `timeZone`. Across a daylight-saving change the clock moves by an hour, so the naive answer is
 * corrected by what the clock then reads; a start minute the clock skips that day (a
 * spring-forward gap) opens the window at the first minute after the gap. Throws a RangeError
 * for an unknown time zone.
 */
export function nextWindowStart(hours: AlertHours, timeZone: string, now: Date): Date {
  const minuteStart = Math.floor(now.getTime() / MINUTE_MS) * MINUTE_MS;
  // Minutes from the local time at `at` to the start minute, the short way round the clock.
  const offset = (at: number) => {
    let off = hours.startMinute - localMinute(timeZone, new Date(at));
    if (off > MINUTES_PER_DAY / 2) off -= MINUTES_PER_DAY;
    if (off < -MINUTES_PER_DAY / 2) off += MINUTES_PER_DAY;
    return off;
  };
  let ahead = hours.startMinute - localMinute(timeZone, now);
  if (ahead <= 0) ahead += MINUTES_PER_DAY;
  const naive = minuteStart + ahead * MINUTE_MS;
  if (offset(naive) === 0) return new Date(naive);
  const corrected = naive + offset(naive) * MINUTE_MS;
  if (corrected > now.getTime() && offset(corrected) === 0) return new Date(corrected);
  // The start minute does not exist that day: the window opens where the clock jumps into it,
  // between the two readings (one before the gap, one after it).
  let before = Math.max(Math.min(naive, corrected), minuteStart);
  let after = Math.max(naive, corrected);
  const inside = (at: number) => insideAlertHours(hours, timeZone, new Date(at));
  if (!inside(after)) return new Date(after);
  while (after - before > MINUTE_MS) {
    const middle = before + Math.floor((after - before) / MINUTE_MS / 2) * MINUTE_MS;
    if (inside(middle)) after = middle;
    else before = middle;
  }
  return new Date(after);
}

/** When a deployment asked for at `now` may run: now (no window, or inside it), or at the window's next start. */
export function deploymentTime(
  window: ChangeWindow | undefined,
  now: Date,
): { now: true } | { now: false; scheduleAt: Date } {
  if (!window || insideAlertHours(window.hours, window.timeZone, now)) return { now: true };
  return { now: false, scheduleAt: nextWindowStart(window.hours, window.timeZone, now) };
}
