import { type CertificateFilter, matchesFilter } from '../domain/certificate-filter';
import { type CertificateCounts, countCertificates, type ResourceCount } from '../domain/certificate-counts';
import { inUrgencyOrder } from '../domain/certificate-state';
import type { StoredAlertState } from '../store/types';
import type { Freshness, ListedCertificate } from './certificate-source';
import type { InventorySnapshot } from './stored-source';

/**
 * What serving surfaces read of the stored inventory: its status, the certificates a filter
 * selects (one page of them, most urgent first, with the total), and counts. No surface holds
 * the whole inventory: the reader over the store (./store-reader.ts) answers each call with a
 * query; the one here, over a snapshot in memory, is the reference it is tested against.
 */

/** The inventory's status: InventorySnapshot without its certificates. */
export type InventoryStatus = Omit<InventorySnapshot, 'certificates'>;

/** A window of a selection: `limit` certificates after the first `offset` (unset: all). */
export interface CertificatePage {
  offset?: number;
  limit?: number;
  /**
   * `urgency` (default): most urgent first. `key`: by account then ID, which the store reads
   * from its primary key without judging or sorting every certificate: for reading them all
   * (the per-certificate gauge), where the order does not matter.
   */
  order?: 'urgency' | 'key';
}

export interface SelectedCertificates {
  /** The page asked for, in the one order of urgency (inUrgencyOrder). */
  certificates: ListedCertificate[];
  /** How many certificates the filter selects in all (every page). */
  total: number;
}

export interface InventoryReader {
  /** Undefined until a first sync of some account has finished. */
  status(now: Date): Promise<InventoryStatus | undefined>;
  /** The certificates `filter` selects at `now`, most urgent first; `page` of them, and their total. */
  select(filter: CertificateFilter, now: Date, page?: CertificatePage): Promise<SelectedCertificates>;
  /** Counts at `now` of each account (of `accounts` when given) that holds certificates. */
  counts(accounts: readonly string[] | undefined, now: Date): Promise<CertificateCounts[]>;
  /** Resources serving a present certificate, by account, cloud and product. */
  resourceCounts(now: Date): Promise<ResourceCount[]>;
}

/**
 * The same contract over an inventory snapshot in memory, by the domain's rules alone
 * (matchesFilter, inUrgencyOrder, slice): the reference the store's queries are held to
 * (test/inventory/store-reader.test.ts). With `alertStates`, selected certificates carry who
 * acknowledged or snoozed them, as lists show them.
 */
export function snapshotInventoryReader(
  source: { snapshot(now: Date): Promise<InventorySnapshot | undefined> },
  options: { alertStates?: () => Promise<StoredAlertState[]> } = {},
): InventoryReader {
  const certificatesAt = async (now: Date) => (await source.snapshot(now))?.certificates ?? [];
  let last: { all: readonly ListedCertificate[]; key: string; matching: ListedCertificate[] } | undefined;
  return {
    async status(now) {
      const snapshot = await source.snapshot(now);
      if (!snapshot) return undefined;
      const { certificates: _all, ...status } = snapshot;
      return status;
    },
    async select(filter, now, page = {}) {
      const all = await certificatesAt(now);
      // Pages of one selection (the metrics' per-certificate gauge, a list's next page) sort once.
      const key = `${now.getTime()} ${page.order ?? 'urgency'} ${JSON.stringify(filter)}`;
      // The same certificates (a merged snapshot is a new array of the same objects) and filter.
      const same = (before: readonly ListedCertificate[]) =>
        before === all || (before.length === all.length && before.every((c, i) => c === all[i]));
      if (!last || last.key !== key || !same(last.all))
        last = {
          all,
          key,
          matching:
            page.order === 'key'
              ? all.filter((c) => matchesFilter(c, filter, now)).sort(byKey)
              : inUrgencyOrder(
                  all.filter((c) => matchesFilter(c, filter, now)),
                  now,
                ),
        };
      const { matching } = last;
      const offset = Math.max(0, page.offset ?? 0);
      const window = matching.slice(offset, page.limit === undefined ? undefined : offset + Math.max(0, page.limit));
      const states = options.alertStates && window.length > 0 ? await options.alertStates() : [];
      return { certificates: withAlertStates(window, states, now), total: matching.length };
    },
    async counts(accounts, now) {
      const certificates = await certificatesAt(now);
      return countCertificates(
        accounts === undefined ? certificates : certificates.filter((c) => accounts.includes(c.account)),
        now,
      );
    },
    async resourceCounts(now) {
      const counts = new Map<string, ResourceCount>();
      for (const certificate of await certificatesAt(now))
        for (const r of certificate.deployment?.resources ?? []) {
          const key = JSON.stringify([certificate.account, r.cloud ?? '', r.product ?? '']);
          const entry = counts.get(key) ?? {
            account: certificate.account,
            cloud: r.cloud ?? '',
            product: r.product ?? '',
            n: 0,
          };
          entry.n += 1;
          counts.set(key, entry);
        }
      return [...counts.values()];
    },
  };
}

