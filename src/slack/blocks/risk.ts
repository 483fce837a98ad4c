import type { Button, KnownBlock } from '@slack/types';
import type { AssetCount, RiskCount } from '../../cas/types';
import { count, type RiskKind, riskRows } from '../../domain/risk';
import { parseTime } from '../../domain/expiry';
import { describeAge, formatDelta, formatNumber } from '../../render/format';
import { atRiskCount, CERTIFICATE_STATES, STATE_LABELS } from '../../domain/certificate-state';
import {
  CAS_COUNTERS_LABEL,
  type InventoryCounts,
  inventoryHeadline,
  NO_INVENTORY_YET,
  riskHeadline,
} from '../../render/inventory-counts';
import { EMOJI, STATE_EMOJI } from './emoji';
import { actions, buildMessage, button, context, divider, fieldsSection, header, section } from './builders';
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
  /** The bot's own counts from the stored inventory; undefined before the first sync. */
  inventory?: InventoryCounts;
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

function footer(risk: RiskCount, assets: AssetCount | undefined, now: Date, inventory?: InventoryCounts): KnownBlock {
  const parts = [`Checked ${slackDateTime(now)}`];
  if (inventory) parts.push(`inventory synced ${describeAge(inventory.syncedAt, now)}`);
  const scored = parseTime(assets?.PointTime);
  if (scored !== undefined) parts.push(`score from ${slackDateTime(scored)}`);
  const ids = [risk.RequestId, assets?.RequestId].filter((id): id is string => typeof id === 'string' && id !== '');
  const unique = [...new Set(ids)].map((id) => codeSpan(id, 80));
  if (unique.length > 0) parts.push(`RequestId ${unique.join(', ')}`);
  return context([parts.join(' · ')]);
}

/**
 * The bot's own counts first: one state per certificate, from the inventory (or, before the
 * first sync, a line saying there is none yet), with buttons to the lists behind them.
 */
export function inventoryBlocks(inventory: InventoryCounts | undefined, account?: string): KnownBlock[] {
  if (!inventory)
    return [section(`${EMOJI.unknown} *${NO_INVENTORY_YET}*\n\`/cert-list\` lists live from CAS meanwhile.`)];
  const { counts } = inventory;
  const risky = atRiskCount(counts);
  const lines = CERTIFICATE_STATES.map((state) => {
    const unknown = !inventory.deploymentsKnown && (state === 'stale' || state === 'not-deployed');
    const label = STATE_LABELS[state].many;
    const title = label.charAt(0).toUpperCase() + label.slice(1);
    return `${STATE_EMOJI[state]} ${title}: ${unknown ? 'not listed yet' : `*${formatNumber(counts[state])}*`}`;
  });
  const blocks: KnownBlock[] = [
    section(`${risky > 0 ? EMOJI.warning : EMOJI.allClear} *${inventoryHeadline(counts)}*`),
    fieldsSection([
      `*At risk* (most urgent first)\n${lines.slice(0, 3).join('\n')}`,
      `*Not at risk*\n${lines.slice(3).join('\n')}`,
    ]),
  ];
  const list = (status: 'expiring' | 'stale', text: string): Button =>
    button({
      text,
      // The expiring list keeps cert_list_open; the stale one takes the second id.
      actionId: (status === 'stale' ? BUTTONS.listOpenOther : BUTTONS.listOpen).actionId,
      value: BUTTONS.listOpen.encode(account ? { status, account } : { status }),
    });
  const buttons = [
    ...(counts.stale > 0 ? [list('stale', 'List stale deployments')] : []),
    ...(counts.expiring > 0 ? [list('expiring', 'List expiring certificates')] : []),
  ];
  if (buttons.length > 0) blocks.push(actions(buttons));
  return blocks;
}

/** CAS's own figures, under a label that says whose they are and what they count. */
function casCounterBlocks(risk: RiskCount, assets: AssetCount | undefined): KnownBlock[] {
  const rows = riskRows(risk);
  const title = `*${CAS_COUNTERS_LABEL}*`;
  if (rows.total === 0)
    return [section(`${title}\n${EMOJI.allClear} CAS counts nothing at risk.\n${scoreLine(assets)}`)];
  const kindLines = rows.byKind.map((row) => `${RISK_KIND_EMOJI[row.key]} ${row.label}: *${formatNumber(row.count)}*`);
  const sourceLines = rows.bySource.map((row) => `${row.label}: ${formatNumber(row.count)}`);
  return [
    section(`${title}\n${formatNumber(rows.total)} in all\n${scoreLine(assets)}`),
    fieldsSection([`*By kind*\n${kindLines.join('\n')}`, `*By source*\n${sourceLines.join('\n')}`]),
  ];
}

/**
 * The /cert-risk answer: the inventory's counts by state, then, apart and labelled as CAS's,
 * the health score, GetRiskCount by kind and source, and the asset totals.
 */
export function renderRiskSummary(input: RiskSummaryInput): SlackMessage {
  const { risk, assets, now } = input;
  const title = input.account ? `Certificate risk · ${truncate(oneLine(input.account), 40)}` : 'Certificate risk';
  const blocks: KnownBlock[] = [
    header(title),
    ...inventoryBlocks(input.inventory, input.account),
    divider(),
    ...casCounterBlocks(risk, assets),
  ];
  if (assets) blocks.push(section(`*Assets*\n${assetLines(assets).join('\n')}`));
  blocks.push(footer(risk, assets, now, input.inventory));
  return buildMessage(riskHeadline(title, input.inventory, assets), blocks);
}
