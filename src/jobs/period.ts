import { CronExpressionParser } from 'cron-parser';

/** A job's period: from one trigger to the next. Its key names the period in claims and leases. */
export interface JobPeriod {
  /** The period's start, ISO 8601 UTC to the second. */
  key: string;
  start: Date;
  end: Date;
}

export interface CronTrigger {
  cron: string;
  timezone: string;
}

export interface IntervalTrigger {
  everyMs: number;
}

export type Trigger = CronTrigger | IntervalTrigger;

function toSecond(date: Date): Date {
  return new Date(Math.floor(date.getTime() / 1000) * 1000);
}

function isCron(trigger: Trigger): trigger is CronTrigger {
  return 'cron' in trigger;
}

/**
 * The period that contains `at`: for a cron trigger, from the latest occurrence at or before
 * `at` to the next one; for an interval, the interval of the epoch-aligned grid containing it.
 */
export function periodAt(trigger: Trigger, at: Date): JobPeriod {
  if (!isCron(trigger)) {
    const every = Math.max(1000, trigger.everyMs);
    const start = new Date(Math.floor(at.getTime() / every) * every);
    return { key: start.toISOString(), start, end: new Date(start.getTime() + every) };
  }
  // cron-parser's prev() is strictly before currentDate; step one second past `at` so an
  // occurrence exactly at `at` (the scheduler firing on time) is its own period.
  const probe = new Date(toSecond(at).getTime() + 1000);
  const expression = CronExpressionParser.parse(trigger.cron, { tz: trigger.timezone, currentDate: probe });
  const start = toSecond(expression.prev().toDate());
  const next = CronExpressionParser.parse(trigger.cron, { tz: trigger.timezone, currentDate: start });
  const end = toSecond(next.next().toDate());
  return { key: start.toISOString(), start, end };
}

/** Up to `count` periods before the one containing `at`, newest first. */
export function periodsBefore(trigger: Trigger, at: Date, count: number): JobPeriod[] {
  const periods: JobPeriod[] = [];
  let cursor = periodAt(trigger, at);
  for (let i = 0; i < count; i++) {
    cursor = periodAt(trigger, new Date(cursor.start.getTime() - 1000));
    periods.push(cursor);
  }
  return periods;
}
