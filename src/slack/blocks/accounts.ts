import type { SectionBlock } from '@slack/types';
import type { AccountRisk } from '../../domain/risk';
import { type AccountFailure, describeAccountFailure } from '../../inventory/account-failure';
import { describeAccountRisk, totalRisk } from '../../render/accounts';
import { plural } from '../../render/format';
import { cutLines, section } from './builders';
import { EMOJI } from './emoji';
import { boldText, inlineText } from './escape';

/** Budget of one section's text (Slack allows 3,000). */
const SECTION_CHARS = 2_800;

/**
 * One line per account and the totals (the lowest health score), as /cert-risk and the digest
 * show them; `covered` accounts were asked, so totals of fewer say they leave some out.
 */
export function accountsSection(accounts: readonly AccountRisk[], covered = accounts.length): SectionBlock {
  const lines = accounts.map((a) => `• ${boldText(a.account, 40)} · ${describeAccountRisk(a)}`);
  const scope =
    covered > accounts.length
      ? `${accounts.length} of ${covered} accounts`
      : `All ${plural(accounts.length, 'account')}`;
  const total = `*${scope}* · ${describeAccountRisk(totalRisk(accounts))}`;
  // cutLines ends a cut list with its own "…and N more" line.
  const cut = cutLines(lines, { maxChars: SECTION_CHARS - total.length - 40, maxLines: 40 });
  return section(['*By account*', ...cut.lines, total].join('\n'));
}

/** One line per account that could not be read: what failed, what to do, the RequestId. */
export function failuresSection(failures: readonly AccountFailure[]): SectionBlock {
  const lines = failures.map((f) => `${EMOJI.warning} Could not read ${inlineText(describeAccountFailure(f), 400)}`);
  return section(cutLines(lines, { maxChars: SECTION_CHARS, maxLines: 20 }).lines.join('\n'));
}
