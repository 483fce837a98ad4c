import type { Button, KnownBlock } from '@slack/types';
import type { AssetCount, RiskCount } from '../../cas/types';
import { EMOJI, formatDelta, formatNumber, formatUtc, parseTime, plural } from './format';
import { actions, buildMessage, button, codeSpan, context, fieldsSection, header, section } from './limits';
import { ACTION_IDS, type ListOpenValue, type SlackMessage } from './types';

export type RiskKind =
  'expired' | 'expiring' | 'notDeployed' | 'failedReview' | 'notHosted' | 'noAlerts' | 'unmonitoredDomains';
export type RiskSource = 'paid' | 'free' | 'uploaded' | 'aliyun' | 'multiCloud' | 'domains';

export interface RiskKindRow {
  key: RiskKind;
  label: string;
  emoji: string;
  count: number;
}
export interface RiskSourceRow {
  key: RiskSource;
  label: string;
  count: number;
}
export interface RiskRows {
  /** Non-zero kinds, in the order below (most urgent first). */
  byKind: RiskKindRow[];
  /** Non-zero sources. */
  bySource: RiskSourceRow[];
  /** Sum of every counter. */
  total: number;
}

/** The 18 GetRiskCount counters. */
type RiskCounter =
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

export const RISK_KINDS: ReadonlyArray<{ key: RiskKind; label: string; emoji: string }> = [
  { key: 'expired', label: 'Expired', emoji: EMOJI.expired },
  { key: 'expiring', label: 'Expiring soon', emoji: EMOJI.expiring },
  { key: 'notDeployed', label: 'Not deployed', emoji: EMOJI.notDeployed },
  { key: 'failedReview', label: 'Failed review', emoji: EMOJI.failedReview },
  { key: 'notHosted', label: 'Not hosted', emoji: EMOJI.notHosted },
  { key: 'noAlerts', label: 'Uploaded without alerts', emoji: EMOJI.noAlerts },
  { key: 'unmonitoredDomains', label: 'Domains without monitoring', emoji: EMOJI.unmonitored },
];

const SOURCES: ReadonlyArray<{ key: RiskSource; label: string }> = [
  { key: 'paid', label: 'Paid certificates' },
  { key: 'free', label: 'Free certificates' },
  { key: 'uploaded', label: 'Uploaded certificates' },
  { key: 'aliyun', label: 'Alibaba Cloud resources' },
  { key: 'multiCloud', label: 'Multi-cloud resources' },
  { key: 'domains', label: 'Domains' },
];

/** A counter as a count: missing, negative or non-numeric values count as zero. */
function count(value: unknown): number {
  return typeof value === 'number' && Number.isFinite(value) && value > 0 ? Math.floor(value) : 0;
}

/** GetRiskCount grouped by kind and by source, zero rows left out (shared with the weekly digest). */
export function riskRows(risk: RiskCount): RiskRows {
  const byKind = new Map<RiskKind, number>();
  const bySource = new Map<RiskSource, number>();
  let total = 0;
  for (const counter of COUNTERS) {
    const n = count(risk[counter.field]);
    total += n;
    byKind.set(counter.kind, (byKind.get(counter.kind) ?? 0) + n);
    bySource.set(counter.source, (bySource.get(counter.source) ?? 0) + n);
  }
  return {
    byKind: RISK_KINDS.map((kind) => ({ ...kind, count: byKind.get(kind.key) ?? 0 })).filter((row) => row.count > 0),
    bySource: SOURCES.map((source) => ({ ...source, count: bySource.get(source.key) ?? 0 })).filter(
      (row) => row.count > 0,
    ),
    total,
  };
}

export interface RiskSummaryInput {
  risk: RiskCount;
  /** GetAssetCount: health score and asset totals; left out when it could not be loaded. */
  assets?: AssetCount;
  now: Date;
}

function scoreLine(assets: AssetCount | undefined): string {
  const point = assets?.Point;
  if (typeof point !== 'number' || !Number.isFinite(point)) return '*Health score:* not available';
  const last = assets?.LastPoint;
  if (typeof last !== 'number' || !Number.isFinite(last))
    return `*Health score:* ${formatNumber(point)}  (no previous score)`;
  const delta = point - last;
  const change = delta === 0 ? 'unchanged' : formatDelta(delta);
  return `*Health score:* ${formatNumber(point)}  ${change} since the previous score (${formatNumber(last)})`;
}

