import { CronExpressionParser } from 'cron-parser';

/** A digest period: from one scheduled occurrence of DIGEST_CRON to the next. */
export interface DigestPeriod {
  /** The scheduled time that identifies the period, ISO 8601 UTC to the second. */
  key: string;
  start: Date;
  end: Date;
}

export interface Schedule {
  cron: string;
  timezone: string;
}

function toSecond(date: Date): Date {
  return new Date(Math.floor(date.getTime() / 1000) * 1000);
}

/** The period whose scheduled time is the latest occurrence at or before `at`. */
export function periodAt(schedule: Schedule, at: Date): DigestPeriod {
  // cron-parser's prev() is strictly before currentDate; step one second past `at` so an
  // occurrence exactly at `at` (the scheduler firing on time) is its own period.
  const probe = new Date(toSecond(at).getTime() + 1000);
  const expression = CronExpressionParser.parse(schedule.cron, { tz: schedule.timezone, currentDate: probe });
  const start = toSecond(expression.prev().toDate());
  const next = CronExpressionParser.parse(schedule.cron, { tz: schedule.timezone, currentDate: start });
  const end = toSecond(next.next().toDate());
  return { key: start.toISOString(), start, end };
}
