import type { App } from '@slack/bolt';
import { renderUsage } from '../blocks/errors';
import { renderRiskSummary } from '../blocks/risk';
import { parseCommandArgs, responseType } from '../command-args';
import type { SlackDeps } from '../deps';
import { commandListener } from '../listener';

export function registerRiskCommand(app: App, deps: SlackDeps): void {
  app.command(
    '/cert-risk',
    commandListener(
      deps,
      { name: '/cert-risk', whatFails: 'Could not load the certificate risk summary' },
      async ({ command }) => {
        const args = parseCommandArgs(command.text);
        const [first, ...rest] = args.words.map((w) => w.toLowerCase());
        if (args.help) return { ...renderUsage('/cert-risk'), response_type: 'ephemeral' };
        if (first === 'digest' && rest.length === 0 && deps.digestPreview)
          return { ...(await deps.digestPreview()), response_type: responseType(args) };
        if (first !== undefined)
          return {
            ...renderUsage('/cert-risk', `"${args.words[0].slice(0, 100)}" is not an option of /cert-risk.`),
            response_type: 'ephemeral',
          };
        const [risk, assets] = await Promise.all([deps.cas.getRiskCount(), deps.cas.getAssetCount()]);
        return { ...renderRiskSummary({ risk, assets, now: deps.now() }), response_type: responseType(args) };
      },
    ),
  );
}
