import { fetchCertificates } from '../cas/certificate-views';
import type { AssetCount, CasApi, CertificateOrder, RiskCount } from '../cas/types';
import { riskRows } from '../slack/blocks/risk';
import type { DigestSnapshot, Store } from '../store/types';
import type { DigestPeriod } from './period';

/** Everything one digest shows; the renderer turns it into Block Kit. */
export interface DigestData {
  period: DigestPeriod;
  now: Date;
  risk: RiskCount;
  assets: AssetCount;
  /** Last week's numbers, for the trend; absent on the first digest. */
  previous?: DigestSnapshot;
  /** Soonest first. */
  expiring: CertificateOrder[];
  expired: CertificateOrder[];
}

/** Reads CAS (counts and both certificate lists) and the previous snapshot. */
export async function collectDigest(cas: CasApi, store: Store, period: DigestPeriod, now: Date): Promise<DigestData> {
  const [risk, assets, expiring, expired, previous] = await Promise.all([
    cas.getRiskCount(),
    cas.getAssetCount(),
    fetchCertificates(cas, 'expiring', undefined, now),
    fetchCertificates(cas, 'expired', undefined, now),
    store.previousSnapshot(period.key),
  ]);
  return { period, now, risk, assets, previous, expiring, expired };
}

/** The numbers a digest showed, kept so next week's digest can show the change. */
export function snapshotOf(data: DigestData): DigestSnapshot {
  const rows = riskRows(data.risk);
  return {
    period: data.period.key,
    takenAt: data.now,
    point: data.assets.Point,
    risks: Object.fromEntries(rows.byKind.map((row) => [row.key, row.count])),
    totalRisk: rows.total,
  };
}
