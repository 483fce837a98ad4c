import type { App } from '@slack/bolt';
import { type Endpoint, parseEndpoint } from '../../../domain/endpoints';
import type { EndpointVerdict } from '../../../domain/probe-verdict';
import { buildMessage, section } from '../../blocks/builders';
import { EMOJI } from '../../blocks/emoji';
import { renderUsage } from '../../blocks/errors';
import { inlineText } from '../../blocks/escape';
import { renderProbeAnswer } from '../../blocks/probe';
import { parseCommandArgs, responseType } from '../../command-args';
import type { SlackDeps } from '../../deps';
import { commandListener } from '../../listener';
import { createUserRateLimit } from '../../user-rate-limit';

/** Probes one person may start per minute. */
export const PROBES_PER_MINUTE = 6;

/**
 * /cert-probe <host[:port]>: what the endpoint serves now, judged against CAS. Only a host name
 * (no URL, IP or mention) is taken, and its address is checked against PROBE_DENY before any
 * connection, so the command cannot be turned on the bot's own network.
 */
export function registerProbeCommand(
  app: App,
  deps: SlackDeps & { probeEndpoint: (endpoint: Endpoint) => Promise<EndpointVerdict> },
): void {
  const limit = createUserRateLimit({ perWindow: PROBES_PER_MINUTE, windowMs: 60_000, now: deps.now });
  app.command(
    '/cert-probe',
    commandListener(deps, { name: '/cert-probe', whatFails: 'Could not probe the endpoint' }, async ({ command }) => {
      const args = parseCommandArgs(command.text);
      if (args.help || args.words.length !== 1)
        return {
          ...renderUsage('/cert-probe', args.help ? undefined : 'Give one host name, with a port if it is not 443.'),
          response_type: 'ephemeral',
        };
      const parsed = parseEndpoint(args.words[0]);
      if ('problem' in parsed) return { ...renderUsage('/cert-probe', parsed.problem), response_type: 'ephemeral' };
      const allowed = limit.take(command.user_id);
      if (!allowed.ok) {
        const text = `You have probed ${PROBES_PER_MINUTE} endpoints in the last minute: try again in ${allowed.retryInSeconds} s.`;
        return {
          ...buildMessage(text, [section(`${EMOJI.warning} ${inlineText(text, 300)}`)]),
          response_type: 'ephemeral',
        };
      }
      const verdict = await deps.probeEndpoint(parsed);
      if (verdict.failure?.reason === 'denied') {
        const text = `Refused: ${verdict.failure.message}`;
        return {
          ...buildMessage(text, [section(`${EMOJI.locked} ${inlineText(text, 500)}`)]),
          response_type: 'ephemeral',
        };
      }
      return { ...renderProbeAnswer(verdict), response_type: responseType(args) };
    }),
  );
}
