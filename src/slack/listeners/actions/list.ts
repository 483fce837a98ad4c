import type { App, BlockAction, ButtonAction } from '@slack/bolt';
import { BUTTONS } from '../../button-codecs';
import { certificatePage, renderCertificatePage } from '../../certificate-page';
import type { SlackDeps } from '../../deps';
import { buttonListener } from '../../listener';

/**
 * Previous/Next replace the message they sit on; "List expiring certificates" (on the risk
 * summary and the digest) answers with a new message so the summary stays visible.
 */
export function registerListActions(app: App, deps: SlackDeps): void {
  // A button of a list narrowed to an account that is no longer configured lists every account.
  const known = (account: string | undefined) => account !== undefined && deps.accounts.some((a) => a.name === account);
  const sourceFor = async (account: string | undefined) =>
    known(account) ? deps.certificatesOf([account as string]) : deps.certificates;
  const storedFor = (account: string | undefined) => ({
    inventory: deps.inventory,
    accounts: known(account) ? [account as string] : deps.accounts.map((a) => a.name),
  });
  const pager = (codec: typeof BUTTONS.listNext, replaceOriginal: boolean) =>
    buttonListener(deps, { codec, whatFails: 'Could not list certificates' }, async (target) => {
      const page = await certificatePage(
        await sourceFor(target.account),
        { view: target.status, keyword: target.keyword, account: target.account, page: target.page },
        deps.now(),
        storedFor(target.account),
      );
      return {
        ...renderCertificatePage(page, deps.now()),
        replace_original: replaceOriginal,
        response_type: 'ephemeral',
      };
    });
  app.action<BlockAction<ButtonAction>>(BUTTONS.listPrev.actionId, pager(BUTTONS.listPrev, true));
  app.action<BlockAction<ButtonAction>>(BUTTONS.listNext.actionId, pager(BUTTONS.listNext, true));
  // A message with two lists to open has two buttons, and Slack wants their action_ids apart.
  for (const codec of [BUTTONS.listOpen, BUTTONS.listOpenOther])
    app.action<BlockAction<ButtonAction>>(
      codec.actionId,
      buttonListener(deps, { codec, whatFails: 'Could not list certificates' }, async (target) => {
        const page = await certificatePage(
          await sourceFor(target.account),
          { view: target.status, account: target.account, page: 0 },
          deps.now(),
          storedFor(target.account),
        );
        return { ...renderCertificatePage(page, deps.now()), replace_original: false, response_type: 'ephemeral' };
      }),
    );
}
