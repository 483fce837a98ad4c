import type { KnownBlock } from '@slack/types';
import type { AlertEntryInput } from '../../alerts/run';
import { displayName } from '../../domain/certificate';
import { thresholdLabel } from '../../domain/alerts';
import { certificateState, STATE_LABELS } from '../../domain/certificate-state';
import { daysLeft } from '../../domain/expiry';
import { describeDaysLeft, plural } from '../../render/format';
import { BUTTONS } from '../button-codecs';
import { actions, buildMessage, button, context, header, section } from './builders';
import { EMOJI } from './emoji';
import { boldText, codeSpan, inlineText, userMention, accountTag } from './escape';
import { accountPrefix } from '../../render/accounts';
import { renewedLine, resourceLines } from './list';
import type { SlackMessage } from './types';
import { deployButtonBlock } from '../deploy/blocks';
import { slackDateTime } from './dates';

/** Certificates shown one by one in an alert message; the rest are one line. */
export const ALERT_MESSAGE_SIZE = 20;

/** One certificate in an alert message (see alerts/run.ts). */
export type AlertEntry = AlertEntryInput;

export interface AlertMessageInput {
  entries: AlertEntry[];
  /** Put at the top: a user (`<@U123>`) or user group (`<!subteam^S123>`), already validated. */
  mention?: string;
  /** Certificates beyond ALERT_MESSAGE_SIZE, summarised in one line. */
  omitted: number;
  now: Date;
  /** DEPLOY_ENABLED: a stale deployment gets a Deploy renewal… button. */
  deployButton?: boolean;
}

function thresholdText(threshold: number): string {
  return threshold < 0 ? 'found' : thresholdLabel(threshold);
}

function staleBlocks(entry: AlertEntry, now: Date, deployButton = false): KnownBlock[] {
  const c = entry.certificate;
  const name = `${accountTag(c.account)}${boldText(displayName(c), 120) || '_(no common name)_'}`;
  const days = daysLeft(c.endDate, now);
  const replacement = c.replacedBy ? renewedLine(c.replacedBy) : 'Renewed';
  const on = c.deployment?.state === 'stale' ? c.deployment.resources : [];
  const facts = `ID ${codeSpan(c.certificateId ?? c.id, 60)} · State: ${STATE_LABELS[certificateState(c, now)].one} · ${entry.threshold < 0 ? 'announced when found' : `at ${thresholdText(entry.threshold)}`}`;
  if (on.length === 0)
    return [
      section(
        `${EMOJI.good} ${name} — *Deployed:* no resource serves the old certificate any more\n${facts}\n${EMOJI.good} ${replacement}`,
      ),
    ];
  const deploy = deployButton ? deployButtonBlock(c) : undefined;
  return [
    section(
      `${EMOJI.warning} ${name} — *renewed, but the old certificate is still serving* — ${describeDaysLeft(days)}${c.endDate ? ` (ends ${inlineText(c.endDate, 10)})` : ''}\n${facts}\n${replacement}; still on:\n${resourceLines(on)}`,
    ),
    ...(deploy ? [deploy] : []),
  ];
}

function entryBlocks(entry: AlertEntry, now: Date, deployButton?: boolean): KnownBlock[] {
  if (entry.stale) return staleBlocks(entry, now, deployButton);
  const c = entry.certificate;
  const name = `${accountTag(c.account)}${boldText(displayName(c), 120) || '_(no common name)_'}`;
  const more = c.sans.filter((san) => san.toLowerCase() !== c.commonName?.toLowerCase()).length;
  const sans = more > 0 ? ` (+${plural(more, 'SAN')})` : '';
  const days = daysLeft(c.endDate, now);
  const end = c.endDate ? ` (ends ${inlineText(c.endDate, 10)})` : '';
  // The state in the words every surface uses (domain/certificate-state STATE_LABELS).
  const facts = [
    `ID ${codeSpan(c.certificateId ?? c.instanceId ?? c.id, 60)}`,
    `*${STATE_LABELS[certificateState(c, now)].one}*`,
    `crossed ${thresholdText(entry.threshold)}`,
  ];
  if (c.issuer) facts.push(`Issuer: ${inlineText(c.issuer, 100)}`);
  const lines = [`${name}${sans} — ${describeDaysLeft(days)}${end}`, facts.join(' · ')];
  if (c.replacedBy) {
    lines[0] = `${EMOJI.good} ${lines[0]}`;
    lines.push(`${EMOJI.good} ${renewedLine(c.replacedBy)}`);
    return [section(lines.join('\n'))];
  }
  if (entry.removed) {
    lines.push('Removed from Certificate Management Service since this alert.');
    return [section(lines.join('\n'))];
  }
  lines[0] = `${days !== undefined && days < 0 ? EMOJI.expired : EMOJI.expiring} ${lines[0]}`;
  if (entry.acknowledged)
    lines.push(`Acknowledged by ${userMention(entry.acknowledged.by)} at ${slackDateTime(entry.acknowledged.at)}`);
  if (entry.snoozed && entry.snoozed.until.getTime() > now.getTime())
    lines.push(`Snoozed until ${slackDateTime(entry.snoozed.until)} by ${userMention(entry.snoozed.by)}`);
  const blocks: KnownBlock[] = [section(lines.join('\n'))];
  const value = BUTTONS.alertAcknowledge.encode({ account: c.account, id: c.id });
  const buttons = [];
  if (!entry.acknowledged)
    buttons.push(button({ text: 'Acknowledge', actionId: BUTTONS.alertAcknowledge.actionId, value, style: 'primary' }));
  buttons.push(
    button({ text: 'Snooze 1 day', actionId: BUTTONS.alertSnoozeDay.actionId, value }),
    button({ text: 'Snooze 7 days', actionId: BUTTONS.alertSnoozeWeek.actionId, value }),
  );
  blocks.push(actions(buttons));
  return blocks;
}

/**
 * One channel's alert message: "N certificates need attention", the mention, then one section
 * per certificate, most urgent first, with Acknowledge / Snooze buttons; a renewed certificate
 * shows its replacement and no buttons. Everything from CAS is escaped.
 */
export function renderAlertMessage(input: AlertMessageInput): SlackMessage {
  const entries = input.entries.slice(0, ALERT_MESSAGE_SIZE);
  const total = input.entries.length + Math.max(0, input.omitted);
  const title = `${plural(total, 'certificate needs', 'certificates need')} attention`;
  const blocks: KnownBlock[] = [header(title)];
  if (input.mention) blocks.push(section(input.mention));
  for (const entry of entries) blocks.push(...entryBlocks(entry, input.now, input.deployButton));
  const hidden = total - entries.length;
  if (hidden > 0)
    blocks.push(
      context([
        `…and ${plural(hidden, 'more certificate')} need attention: run \`/cert-list expiring\` to see them all`,
      ]),
    );
  blocks.push(context([`Alert of ${slackDateTime(input.now)}`]));
  const first = entries[0];
  const firstText = first
    ? ` Most urgent: ${accountPrefix(first.certificate.account)}${inlineText(displayName(first.certificate), 80)}, ${describeDaysLeft(daysLeft(first.certificate.endDate, input.now))}.`
    : '';
  return buildMessage(`${title}.${firstText}`, blocks);
}
