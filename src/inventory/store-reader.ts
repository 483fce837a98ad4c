import { addCount, type CertificateCounts, emptyCounts } from '../domain/certificate-counts';
import type { InventoryStore, ResourceStore, CertificateQueries, StoredAlertState } from '../store/types';
import { type AccountInventoryState } from './stored-source';
import { type InventoryReader, type InventoryStatus, statusOf, withAlertStates } from './inventory-reader';
import { listedCertificate } from './listed-certificate';

/**
 * The inventory as the store answers it: each call is a query (a page of a selection in the
 * order of urgency, COUNT … GROUP BY, the accounts' sync records), over what each sync worked out
 * and stored; no process holds the whole inventory or works a replacement out to answer.
 * Only the configured accounts are read (a store may hold accounts no longer configured).
 */
export function storeInventoryReader(input: {
  store(): Promise<{ inventory: InventoryStore; resources: ResourceStore; certificates: CertificateQueries }>;
  /** The configured accounts, in their order. */
  accounts: readonly string[];
  /** Acknowledgements and snoozes, shown with the certificates selected. */
  alertStates?: () => Promise<StoredAlertState[]>;
}): InventoryReader {
  const within = (asked: readonly string[] | undefined) =>
    asked === undefined ? input.accounts : asked.filter((name) => input.accounts.includes(name));
  return {
    async status() {
      const s = await input.store();
      const states = await Promise.all(
        input.accounts.map(async (account): Promise<[string, AccountInventoryState | undefined]> => {
          const [sync, deployments] = await Promise.all([s.inventory.syncState(account), s.resources.state(account)]);
          if (!sync.lastSuccess) return [account, undefined];
          const failed = sync.lastAttempt?.status === 'failed' ? sync.lastAttempt : undefined;
          return [
            account,
            {
              syncedAt: sync.lastSuccess.finishedAt,
              deployments,
              ...(failed ? { lastFailure: { at: failed.finishedAt, message: failed.error?.message ?? 'failed' } } : {}),
            },
          ];
        }),
      );
      const synced = Object.fromEntries(states.filter((e): e is [string, AccountInventoryState] => e[1] !== undefined));
      const any = Object.values(synced)[0];
      if (!any) return undefined;
      return statusOf({ ...any, accounts: synced } as InventoryStatus, input.accounts);
    },
    async select(filter, now, page) {
      const s = await input.store();
      const { rows, total } = await s.certificates.select({ ...filter, accounts: within(filter.accounts) }, now, page);
      const certificates = rows.map(listedCertificate);
      const alertStates = input.alertStates && certificates.length > 0 ? await input.alertStates() : [];
      return { certificates: withAlertStates(certificates, alertStates, now), total };
    },
    async counts(asked, now) {
      const s = await input.store();
      const byAccount = new Map<string, CertificateCounts>();
      for (const row of await s.certificates.counts({ accounts: within(asked) }, now)) {
        const counts = byAccount.get(row.account) ?? emptyCounts(row.account);
        byAccount.set(row.account, addCount(counts, row));
      }
      // In the configured accounts' order, as every surface lists accounts.
      return input.accounts.flatMap((name) => byAccount.get(name) ?? []);
    },
    async resourceCounts() {
      const s = await input.store();
      return (await s.certificates.resourceCounts(input.accounts)).map((r) => ({
        account: r.account,
        cloud: r.cloud ?? '',
        product: r.product ?? '',
        n: r.n,
      }));
    },
  };
}
