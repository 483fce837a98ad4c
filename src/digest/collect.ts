import type { AssetCount, CasApi, RiskCount } from '../cas/types';
import { riskCountsByKind, riskRows } from '../domain/risk';
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
}

/** Reads the counts, both certificate lists and the previous snapshot. */
export async function collectDigest(
  input: { cas: CasApi; certificates: CertificateSource; snapshots: SnapshotStore },
  period: DigestPeriod,
  now: Date,
): Promise<DigestData> {
  const [risk, assets, expiring, expired, previous, stale] = await Promise.all([
    input.cas.getRiskCount(),
    input.cas.getAssetCount(),
    input.certificates.list('expiring', undefined, now),
    input.certificates.list('expired', undefined, now),
    input.snapshots.previousSnapshot(period.key),
    input.certificates.list('stale', undefined, now),
  ]);
  // "Since last week": since the previous digest, or one period back on the first one.
  const since = previous?.takenAt ?? new Date(period.start.getTime() - (period.end.getTime() - period.start.getTime()));
  const atRisk = (listing: typeof expiring) => listing.certificates.filter((c) => !c.replacedBy);
  const renewed = [...expiring.certificates, ...expired.certificates].filter((c) => {
    const replacement = c.replacedBy;
    return replacement !== undefined && (replacement.firstSeen === undefined || replacement.firstSeen > since);
  });
  return {
    period,
    now,
    risk,
    assets,
    previous,
    expiring: atRisk(expiring),
    expired: atRisk(expired),
    renewed,
    freshness: expiring.freshness,
    stale: stale.certificates,
  };
}

/** The numbers a digest showed, kept so the next digest can show the change. */
export function snapshotOf(data: DigestData): DigestSnapshot {
  const rows = riskRows(data.risk);
  return {
    period: data.period.key,
    takenAt: data.now,
    point: data.assets.Point,
    risks: riskCountsByKind(rows),
    totalRisk: rows.total,
  };
}
