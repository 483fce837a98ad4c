import type { KnownBlock } from '@slack/types';
import type { DriftEntry, DriftMessageInput } from '../../alerts/drift';
import { driftAlertTitle, resolutionPhrase } from '../../domain/drift-alerts';
import { describeChecked, describeVerdict, endpointLabel } from '../../render/probe';
import { plural } from '../../render/format';
import { BUTTONS } from '../button-codecs';
import { actions, buildMessage, button, context, header, section } from './builders';
import { slackDateTime } from './dates';
import { EMOJI } from './emoji';
import { boldText, inlineText, userMention } from './escape';
import type { SlackMessage } from './types';

/** What a fixed endpoint's line ends with (the wording: "now serves 32900014 ✅"). */
const FIXED_MARK = '✅';

function entryBlocks(entry: DriftEntry, now: Date): KnownBlock[] {
  const v = entry.verdict;
  const name = boldText(endpointLabel(v.endpoint), 200);
  const finding = `*${v.verdict}*: ${inlineText(describeVerdict(v), 600)}`;
  if (entry.resolution?.kind === 'fixed')
    return [
      section(
        `${EMOJI.good} ${name} — ${inlineText(resolutionPhrase(entry.resolution), 200)} ${FIXED_MARK}\n~was ${v.verdict}~ · ${describeChecked(v)}`,
      ),
    ];
  if (entry.resolution)
    return [section(`${name} — ${finding}\n${EMOJI.unknown} ${inlineText(resolutionPhrase(entry.resolution), 300)}`)];
  const lines = [`${v.verdict === 'expired' ? EMOJI.expired : EMOJI.warning} ${name} — ${finding}`, describeChecked(v)];
  if (entry.acknowledged)
    lines.push(`Acknowledged by ${userMention(entry.acknowledged.by)} at ${slackDateTime(entry.acknowledged.at)}`);
  if (entry.snoozed && entry.snoozed.until.getTime() > now.getTime())
    lines.push(`Snoozed until ${slackDateTime(entry.snoozed.until)} by ${userMention(entry.snoozed.by)}`);
  const value = BUTTONS.driftAcknowledge.encode({ host: v.endpoint.host, port: v.endpoint.port });
  const buttons = [];
  if (!entry.acknowledged)
    buttons.push(button({ text: 'Acknowledge', actionId: BUTTONS.driftAcknowledge.actionId, value, style: 'primary' }));
  buttons.push(
    button({ text: 'Snooze 1 day', actionId: BUTTONS.driftSnoozeDay.actionId, value }),
    button({ text: 'Snooze 7 days', actionId: BUTTONS.driftSnoozeWeek.actionId, value }),
  );
  return [section(lines.join('\n')), actions(buttons)];
}

/**
 * A drift alert: "N endpoints do not serve the current certificate", the route's mention, then
 * each endpoint, most urgent first, with what it serves and the fix, and Acknowledge / Snooze
 * buttons; an endpoint a later probe found fixed shows "now serves 32900014 ✅" and no buttons.
 * Everything read off the wire or from CAS is escaped. Pure.
 */
export function renderDriftAlertMessage(input: DriftMessageInput): SlackMessage {
  const total = input.entries.length + Math.max(0, input.omitted);
  const open = input.entries.filter((e) => !e.resolution).length + Math.max(0, input.omitted);
  const title =
    open === 0 ? `${plural(total, 'endpoint')} fixed: serving the current certificate` : driftAlertTitle(total);
  const blocks: KnownBlock[] = [header(title)];
  if (input.mention) blocks.push(section(input.mention));
  for (const entry of input.entries) blocks.push(...entryBlocks(entry, input.now));
  if (input.omitted > 0)
    blocks.push(context([`…and ${plural(input.omitted, 'more endpoint')}: run \`/cert-list drift\` to see them all`]));
  blocks.push(context([`Drift alert of ${slackDateTime(input.postedAt ?? input.now)}`]));
  const first = input.entries[0];
  const firstText = first
    ? ` ${inlineText(endpointLabel(first.verdict.endpoint), 100)}: ${
        first.resolution ? resolutionPhrase(first.resolution) : first.verdict.verdict
      }.`
    : '';
  return buildMessage(`${title}.${firstText}`, blocks);
}
