import { formatNumber } from '../../render/format';
import { auditDetails } from '../../store/audit-log';
import type { AuditEntry } from '../../store/types';
import { buildMessage, context, lineSections, section } from './builders';
import { boldText, codeSpan, inlineText, userMention } from './escape';
import type { SlackMessage } from './types';
import { slackDateTime } from './dates';

/** How many entries `/cert-assign audit` shows; `cert-bot audit` shows more. */
export const SLACK_AUDIT_ENTRIES = 20;

/** One entry as one mrkdwn line; every stored value is escaped. */
function entryLine(entry: AuditEntry): string {
  const parts = [
    `*${slackDateTime(entry.at)}*`,
    userMention(entry.userId),
    `${inlineText(entry.action, 40) || '?'} ${boldText(entry.outcome, 20) || '?'}`,
  ];
  const details = auditDetails(entry.details)
    .map((fact) => `${fact.label} ${codeSpan(fact.value, 80)}`)
    .join(', ');
  if (details) parts.push(details);
  const requestId = codeSpan(entry.requestId, 80);
  if (requestId) parts.push(`RequestId ${requestId}`);
  return parts.join(' · ');
}

/**
 * `/cert-assign audit`: the latest entries of the audit log, newest first, one line each
 * (when, who, action and outcome, details, RequestId), within Block Kit's limits.
 */
export function renderAuditLog(entries: readonly AuditEntry[], options: { limit: number }): SlackMessage {
  const more = 'More with `cert-bot audit` on the command line (--since, --user, --limit, --json).';
  if (entries.length === 0)
    return buildMessage('No audit entries yet.', [
      section('*Audit log*\nNo audit entries yet: nobody has run `/cert-assign` or pressed an alert button.'),
      context([more]),
    ]);
  const { blocks, omitted } = lineSections(entries.map(entryLine), {
    maxChars: 2_900,
    maxLines: options.limit,
    maxSections: 3,
  });
  const shown = entries.length - omitted;
  const which =
    entries.length >= options.limit || omitted > 0
      ? `the latest ${formatNumber(shown)} entries`
      : `all ${formatNumber(shown)} ${shown === 1 ? 'entry' : 'entries'}`;
  return buildMessage(`Audit log: ${which}, newest first.`, [
    section(`*Audit log* · ${which}, newest first`),
    ...blocks,
    context([more]),
  ]);
}
