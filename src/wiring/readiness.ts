import type { WebClient } from '@slack/web-api';
import type { CasApi } from '../cas/types';
import type { InventorySnapshot } from '../inventory/stored-source';
import { type CasSuccesses, createReadiness, type Readiness } from '../ops/readiness';
import { describeAge } from '../render/format';
import type { Store } from '../store/types';

/**
 * What /readyz checks: the store, each account's CAS (unless one of its calls succeeded
 * recently, as `casSuccesses` was told by the clients), Slack's auth.test, and how old the
 * inventory is (reported, never unready).
 */
export function buildReadiness(input: {
  snapshot(): Promise<InventorySnapshot | undefined>;
  store(): Promise<Pick<Store, 'ping'>>;
  accounts: ReadonlyArray<{ name: string; cas(): Promise<Pick<CasApi, 'getAssetCount'>> }>;
  probeClient(): Promise<WebClient>;
  casSuccesses: CasSuccesses;
  now: () => Date;
}): Readiness {
  return createReadiness(
    {
      inventory: async () => {
        const snapshot = await input.snapshot();
        if (!snapshot) return 'never synced: lists come live from CAS';
        const unsynced = snapshot.unsynced?.length ? `; never synced: ${snapshot.unsynced.join(', ')}` : '';
        return `synced ${describeAge(snapshot.syncedAt, input.now())}${unsynced}`;
      },
      store: async () => (await input.store()).ping(),
      cas: input.accounts.map((account) => ({
        account: account.name,
        check: async () => {
          await (await account.cas()).getAssetCount();
        },
      })),
      slack: async () => {
        await (await input.probeClient()).auth.test();
      },
    },
    Date.now,
    input.casSuccesses,
  );
}
