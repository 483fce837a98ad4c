import type { AssetCount, CasApi, RiskCount } from '../cas/types';
import { accountRisk, combineCounts, riskCountsByKind, riskRows } from '../domain/risk';
import type { CertificateState } from '../domain/certificate-state';
import { type InventoryCounts, inventoryCounts } from '../render/inventory-counts';
import type { AccountRow } from '../render/accounts';
import { type InventoryReader, statusFreshness, statusOf } from '../inventory/inventory-reader';
import type { CertificateFilter } from '../domain/certificate-filter';
import { type AccountFailure, accountFailure } from '../accounts/account-failure';
import type { Freshness, ListedCertificate } from '../inventory/certificate-source';
import { countVerdicts, type VerdictCounts } from '../domain/probe-verdict';
import type { DigestSnapshot, ProbeResultStore, SnapshotStore } from '../store/types';
import type { JobPeriod as DigestPeriod } from '../jobs/period';

/** Everything one digest shows; the renderer turns it into Block Kit. */
export interface DigestData {
  period: DigestPeriod;
  now: Date;
  risk: RiskCount;
  assets: AssetCount;
  /** Last period's numbers, for the trend; absent on the first digest. */
  previous?: DigestSnapshot;
  /**
   * The bot's own counts: one state per certificate, from the stored inventory at `now`;
   * undefined before the first sync (the digest then says it has no inventory yet).
   */
  inventory?: InventoryCounts;
  /** The sections, in the order of urgency; each certificate in exactly one (its state). */
  stale?: ListedCertificate[];
  expired: ListedCertificate[];
  expiring: ListedCertificate[];
  /** Renewed (and not served any more) since the previous digest. */
  renewed?: ListedCertificate[];
  /** Where the lists came from. */
  freshness?: Freshness;
  /** With several accounts: each one's counts (`risk` and `assets` are then the totals). */
  accounts?: AccountRow[];
  /** Accounts that could not be read: the digest names them and shows the others. */
  failures?: AccountFailure[];
  /** Every account that answered, with its own numbers (kept as that account's snapshot). */
  accountNumbers?: AccountNumbers[];
  /** The accounts a digest of some accounts only covers (named in its title); unset: every account. */
  scope?: string[];
  /** Endpoints by the verdict of the last probe pass (as /cert-list drift counts them); unset when not probed or none yet. */
  endpoints?: VerdictCounts;
}

export interface AccountNumbers {
  account: string;
  risk: RiskCount;
  assets: AssetCount;
  stale: number;
  /** The account's inventory counts; undefined when it was never synced. */
  inventory?: InventoryCounts;
}

/** One account's counts, for the digest. */
export interface DigestAccount {
  account: string;
  cas: Pick<CasApi, 'getRiskCount' | 'getAssetCount'>;
}

/**
 * Reads the counts of every account, the certificate lists and the previous snapshot. An
 * account that cannot be read is named in `failures` and the others are shown; only when no
 * account answers does the build fail (and is retried).
 */
