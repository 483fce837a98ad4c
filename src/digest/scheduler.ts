import cron, { type ScheduledTask } from 'node-cron';
import type { Logger } from '../ops/logger';
import type { Store } from '../store/types';
import { type DigestPeriod, periodAt, type Schedule } from './period';

export interface DigestSchedulerOptions {
  schedule: Schedule;
  channels: readonly string[];
  store: Store;
  logger: Logger;
  now: () => Date;
  /** Runs the digest for a period through the normal path (runDigest). */
  run: (period: DigestPeriod) => Promise<unknown>;
  /**
   * How often to look for a period that is due but not in the ledger (the bot was down at the
   * scheduled minute, or Slack could not be reached). Default five minutes.
   */
  catchUpIntervalMs?: number;
}

export interface DigestScheduler {
  /** Resolves once the start-up catch-up check has run. */
  started: Promise<void>;
  /** Stops triggering; waits up to `graceMs` for a run in progress (its claim is left to go stale). */
  stop(graceMs?: number): Promise<void>;
}

/**
 * Triggers digest runs: at every DIGEST_CRON occurrence, and whenever the current period is due
 * but missing from the ledger for some channel. It only decides when; runDigest does the work,
 * and the ledger claim makes a double trigger harmless.
 */
export function startDigestScheduler(options: DigestSchedulerOptions): DigestScheduler {
  const log = options.logger.child({ module: 'digest-scheduler' });
  let running: Promise<unknown> = Promise.resolve();
  let stopped = false;

  // One run at a time in this process; a trigger during a run waits for it.
  const trigger = (period: DigestPeriod, reason: string) => {
    running = running
      .then(async () => {
        if (stopped) return;
        log.info({ period: period.key, reason }, 'digest run triggered');
        await options.run(period);
      })
      .catch((error: unknown) => log.error({ err: { name: (error as Error)?.name } }, 'digest run failed'));
    return running;
  };

  const catchUp = async () => {
    const period = periodAt(options.schedule, options.now());
    for (const channel of options.channels) {
      const entry = await options.store.getDigest(channel, period.key);
      if (!entry || entry.status === 'claimed') {
        await trigger(period, 'catch-up');
        return;
      }
    }
  };

  const task: ScheduledTask = cron.schedule(
    options.schedule.cron,
    (context) => trigger(periodAt(options.schedule, context.date), 'schedule'),
    { timezone: options.schedule.timezone, name: 'weekly-digest', noOverlap: false },
  );
  const interval = setInterval(
    () => {
      catchUp().catch((error: unknown) =>
        log.error({ err: { name: (error as Error)?.name } }, 'catch-up check failed'),
      );
    },
    options.catchUpIntervalMs ?? 5 * 60 * 1000,
  );
  interval.unref();

  log.info(
    { cron: options.schedule.cron, timezone: options.schedule.timezone, channels: options.channels },
    'weekly digest scheduled',
  );
  const started = catchUp().catch((error: unknown) =>
    log.error({ err: { name: (error as Error)?.name } }, 'start-up catch-up check failed'),
  );

  return {
    started,
    async stop(graceMs = 10_000) {
      stopped = true;
      clearInterval(interval);
      await task.stop();
      await task.destroy();
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([running, new Promise((resolve) => (timer = setTimeout(resolve, graceMs)))]);
      clearTimeout(timer);
    },
  };
}
