import type { Job } from '../jobs/scheduler';
import { periodAt } from '../jobs/period';
import type { ClaimStore, InventoryStore } from '../store/types';

/**
 * The background sync as a job: every interval on the epoch-aligned grid, and at start (or
 * at the next catch-up check) whenever the stored inventory is older than one interval. With
 * several replicas on one store, the job's lease lets exactly one of them sync each interval;
 * the others read what it wrote. A failed sync is retried at the next interval.
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
    name: 'inventory-sync',
    trigger,
    lease: { claims: input.claims, holder: input.holder, leaseMs: input.leaseMs },
    async due(now) {
      const states = await Promise.all(input.accounts.map((account) => input.inventory.syncState(account)));
      const fresh = states.every(
        ({ lastSuccess }) => lastSuccess && now.getTime() - lastSuccess.finishedAt.getTime() < input.intervalMs,
      );
      return fresh ? [] : [periodAt(trigger, now)];
    },
    run: () => input.sync(),
  };
}
