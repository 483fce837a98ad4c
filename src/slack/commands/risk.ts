import type { App } from '@slack/bolt';
import { renderUsage } from '../blocks/errors';
import { renderRiskSummary } from '../blocks/risk';
import type { SlackMessage } from '../blocks/types';
import { parseCommandArgs, responseType } from '../command-args';
import type { SlackDeps } from '../deps';
import { commandHandler } from './run-command';

/** Builds this period's digest as it would be posted, for `/cert-risk digest`. */
export type DigestPreview = () => Promise<SlackMessage>;

export function registerRiskCommand(app: App, deps: SlackDeps, digestPreview?: DigestPreview): void {
  app.command(
    '/cert-risk',
    commandHandler(deps, '/cert-risk', 'Could not load the certificate risk summary', async ({ command }) => {
      const args = parseCommandArgs(command.text);
      const [first, ...rest] = args.words.map((w) => w.toLowerCase());
      if (args.help) return { ...renderUsage('/cert-risk'), response_type: 'ephemeral' };
      if (first === 'digest' && rest.length === 0 && digestPreview)
        return { ...(await digestPreview()), response_type: responseType(args) };
      if (first !== undefined)
        return {
          ...renderUsage('/cert-risk', `"${args.words[0].slice(0, 100)}" is not an option of /cert-risk.`),
          response_type: 'ephemeral',
        };
      const [risk, assets] = await Promise.all([deps.cas.getRiskCount(), deps.cas.getAssetCount()]);
      return { ...renderRiskSummary({ risk, assets, now: deps.now() }), response_type: responseType(args) };
    }),
  );
}
