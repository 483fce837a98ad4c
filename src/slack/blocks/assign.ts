import type { KnownBlock } from '@slack/types';
import type { AssignCertificateCountResult } from '../../cas/types';
import { EMOJI, formatNumber, plural } from './format';
import { actions, buildMessage, button, codeSpan, context, fieldsSection, header, inlineText, section } from './limits';
import { ACTION_IDS, type AssignValue, type SlackMessage } from './types';

export interface AssignInput {
  /** The data source the certificates are assigned to (AssignCertificateCount Id). */
  dataSourceId: number;
  /** How many certificates to assign (CertTotalCount). */
  count: number;
  /** Slack user id of the admin who ran /cert-assign. */
  adminId: string;
}

/** `<@U123>` for a well-formed Slack user id, else the id as plain text. */
function mention(userId: string | undefined): string {
  if (typeof userId !== 'string' || userId === '') return 'someone';
  return /^[UW][A-Z0-9]{1,30}$/.test(userId) ? `<@${userId}>` : inlineText(userId, 40);
}

function idText(id: number): string {
  return typeof id === 'number' && Number.isFinite(id) ? String(id) : '?';
}

function certificates(count: number): string {
  return plural(count, 'certificate');
}

/** The value both buttons carry; the admin id is capped so the value always fits. */
export function assignValue(input: AssignInput): string {
  const value: AssignValue = {
    id: input.dataSourceId,
    count: input.count,
    admin: String(input.adminId ?? '').slice(0, 255),
  };
  return JSON.stringify(value);
}

/** Asks the admin to confirm before AssignCertificateCount changes anything. */
export function renderAssignConfirmation(input: AssignInput): SlackMessage {
  const id = idText(input.dataSourceId);
  const what = `${certificates(input.count)} to data source ${id}`;
  const value = assignValue(input);
  const blocks: KnownBlock[] = [
    header('Assign certificates?'),
    section(
      `${EMOJI.warning} *Assign ${what}?*\nThis changes your certificate quota in Certificate Management Service and cannot be undone from Slack.`,
    ),
    actions([
      button({ text: 'Confirm', actionId: ACTION_IDS.assignConfirm, value, style: 'primary' }),
      button({ text: 'Cancel', actionId: ACTION_IDS.assignCancel, value }),
    ]),
    context([`Requested by ${mention(input.adminId)} · only they can confirm`]),
  ];
  return buildMessage(`Confirm: assign ${what}? This changes your certificate quota.`, blocks);
}

/** After AssignCertificateCount succeeded. */
export function renderAssignDone(input: AssignInput & { result: AssignCertificateCountResult }): SlackMessage {
  const id = idText(input.dataSourceId);
  const result = input.result ?? {};
  const number = (n: unknown) => (typeof n === 'number' && Number.isFinite(n) ? formatNumber(n) : 'not returned');
  const requestId = codeSpan(result.RequestId, 80);
  const blocks: KnownBlock[] = [
    section(`${EMOJI.good} *Assigned ${certificates(input.count)} to data source ${id}.*`),
    fieldsSection([
      `*Certificates assigned*\n${number(result.CertCount)}`,
      `*Free certificates this year*\n${number(result.CurrentYearFreeCertCount)}`,
    ]),
    context([`Confirmed by ${mention(input.adminId)}${requestId ? ` · RequestId ${requestId}` : ''}`]),
  ];
  return buildMessage(
    `Assigned ${certificates(input.count)} to data source ${id}. Certificates assigned: ${number(result.CertCount)}.`,
    blocks,
  );
}

/** The admin pressed Cancel: nothing was changed. */
export function renderAssignCancelled(input: AssignInput): SlackMessage {
  const id = idText(input.dataSourceId);
  return buildMessage(`Cancelled: no certificates were assigned to data source ${id}.`, [
    section(
      `${EMOJI.cancelled} *Cancelled:* nothing was assigned to data source ${id} (the request was for ${certificates(input.count)}).`,
    ),
    context([`Cancelled by ${mention(input.adminId)}`]),
  ]);
}

/** /cert-assign from someone who is not a bot admin. */
export function renderAssignRefused(input: { userId: string; admins?: string[] }): SlackMessage {
  const admins = (Array.isArray(input.admins) ? input.admins : []).slice(0, 10).map(mention);
  const ask =
    admins.length > 0
      ? `Ask one of the bot admins: ${admins.join(', ')}.`
      : 'Ask one of the bot admins (the people listed in the bot’s admin setting) to run it.';
  return buildMessage(`Only bot admins can assign certificates. ${admins.length > 0 ? ask : ''}`.trim(), [
    section(
      `${EMOJI.locked} ${mention(input.userId)}, *only bot admins can assign certificates*, because it changes your certificate quota.\n${ask}`,
    ),
  ]);
}

/** Someone other than the requesting admin pressed Confirm or Cancel. */
export function renderAssignNotYours(input: { adminId?: string } = {}): SlackMessage {
  const who = input.adminId ? mention(input.adminId) : 'the admin who ran /cert-assign';
  return buildMessage('Only the admin who asked for this assignment can confirm or cancel it.', [
    section(`${EMOJI.locked} Only ${who} can confirm or cancel this assignment. Nothing was changed.`),
  ]);
}
