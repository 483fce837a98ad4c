import type { KnownBlock } from '@slack/types';
import type { AccountFailure } from '../../accounts/account-failure';
import { plural } from '../../render/format';
import { type InventoryCounts, inventoryHeadline, NO_INVENTORY_YET } from '../../render/inventory-counts';
import { type AccountRow, accountsSections, failuresSection } from './accounts';
import { buildMessage, context, divider, header } from './builders';
import { inventoryBlocks } from './risk';
import type { SlackMessage } from './types';
import { slackDateTime } from './dates';

/**
 * /cert-risk with several accounts: the inventory's counts of all of them (with the list
 * buttons), one line per account, then CAS's counters per account under their label, and the
 * accounts that failed.
 */
export function renderAccountsRisk(input: {
  accounts: readonly AccountRow[];
  failures: readonly AccountFailure[];
  now: Date;
  /** The inventory of every account asked about; undefined before the first sync. */
  inventory?: InventoryCounts;
}): SlackMessage {
  const blocks: KnownBlock[] = [
    header('Certificate risk'),
    ...inventoryBlocks(input.inventory),
    divider(),
    ...accountsSections(input.accounts, input.accounts.length + input.failures.length, input.inventory),
  ];
  if (input.failures.length > 0) blocks.push(failuresSection(input.failures));
  blocks.push(
    context([`Checked ${slackDateTime(input.now)} · \`/cert-risk account:NAME\` shows one account's full breakdown`]),
  );
  const failed = input.failures.length > 0 ? ` Could not read ${input.failures.map((f) => f.account).join(', ')}.` : '';
  const counts = input.inventory ? `${inventoryHeadline(input.inventory.counts)}.` : NO_INVENTORY_YET;
  return buildMessage(
    `Certificate risk across ${plural(input.accounts.length, 'account')}: ${counts}${failed}`,
    blocks,
  );
}
