import type { App } from '@slack/bolt';
import { renderUsage } from '../blocks/errors';
import { parseSerials } from '../blocks/serials';
import { renderStatusResults } from '../blocks/status';
import { parseCommandArgs, responseType } from '../command-args';
import type { SlackDeps } from '../deps';
import { commandHandler } from './run-command';

export const MAX_SERIALS = 50;

export function registerStatusCommand(app: App, deps: SlackDeps): void {
  app.command(
    '/cert-status',
    commandHandler(deps, '/cert-status', 'Could not look up certificate status', async ({ command }) => {
      const args = parseCommandArgs(command.text);
      if (args.help || args.words.length === 0)
        return {
          ...renderUsage('/cert-status', args.help ? undefined : 'Give at least one serial number.'),
          response_type: 'ephemeral',
        };
      const { serials, invalid } = parseSerials(args.words.join(' '), { max: MAX_SERIALS });
      if (serials.length === 0)
        return {
          ...renderStatusResults({ results: [], invalid, now: deps.now() }),
          response_type: 'ephemeral',
        };
      // Each lookup is its own load(); the client batches them into one upstream call.
      const results = await Promise.all(serials.map((serial) => deps.cas.getCertificateStatus(serial)));
      return { ...renderStatusResults({ results, invalid, now: deps.now() }), response_type: responseType(args) };
    }),
  );
}
