import { describeError } from '../domain/error-description';
import cron, { type ScheduledTask } from 'node-cron';
import type { Logger } from '../ops/logger';
import type { ClaimStore } from '../store/types';
import { keepLease } from './lease';
import { type JobPeriod, periodAt, type Trigger } from './period';

export type RunReason = 'schedule' | 'catch-up' | 'manual';

export interface Job {
  /** Names the job in logs and in its lease. */
  name: string;
  trigger: Trigger;
  /**
   * Periods that are due but not done (the process was down at the trigger, or a run's holder
   * died): checked at start and every catch-up interval. Without it, a job runs only when triggered.
   */
  due?(now: Date): Promise<JobPeriod[]>;
  run(period: JobPeriod, reason: RunReason): Promise<unknown>;
  /**
   * One replica per period: a run first claims (job, name, period) and runs only where the
   * claim is granted; a holder that dies frees it when its lease runs out.
   */
  lease?: { claims: ClaimStore; holder: string; leaseMs: number };
  /**
   * Asked once the period's claim is granted: a reason means the period's work was done
   * another way (e.g. by a run for another period), and the claim is finished as skipped.
   */
  skip?(period: JobPeriod, now: Date): Promise<string | undefined>;
}

export interface SchedulerOptions {
  logger: Logger;
  now: () => Date;
  /** How often `due` is asked (default one minute). */
  catchUpIntervalMs?: number;
}

export interface Scheduler {
  add(job: Job): void;
  /** Starts every trigger and the start-up catch-up, without waiting for it (see `started`). */
  start(): void;
  /** Resolves once the start-up catch-up (and the runs it triggered) has finished. */
  readonly started: Promise<void>;
  /** Runs a job now through the same path as its trigger (one run at a time still holds). */
  runNow(name: string, period?: JobPeriod): Promise<void>;
  /** Stops triggering; waits up to `graceMs` for runs in progress (their leases then lapse). */
  stop(graceMs?: number): Promise<void>;
}

/** A run that failed and already said why in the log: the scheduler records it without logging it again. */
export class ReportedFailure extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ReportedFailure';
  }
}

/**
 * Triggers jobs: on a cron schedule or an interval, plus catch-up for periods that are due.
 * It only decides when; each job's run does the work, and the claims under it make a double
 * trigger harmless. One run of a job at a time in this process: a trigger during a run waits.
 */
export function createScheduler(options: SchedulerOptions): Scheduler {
  const log = options.logger.child({ module: 'scheduler' });
  const jobs = new Map<string, { job: Job; chain: Promise<void> }>();
  const stoppers: Array<() => Promise<void> | void> = [];
  let stopped = false;
  let started: Promise<void> = Promise.resolve();

  async function runLeased(job: Job, period: JobPeriod, reason: RunReason): Promise<void> {
    const lease = job.lease;
    if (!lease) {
      await job.run(period, reason);
      return;
    }
    const key = { kind: 'job', subject: job.name, period: period.key };
    const claimed = await lease.claims.claim({
      ...key,
      holder: lease.holder,
      now: options.now(),
      leaseMs: lease.leaseMs,
    });
    if (!claimed) {
      log.debug({ job: job.name, period: period.key }, 'another replica has this period; skipping');
      return;
    }
    const keeper = keepLease(lease.claims, [key], { holder: lease.holder, leaseMs: lease.leaseMs, now: options.now });
    try {
      const skipped = reason === 'manual' ? undefined : await job.skip?.(period, options.now());
      if (skipped !== undefined) {
        log.info({ job: job.name, period: period.key, reason: skipped }, 'job run skipped');
        await lease.claims.finish(key, lease.holder, {
          status: 'skipped',
          now: options.now(),
          result: { reason: skipped },
        });
        return;
      }
      await job.run(period, reason);
      await lease.claims.finish(key, lease.holder, { status: 'done', now: options.now() });
    } catch (error) {
      await lease.claims.finish(key, lease.holder, {
        status: 'failed',
        now: options.now(),
        error: String((error as Error)?.message ?? error).slice(0, 500),
      });
      throw error;
    } finally {
      keeper.stop();
    }
  }

  function trigger(name: string, period: JobPeriod, reason: RunReason): Promise<void> {
    const entry = jobs.get(name);
    if (!entry) return Promise.reject(new Error(`no job named ${name}`));
    entry.chain = entry.chain
      .then(async () => {
        if (stopped) return;
        log.info({ job: name, period: period.key, reason }, 'job run triggered');
        await runLeased(entry.job, period, reason);
      })
      .catch((error: unknown) => {
        if (error instanceof ReportedFailure) log.debug({ job: name }, 'job run failed (reported above)');
        else log.error({ job: name, err: describeError(error) }, 'job run failed');
      });
    return entry.chain;
  }

  async function catchUp(job: Job): Promise<void> {
    if (!job.due || stopped) return;
    const periods = await job.due(options.now());
    // Oldest first, so a skipped period is posted before the current one.
    for (const period of [...periods].sort((a, b) => a.start.getTime() - b.start.getTime()))
      await trigger(job.name, period, 'catch-up');
  }

  return {
    add(job) {
      if (jobs.has(job.name)) throw new Error(`job ${job.name} added twice`);
      jobs.set(job.name, { job, chain: Promise.resolve() });
    },
    get started() {
      return started;
    },
    start() {
      for (const { job } of jobs.values()) {
        const fire = (at: Date) => trigger(job.name, periodAt(job.trigger, at), 'schedule');
        if ('cron' in job.trigger) {
          const task: ScheduledTask = cron.schedule(job.trigger.cron, (context) => fire(context.date), {
            timezone: job.trigger.timezone,
            name: job.name,
            noOverlap: false,
          });
          stoppers.push(async () => {
            await task.stop();
            await task.destroy();
          });
        } else {
          // Fired on the epoch-aligned grid, so replicas started at different times agree on
          // the period (and so on the lease) of each run.
          const every = job.trigger.everyMs;
          let interval: NodeJS.Timeout | undefined;
          const first = setTimeout(
            () => {
              fire(options.now());
              interval = setInterval(() => fire(options.now()), every);
              interval.unref();
            },
            every - (options.now().getTime() % every),
          );
          first.unref();
          stoppers.push(() => {
            clearTimeout(first);
            clearInterval(interval);
          });
        }
        if (job.due) {
          const timer = setInterval(() => {
            catchUp(job).catch((error: unknown) =>
              log.error({ job: job.name, err: describeError(error) }, 'catch-up check failed'),
            );
          }, options.catchUpIntervalMs ?? 60_000);
          timer.unref();
          stoppers.push(() => clearInterval(timer));
        }
        log.info({ job: job.name, trigger: job.trigger }, 'job scheduled');
      }
      started = Promise.all(
        [...jobs.values()].map(({ job }) =>
          catchUp(job).catch((error: unknown) =>
            log.error({ job: job.name, err: describeError(error) }, 'start-up catch-up check failed'),
          ),
        ),
      ).then(() => undefined);
    },
    runNow(name, period) {
      const entry = jobs.get(name);
      if (!entry) return Promise.reject(new Error(`no job named ${name}`));
      return trigger(name, period ?? periodAt(entry.job.trigger, options.now()), 'manual');
    },
    async stop(graceMs = 10_000) {
      stopped = true;
      for (const stop of stoppers.splice(0)) await stop();
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        Promise.all([...jobs.values()].map((entry) => entry.chain)),
        new Promise((resolve) => (timer = setTimeout(resolve, graceMs))),
      ]);
      clearTimeout(timer);
    },
  };
}
