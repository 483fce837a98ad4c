import type { KnownBlock } from '@slack/types';
import { displayName } from '../../domain/certificate';
import type { ListedCertificate } from '../../inventory/certificate-source';
import type { DigestData } from '../../digest/collect';
import type { JobPeriod as DigestPeriod } from '../../jobs/period';
import { daysLeft, urgency } from '../../domain/expiry';
import { describeResource } from '../../domain/deployment';
import { RISK_KINDS, riskRows } from '../../domain/risk';
import { BUTTONS } from '../button-codecs';
import { describeDaysLeft, describeFreshness, formatDelta, formatNumber, plural } from '../../render/format';
import { EMOJI, URGENCY_EMOJI } from './emoji';
import { actions, buildMessage, button, context, cutLines, divider, header, section } from './builders';
import { accountTag, boldText, codeSpan, inlineText } from './escape';
import { alertStateLine, renewedLine } from './list';
import { accountsSection, failuresSection } from './accounts';
import { assetLines, RISK_KIND_EMOJI } from './risk';
import type { SlackMessage } from './types';
import { slackDateTime, slackTime } from './dates';

/** Certificates shown in each list of the digest before "…and N more". */
export const DIGEST_LIST_SIZE = 10;
/** Budget for one list section's text (Slack allows 3,000). */
const LIST_SECTION_CHARS = 2_800;

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

function day(date: Date): string {
  return `${date.getUTCDate()} ${MONTHS[date.getUTCMonth()]} ${date.getUTCFullYear()}`;
}

/**
 * The time a digest covers: the interval that ended at its scheduled time (the digest of
 * Monday 30 Nov 09:00 covers 23 Nov – 30 Nov), as long as the interval to the next run.
 */
export function coveredInterval(period: DigestPeriod): { from: Date; to: Date } {
  const length = period.end.getTime() - period.start.getTime();
  return { from: new Date(period.start.getTime() - length), to: period.start };
}

/** "23 Nov 2026 – 30 Nov 2026": the interval the digest covers, in UTC; with times when shorter than a day. */
export function periodTitle(period: DigestPeriod): string {
  const { from, to } = coveredInterval(period);
  if (to.getTime() - from.getTime() >= 86_400_000) return `${day(from)} – ${day(to)}`;
  const time = (d: Date) => d.toISOString().slice(11, 19);
  return `${day(from)} ${time(from)} – ${time(to)} UTC`;
}

/** Later than this after its scheduled time, a digest says it was posted late (a catch-up). */
export const LATE_AFTER_MS = 15 * 60_000;

const WEEKDAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];

/** "posted late: the bot was down at Monday 09:00 UTC", when `now` is well after the scheduled time. */
export function lateNote(period: DigestPeriod, now: Date): string | undefined {
  if (now.getTime() - period.start.getTime() <= LATE_AFTER_MS) return undefined;
  const at = period.start;
  const clock = at.toISOString().slice(11, 16);
  return `posted late: the bot was down at ${WEEKDAYS[at.getUTCDay()]} ${clock} UTC (${day(at)}), when it was due`;
}

function change(current: number, previous: number | undefined): string {
  if (previous === undefined) return '';
  const delta = current - previous;
  return delta === 0 ? ' (no change)' : ` (${formatDelta(delta)})`;
}

function certificateLine(item: ListedCertificate, now: Date): string {
  const days = daysLeft(item.endDate, now);
  const name = boldText(displayName(item), 100) || '_(no common name)_';
  const id = item.certificateId ?? item.instanceId;
  const end = item.endDate ? `ends ${inlineText(item.endDate, 10)}` : 'end date unknown';
  const state = alertStateLine(item);
  return `${URGENCY_EMOJI[urgency(days, item.expired)]} ${accountTag(item.account)}${name} ${codeSpan(id, 40)} · ${end} · ${describeDaysLeft(days)}${state ? ` · ${state}` : ''}`;
}

/** A titled section of up to DIGEST_LIST_SIZE lines within the section budget, then "…and N more". */
function boundedList(title: string, lines: string[], total: number, moreSuffix = ''): KnownBlock {
  const cut = cutLines(lines, { maxChars: LIST_SECTION_CHARS - title.length - 10, maxLines: DIGEST_LIST_SIZE + 1 });
  const hidden = total - lines.length + cut.omitted;
  const more = hidden > 0 && cut.omitted === 0 ? [`…and ${formatNumber(hidden)} more${moreSuffix}`] : [];
  return section([`*${title}*`, ...cut.lines, ...more].join('\n'));
}

