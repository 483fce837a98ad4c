/**
 * Risk kinds and counting: GetRiskCount's 18 counters grouped by what is wrong (kind) and
 * where it is (source). Pure. Labels are part of the model because every surface (Slack,
 * the CLI, metrics, snapshots) names a kind the same way; emoji are the renderers' business.
 */

export type RiskKind =
  'expired' | 'expiring' | 'notDeployed' | 'failedReview' | 'notHosted' | 'noAlerts' | 'unmonitoredDomains';
export type RiskSource = 'paid' | 'free' | 'uploaded' | 'aliyun' | 'multiCloud' | 'domains';

/** The 18 GetRiskCount counters. */
export type RiskCounter =
  | 'BuyCertificateExpireCount'
  | 'BuyCertificateWillExpiredCount'
  | 'BuyCertificateNotDeploymentCount'
  | 'BuyCertificateNotTrusteeCount'
  | 'BuyCheckedFailCount'
  | 'FreeCertificateExpireCount'
  | 'FreeCertificateWillExpiredCount'
  | 'FreeCertificateNotDeploymentCount'
  | 'FreeCheckedFailCount'
  | 'UploadCertificateExpireCount'
  | 'UploadCertificateWillExpiredCount'
  | 'UploadCertificateNotDeploymentCount'
  | 'UploadCertificateNotNoticeCount'
  | 'AliyunAssetCertificateExpiredCount'
  | 'AliyunAssetCertificateWillExpiredCount'
  | 'MultiCloudAssetCertificateExpiredCount'
  | 'MultiCloudAssetCertificateWillExpiredCount'
  | 'DomainAssetNotMonitorCount';

/** The counters as CAS sends them; a missing or malformed one counts as zero. */
export type RiskCounters = Partial<Record<RiskCounter, unknown>>;

export interface RiskKindRow {
  key: RiskKind;
  label: string;
  count: number;
}
export interface RiskSourceRow {
  key: RiskSource;
  label: string;
  count: number;
}
export interface RiskRows {
  /** Non-zero kinds, in the order of RISK_KINDS (most urgent first). */
  byKind: RiskKindRow[];
  /** Non-zero sources. */
  bySource: RiskSourceRow[];
  /** Sum of every counter. */
  total: number;
}

/** Every GetRiskCount counter with its kind and source: each counts once in each view. */
const COUNTERS: ReadonlyArray<{ field: RiskCounter; kind: RiskKind; source: RiskSource }> = [
  { field: 'BuyCertificateExpireCount', kind: 'expired', source: 'paid' },
  { field: 'FreeCertificateExpireCount', kind: 'expired', source: 'free' },
  { field: 'UploadCertificateExpireCount', kind: 'expired', source: 'uploaded' },
  { field: 'AliyunAssetCertificateExpiredCount', kind: 'expired', source: 'aliyun' },
  { field: 'MultiCloudAssetCertificateExpiredCount', kind: 'expired', source: 'multiCloud' },
  { field: 'BuyCertificateWillExpiredCount', kind: 'expiring', source: 'paid' },
  { field: 'FreeCertificateWillExpiredCount', kind: 'expiring', source: 'free' },
  { field: 'UploadCertificateWillExpiredCount', kind: 'expiring', source: 'uploaded' },
  { field: 'AliyunAssetCertificateWillExpiredCount', kind: 'expiring', source: 'aliyun' },
  { field: 'MultiCloudAssetCertificateWillExpiredCount', kind: 'expiring', source: 'multiCloud' },
  { field: 'BuyCertificateNotDeploymentCount', kind: 'notDeployed', source: 'paid' },
  { field: 'FreeCertificateNotDeploymentCount', kind: 'notDeployed', source: 'free' },
  { field: 'UploadCertificateNotDeploymentCount', kind: 'notDeployed', source: 'uploaded' },
  { field: 'BuyCheckedFailCount', kind: 'failedReview', source: 'paid' },
  { field: 'FreeCheckedFailCount', kind: 'failedReview', source: 'free' },
  { field: 'BuyCertificateNotTrusteeCount', kind: 'notHosted', source: 'paid' },
  { field: 'UploadCertificateNotNoticeCount', kind: 'noAlerts', source: 'uploaded' },
  { field: 'DomainAssetNotMonitorCount', kind: 'unmonitoredDomains', source: 'domains' },
];

