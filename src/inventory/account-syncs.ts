import type { CasApi } from '../cas/types';
import { coalesced } from '../jobs/coalesced';
import type { InventoryMetrics } from '../ops/inventory-metrics';
import type { Logger } from '../ops/logger';
import type { InventoryStore, ResourceStore } from '../store/types';
import { type SyncProgress, type SyncSummary, SyncError, syncInventory } from './sync';

export interface SyncedAccount {
  readonly name: string;
  cas(): Promise<CasApi>;
}

/** How one account's sync went, when every account is synced together. */
export type AccountSyncResult = { account: string; summary: SyncSummary } | { account: string; error: unknown };

export interface AccountSyncsDeps {
  store(): Promise<{ inventory: InventoryStore; resources: ResourceStore }>;
  accounts: readonly SyncedAccount[];
  logger: Logger;
  now: () => Date;
  /** The sync gauges (metrics.watchInventory). */
  metrics?: Pick<InventoryMetrics, 'syncFinished'>;
  /** What follows a sync (alerts/after-sync.ts); it must not throw. */
  afterSync(): Promise<void>;
}

export interface AccountSyncs {
  /** One account's sync now, then the follow-up: the same path as the background job. */
  syncOne(account: SyncedAccount, onProgress?: (progress: SyncProgress) => void): Promise<SyncSummary>;
  /** Every account's sync, side by side; one account failing does not stop the others. */
  syncAll(onProgress?: (account: string, progress: SyncProgress) => void): Promise<AccountSyncResult[]>;
}

/**
 * The inventory syncs of the configured accounts, as `serve`'s job, `cert-bot sync` and a
 * finished deployment run them: each sync is timed for the metrics and logged in one line (its
 * counts, or the CAS error class and RequestId when it failed; the next interval retries).
 */
export function createAccountSyncs(deps: AccountSyncsDeps): AccountSyncs {
  const { logger, now } = deps;
  const syncAccount = async (
    account: SyncedAccount,
    onProgress?: (progress: SyncProgress) => void,
  ): Promise<SyncSummary> => {
    const [s, c] = await Promise.all([deps.store(), account.cas()]);
    const log = logger.child({ module: 'inventory-sync', account: account.name });
    const started = performance.now();
    try {
      const summary = await syncInventory(
        { cas: c, inventory: s.inventory, resources: s.resources, account: account.name, now, logger: log },
        { onProgress },
      );
      deps.metrics?.syncFinished('ok', summary.seconds, account.name);
      const { account: _named, ...counts } = summary; // the child logger names the account
      log.info(counts, 'inventory synced');
      return summary;
    } catch (error) {
      deps.metrics?.syncFinished('failed', (performance.now() - started) / 1000, account.name);
      const detail = error instanceof SyncError ? error.detail : { message: String(error) };
      log.error({ failure: detail }, 'inventory sync failed; the previous inventory stays in use');
      throw error;
    }
  };
  // Each account's sync is followed by the follow-up as soon as it is done, not when the
  // slowest account is: a hanging account holds back no other account's alerts. Follow-ups run
  // one at a time; accounts finishing during one get one more after it.
  const afterAccountSync = coalesced(deps.afterSync);
  return {
    async syncOne(account, onProgress) {
      const summary = await syncAccount(account, onProgress);
      await deps.afterSync();
      return summary;
    },
    async syncAll(onProgress) {
      const settled = await Promise.allSettled(
        deps.accounts.map(async (account) => {
          const summary = await syncAccount(account, onProgress && ((progress) => onProgress(account.name, progress)));
          await afterAccountSync();
          return summary;
        }),
      );
      return settled.map((result, index): AccountSyncResult =>
        result.status === 'fulfilled'
          ? { account: deps.accounts[index].name, summary: result.value }
          : { account: deps.accounts[index].name, error: result.reason },
      );
    },
  };
}
