import type { Button, KnownBlock } from '@slack/types';
import type { AssetCount, RiskCount } from '../../cas/types';
import { count, type RiskKind, riskRows } from '../../domain/risk';
import { parseTime } from '../../domain/expiry';
import { formatDelta, formatNumber, plural } from '../../render/format';
import { riskSummaryText } from '../../render/risk-summary';
import { EMOJI } from './emoji';
import { actions, buildMessage, button, context, fieldsSection, header, section } from './builders';
import { codeSpan, oneLine, truncate } from './escape';
import { BUTTONS } from '../button-codecs';
import type { SlackMessage } from './types';
import { slackDateTime } from './dates';

/** One emoji per risk kind, the same in every message. */
export const RISK_KIND_EMOJI: Record<RiskKind, string> = {
  expired: EMOJI.expired,
  expiring: EMOJI.expiring,
  notDeployed: EMOJI.notDeployed,
  failedReview: EMOJI.failedReview,
  notHosted: EMOJI.notHosted,
  noAlerts: EMOJI.noAlerts,
  unmonitoredDomains: EMOJI.unmonitored,
};

export interface RiskSummaryInput {
  risk: RiskCount;
  /** GetAssetCount: health score and asset totals; left out when it could not be loaded. */
  assets?: AssetCount;
  now: Date;
  /** The account named with `account:NAME`: in the title, and its list button lists only it. */
  account?: string;
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
  const parts = [`Checked ${slackDateTime(now)}`];
  const scored = parseTime(assets?.PointTime);
  if (scored !== undefined) parts.push(`score from ${slackDateTime(scored)}`);
  const ids = [risk.RequestId, assets?.RequestId].filter((id): id is string => typeof id === 'string' && id !== '');
  const unique = [...new Set(ids)].map((id) => codeSpan(id, 80));
  if (unique.length > 0) parts.push(`RequestId ${unique.join(', ')}`);
  return context([parts.join(' · ')]);
}

/** The /cert-risk answer: health score, risk counts by kind and source, asset totals. */
export function renderRiskSummary(input: RiskSummaryInput): SlackMessage {
  const { risk, assets, now } = input;
  const rows = riskRows(risk);
  const title = input.account ? `Certificate risk · ${truncate(oneLine(input.account), 40)}` : 'Certificate risk';

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
    return buildMessage(riskSummaryText(rows, assets), [
      header(title),
      section(
        `${EMOJI.allClear} *All clear:* no expired, expiring or otherwise risky certificates.\n${scoreLine(assets)}${watching}`,
      ),
      footer(risk, assets, now),
    ]);
  }

  const kindLines = rows.byKind.map((row) => `${RISK_KIND_EMOJI[row.key]} ${row.label}: *${formatNumber(row.count)}*`);
  const sourceLines = rows.bySource.map((row) => `${row.label}: ${formatNumber(row.count)}`);
  const listButton: Button = button({
    text: 'List expiring certificates',
    actionId: BUTTONS.listOpen.actionId,
    value: BUTTONS.listOpen.encode(
      input.account ? { status: 'expiring', account: input.account } : { status: 'expiring' },
    ),
  });

  const blocks: KnownBlock[] = [
    header(title),
    section(`${EMOJI.warning} *${plural(rows.total, 'item needs', 'items need')} attention*\n${scoreLine(assets)}`),
    fieldsSection([`*By kind*\n${kindLines.join('\n')}`, `*By source*\n${sourceLines.join('\n')}`]),
  ];
  if (assets) blocks.push(section(`*Assets*\n${assetLines(assets).join('\n')}`));
  blocks.push(actions([listButton]), footer(risk, assets, now));

  return buildMessage(riskSummaryText(rows, assets), blocks);
}
