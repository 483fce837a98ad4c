import type { KnownBlock } from '@slack/types';
import { isCasError } from '../../cas/errors';
import { isStoreUnavailable } from '../../store/postgres-errors';
import { EMOJI } from './emoji';
import { buildMessage, context, section } from './builders';
import { codeSpan, inlineText } from './escape';
import type { SlackMessage } from './types';

/**
 * A failed command, for a person: what failed and what to do. For a CasError that is its hint
 * plus the code and RequestId; any other error gets a generic message, never its message or
 * stack, which may hold secrets (they belong in the logs).
 */
export function renderCasError(error: unknown, whatFailed: string): SlackMessage {
  const what = inlineText(whatFailed, 200) || 'The command failed';
  if (isStoreUnavailable(error))
    return buildMessage(`${what}: the bot's database is unavailable right now.`, [
      section(
        `${EMOJI.warning} *${what}*\nThe bot's database (PostgreSQL) is unavailable right now, so lists, App Home and alerts cannot be read. Try again in a minute; \`/cert-status\` asks CAS directly and still works. The bot's owners see it in its readiness check (/readyz) and logs.`,
      ),
    ]);
  if (!isCasError(error)) {
    return buildMessage(`${what}: something went wrong.`, [
      section(
        `${EMOJI.warning} *${what}*\nSomething went wrong inside the bot. The details are in its logs; try again, and tell the bot's owners if it keeps happening.`,
      ),
    ]);
  }

  const hint = inlineText(error.hint, 500);
  const lines = [`${EMOJI.warning} *${what}*`];
  if (hint) lines.push(hint);
  const ramAction = codeSpan(error.ramAction, 120);
  if (ramAction && !hint.includes(inlineText(error.ramAction, 120))) lines.push(`Missing permission: ${ramAction}`);

  const facts: string[] = [];
  const code = codeSpan(error.code, 120);
  if (code) facts.push(`Error ${code}`);
  const requestId = codeSpan(error.requestId, 80);
  if (requestId) facts.push(`RequestId ${requestId}`);
  const blocks: KnownBlock[] = [section(lines.join('\n'))];
  if (facts.length > 0) blocks.push(context([facts.join(' · ')]));

  const codeText = inlineText(error.code, 120);
  return buildMessage(`${what}${codeText ? ` (${codeText})` : ''}.${hint ? ` ${hint}` : ''}`, blocks);
}

export type SlashCommandName =
  '/cert-risk' | '/cert-status' | '/cert-list' | '/cert-assign' | '/cert-info' | '/cert-probe';

const USAGE: Record<SlashCommandName, { syntax: string; about: string; example: string }> = {
  '/cert-risk': {
    syntax: '/cert-risk [public] [digest]',
    about:
      'Shows the certificate health score and risk counts. `digest` shows the weekly digest instead; `public` posts the answer to the channel instead of only to you.',
    example: '/cert-risk public',
  },
  '/cert-status': {
    syntax: '/cert-status <serial> [serial ...] [public]',
    about:
      'Checks whether certificates are revoked, by serial number: hexadecimal, colons allowed, up to 50 separated by spaces or commas.',
    example: '/cert-status 0A:1B:2C:3D 4E5F60',
  },
  '/cert-list': {
    syntax: '/cert-list [expiring|expired|issued|uploaded|stale|drift|all] [keyword] [public]',
    about:
      'Lists certificates, soonest end date first, 10 a page. `stale`: renewed certificates whose old one is still deployed; `drift`: endpoints that do not serve the current certificate. The keyword matches a domain or resource ID.',
    example: '/cert-list expiring example.com',
  },
  '/cert-info': {
    syntax: '/cert-info <certificate-id | domain> [public]',
    about:
      'Everything the bot knows about one certificate: names, dates, state, where it is deployed, its renewal and its alerts. A domain lists the certificates that cover it.',
    example: '/cert-info www.example.com',
  },
  '/cert-probe': {
    syntax: '/cert-probe <host[:port]> [public]',
    about:
      'Checks what an endpoint serves now (a TLS handshake, no HTTP request): the certificate and chain, their dates and fingerprints, and the CAS certificate it is. A host name only; the port is 443 unless given.',
    example: '/cert-probe www.example.com',
  },
  '/cert-assign': {
    syntax: '/cert-assign <data-source-id> <count>',
    about:
      'Assigns certificates to a data source. Bot admins only; you confirm before anything changes. `/cert-assign audit` shows the latest entries of the audit log.',
    example: '/cert-assign 33285 5',
  },
};

/** How to use `command`, after the problem with what was typed, if any. */
export function renderUsage(command: SlashCommandName, problem?: string): SlackMessage {
  const usage = USAGE[command];
  const trouble = inlineText(problem, 500);
  const lines: string[] = [];
  if (trouble) lines.push(`${EMOJI.warning} ${trouble}`);
  if (usage) {
    lines.push(`*Usage:* \`${usage.syntax}\``, usage.about);
  } else {
    lines.push(
      `*Commands:* ${Object.values(USAGE)
        .map((entry) => `\`${entry.syntax}\``)
        .join(', ')}`,
    );
  }
  const blocks: KnownBlock[] = [section(lines.join('\n'))];
  if (usage) blocks.push(context([`Example: \`${usage.example}\``]));
  const text = usage ? `Usage: ${usage.syntax}` : 'Unknown command.';
  return buildMessage(trouble ? `${trouble} ${text}` : text, blocks);
}
