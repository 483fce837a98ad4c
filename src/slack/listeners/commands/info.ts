import type { App, BlockAction, ButtonAction } from '@slack/bolt';
import { type InfoDeps, lookupCertificates } from '../../../inventory/certificate-info';
import { renderUsage } from '../../blocks/errors';
import { renderInfoUnknown } from '../../blocks/info';
import { BUTTONS } from '../../button-codecs';
import { parseCommandArgs, responseType } from '../../command-args';
import { type SlackDeps, selectedAccounts } from '../../deps';
import { certificateInfoAnswer, certificateInfoMessage } from '../../info-answer';
import { buttonListener, commandListener } from '../../listener';
import { withDeployButton } from '../../deploy/blocks';

/** Longest query looked up: a domain name is at most 253 characters. */
const MAX_QUERY = 253;

/**
 * /cert-info <certificate ID | domain>: everything the bot knows about one certificate. A
 * domain lists the certificates that cover it (wildcards included), each with an Info button.
 */
export function registerInfoCommand(app: App, deps: SlackDeps & { infoDeps: () => Promise<InfoDeps> }): void {
  app.command(
    '/cert-info',
    commandListener(
      deps,
      { name: '/cert-info', whatFails: 'Could not look up the certificate' },
      async ({ command }) => {
        const args = parseCommandArgs(command.text);
        if (args.help || args.words.length !== 1 || args.words[0].length > MAX_QUERY)
          return {
            ...renderUsage('/cert-info', args.help ? undefined : 'Give one certificate ID or one domain.'),
            response_type: 'ephemeral',
          };
        const selected = selectedAccounts(deps, args.account);
        if ('answer' in selected) return selected.answer;
        const { message, found } = await certificateInfoAnswer(
          await deps.infoDeps(),
          args.words[0],
          deps.now(),
          selected.named ? selected.accounts[0].name : undefined,
        );
        const answer = { ...message, response_type: found ? responseType(args) : 'ephemeral' } as const;
        if (!deps.deploy || !found) return answer;
        // A stale deployment gets the Deploy renewal… button (the request opens from there).
        const lookup = await lookupCertificates(await deps.infoDeps(), args.words[0], deps.now());
        const matches = lookup.matches.filter((c) => !selected.named || c.account === selected.accounts[0].name);
        const [only] = matches;
        return matches.length === 1 && only.deployment?.state === 'stale' ? withDeployButton(answer, only) : answer;
      },
    ),
  );

  app.action<BlockAction<ButtonAction>>(
    BUTTONS.certInfo.actionId,
    buttonListener(
      deps,
      // From a message the answer is ephemeral; from App Home (no response_url) it opens in a modal.
      { codec: BUTTONS.certInfo, whatFails: 'Could not look up the certificate', modalTitle: 'Certificate' },
      async (value) => {
        const info = await deps.infoDeps();
        const lookup = await lookupCertificates(info, value.id, deps.now());
        const found = lookup.matches.find((c) => c.account === value.account);
        const message = found
          ? await certificateInfoMessage(info, found, deps.now())
          : renderInfoUnknown(lookup, deps.now());
        return { ...message, response_type: 'ephemeral', replace_original: false };
      },
    ),
  );
}
