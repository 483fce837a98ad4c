import type { SectionBlock } from '@slack/types';
import { type AccountFailure, describeAccountFailure } from '../../accounts/account-failure';
import { type AccountRow, describeCasCounters, totalRisk } from '../../render/accounts';

export type { AccountRow };
import { CAS_COUNTERS_LABEL, type InventoryCounts, inventoryHeadline } from '../../render/inventory-counts';
import { plural } from '../../render/format';
import { cutLines, section } from './builders';
import { EMOJI } from './emoji';
import { boldText, inlineText } from './escape';

/** Budget of one section's text (Slack allows 3,000). */
const SECTION_CHARS = 2_800;

/**
 * Two sections of one line per account and the totals, as /cert-risk and the digest show them:
 * first the bot's own counts from the inventory, then CAS's counters under their label (never
 * the two in one line). `covered` accounts were asked, so totals of fewer say they leave some out.
 */
export function accountsSections(
  accounts: readonly AccountRow[],
  covered = accounts.length,
  inventory?: InventoryCounts,
): SectionBlock[] {
  const scope =
    covered > accounts.length
      ? `${accounts.length} of ${covered} accounts`
      : `All ${plural(accounts.length, 'account')}`;
  const counted = (a: AccountRow) =>
    a.inventory ? inventoryHeadline(a.inventory.counts) : 'no inventory yet (never synced)';
  const ours = [
    '*By account*',
    ...accounts.map((a) => `• ${boldText(a.account, 40)} · ${counted(a)}`),
    ...(inventory ? [`*${scope}* · ${inventoryHeadline(inventory.counts)}`] : []),
  ];
  const theirs = [
    `*${CAS_COUNTERS_LABEL}, by account*`,
    ...accounts.map((a) => `• ${boldText(a.account, 40)} · ${describeCasCounters(a)}`),
    `*${scope}* · ${describeCasCounters(totalRisk(accounts))}`,
  ];
  // cutLines ends a cut list with its own "…and N more" line.
  const cut = (lines: string[]) => cutLines(lines, { maxChars: SECTION_CHARS - 40, maxLines: 42 }).lines.join('\n');
  return [section(cut(ours)), section(cut(theirs))];
}

/** One line per account that could not be read: what failed, what to do, the RequestId. */
export function failuresSection(failures: readonly AccountFailure[]): SectionBlock {
  const lines = failures.map(
    (f) => `${EMOJI.warning} ${f.slow ? '' : 'Could not read '}${inlineText(describeAccountFailure(f), 400)}`,
  );
  return section(cutLines(lines, { maxChars: SECTION_CHARS, maxLines: 20 }).lines.join('\n'));
}
