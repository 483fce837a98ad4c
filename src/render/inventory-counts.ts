import {
  atRiskCount,
  atRiskPhrase,
  CERTIFICATE_STATES,
  type StateCounts,
  STATE_LABELS,
} from '../domain/certificate-state';
import { type CertificateCounts, sumCounts } from '../domain/certificate-counts';
import type { InventoryStatus } from '../inventory/inventory-reader';
import { formatNumber, plural } from './format';
import { healthScoreSentence } from './risk-summary';

/**
 * The bot's own counts, as every surface words them (/cert-risk, the digest, the CLI): one
 * state per certificate from the stored inventory. CAS's GetRiskCount counters are another
 * thing (they count cloud resources and domains too) and are only ever shown under
 * CAS_COUNTERS_LABEL, never in a sentence with these. Pure.
 */

/** The label CAS's own GetRiskCount/GetAssetCount figures are shown under, wherever they are. */
export const CAS_COUNTERS_LABEL = 'CAS risk counters (certificates, resources and domains)';

/** What a surface says before the first inventory sync, instead of counts from another source. */
export const NO_INVENTORY_YET =
  'No inventory yet: the first inventory sync has not finished, so the bot has no certificate counts of its own.';

/** The inventory's counts at one moment: the same numbers on every surface. */
export interface InventoryCounts {
  counts: StateCounts;
  syncedAt: Date;
  /** Whether deployments were listed (else stale and not deployed cannot be told). */
  deploymentsKnown: boolean;
}

/**
 * The inventory's counts (a reader's status and per-account counts), of some accounts only when
 * named; undefined before the first sync.
 */
export function inventoryCounts(
  status: Pick<InventoryStatus, 'syncedAt' | 'deployments'> | undefined,
  counts: readonly CertificateCounts[],
  accounts?: readonly string[],
): InventoryCounts | undefined {
  if (!status) return undefined;
  const sum = sumCounts(accounts ? counts.filter((c) => accounts.includes(c.account)) : counts);
  return {
    counts: sum.states,
    syncedAt: status.syncedAt,
    // Listed when the status says so, or when some certificate has a known deployment.
    deploymentsKnown: status.deployments.lastSuccess !== undefined || sum.deployments.unknown < sum.states.total,
  };
}

/**
 * "89 of 480 certificates at risk: 29 stale deployments, 39 expired, 21 expiring", "All clear:
 * none of the 480 certificates is at risk", "No certificates in the inventory".
 */
export function inventoryHeadline(counts: StateCounts): string {
  if (counts.total === 0) return 'No certificates in the inventory';
  const risky = atRiskCount(counts);
  if (risky === 0)
    return counts.total === 1
      ? 'All clear: the one certificate is not at risk'
      : `All clear: none of the ${formatNumber(counts.total)} certificates is at risk`;
  return `${formatNumber(risky)} of ${plural(counts.total, 'certificate')} at risk: ${atRiskPhrase(counts, formatNumber)}`;
}

/** Every state with its count, in precedence order: "0 stale deployments · 3 expired · … · 120 valid". */
export function stateCountsLine(counts: StateCounts): string {
  return CERTIFICATE_STATES.map((state) => {
    const label = STATE_LABELS[state];
    return `${formatNumber(counts[state])} ${counts[state] === 1 ? label.one : label.many}`;
  }).join(' · ');
}

/**
 * The one-line risk summary, the same in Slack's /cert-risk notification and the first line of
 * `cert-bot risk`: the inventory's counts (or that there is none yet), then the health score.
 * CAS's counters are not in it: they are shown apart, under CAS_COUNTERS_LABEL.
 */
export function riskHeadline(
  title: string,
  inventory: InventoryCounts | undefined,
  assets: { Point?: number; LastPoint?: number } | undefined,
): string {
  const counts = inventory ? `${inventoryHeadline(inventory.counts)}.` : NO_INVENTORY_YET;
  return `${title}: ${counts}${healthScoreSentence(assets)}`;
}