function scoreFallback(assets: AssetCount | undefined): string {
  const point = assets?.Point;
  if (typeof point !== 'number' || !Number.isFinite(point)) return '';
  const last = assets?.LastPoint;
  const change = typeof last === 'number' && Number.isFinite(last) ? ` (${formatDelta(point - last)})` : '';
  return ` Health score ${formatNumber(point)}${change}.`;
}

function joinParts(parts: Array<[number, string]>): string {
  const present = parts.filter(([n]) => count(n) > 0);
  if (present.length === 0) return 'none';
  return present.map(([n, label]) => `${formatNumber(count(n))} ${label}`).join(' · ');
}

export function assetLines(assets: AssetCount): string[] {
  return [
    `Certificates: ${joinParts([
      [assets.BuyCertificateCount, 'paid'],
      [assets.FreeCertificateCount, 'free'],
      [assets.UploadCertificateCount, 'uploaded'],
    ])}`,
    `Cloud resources: ${joinParts([
      [assets.AliyunAssetCount, 'Alibaba Cloud'],
      [assets.TencentAssetCount, 'Tencent Cloud'],
      [assets.HuaweiAssetCount, 'Huawei Cloud'],
      [assets.AwsAssetCount, 'AWS'],
    ])}`,
    `Domains: ${formatNumber(count(assets.DomainAssetCount))}`,
  ];
}

function footer(risk: RiskCount, assets: AssetCount | undefined, now: Date): KnownBlock {
  const parts = [`Checked ${formatUtc(now)}`];
  const scored = parseTime(assets?.PointTime);
  if (scored !== undefined) parts.push(`score from ${formatUtc(scored)}`);
  const ids = [risk.RequestId, assets?.RequestId].filter((id): id is string => typeof id === 'string' && id !== '');
  const unique = [...new Set(ids)].map((id) => codeSpan(id, 80));
  if (unique.length > 0) parts.push(`RequestId ${unique.join(', ')}`);
  return context([parts.join(' · ')]);
}

/** The /cert-risk answer: health score, risk counts by kind and source, asset totals. */
export function renderRiskSummary(input: RiskSummaryInput): SlackMessage {
  const { risk, assets, now } = input;
  const rows = riskRows(risk);

  if (rows.total === 0) {
    const watching = assets
      ? `\nWatching ${plural(
          count(assets.BuyCertificateCount) + count(assets.FreeCertificateCount) + count(assets.UploadCertificateCount),
          'certificate',
        )}, ${plural(
          count(assets.AliyunAssetCount) +
            count(assets.TencentAssetCount) +
            count(assets.HuaweiAssetCount) +
            count(assets.AwsAssetCount),
          'cloud resource',
        )} and ${plural(count(assets.DomainAssetCount), 'domain')}.`
      : '';
    return buildMessage(`Certificate risk: all clear, nothing needs attention.${scoreFallback(assets)}`, [
      header('Certificate risk'),
      section(
        `${EMOJI.allClear} *All clear:* no expired, expiring or otherwise risky certificates.\n${scoreLine(assets)}${watching}`,
      ),
      footer(risk, assets, now),
    ]);
  }

  const kindLines = rows.byKind.map((row) => `${row.emoji} ${row.label}: *${formatNumber(row.count)}*`);
  const sourceLines = rows.bySource.map((row) => `${row.label}: ${formatNumber(row.count)}`);
  const openValue: ListOpenValue = { status: 'expiring' };
  const listButton: Button = button({
    text: 'List expiring certificates',
    actionId: ACTION_IDS.listOpen,
    value: JSON.stringify(openValue),
  });

  const blocks: KnownBlock[] = [
    header('Certificate risk'),
    section(`${EMOJI.warning} *${plural(rows.total, 'item needs', 'items need')} attention*\n${scoreLine(assets)}`),
    fieldsSection([`*By kind*\n${kindLines.join('\n')}`, `*By source*\n${sourceLines.join('\n')}`]),
  ];
  if (assets) blocks.push(section(`*Assets*\n${assetLines(assets).join('\n')}`));
  blocks.push(actions([listButton]), footer(risk, assets, now));

  const summary = rows.byKind.map((row) => `${formatNumber(row.count)} ${row.label.toLowerCase()}`).join(', ');
  return buildMessage(
    `Certificate risk: ${plural(rows.total, 'item needs', 'items need')} attention (${summary}).${scoreFallback(assets)}`,
    blocks,
  );
}
