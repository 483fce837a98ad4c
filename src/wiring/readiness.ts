import type { WebClient } from '@slack/web-api';
import type { CasApi } from '../cas/types';
import type { InventoryReader } from '../inventory/inventory-reader';
import { type CasSuccesses, createReadiness, type Readiness } from '../ops/readiness';
import { describeAge } from '../render/format';
import type { Store } from '../store/types';

/**
 * What /readyz checks: the store, each account's CAS (unless one of its calls succeeded
 * recently, as `casSuccesses` was told by the clients), Slack's auth.test, and how old the
 * inventory is (reported, never unready).
 */
export function buildReadiness(input: {
  inventory: Pick<InventoryReader, 'status'>;
  store(): Promise<Pick<Store, 'ping'>>;
  accounts: ReadonlyArray<{ name: string; cas(): Promise<Pick<CasApi, 'getAssetCount'>> }>;
  probeClient(): Promise<WebClient>;
  casSuccesses: CasSuccesses;
  now: () => Date;
}): Readiness {
  return createReadiness(
    {
      inventory: async () => {
        const status = await input.inventory.status(input.now());
        if (!status) return 'never synced: lists come live from CAS';
        const unsynced = status.unsynced?.length ? `; never synced: ${status.unsynced.join(', ')}` : '';
        return `synced ${describeAge(status.syncedAt, input.now())}${unsynced}`;
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
