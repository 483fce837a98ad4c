import type { App } from '@slack/bolt';
import { lookUpStatus } from '../../../accounts/status-lookup';
import { MAX_SERIALS_PER_REQUEST, parseSerials } from '../../../domain/serials';
import { renderUsage } from '../../blocks/errors';
import { renderStatusResults } from '../../blocks/status';
import { parseCommandArgs, responseType } from '../../command-args';
import { type SlackDeps, selectedAccounts } from '../../deps';
import { commandListener } from '../../listener';

export function registerStatusCommand(app: App, deps: SlackDeps): void {
  app.command(
    '/cert-status',
    commandListener(
      deps,
      { name: '/cert-status', whatFails: 'Could not look up certificate status' },
      async ({ command }) => {
        const args = parseCommandArgs(command.text);
        if (args.help || args.words.length === 0)
          return {
            ...renderUsage('/cert-status', args.help ? undefined : 'Give at least one serial number.'),
            response_type: 'ephemeral',
          };
        const selected = selectedAccounts(deps, args.account);
        if ('answer' in selected) return selected.answer;
        const { serials, invalid } = parseSerials(args.words.join(' '), { max: MAX_SERIALS_PER_REQUEST });
        if (serials.length === 0)
          return { ...renderStatusResults({ results: [], invalid, now: deps.now() }), response_type: 'ephemeral' };
        const { results, failures } = await lookUpStatus(selected.accounts, serials, deps.accountAnswerTimeoutMs);
        return {
          ...renderStatusResults({ results, invalid, failures, now: deps.now() }),
          response_type: responseType(args),
        };
      },
    ),
  );
}
