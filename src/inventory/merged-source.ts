import { fanOut } from '../accounts/fan-out';
import type { CertificateView } from '../domain/views';
import { accountFailure, type AccountFailure } from '../accounts/account-failure';
import type { CertificateListing, CertificateSource, Freshness } from './certificate-source';
import { type InventorySnapshot, orderForView } from './stored-source';

/** One account's certificates: its stored inventory (with its live fallback). */
export interface AccountSource {
  account: string;
  source: CertificateSource & { snapshot(now: Date): Promise<InventorySnapshot | undefined> };
}

export type MergedSource = CertificateSource & { snapshot(now: Date): Promise<InventorySnapshot | undefined> };

/**
 * Every account's certificates as one list. Accounts are listed side by side; one that fails
 * (CAS down for it, credentials refused) is reported in `failures` and the others' certificates
 * still come. Only when every account fails does the list fail, with the first account's error.
 * With one account this is that account's source, unchanged. With `timeoutMs` (an answer to
 * someone), an account whose list takes longer is left out and named as slow.
 */
export function mergedCertificateSource(
  accounts: readonly AccountSource[],
  options: { timeoutMs?: number } = {},
): MergedSource {
  if (accounts.length === 1) return accounts[0].source;
  return {
    async list(view: CertificateView, keyword: string | undefined, now: Date): Promise<CertificateListing> {
      const answers = await fanOut(
        accounts.map((a) => ({ ...a, name: a.account })),
        (a) => a.source.list(view, keyword, now),
        options.timeoutMs ?? Number.POSITIVE_INFINITY,
      );
      const listings: CertificateListing[] = [];
      const failures: AccountFailure[] = [];
      for (const answer of answers) {
        if ('value' in answer) {
          listings.push(answer.value);
          failures.push(...(answer.value.failures ?? []));
        } else failures.push(accountFailure(answer.account.account, answer.error));
      }
      if (listings.length === 0) throw (answers[0] as { error: unknown }).error;
      return {
        certificates: orderForView(
          listings.flatMap((listing) => listing.certificates),
          view,
          now,
        ),
        freshness: mergeFreshness(listings.map((listing) => listing.freshness)),
        ...(failures.length > 0 ? { failures } : {}),
      };
    },
    async snapshot(now: Date) {
      const snapshots = await Promise.all(accounts.map((a) => a.source.snapshot(now)));
      const synced = snapshots
        .map((snapshot, index) => ({ account: accounts[index].account, snapshot }))
        .filter((entry): entry is { account: string; snapshot: InventorySnapshot } => entry.snapshot !== undefined);
      if (synced.length === 0) return undefined;
      const unsynced = accounts.map((a) => a.account).filter((name) => !synced.some((s) => s.account === name));
      const oldest = synced.reduce((a, b) => (b.snapshot.syncedAt < a.snapshot.syncedAt ? b : a));
      const failed = synced.find((entry) => entry.snapshot.lastFailure);
      return {
        syncedAt: oldest.snapshot.syncedAt,
        deployments: oldest.snapshot.deployments,
        ...(failed?.snapshot.lastFailure
          ? {
              lastFailure: {
                ...failed.snapshot.lastFailure,
                message: `${failed.account}: ${failed.snapshot.lastFailure.message}`,
              },
            }
          : {}),
        certificates: synced.flatMap((entry) => entry.snapshot.certificates),
        ...(unsynced.length > 0 ? { unsynced } : {}),
        accounts: Object.fromEntries(
          synced.map(({ account, snapshot }) => [
            account,
            { syncedAt: snapshot.syncedAt, deployments: snapshot.deployments, lastFailure: snapshot.lastFailure },
          ]),
        ),
      };
    },
  };
}

/** The least fresh of several: live when any list was live, else the oldest sync (and a failure if any). */
function mergeFreshness(all: readonly Freshness[]): Freshness {
  const live = all.find((f) => f.source === 'live');
  if (live) return live;
  const stored = all.filter((f): f is Extract<Freshness, { source: 'inventory' }> => f.source === 'inventory');
  const oldest = stored.reduce((a, b) => (b.syncedAt < a.syncedAt ? b : a));
  const failure = stored.find((f) => f.lastFailure)?.lastFailure;
  return { source: 'inventory', syncedAt: oldest.syncedAt, ...(failure ? { lastFailure: failure } : {}) };
}
