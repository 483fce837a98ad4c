import { findReplacements } from '../domain/replacement';
import { inUrgencyOrder } from '../domain/certificate-state';
import { type CertificateView, inView } from '../domain/views';
import { certificateMatchesKeyword } from '../domain/resource-match';
import { deploymentState, resourcesByCertificate } from '../domain/deployment';
import type {
  CertificateQueries,
  InventoryStore,
  ResourceStore,
  ResourceSyncState,
  StoredAlertState,
} from '../store/types';
import type { CertificateListing, CertificateSource, ListedCertificate } from './certificate-source';
import { withAlertStates } from './inventory-reader';
import { listedCertificate } from './listed-certificate';

/**
 * Every view in the one order of urgency: what breaks first leads (see inUrgencyOrder), then
 * the certificates where nothing breaks, soonest end date first.
 */
export function orderForView<T extends ListedCertificate>(
  certificates: readonly T[],
  _view: CertificateView,
  now: Date,
): T[] {
  return inUrgencyOrder(certificates, now);
}

/** The inventory as last synced, with each certificate's replacement worked out once. */
export interface InventorySnapshot {
  syncedAt: Date;
  /** Where certificates are deployed: listed when, and why the last listing failed. */
  deployments: ResourceSyncState;
  lastFailure?: { at: Date; message: string };
  /** Present certificates (not removed), each with its replacement when it has one. */
  certificates: ListedCertificate[];
  /**
   * With several accounts: each synced account's own state (the fields above are then the
   * oldest sync, the first failure, and the certificates of every account).
   */
  accounts?: Record<string, AccountInventoryState>;
  /** With several accounts: those never synced yet, whose certificates are not in it. */
  unsynced?: string[];
}

export type AccountInventoryState = Pick<InventorySnapshot, 'syncedAt' | 'deployments' | 'lastFailure'>;

/**
 * Lists from the stored inventory: no CAS call at request time. The inventory is read again
 * only when a newer sync has finished (any process may have written it) or the day changed
 * (replacements depend on what is valid today); otherwise a request costs one small query.
 * Until a first sync has finished, lists come from `fallback` (CAS, live), and say so.
 */
export function storedCertificateSource(input: {
  inventory: InventoryStore;
  /** Lists from CAS, for when there is no inventory yet (or it is older than `maxAgeMs`). */
  fallback: (reason: 'never-synced' | 'stale') => CertificateSource;
  /** An inventory older than this is not used (the CLI's rule); unset: any age. */
  maxAgeMs?: number;
  /** Acknowledgements and snoozes, shown with the certificates they are about. */
  alertStates?: () => Promise<StoredAlertState[]>;
  /** Where certificates are deployed. */
  resources?: ResourceStore;
  /** The account listed (unset: every account in the store, as one). */
  account?: string;
  /**
   * The store's list queries (store.certificates): given, `list` is one query for the matching
   * certificates (no whole inventory read, no replacement worked out); unset, it filters the
   * snapshot as before.
   */
  certificates?: CertificateQueries;
}): CertificateSource & { snapshot(now: Date): Promise<InventorySnapshot | undefined> } {
  const fallbacks = { 'never-synced': input.fallback('never-synced'), stale: input.fallback('stale') };
  let cached: { key: string; snapshot: InventorySnapshot } | undefined;
  let loading: { key: string; promise: Promise<InventorySnapshot> } | undefined;

  async function snapshot(now: Date): Promise<InventorySnapshot | undefined> {
    const state = await input.inventory.syncState(input.account);
    if (!state.lastSuccess) return undefined;
    const failed = state.lastAttempt?.status === 'failed' ? state.lastAttempt : undefined;
    const lastFailure = failed ? { at: failed.finishedAt, message: failed.error?.message ?? 'failed' } : undefined;
    const deployments: ResourceSyncState = input.resources
      ? await input.resources.state(input.account ?? 'default')
      : {};
    const key = [
      state.lastSuccess.id ?? state.lastSuccess.finishedAt.toISOString(),
      deployments.lastSuccess?.toISOString(),
      now.toISOString().slice(0, 10),
    ].join(' ');
    if (cached?.key === key) return { ...cached.snapshot, lastFailure, deployments };
    if (loading?.key !== key) {
      const syncedAt = state.lastSuccess.finishedAt;
      loading = {
        key,
        promise: Promise.all([
          input.inventory.list({ account: input.account }),
          input.resources?.list(input.account) ?? Promise.resolve([]),
        ]).then(([rows, resources]) => {
          const present = rows.map((row) => ({ ...row.certificate, firstSeen: row.firstSeen }));
          const replacements = findReplacements(present, now);
          const known = deployments.lastSuccess !== undefined;
          const served = resourcesByCertificate(resources);
          const certificates = present.map((certificate) => {
            const replacedBy = replacements.get(certificate.id);
            const on = served.get(certificate.id) ?? [];
            const deployment = known
              ? {
                  state: deploymentState({ replaced: replacedBy !== undefined, servedBy: on.length, known }),
                  resources: on,
                }
              : undefined;
            return { ...certificate, ...(replacedBy ? { replacedBy } : {}), ...(deployment ? { deployment } : {}) };
          });
          const loaded = { syncedAt, certificates, deployments };
          cached = { key, snapshot: loaded };
          return loaded;
        }),
      };
      loading.promise.catch(() => (loading = undefined));
    }
    return { ...(await loading.promise), lastFailure, deployments };
  }

  return {
    snapshot,
    async list(view: CertificateView, keyword: string | undefined, now: Date): Promise<CertificateListing> {
      if (input.certificates) return listed(input.certificates, view, keyword, now);
      const current = await snapshot(now);
      if (!current) return fallbacks['never-synced'].list(view, keyword, now);
      if (input.maxAgeMs !== undefined && now.getTime() - current.syncedAt.getTime() > input.maxAgeMs)
        return fallbacks.stale.list(view, keyword, now);
      const matching = current.certificates.filter(
        (c) => inView(c, view, now) && certificateMatchesKeyword(c, keyword),
      );
      return {
        certificates: orderForView(await withAlerts(matching, now), view, now),
        freshness: { source: 'inventory', syncedAt: current.syncedAt, lastFailure: current.lastFailure },
      };
    },
  };

  /** The list as one query of the store: only the matching certificates are read, already in order. */
  async function listed(
    queries: CertificateQueries,
    view: CertificateView,
    keyword: string | undefined,
    now: Date,
  ): Promise<CertificateListing> {
    const state = await input.inventory.syncState(input.account);
    if (!state.lastSuccess) return fallbacks['never-synced'].list(view, keyword, now);
    const syncedAt = state.lastSuccess.finishedAt;
    if (input.maxAgeMs !== undefined && now.getTime() - syncedAt.getTime() > input.maxAgeMs)
      return fallbacks.stale.list(view, keyword, now);
    const failed = state.lastAttempt?.status === 'failed' ? state.lastAttempt : undefined;
    const lastFailure = failed ? { at: failed.finishedAt, message: failed.error?.message ?? 'failed' } : undefined;
    const { rows } = await queries.select(
      { ...(input.account !== undefined ? { accounts: [input.account] } : {}), view, keyword },
      now,
    );
    return {
      certificates: await withAlerts(rows.map(listedCertificate), now),
      freshness: { source: 'inventory', syncedAt, lastFailure },
    };
  }

  /** Acknowledgements and snoozes, with the certificates they are about. */
  async function withAlerts(matching: ListedCertificate[], now: Date): Promise<ListedCertificate[]> {
    return withAlertStates(matching, input.alertStates ? await input.alertStates() : [], now);
  }
}