function listSection(title: string, items: ListedCertificate[], now: Date): KnownBlock {
  const lines = items.slice(0, DIGEST_LIST_SIZE).map((item) => certificateLine(item, now));
  return boundedList(title, lines, items.length);
}

function footer(data: DigestData): KnownBlock {
  const since = data.previous
    ? `compared with the digest of ${day(new Date(data.previous.period))}`
    : data.failures && data.failures.length > 0
      ? 'no trend this week: not every account could be read'
      : 'first digest: trend from next week';
  const late = lateNote(data.period, data.now);
  const parts = [`Built ${slackDateTime(data.now)}`, ...(late ? [late] : []), since];
  if (data.freshness) parts.push(describeFreshness(data.freshness, data.now, slackTime));
  return context([parts.join(' · ')]);
}

function staleSection(items: ListedCertificate[]): KnownBlock {
  const lines = items.slice(0, DIGEST_LIST_SIZE).map((item) => {
    const name = boldText(displayName(item), 100) || '_(no common name)_';
    const on = item.deployment?.resources ?? [];
    const where = on
      .slice(0, 3)
      .map((r) => inlineText(describeResource(r), 60))
      .join(', ');
    const more = on.length > 3 ? ` and ${formatNumber(on.length - 3)} more` : '';
    return `${EMOJI.warning} ${accountTag(item.account)}${name} ${codeSpan(item.certificateId ?? item.instanceId, 40)} · ${item.replacedBy ? renewedLine(item.replacedBy) : ''} · still on ${where}${more}`;
  });
  const title = `Stale deployments (${formatNumber(items.length)}): renewed, but the old certificate is still serving`;
  return boundedList(title, lines, items.length, ': /cert-list stale');
}

function renewedSection(items: ListedCertificate[]): KnownBlock {
  const lines = items.slice(0, DIGEST_LIST_SIZE).map((item) => {
    const name = boldText(displayName(item), 100) || '_(no common name)_';
    return `${EMOJI.good} ${accountTag(item.account)}${name} ${codeSpan(item.certificateId ?? item.instanceId, 40)} · ${item.replacedBy ? renewedLine(item.replacedBy) : ''}`;
  });
  const title = `Renewed since last week (${formatNumber(items.length)}): not counted as at risk`;
  return boundedList(title, lines, items.length);
}

/** With several accounts: one line each and the totals; then the accounts that could not be read. */
function accountBlocks(data: DigestData): KnownBlock[] {
  return [
    ...(data.accounts && data.accounts.length > 0
      ? [accountsSection(data.accounts, data.accounts.length + (data.failures?.length ?? 0))]
      : []),
    ...(data.failures && data.failures.length > 0 ? [failuresSection(data.failures)] : []),
  ];
}

