import type { Job } from '../jobs/scheduler';
import { type CronTrigger, type JobPeriod, periodAt, periodsBefore } from '../jobs/period';
import type { Logger } from '../ops/logger';
import type { ClaimStore } from '../store/types';
import { digestClaimKey } from './run';

/** Earlier periods whose digest was started and never finished are caught up within this long. */
export const CATCH_UP_EARLIER_MS = 24 * 60 * 60_000;
/** How many earlier periods catch-up looks at (a seconds-level cron makes many). */
const EARLIER_PERIODS = 10;

/**
 * When a scheduled digest may be built: the bot existed when its period ended, and the
 * inventory it reads has been synced at least once.
 */
export interface DigestGate {
  /** When the store was created (undefined: unknown, every period counts). */
  createdAt(): Promise<Date | undefined>;
  /** Whether some account's inventory has had a successful sync. */
  inventoryReady(): Promise<boolean>;
}

/**
 * Whether the bot existed for the period: a digest reports on the week that ended at its
 * scheduled time (the period's start), so a week that ended before the store was created is
 * not the bot's to report, late or not. Compared to the second, as periods are.
 */
export function periodAfterCreation(period: JobPeriod, createdAt: Date | undefined): boolean {
  if (!createdAt) return true;
  return period.start.getTime() >= Math.floor(createdAt.getTime() / 1000) * 1000;
}

/**
 * The digest as a scheduled job. Due: the current period when some channel has no finished
 * post, plus any earlier period of the last day that a run started and did not finish (its
 * holder died, or Slack could not be reached), so a crash never skips a period for good.
 * A calm first day: only periods that ended after the store was created, and none before the
 * first successful inventory sync (the current period is then caught up at the next check).
 */
export function digestJob(input: {
  trigger: CronTrigger;
  channels: readonly string[];
  claims: ClaimStore;
  run: (period: JobPeriod) => Promise<unknown>;
  gate?: DigestGate;
  logger?: Logger;
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
  // Said once per period and reason, not at every catch-up check.
  const said = new Set<string>();
  /** Why the period gets no digest now (logged), or undefined when it may be built. */
  const held = async (period: JobPeriod): Promise<string | undefined> => {
    if (!input.gate) return undefined;
    const createdAt = await input.gate.createdAt();
    let why: string | undefined;
    if (!periodAfterCreation(period, createdAt))
      why = `the week it reports on ended before the bot's store was created (${createdAt?.toISOString()})`;
    else if (!(await input.gate.inventoryReady()))
      why =
        'no inventory sync has finished yet; it is posted after the first one (`cert-bot sync`, or the background sync)';
    if (why !== undefined && !said.has(`${period.key} ${why}`)) {
      said.add(`${period.key} ${why}`);
      input.logger?.info({ job: 'digest', period: period.key }, `no digest for this period: ${why}`);
    }
    return why;
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
      const allowed: JobPeriod[] = [];
      for (const period of due) if ((await held(period)) === undefined) allowed.push(period);
      return allowed;
    },
    async run(period, reason) {
      if (reason !== 'manual' && (await held(period)) !== undefined) return;
      return input.run(period);
    },
  };
}
