import type { RiskRows } from '../domain/risk';
import { formatDelta, formatNumber, plural } from './format';

/**
 * The one-line risk summary every surface says the same way: the text of Slack's /cert-risk
 * message (its notification and screen-reader line) and the first line of `cert-bot risk`.
 * Pure.
 */

/** ' Health score 80 (▼ 2).', or '' when there is no score. */
export function healthScoreSentence(assets: { Point?: number; LastPoint?: number } | undefined): string {
  const point = assets?.Point;
  if (typeof point !== 'number' || !Number.isFinite(point)) return '';
  const last = assets?.LastPoint;
  const change = typeof last === 'number' && Number.isFinite(last) ? ` (${formatDelta(point - last)})` : '';
  return ` Health score ${formatNumber(point)}${change}.`;
}

/**
 * 'Certificate risk: 457 items need attention (73 expired, 122 expiring soon, …). Health score 80 (▼ 2).'
 * or 'Certificate risk: all clear, nothing needs attention. Health score 92.'
 */
export function riskSummaryText(
  rows: Pick<RiskRows, 'byKind' | 'total'>,
  assets: { Point?: number; LastPoint?: number } | undefined,
): string {
  if (rows.total === 0) return `Certificate risk: all clear, nothing needs attention.${healthScoreSentence(assets)}`;
  const summary = rows.byKind.map((row) => `${formatNumber(row.count)} ${row.label.toLowerCase()}`).join(', ');
  return `Certificate risk: ${plural(rows.total, 'item needs', 'items need')} attention (${summary}).${healthScoreSentence(assets)}`;
}
