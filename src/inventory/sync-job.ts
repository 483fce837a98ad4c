import type { Job } from '../jobs/scheduler';
import { periodAt } from '../jobs/period';
import type { ClaimStore, InventoryStore } from '../store/types';

const JOB = 'inventory-sync';

/**
 * The background sync as a job: every interval on the epoch-aligned grid, and at start (or
 * at the next catch-up check) whenever the stored inventory is older than one interval. With
 * several replicas on one store, the job's lease lets exactly one of them sync each interval;
 * the others read what it wrote. A failed sync is retried at the next interval.
 *
 * One full sync per interval, also across the grid: an interval's sync is skipped while
 * another interval's sync still runs on any replica (a sync longer than the interval), and
 * when a sync that succeeded started less than half an interval before (a start-up sync late
 * in an interval stands for the next one). A grid sync started at the previous boundary is
 * a whole interval old, so the grid itself never skips.
 */
export function inventorySyncJob(input: {
  intervalMs: number;
  inventory: InventoryStore;
  claims: ClaimStore;
  holder: string;
  /** How long a sync may run without renewing its lease before another replica takes over. */
  leaseMs: number;
  /** Every account synced; due when any of them is older than one interval. */
  accounts: readonly string[];
  sync: () => Promise<unknown>;
}): Job {
  const trigger = { everyMs: input.intervalMs };
  return {
    name: JOB,
    trigger,
    lease: { claims: input.claims, holder: input.holder, leaseMs: input.leaseMs },
    async due(now) {
      const states = await Promise.all(input.accounts.map((account) => input.inventory.syncState(account)));
      const fresh = states.every(
        ({ lastSuccess }) => lastSuccess && now.getTime() - lastSuccess.finishedAt.getTime() < input.intervalMs,
      );
      return fresh ? [] : [periodAt(trigger, now)];
    },
    async skip(period, now) {
      // Newest periods first; the leases of a few recent intervals are all that can still run.
      const recent = await input.claims.list('job', 10, JOB);
      for (const entry of recent) {
        if (entry.period === period.key) continue;
        const started = entry.claimedAt.toISOString();
        if (entry.status === 'claimed' && entry.leaseUntil && entry.leaseUntil.getTime() > now.getTime())
          return `the sync started at ${started} by ${entry.holder} is still running`;
        if (entry.status === 'done' && now.getTime() - entry.claimedAt.getTime() < input.intervalMs / 2)
          return `a sync started at ${started} by ${entry.holder}, less than half an interval before, succeeded`;
      }
      return undefined;
    },
    run: () => input.sync(),
  };
}
