import { addCount, type CertificateCounts, emptyCounts } from '../domain/certificate-counts';
import type { CertificateFilter } from '../domain/certificate-filter';
import type { CertificateState } from '../domain/certificate-state';
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
  const countsCache = new Map<string, CertificateCounts[]>();
  const within = (asked: readonly string[] | undefined) =>
    asked === undefined ? input.accounts : asked.filter((name) => input.accounts.includes(name));
  const reader: InventoryReader = {
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
      const accounts = within(filter.accounts);
      // A selection by state alone (App Home's at-risk list, a state view) takes its total from
      // the counts kept for this sync and day when some surface has counted them already (Home
      // counts before it selects); it does not count every row for it (a first list after a
      // sync counts only the rows of its view).
      const states = statesSelected(filter);
      const known = states ? countsCache.get(await countsKey(s, accounts, now)) : undefined;
      const total =
        states && known
          ? known.reduce((sum, counts) => sum + states.reduce((n, state) => n + counts.states[state], 0), 0)
          : undefined;
      const { rows, total: counted } = await s.certificates.select({ ...filter, accounts }, now, {
        ...page,
        ...(total === undefined ? {} : { total }),
      });
      const certificates = rows.map(listedCertificate);
      const alertStates = input.alertStates && certificates.length > 0 ? await input.alertStates() : [];
      return { certificates: withAlertStates(certificates, alertStates, now), total: counted };
    },
    async counts(asked, now) {
      const s = await input.store();
      const accounts = within(asked);
      // Counts change only when a sync of these accounts finished (in any process) or the day
      // turned: one GROUP BY for each, then a few numbers per account answered from memory.
      const key = await countsKey(s, accounts, now);
      const known = countsCache.get(key);
      if (known) return known;
      const byAccount = new Map<string, CertificateCounts>();
      for (const row of await s.certificates.counts({ accounts }, now)) {
        const counts = byAccount.get(row.account) ?? emptyCounts(row.account);
        byAccount.set(row.account, addCount(counts, row));
      }
      // In the configured accounts' order, as every surface lists accounts.
      const counted = input.accounts.flatMap((name) => byAccount.get(name) ?? []);
      if (countsCache.size >= COUNTS_KEPT) countsCache.clear();
      countsCache.set(key, counted);
      return counted;
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
  return reader;
}

/**
 * The states a filter selects when it selects by state alone (`states`, a state view, both or
 * neither with the accounts), so that its total is a sum of counts; undefined for any other filter.
 */
export function statesSelected(filter: CertificateFilter): readonly CertificateState[] | undefined {
  const { accounts: _accounts, states, view, ...rest } = filter;
  if (Object.values(rest).some((value) => value !== undefined)) return undefined;
  // The `expiring` view is the expiring state: an expiring certificate ends within 30 days.
  const viewed: readonly CertificateState[] | undefined =
    view === 'expiring' || view === 'expired' || view === 'stale'
      ? [view]
      : view === undefined || view === 'all'
        ? undefined
        : [];
  if (viewed?.length === 0 || (states === undefined && viewed === undefined)) return undefined;
  if (states === undefined) return viewed;
  const asked = [...new Set(states)];
  return viewed === undefined ? asked : asked.filter((state) => viewed.includes(state));
}

/** Sets of counts kept (one per set of accounts asked about; a new sync or day replaces them). */
const COUNTS_KEPT = 16;

/** What the counts of `accounts` at `now` depend on: each account's last syncs and the UTC day. */
async function countsKey(
  s: { inventory: InventoryStore; resources: ResourceStore },
  accounts: readonly string[],
  now: Date,
): Promise<string> {
  const syncs = await Promise.all(
    accounts.map(async (account) => {
      const [sync, resources] = await Promise.all([s.inventory.syncState(account), s.resources.state(account)]);
      const last = sync.lastSuccess;
      return [
        account,
        last?.id ?? last?.finishedAt.toISOString() ?? null,
        resources.lastSuccess?.toISOString() ?? null,
      ];
    }),
  );
  return JSON.stringify([now.toISOString().slice(0, 10), syncs]);
}
