import type { AssetCount, CasApi, RiskCount } from '../cas/types';
import type { Certificate } from '../domain/certificate';
import { riskCountsByKind, riskRows } from '../domain/risk';
import type { CertificateSource } from '../inventory/certificate-source';
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
  /** Soonest first. */
  expiring: Certificate[];
  expired: Certificate[];
}

/** Reads the counts, both certificate lists and the previous snapshot. */
export async function collectDigest(
  input: { cas: CasApi; certificates: CertificateSource; snapshots: SnapshotStore },
  period: DigestPeriod,
  now: Date,
): Promise<DigestData> {
  const [risk, assets, expiring, expired, previous] = await Promise.all([
    input.cas.getRiskCount(),
    input.cas.getAssetCount(),
    input.certificates.list('expiring', undefined, now),
    input.certificates.list('expired', undefined, now),
    input.snapshots.previousSnapshot(period.key),
  ]);
  return { period, now, risk, assets, previous, expiring, expired };
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
