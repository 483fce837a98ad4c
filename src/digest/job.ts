import type { Job } from '../jobs/scheduler';
import { type CronTrigger, type JobPeriod, periodAt, periodsBefore } from '../jobs/period';
import type { ClaimStore } from '../store/types';
import { digestClaimKey } from './run';

/** Earlier periods whose digest was started and never finished are caught up within this long. */
export const CATCH_UP_EARLIER_MS = 24 * 60 * 60_000;
/** How many earlier periods catch-up looks at (a seconds-level cron makes many). */
const EARLIER_PERIODS = 10;

/**
 * The digest as a scheduled job. Due: the current period when some channel has no finished
 * post, plus any earlier period of the last day that a run started and did not finish (its
 * holder died, or Slack could not be reached), so a crash never skips a period for good.
 */
export function digestJob(input: {
  trigger: CronTrigger;
  channels: readonly string[];
  claims: ClaimStore;
  run: (period: JobPeriod) => Promise<unknown>;
}): Job {
  const unfinished = async (period: JobPeriod, now: Date, missingCounts: boolean) => {
    for (const channel of input.channels) {
      const entry = await input.claims.get(digestClaimKey(channel, period.key));
      if (!entry) {
        if (missingCounts) return true;
        continue;
      }
      if (entry.status === 'released') return true;
      if (entry.status === 'claimed' && (entry.leaseUntil?.getTime() ?? 0) <= now.getTime()) return true;
    }
    return false;
  };
  return {
    name: 'digest',
    trigger: input.trigger,
    async due(now) {
      const due: JobPeriod[] = [];
      const current = periodAt(input.trigger, now);
      if (await unfinished(current, now, true)) due.push(current);
      for (const earlier of periodsBefore(input.trigger, now, EARLIER_PERIODS)) {
        if (now.getTime() - earlier.start.getTime() > CATCH_UP_EARLIER_MS) break;
        if (await unfinished(earlier, now, false)) due.push(earlier);
      }
      return due;
    },
    run: (period) => input.run(period),
  };
}