/** Most urgent first. */
export const RISK_KINDS: ReadonlyArray<{ key: RiskKind; label: string }> = [
  { key: 'expired', label: 'Expired' },
  { key: 'expiring', label: 'Expiring soon' },
  { key: 'notDeployed', label: 'Not deployed' },
  { key: 'failedReview', label: 'Failed review' },
  { key: 'notHosted', label: 'Not hosted' },
  { key: 'noAlerts', label: 'Uploaded without alerts' },
  { key: 'unmonitoredDomains', label: 'Domains without monitoring' },
];

export const RISK_SOURCES: ReadonlyArray<{ key: RiskSource; label: string }> = [
  { key: 'paid', label: 'Paid certificates' },
  { key: 'free', label: 'Free certificates' },
  { key: 'uploaded', label: 'Uploaded certificates' },
  { key: 'aliyun', label: 'Alibaba Cloud resources' },
  { key: 'multiCloud', label: 'Multi-cloud resources' },
  { key: 'domains', label: 'Domains' },
];

/** A counter as a count: missing, negative or non-numeric values count as zero. */
export function count(value: unknown): number {
  return typeof value === 'number' && Number.isFinite(value) && value > 0 ? Math.floor(value) : 0;
}

/** GetRiskCount grouped by kind and by source, zero rows left out. */
export function riskRows(risk: RiskCounters): RiskRows {
  const byKind = new Map<RiskKind, number>();
  const bySource = new Map<RiskSource, number>();
  let total = 0;
  for (const counter of COUNTERS) {
    const n = count(risk?.[counter.field]);
    total += n;
    byKind.set(counter.kind, (byKind.get(counter.kind) ?? 0) + n);
    bySource.set(counter.source, (bySource.get(counter.source) ?? 0) + n);
  }
  return {
    byKind: RISK_KINDS.map((kind) => ({ ...kind, count: byKind.get(kind.key) ?? 0 })).filter((row) => row.count > 0),
    bySource: RISK_SOURCES.map((source) => ({ ...source, count: bySource.get(source.key) ?? 0 })).filter(
      (row) => row.count > 0,
    ),
    total,
  };
}

/** Risk counts by kind, every kind present (zeros included): what a snapshot keeps for next week's trend. */
export function riskCountsByKind(rows: RiskRows): Record<RiskKind, number> {
  const byKind = new Map(rows.byKind.map((row) => [row.key, row.count]));
  return Object.fromEntries(RISK_KINDS.map((kind) => [kind.key, byKind.get(kind.key) ?? 0])) as Record<
    RiskKind,
    number
  >;
}

/** What one account's risk looks like in a one-line summary beside the others. */
export interface AccountRisk {
  account: string;
  /** GetAssetCount Point, when it was given. */
  point?: number;
  /** Every risk counter added up (certificates, cloud resources and domains alike). */
  atRisk: number;
  expired: number;
  expiring: number;
  /** Renewed certificates whose old one is still deployed (from the inventory). */
  stale: number;
}

export function accountRisk(input: {
  account: string;
  risk: RiskCounters;
  assets?: { Point?: number };
  stale: number;
}): AccountRisk {
  const rows = riskRows(input.risk);
  const byKind = riskCountsByKind(rows);
  const point = input.assets?.Point;
  return {
    account: input.account,
    ...(typeof point === 'number' && Number.isFinite(point) ? { point } : {}),
    atRisk: rows.total,
    expired: byKind.expired,
    expiring: byKind.expiring,
    stale: input.stale,
  };
}

/**
 * Several accounts' counts as one: every numeric counter added up; the health score is the
 * lowest account's (a score is not additive, and the weakest account is the one to look at).
 */
export function combineCounts<R extends object, A extends { Point?: number }>(
  parts: ReadonlyArray<{ risk: R; assets: A }>,
): { risk: R; assets: A } {
  const add = (items: readonly object[], skip: readonly string[]) => {
    const total: Record<string, number> = {};
    for (const item of items)
      for (const [key, value] of Object.entries(item))
        if (!skip.includes(key) && typeof value === 'number' && Number.isFinite(value))
          total[key] = (total[key] ?? 0) + value;
    return total;
  };
  const points = parts
    .map((p) => p.assets.Point)
    .filter((p): p is number => typeof p === 'number' && Number.isFinite(p));
  return {
    risk: add(
      parts.map((p) => p.risk),
      [],
    ) as R,
    assets: {
      ...add(
        parts.map((p) => p.assets),
        ['Point', 'LastPoint', 'PointRatio', 'PointTime'],
      ),
      ...(points.length > 0 ? { Point: Math.min(...points) } : {}),
    } as A,
  };
}
