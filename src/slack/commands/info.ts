import type { App, BlockAction, ButtonAction } from '@slack/bolt';
import { certificateInfo, type InfoDeps, lookupCertificates } from '../../inventory/certificate-info';
import { renderUsage } from '../blocks/errors';
import { renderCertificateInfo, renderInfoMatches, renderInfoUnknown } from '../blocks/info';
import { BUTTONS } from '../button-codecs';
import { parseCommandArgs, responseType } from '../command-args';
import type { SlackDeps } from '../deps';
import { type Answer, buttonListener, commandListener } from '../listener';

/** Longest query looked up: a domain name is at most 253 characters. */
const MAX_QUERY = 253;

/**
 * /cert-info <certificate ID | domain>: everything the bot knows about one certificate. A
 * domain lists the certificates that cover it (wildcards included), each with an Info button.
 */
export function registerInfoCommand(app: App, deps: SlackDeps & { infoDeps: () => Promise<InfoDeps> }): void {
  const show = async (info: InfoDeps, certificate: Parameters<typeof certificateInfo>[1]): Promise<Answer> => {
    const now = deps.now();
    const snapshot = await info.snapshot(now);
    return renderCertificateInfo(await certificateInfo(info, certificate, now), {
      now,
      syncedAt: snapshot?.syncedAt,
      resourcesAsOf: snapshot?.deployments.lastSuccess,
      resourcesError: snapshot?.deployments.error
        ? `${snapshot.deployments.error.message}${snapshot.deployments.error.ramAction ? ` (grant ${snapshot.deployments.error.ramAction})` : ''}`
        : undefined,
    });
  };

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
        const info = await deps.infoDeps();
        const lookup = await lookupCertificates(info, args.words[0], deps.now());
        if (lookup.matches.length === 0)
          return { ...renderInfoUnknown(lookup, deps.now()), response_type: 'ephemeral' };
        if (lookup.matches.length === 1)
          return { ...(await show(info, lookup.matches[0])), response_type: responseType(args) };
        return { ...renderInfoMatches(lookup, deps.now()), response_type: responseType(args) };
      },
    ),
  );

  app.action<BlockAction<ButtonAction>>(
    BUTTONS.certInfo.actionId,
    buttonListener(deps, { codec: BUTTONS.certInfo, whatFails: 'Could not look up the certificate' }, async (value) => {
      const info = await deps.infoDeps();
      const lookup = await lookupCertificates(info, value.id, deps.now());
      const found = lookup.matches.find((c) => c.account === value.account);
      if (!found)
        return { ...renderInfoUnknown(lookup, deps.now()), response_type: 'ephemeral', replace_original: false };
      return { ...(await show(info, found)), response_type: 'ephemeral', replace_original: false };
    }),
  );
}