/**
 * Who acknowledged each certificate, and who snoozed it while the snooze lasts (a list's
 * `alert`); certificates without either are returned as they are.
 */
export function withAlertStates(
  certificates: readonly ListedCertificate[],
  states: readonly StoredAlertState[],
  now: Date,
): ListedCertificate[] {
  if (states.length === 0) return [...certificates];
  const byKey = new Map(states.map((s) => [`${s.account}/${s.certificateId}`, s] as const));
  return certificates.map((c) => {
    const state = byKey.get(`${c.account}/${c.id}`);
    if (!state || (!state.acknowledgedBy && !state.snoozedUntil)) return c;
    const snoozed = state.snoozedUntil && state.snoozedUntil.getTime() > now.getTime();
    return {
      ...c,
      alert: {
        acknowledgedBy: state.acknowledgedBy,
        acknowledgedAt: state.acknowledgedAt,
        snoozedBy: snoozed ? state.snoozedBy : undefined,
        snoozedUntil: snoozed ? state.snoozedUntil : undefined,
      },
    };
  });
}

/**
 * How fresh lists from the inventory are, as a merged listing says it: live while some account
 * was never synced (its list comes from CAS), else the oldest sync and an account's last failure.
 */
export function statusFreshness(status: InventoryStatus): Freshness {
  if ((status.unsynced ?? []).length > 0) return { source: 'live', reason: 'never-synced' };
  const failure = status.accounts
    ? Object.values(status.accounts).find((a) => a.lastFailure)?.lastFailure
    : status.lastFailure;
  return { source: 'inventory', syncedAt: status.syncedAt, ...(failure ? { lastFailure: failure } : {}) };
}

/**
 * The status of some accounts only, as a listing of those accounts says it: one account's own
 * sync; of several, the oldest sync, the first failure (named by its account), those never
 * synced. Undefined when none of them was synced. Unset `accounts`: the status as it is.
 */
export function statusOf(
  status: InventoryStatus | undefined,
  accounts?: readonly string[],
): InventoryStatus | undefined {
  if (!status || accounts === undefined || !status.accounts) return status;
  const own = status.accounts;
  const synced = accounts.filter((name) => own[name] !== undefined);
  if (synced.length === 0) return undefined;
  if (accounts.length === 1) return { ...own[synced[0]] };
  const oldest = synced.reduce((a, b) => (own[b].syncedAt < own[a].syncedAt ? b : a));
  const failed = synced.find((name) => own[name].lastFailure);
  const unsynced = accounts.filter((name) => own[name] === undefined);
  const failure = failed ? own[failed].lastFailure : undefined;
  return {
    syncedAt: own[oldest].syncedAt,
    deployments: own[oldest].deployments,
    ...(failure ? { lastFailure: { ...failure, message: `${failed}: ${failure.message}` } } : {}),
    ...(unsynced.length > 0 ? { unsynced } : {}),
    accounts: Object.fromEntries(synced.map((name) => [name, own[name]])),
  };
}

/**
 * The certificates and counts of some accounts only (an alert pass of one account): selections
 * and counts are narrowed to them; the status is the whole inventory's, as the pass reads it.
 */
export function accountsReader(reader: InventoryReader, accounts: readonly string[]): InventoryReader {
  const within = (asked: readonly string[] | undefined) =>
    asked === undefined ? accounts : asked.filter((name) => accounts.includes(name));
  return {
    status: (now) => reader.status(now),
    select: (filter, now, page) => reader.select({ ...filter, accounts: within(filter.accounts) }, now, page),
    counts: (asked, now) => reader.counts(within(asked), now),
    resourceCounts: async (now) => (await reader.resourceCounts(now)).filter((r) => accounts.includes(r.account)),
  };
}

/** By account then ID, compared as the stores compare text (code units; PostgreSQL's columns are COLLATE "C"). */
function byKey(a: ListedCertificate, b: ListedCertificate): number {
  if (a.account !== b.account) return a.account < b.account ? -1 : 1;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}
