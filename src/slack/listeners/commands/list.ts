import type { App } from '@slack/bolt';
import { isCertificateView, MAX_KEYWORD } from '../../../domain/views';
import { renderDriftList } from '../../blocks/drift';
import { renderUsage } from '../../blocks/errors';
import { certificatePage, renderCertificatePage } from '../../certificate-page';
import { parseCommandArgs, responseType } from '../../command-args';
import { certificatesFor, type SlackDeps, selectedAccounts } from '../../deps';
import { commandListener } from '../../listener';

export function registerListCommand(app: App, deps: SlackDeps): void {
  app.command(
    '/cert-list',
    commandListener(deps, { name: '/cert-list', whatFails: 'Could not list certificates' }, async ({ command }) => {
      const args = parseCommandArgs(command.text);
      if (args.help) return { ...renderUsage('/cert-list'), response_type: 'ephemeral' };
      const selected = selectedAccounts(deps, args.account);
      if ('answer' in selected) return selected.answer;
      // The first word is the view when it names one; otherwise everything is the keyword.
      const first = args.words[0]?.toLowerCase() ?? 'all';
      if (first === 'drift' && deps.probeResults) {
        if (args.words.length > 2)
          return {
            ...renderUsage('/cert-list', 'Give at most one keyword (part of a host name, no spaces).'),
            response_type: 'ephemeral',
          };
        const { verdicts, probing } = await deps.probeResults();
        return { ...renderDriftList(verdicts, { keyword: args.words[1], probing }), response_type: responseType(args) };
      }
      const view = isCertificateView(first) ? first : 'all';
      const rest = isCertificateView(first) ? args.words.slice(1) : args.words;
      if (rest.length > 1)
        return {
          ...renderUsage('/cert-list', 'Give at most one keyword (a domain or resource ID, no spaces).'),
          response_type: 'ephemeral',
        };
      const keyword = rest[0];
      if (keyword !== undefined && keyword.length > MAX_KEYWORD)
        return {
          ...renderUsage('/cert-list', `The keyword is too long: at most ${MAX_KEYWORD} characters.`),
          response_type: 'ephemeral',
        };
      const account = selected.named ? selected.accounts[0].name : undefined;
      const page = await certificatePage(
        await certificatesFor(deps, selected),
        { view, keyword, account, page: 0 },
        deps.now(),
        { inventory: deps.inventory, accounts: selected.accounts.map((a) => a.name) },
      );
      return { ...renderCertificatePage(page, deps.now()), response_type: responseType(args) };
    }),
  );
}
