import type { KnownBlock } from '@slack/types';
import type { AccountRisk } from '../../domain/risk';
import type { AccountFailure } from '../../inventory/account-failure';
import { describeAccountRisk, totalRisk } from '../../render/accounts';
import { plural } from '../../render/format';
import { accountsSection, failuresSection } from './accounts';
import { actions, buildMessage, button, context, header } from './builders';
import { BUTTONS } from '../button-codecs';
import type { SlackMessage } from './types';
import { slackDateTime } from './dates';

/** /cert-risk with several accounts: one line each, the totals, the accounts that failed. */
export function renderAccountsRisk(input: {
  accounts: readonly AccountRisk[];
  failures: readonly AccountFailure[];
  now: Date;
}): SlackMessage {
  const blocks: KnownBlock[] = [
    header('Certificate risk'),
    accountsSection(input.accounts, input.accounts.length + input.failures.length),
  ];
  if (input.failures.length > 0) blocks.push(failuresSection(input.failures));
  const total = totalRisk(input.accounts);
  if (total.expiring > 0)
    blocks.push(
      actions([
        button({
          text: 'List expiring certificates',
          actionId: BUTTONS.listOpen.actionId,
          value: BUTTONS.listOpen.encode({ status: 'expiring' }),
        }),
      ]),
    );
  blocks.push(
    context([`Checked ${slackDateTime(input.now)} · \`/cert-risk account:NAME\` shows one account's full breakdown`]),
  );
  const failed = input.failures.length > 0 ? ` Could not read ${input.failures.map((f) => f.account).join(', ')}.` : '';
  return buildMessage(
    `Certificate risk across ${plural(input.accounts.length, 'account')}: ${describeAccountRisk(total)}.${failed}`,
    blocks,
  );
}
