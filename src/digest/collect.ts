import type { AssetCount, CasApi, RiskCount } from '../cas/types';
import { type AccountRisk, accountRisk, combineCounts, riskCountsByKind, riskRows } from '../domain/risk';
import { type AccountFailure, accountFailure } from '../inventory/account-failure';
import type { CertificateSource, Freshness, ListedCertificate } from '../inventory/certificate-source';
import type { DigestSnapshot, SnapshotStore } from '../store/types';
import type { JobPeriod as DigestPeriod } from '../jobs/period';

/** Everything one digest shows; the renderer turns it into Block Kit. */
export interface DigestData {
  period: DigestPeriod;
  now: Date;
  risk: RiskCount;
  assets: AssetCount;
  /** Last period's numbers, for the trend; absent on the first digest. */
  previous?: DigestSnapshot;
  /** At risk (not renewed), soonest first. */
  expiring: ListedCertificate[];
  expired: ListedCertificate[];
  /** Expiring or expired certificates whose renewal appeared since the previous digest. */
  renewed?: ListedCertificate[];
  /** Where the lists came from. */
  freshness?: Freshness;
  /** Renewed certificates still served by the old one: the digest opens with them. */
  stale?: ListedCertificate[];
  /** With several accounts: each one's summary line (`risk` and `assets` are then the totals). */
  accounts?: AccountRisk[];
  /** Accounts that could not be read: the digest names them and shows the others. */
  failures?: AccountFailure[];
  /** Every account that answered, with its own numbers (kept as that account's snapshot). */
  accountNumbers?: AccountNumbers[];
  /** The accounts a digest of some accounts only covers (named in its title); unset: every account. */
  scope?: string[];
}

export interface AccountNumbers {
  account: string;
  risk: RiskCount;
  assets: AssetCount;
  stale: number;
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
    certificates: CertificateSource;
    snapshots: Pick<SnapshotStore, 'previousSnapshot' | 'accountHistory'>;
    /** false: a digest of some accounts only; its trend comes from those accounts' own snapshots. */
    trend?: boolean;
  },
  period: DigestPeriod,
  now: Date,
): Promise<DigestData> {
  const [counts, expiring, expired, previous, stale] = await Promise.all([
    Promise.allSettled(
      input.accounts.map(async (a) => {
        const [risk, assets] = await Promise.all([a.cas.getRiskCount(), a.cas.getAssetCount()]);
        return { account: a.account, risk, assets };
      }),
    ),
    input.certificates.list('expiring', undefined, now),
    input.certificates.list('expired', undefined, now),
    input.trend === false
      ? previousOfAccounts(input.snapshots, input.accounts, period.key)
      : input.snapshots.previousSnapshot(period.key),
    input.certificates.list('stale', undefined, now),
  ]);
  const answered = counts.flatMap((c) => (c.status === 'fulfilled' ? [c.value] : []));
  if (answered.length === 0) throw (counts[0] as PromiseRejectedResult).reason;
  const failures = new Map<string, AccountFailure>();
  counts.forEach((c, i) => {
    if (c.status === 'rejected')
      failures.set(input.accounts[i].account, accountFailure(input.accounts[i].account, c.reason));
  });
  for (const failure of [...(expiring.failures ?? []), ...(expired.failures ?? []), ...(stale.failures ?? [])])
    if (!failures.has(failure.account)) failures.set(failure.account, failure);
  const numbers: AccountNumbers[] = answered.map((a) => ({
    ...a,
    stale: stale.certificates.filter((c) => c.account === a.account).length,
  }));
  const { risk, assets } = answered.length === 1 && input.accounts.length === 1 ? answered[0] : combineCounts(answered);
  // "Since last week": since the previous digest, or one period back on the first one.
  const since = previous?.takenAt ?? new Date(period.start.getTime() - (period.end.getTime() - period.start.getTime()));
  const atRisk = (listing: typeof expiring) => listing.certificates.filter((c) => !c.replacedBy);
  const renewed = [...expiring.certificates, ...expired.certificates].filter((c) => {
    const replacement = c.replacedBy;
    return replacement !== undefined && (replacement.firstSeen === undefined || replacement.firstSeen > since);
  });
  // Totals of the accounts that answered are not comparable with last week's of all of them.
  const comparable = failures.size === 0 ? previous : undefined;
  return {
    period,
    now,
    risk,
    assets,
    previous: comparable,
    expiring: atRisk(expiring),
    expired: atRisk(expired),
    renewed,
    freshness: expiring.freshness,
    stale: stale.certificates,
    ...(input.accounts.length > 1 ? { accounts: numbers.map((n) => accountRisk(n)) } : {}),
    accountNumbers: numbers,
    ...(failures.size > 0 ? { failures: [...failures.values()] } : {}),
    ...(input.trend === false ? { scope: input.accounts.map((a) => a.account) } : {}),
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
  const points = found.map((s) => s.point).filter((p): p is number => p !== undefined);
  return {
    period: found.map((s) => s.period).sort()[0],
    takenAt: found.map((s) => s.takenAt).sort((a, b) => a.getTime() - b.getTime())[0],
    ...(points.length > 0 ? { point: Math.min(...points) } : {}),
    risks,
    totalRisk: found.reduce((sum, s) => sum + s.totalRisk, 0),
  };
}

/**
 * The numbers a digest showed, kept so the next digest can show the change (and the chart its
 * history): the risk counts by kind, plus `stale`, the stale deployments the digest listed.
 */
export function snapshotOf(data: DigestData): DigestSnapshot {
  return numbersSnapshot(data.period.key, data.now, data.risk, data.assets, data.stale?.length ?? 0);
}

/** One account's numbers of this digest, kept as that account's snapshot. */
export function accountSnapshotOf(data: DigestData, numbers: AccountNumbers): DigestSnapshot {
  return numbersSnapshot(data.period.key, data.now, numbers.risk, numbers.assets, numbers.stale);
}

function numbersSnapshot(
  period: string,
  takenAt: Date,
  risk: RiskCount,
  assets: AssetCount,
  stale: number,
): DigestSnapshot {
  const rows = riskRows(risk);
  return {
    period,
    takenAt,
    point: assets.Point,
    risks: { ...riskCountsByKind(rows), stale },
    totalRisk: rows.total,
  };
}
