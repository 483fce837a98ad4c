import type { KnownBlock } from '@slack/types';
import type { AssignCertificateCountResult } from '../../cas/types';
import { shownAccount } from '../../render/accounts';
import { formatNumber, plural } from '../../render/format';
import { EMOJI } from './emoji';
import { actions, buildMessage, button, context, fieldsSection, header, section } from './builders';
import { codeSpan, inlineText, userMention } from './escape';
import { BUTTONS } from '../button-codecs';
import type { SlackMessage } from './types';
import { slackDateTime } from './dates';

export interface AssignInput {
  /** The data source the certificates are assigned to (AssignCertificateCount Id), exact digits. */
  dataSourceId: string;
  /** How many certificates to assign (CertTotalCount). */
  count: number;
  /** Slack user id of the admin who ran /cert-assign. */
  adminId: string;
  /** The account whose quota changes; named in every message when it is not the default one. */
  account?: string;
}

/** " in account prod", or nothing for the default account. */
function inAccount(account: string | undefined): string {
  const name = shownAccount(account);
  return name === undefined ? '' : ` in account ${inlineText(name, 40)}`;
}

function idText(id: string): string {
  return typeof id === 'string' && /^\d{1,20}$/.test(id) ? id : '?';
}

function certificates(count: number): string {
  return plural(count, 'certificate');
}

/** Asks the admin to confirm before AssignCertificateCount changes anything. */
export function renderAssignConfirmation(input: AssignInput & { nonce: string; expiresAt: Date }): SlackMessage {
  const id = idText(input.dataSourceId);
  const what = `${certificates(input.count)} to data source ${id}${inAccount(input.account)}`;
  // The request itself stays on the server; the buttons name it by its nonce.
  const value = BUTTONS.assignConfirm.encode({ nonce: input.nonce });
  const blocks: KnownBlock[] = [
    header('Assign certificates?'),
    section(
      `${EMOJI.warning} *Assign ${what}?*\nThis changes your certificate quota in Certificate Management Service and cannot be undone from Slack.`,
    ),
    actions([
      button({ text: 'Confirm', actionId: BUTTONS.assignConfirm.actionId, value, style: 'primary' }),
      button({ text: 'Cancel', actionId: BUTTONS.assignCancel.actionId, value }),
    ]),
    context([
      `Requested by ${userMention(input.adminId)} · only they can confirm, until ${slackDateTime(input.expiresAt)}`,
    ]),
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
    section(`${EMOJI.good} *Assigned ${certificates(input.count)} to data source ${id}${inAccount(input.account)}.*`),
    fieldsSection([
      `*Certificates assigned*\n${number(result.CertCount)}`,
      `*Free certificates this year*\n${number(result.CurrentYearFreeCertCount)}`,
    ]),
    context([`Confirmed by ${userMention(input.adminId)}${requestId ? ` · RequestId ${requestId}` : ''}`]),
  ];
  return buildMessage(
    `Assigned ${certificates(input.count)} to data source ${id}${inAccount(input.account)}. Certificates assigned: ${number(result.CertCount)}.`,
    blocks,
  );
}

/** The admin pressed Cancel: nothing was changed. */
export function renderAssignCancelled(input: AssignInput): SlackMessage {
  const id = idText(input.dataSourceId);
  return buildMessage(`Cancelled: no certificates were assigned to data source ${id}${inAccount(input.account)}.`, [
    section(
      `${EMOJI.cancelled} *Cancelled:* nothing was assigned to data source ${id}${inAccount(input.account)} (the request was for ${certificates(input.count)}).`,
    ),
    context([`Cancelled by ${userMention(input.adminId)}`]),
  ]);
}

/** /cert-assign from someone who is not a bot admin. */
export function renderAssignRefused(input: { userId: string; admins?: string[] }): SlackMessage {
  const admins = (Array.isArray(input.admins) ? input.admins : []).slice(0, 10).map((id) => userMention(id));
  const ask =
    admins.length > 0
      ? `Ask one of the bot admins: ${admins.join(', ')}.`
      : 'Ask one of the bot admins (the people listed in the bot’s admin setting) to run it.';
  return buildMessage(`Only bot admins can assign certificates. ${admins.length > 0 ? ask : ''}`.trim(), [
    section(
      `${EMOJI.locked} ${userMention(input.userId)}, *only bot admins can assign certificates*, because it changes your certificate quota.\n${ask}`,
    ),
  ]);
}

/** Someone other than the requesting admin pressed Confirm or Cancel. */
export function renderAssignNotYours(input: { adminId?: string } = {}): SlackMessage {
  const who = input.adminId ? userMention(input.adminId) : 'the admin who ran /cert-assign';
  return buildMessage('Only the admin who asked for this assignment can confirm or cancel it.', [
    section(`${EMOJI.locked} Only ${who} can confirm or cancel this assignment. Nothing was changed.`),
  ]);
}

/** The confirmation cannot be used: unknown nonce, expired, or a stored request the limits now refuse. */
export function renderAssignUnavailable(input: {
  reason: 'unknown' | 'expired' | 'invalid';
  detail?: string;
}): SlackMessage {
  const why =
    input.reason === 'expired'
      ? 'This confirmation has expired.'
      : input.reason === 'invalid'
        ? `This request is not allowed: ${inlineText(input.detail, 300)}`
        : 'This confirmation is unknown to the bot (it may be from another installation, or its record was removed).';
  return buildMessage(`${why} Nothing was changed; run /cert-assign again.`, [
    section(`${EMOJI.warning} ${why} Nothing was changed; run \`/cert-assign\` again.`),
  ]);
}

/** Confirm or Cancel pressed again after the decision was made (twice, or on another replica). */
export function renderAssignAlreadyDecided(input: { status: string }): SlackMessage {
  const what =
    input.status === 'cancelled'
      ? 'was cancelled'
      : input.status === 'claimed'
        ? 'is being carried out right now'
        : input.status === 'succeeded'
          ? 'was already carried out'
          : 'was already tried and failed; run /cert-assign again to retry';
  return buildMessage(`This assignment ${what}. Nothing more was changed.`, [
    section(`${EMOJI.locked} This assignment ${what}. Nothing more was changed.`),
  ]);
}