export async function collectDigest(
  input: {
    accounts: readonly DigestAccount[];
    /** The stored inventory (of every account: the digest reads those of `accounts`). */
    inventory: Pick<InventoryReader, 'status' | 'select' | 'counts'>;
    snapshots: Pick<SnapshotStore, 'previousSnapshot' | 'accountHistory'>;
    /** false: a digest of some accounts only; its trend comes from those accounts' own snapshots. */
    trend?: boolean;
    /** What endpoints served at the last probe pass, when they are probed (PROBE_INTERVAL_MINUTES > 0). */
    probes?: { results: Pick<ProbeResultStore, 'list'>; enabled: boolean };
  },
  period: DigestPeriod,
  now: Date,
): Promise<DigestData> {
  const names = input.accounts.map((a) => a.account);
  const [counts, previous, whole, verdicts] = await Promise.all([
    Promise.allSettled(
      input.accounts.map(async (a) => {
        const [risk, assets] = await Promise.all([a.cas.getRiskCount(), a.cas.getAssetCount()]);
        return { account: a.account, risk, assets };
      }),
    ),
    input.trend === false
      ? previousOfAccounts(input.snapshots, input.accounts, period.key)
      : input.snapshots.previousSnapshot(period.key),
    input.inventory.status(now),
    // Endpoints are not an account's: only a digest of every account counts them.
    input.probes?.enabled && input.trend !== false ? input.probes.results.list() : Promise.resolve([]),
  ]);
  const answered = counts.flatMap((c) => (c.status === 'fulfilled' ? [c.value] : []));
  if (answered.length === 0) throw (counts[0] as PromiseRejectedResult).reason;
  const failures = new Map<string, AccountFailure>();
  counts.forEach((c, i) => {
    if (c.status === 'rejected')
      failures.set(input.accounts[i].account, accountFailure(input.accounts[i].account, c.reason));
  });
  // Only synced accounts' certificates are counted and listed: the lists are the counts' certificates.
  const status = statusOf(whole, names);
  const synced = status ? names.filter((name) => !(status.unsynced ?? []).includes(name)) : [];
  // "Since last week": since the previous digest, or one period back on the first one.
  const since = previous?.takenAt ?? new Date(period.start.getTime() - (period.end.getTime() - period.start.getTime()));
  const select = async (filter: CertificateFilter) =>
    status ? (await input.inventory.select({ accounts: synced, ...filter }, now)).certificates : [];
  // The lists select by the one state, as the counts do, most urgent first.
  const [stale, expired, expiring, renewed, stored] = await Promise.all([
    select({ states: ['stale'] }),
    select({ states: ['expired'] }),
    select({ states: ['expiring'] }),
    // Renewed since: in the renewed state now (a stale one is listed as stale, not here), its replacement new.
    select({ states: ['renewed'], replacementSeenAfter: since }),
    status ? input.inventory.counts(synced, now) : Promise.resolve([]),
  ]);
  const inventory = inventoryCounts(status, stored, synced);
  const numbers: AccountNumbers[] = answered.map((a) => {
    const own = synced.includes(a.account) ? inventoryCounts(status, stored, [a.account]) : undefined;
    return { ...a, stale: own?.counts.stale ?? 0, ...(own ? { inventory: own } : {}) };
  });
  const { risk, assets } = answered.length === 1 && input.accounts.length === 1 ? answered[0] : combineCounts(answered);
  // Totals of the accounts that answered are not comparable with last week's of all of them.
  const comparable = failures.size === 0 ? previous : undefined;
  return {
    period,
    now,
    risk,
    assets,
    previous: comparable,
    ...(inventory ? { inventory } : {}),
    stale,
    expired,
    expiring,
    renewed,
    freshness: status ? statusFreshness(status) : undefined,
    ...(input.accounts.length > 1
      ? { accounts: numbers.map((n) => ({ ...accountRisk(n), ...(n.inventory ? { inventory: n.inventory } : {}) })) }
      : {}),
    accountNumbers: numbers,
    ...(failures.size > 0 ? { failures: [...failures.values()] } : {}),
    ...(input.trend === false ? { scope: input.accounts.map((a) => a.account) } : {}),
    ...(verdicts.length > 0 ? { endpoints: countVerdicts(verdicts) } : {}),
  };
}

/**
 * Last period's numbers of some accounts, added up from their own snapshots (the lowest score),
 * for a digest of those accounts only; undefined unless every one of them has one.
 */
async function previousOfAccounts(
  snapshots: Pick<SnapshotStore, 'accountHistory'>,
  accounts: readonly DigestAccount[],
  period: string,
): Promise<DigestSnapshot | undefined> {
  const latest = await Promise.all(
    accounts.map(async (a) => (await snapshots.accountHistory(a.account, 2)).filter((s) => s.period < period).at(-1)),
  );
  if (latest.length === 0 || latest.some((s) => s === undefined)) return undefined;
  const found = latest as DigestSnapshot[];
  const risks: Record<string, number> = {};
  for (const s of found) for (const [kind, n] of Object.entries(s.risks)) risks[kind] = (risks[kind] ?? 0) + n;
  // Inventory counts only when every account had them: a partial sum is no count.
  const states: Partial<Record<CertificateState, number>> = {};
  const allCounted = found.every((s) => s.states !== undefined);
  if (allCounted)
    for (const s of found)
      for (const [state, n] of Object.entries(s.states ?? {}))
        states[state as CertificateState] = (states[state as CertificateState] ?? 0) + (n ?? 0);
  const points = found.map((s) => s.point).filter((p): p is number => p !== undefined);
  return {
    period: found.map((s) => s.period).sort()[0],
    takenAt: found.map((s) => s.takenAt).sort((a, b) => a.getTime() - b.getTime())[0],
    ...(points.length > 0 ? { point: Math.min(...points) } : {}),
    risks,
    totalRisk: found.reduce((sum, s) => sum + s.totalRisk, 0),
    ...(allCounted ? { states } : {}),
  };
}

/**
 * The numbers a digest showed, kept so the next digest can show the change (and the chart its
 * history): CAS's risk counts by kind, and `states`, the inventory's count of each state.
 */
export function snapshotOf(data: DigestData): DigestSnapshot {
  return numbersSnapshot(data.period.key, data.now, data.risk, data.assets, data.inventory);
}

/** One account's numbers of this digest, kept as that account's snapshot. */
export function accountSnapshotOf(data: DigestData, numbers: AccountNumbers): DigestSnapshot {
  return numbersSnapshot(data.period.key, data.now, numbers.risk, numbers.assets, numbers.inventory);
}

function numbersSnapshot(
  period: string,
  takenAt: Date,
  risk: RiskCount,
  assets: AssetCount,
  inventory: InventoryCounts | undefined,
): DigestSnapshot {
  const rows = riskRows(risk);
  const { total: _total, ...states } = inventory?.counts ?? { total: 0 };
  return {
    period,
    takenAt,
    point: assets.Point,
    risks: riskCountsByKind(rows),
    totalRisk: rows.total,
    ...(inventory ? { states } : {}),
  };
}