/** The digest: trend since the previous digest, the certificates to fix, asset totals. */
export function renderDigest(data: DigestData): SlackMessage {
  const rows = riskRows(data.risk);
  const previous = data.previous;
  // A digest of some accounts only says whose it is.
  const scope = data.scope ? `${data.scope.map((name) => inlineText(name, 40)).join(', ')} · ` : '';
  const title = `Weekly certificate digest · ${scope}${periodTitle(data.period)}`;
  const unread =
    data.failures && data.failures.length > 0
      ? ` Could not read ${data.failures.map((f) => inlineText(f.account, 40)).join(', ')}.`
      : '';
  const point = data.assets.Point;
  const scoreText =
    typeof point === 'number'
      ? `*Health score${data.accounts ? ' (lowest account)' : ''}:* ${formatNumber(point)}${change(point, previous?.point)}`
      : '*Health score:* not available';

  if (rows.total === 0 && data.expiring.length === 0 && data.expired.length === 0) {
    const was =
      previous && previous.totalRisk > 0
        ? ` Last week ${plural(previous.totalRisk, 'item needed', 'items needed')} attention.`
        : '';
    const late = lateNote(data.period, data.now);
    return buildMessage(
      `${title}: all clear, no certificate needs attention.${was}${unread}${late ? ` (${late})` : ''}`,
      [
        header(title),
        section(
          `${EMOJI.allClear} *All clear:* no expired, expiring or otherwise risky certificates.${was}\n${scoreText}`,
        ),
        ...accountBlocks(data),
        section(`*Assets*\n${assetLines(data.assets).join('\n')}`),
        footer(data),
      ],
    );
  }

  // Rows in the fixed order of kinds; a kind that dropped to zero since last week stays
  // visible (as progress), every other zero row is left out.
  const current = new Map(rows.byKind.map((row) => [row.key as string, row.count]));
  const kindLines = RISK_KINDS.flatMap((kind) => {
    const now = current.get(kind.key) ?? 0;
    const before = previous ? (previous.risks[kind.key] ?? 0) : undefined;
    if (now === 0 && !before) return [];
    return [
      `${now === 0 ? EMOJI.good : RISK_KIND_EMOJI[kind.key]} ${kind.label}: *${formatNumber(now)}*${change(now, before)}`,
    ];
  });
  const totalChange = change(rows.total, previous?.totalRisk);

  const blocks: KnownBlock[] = [
    header(title),
    ...(data.stale && data.stale.length > 0 ? [staleSection(data.stale)] : []),
    section(
      `${EMOJI.warning} *${plural(rows.total, 'item needs', 'items need')} attention*${totalChange}\n${scoreText}`,
    ),
    ...accountBlocks(data),
    section(`*Risks by kind*${previous ? ' (change since last week)' : ''}\n${kindLines.join('\n')}`),
    divider(),
  ];
  if (data.expiring.length > 0)
    blocks.push(listSection(`Expiring soonest (${formatNumber(data.expiring.length)})`, data.expiring, data.now));
  if (data.expired.length > 0)
    blocks.push(listSection(`Expired and still listed (${formatNumber(data.expired.length)})`, data.expired, data.now));
  if (data.renewed && data.renewed.length > 0) blocks.push(renewedSection(data.renewed));
  blocks.push(section(`*Assets*\n${assetLines(data.assets).join('\n')}`));
  if (data.expiring.length > 0)
    blocks.push(
      actions([
        button({
          text: 'List all expiring certificates',
          actionId: BUTTONS.listOpen.actionId,
          // A digest of one account lists that account's certificates.
          value: BUTTONS.listOpen.encode(
            data.scope?.length === 1 ? { status: 'expiring', account: data.scope[0] } : { status: 'expiring' },
          ),
        }),
      ]),
    );
  blocks.push(footer(data));

  const fallback = [
    `${title}: ${plural(rows.total, 'item needs', 'items need')} attention${totalChange}`,
    `${formatNumber(data.expiring.length)} expiring soon, ${formatNumber(data.expired.length)} expired`,
    typeof point === 'number' ? `health score ${formatNumber(point)}${change(point, previous?.point)}` : '',
    data.failures && data.failures.length > 0 ? `could not read ${data.failures.map((f) => f.account).join(', ')}` : '',
    lateNote(data.period, data.now) ?? '',
  ]
    .filter(Boolean)
    .join('; ');
  return buildMessage(`${fallback}.`, blocks);
}

/** Posted instead of the digest when CAS stayed unavailable for DIGEST_RETRY_MINUTES. */
export function renderDigestFailure(input: {
  period: DigestPeriod;
  reason: string;
  now: Date;
  scope?: string[];
}): SlackMessage {
  const scope = input.scope ? `${input.scope.map((name) => inlineText(name, 40)).join(', ')} · ` : '';
  const title = `Weekly certificate digest · ${scope}${periodTitle(input.period)}`;
  const reason = inlineText(input.reason, 600);
  return buildMessage(`${title}: the digest could not be built. ${inlineText(input.reason, 300)}`, [
    header(title),
    section(
      `${EMOJI.warning} *The digest could not be built.*\n${reason}\nThe bot will post next week's digest as usual; run \`/cert-risk\` for the current numbers once the service is back.`,
    ),
    context([`Gave up ${slackDateTime(input.now)}`]),
  ]);
}

export const digestRenderer = { digest: renderDigest, failure: renderDigestFailure };
