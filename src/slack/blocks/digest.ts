import type { KnownBlock } from '@slack/types';
import { displayName } from '../../domain/certificate';
import type { ListedCertificate } from '../../inventory/certificate-source';
import type { DigestData } from '../../digest/collect';
import type { JobPeriod as DigestPeriod } from '../../jobs/period';
import { daysLeft } from '../../domain/expiry';
import {
  AT_RISK_STATES,
  atRiskCount,
  CERTIFICATE_STATES,
  certificateState,
  STATE_LABELS,
} from '../../domain/certificate-state';
import { CAS_COUNTERS_LABEL, inventoryHeadline, NO_INVENTORY_YET } from '../../render/inventory-counts';
import { describeResource } from '../../domain/deployment';
import { RISK_KINDS, riskRows } from '../../domain/risk';
import { BUTTONS } from '../button-codecs';
import { describeDaysLeft, describeFreshness, formatDelta, formatNumber } from '../../render/format';
import { EMOJI, STATE_EMOJI } from './emoji';
import { actions, buildMessage, button, context, cutLines, divider, fieldsSection, header, section } from './builders';
import { accountTag, boldText, codeSpan, inlineText } from './escape';
import { alertStateLine, renewedLine } from './list';
import { accountsSections, failuresSection } from './accounts';
import { assetLines, RISK_KIND_EMOJI } from './risk';
import { verdictCountsLine } from '../../render/probe';
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

/** Resources named per certificate before "and N more". */
export const DIGEST_RESOURCES_NAMED = 5;

/** "on lb-1 (listener 443), cdn.example.com and 3 more", or '' when it serves nowhere. */
function servedOn(item: ListedCertificate, stale: boolean): string {
  const on = item.deployment?.resources ?? [];
  if (on.length === 0) return '';
  const named = on
    .slice(0, DIGEST_RESOURCES_NAMED)
    .map((r) => inlineText(describeResource(r), 60))
    .join(', ');
  const more =
    on.length > DIGEST_RESOURCES_NAMED ? ` and ${formatNumber(on.length - DIGEST_RESOURCES_NAMED)} more` : '';
  return ` · ${stale ? 'still on' : 'on'} ${named}${more}`;
}

/** One line per certificate, whatever its section: state emoji, name, ID, when it breaks, where it serves. */
function certificateLine(item: ListedCertificate, now: Date): string {
  const state = certificateState(item, now);
  const days = daysLeft(item.endDate, now);
  const name = boldText(displayName(item), 100) || '_(no common name)_';
  const id = codeSpan(item.certificateId ?? item.instanceId, 40);
  const head = `${STATE_EMOJI[state]} ${accountTag(item.account)}${name} ${id}`;
  if (state === 'renewed') return `${head} · ${item.replacedBy ? renewedLine(item.replacedBy) : 'Renewed'}`;
  const end = item.endDate ? `ends ${inlineText(item.endDate, 10)}` : 'end date unknown';
  const renewal = state === 'stale' && item.replacedBy ? ` · ${renewedLine(item.replacedBy)}` : '';
  const alert = alertStateLine(item);
  return `${head} · ${end} · ${describeDaysLeft(days)}${renewal}${servedOn(item, state === 'stale')}${alert ? ` · ${alert}` : ''}`;
}

/** A titled section of up to DIGEST_LIST_SIZE lines within the section budget, then "…and N more". */
function boundedList(title: string, lines: string[], total: number, moreSuffix = ''): KnownBlock {
  const cut = cutLines(lines, { maxChars: LIST_SECTION_CHARS - title.length - 10, maxLines: DIGEST_LIST_SIZE + 1 });
  const hidden = total - lines.length + cut.omitted;
  const more = hidden > 0 && cut.omitted === 0 ? [`…and ${formatNumber(hidden)} more${moreSuffix}`] : [];
  return section([`*${title}*`, ...cut.lines, ...more].join('\n'));
}

/** The sections, in the order of urgency: each certificate is in the one of its state. */
const SECTIONS = [
  {
    key: 'stale',
    title: 'Stale deployments',
    note: 'renewed, but the old certificate is still serving',
    list: 'stale',
  },
  { key: 'expired', title: 'Expired', note: 'not renewed', list: 'expired' },
  { key: 'expiring', title: 'Expiring', note: 'within 30 days, not renewed', list: 'expiring' },
  { key: 'renewed', title: 'Renewed since last week', note: 'no longer at risk', list: undefined },
] as const;

function listSection(section: (typeof SECTIONS)[number], items: ListedCertificate[], now: Date): KnownBlock {
  const lines = items.slice(0, DIGEST_LIST_SIZE).map((item) => certificateLine(item, now));
  const title = `${section.title} (${formatNumber(items.length)}): ${section.note}`;
  return boundedList(title, lines, items.length, section.list ? `: /cert-list ${section.list}` : '');
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

/** With several accounts: one line each (ours, then CAS's); then the accounts that could not be read. */
function accountBlocks(data: DigestData): KnownBlock[] {
  return [
    ...(data.accounts && data.accounts.length > 0
      ? accountsSections(data.accounts, data.accounts.length + (data.failures?.length ?? 0), data.inventory)
      : []),
    ...(data.failures && data.failures.length > 0 ? [failuresSection(data.failures)] : []),
  ];
}

/** The headline: the inventory's at-risk counts with last week's change, then every state's count. */
function headlineBlocks(data: DigestData): KnownBlock[] {
  if (!data.inventory) return [section(`${EMOJI.unknown} *${NO_INVENTORY_YET}*`)];
  const { counts } = data.inventory;
  const before = data.previous?.states;
  const risky = atRiskCount(counts);
  const wasRisky = before ? AT_RISK_STATES.reduce((sum, state) => sum + (before[state] ?? 0), 0) : undefined;
  const lines = CERTIFICATE_STATES.map((state) => {
    const label = STATE_LABELS[state].many;
    const title = label.charAt(0).toUpperCase() + label.slice(1);
    return `${STATE_EMOJI[state]} ${title}: *${formatNumber(counts[state])}*${change(counts[state], before?.[state])}`;
  });
  return [
    section(`${risky > 0 ? EMOJI.warning : EMOJI.allClear} *${inventoryHeadline(counts)}*${change(risky, wasRisky)}`),
    fieldsSection([
      `*At risk*${before ? ' (change since last week)' : ''}\n${lines.slice(0, 3).join('\n')}`,
      `*Not at risk*\n${lines.slice(3).join('\n')}`,
    ]),
  ];
}

/** What endpoints serve, counted by verdict, when they are probed: one line, and where the list is. */
function endpointBlocks(data: DigestData): KnownBlock[] {
  const counts = data.endpoints;
  if (!counts || counts.total === 0) return [];
  const drifted = counts.total - counts.ok - counts.pending;
  return [
    section(
      `${drifted > 0 ? EMOJI.warning : EMOJI.allClear} *${verdictCountsLine(counts)}*${drifted > 0 ? '\n`/cert-list drift` lists the endpoints that do not serve the current certificate.' : ''}`,
    ),
  ];
}

/** CAS's own figures, labelled as CAS's: health score, GetRiskCount by kind with last week's change, assets. */
function casBlocks(data: DigestData): KnownBlock[] {
  const rows = riskRows(data.risk);
  const previous = data.previous;
  const point = data.assets.Point;
  const scoreText =
    typeof point === 'number'
      ? `*Health score${data.accounts ? ' (lowest account)' : ''}:* ${formatNumber(point)}${change(point, previous?.point)}`
      : '*Health score:* not available';
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
  const total = `${formatNumber(rows.total)} in all${change(rows.total, previous?.totalRisk)}`;
  return [
    section(
      [`*${CAS_COUNTERS_LABEL}*`, scoreText, total, ...kindLines, '', `*Assets*`, ...assetLines(data.assets)].join(
        '\n',
      ),
    ),
  ];
}

/**
 * The digest, top-down: the inventory's headline and counts, the sections in the order of
 * urgency (stale deployments, expired, expiring, renewed since last week; each certificate in
 * the one of its state, one line each), then CAS's own counters under their label.
 */
export function renderDigest(data: DigestData): SlackMessage {
  // A digest of some accounts only says whose it is.
  const scope = data.scope ? `${data.scope.map((name) => inlineText(name, 40)).join(', ')} · ` : '';
  const title = `Weekly certificate digest · ${scope}${periodTitle(data.period)}`;
  const unread =
    data.failures && data.failures.length > 0
      ? ` Could not read ${data.failures.map((f) => inlineText(f.account, 40)).join(', ')}.`
      : '';
  const lists: Record<(typeof SECTIONS)[number]['key'], ListedCertificate[]> = {
    stale: data.stale ?? [],
    expired: data.expired,
    expiring: data.expiring,
    renewed: data.renewed ?? [],
  };
  const sections = SECTIONS.filter((s) => lists[s.key].length > 0).map((s) => listSection(s, lists[s.key], data.now));

  const blocks: KnownBlock[] = [
    header(title),
    ...headlineBlocks(data),
    ...endpointBlocks(data),
    ...accountBlocks(data),
    ...(sections.length > 0 ? [divider(), ...sections] : []),
    divider(),
    ...casBlocks(data),
  ];
  const listButton = (status: 'stale' | 'expiring', text: string) =>
    button({
      text,
      // The expiring list keeps cert_list_open; the stale one takes the second id.
      actionId: (status === 'stale' ? BUTTONS.listOpenOther : BUTTONS.listOpen).actionId,
      // A digest of one account lists that account's certificates.
      value: BUTTONS.listOpen.encode(data.scope?.length === 1 ? { status, account: data.scope[0] } : { status }),
    });
  const buttons = [
    ...(lists.stale.length > 0 ? [listButton('stale', 'List stale deployments')] : []),
    ...(lists.expiring.length > 0 ? [listButton('expiring', 'List all expiring certificates')] : []),
  ];
  if (buttons.length > 0) blocks.push(actions(buttons));
  blocks.push(footer(data));

  const point = data.assets.Point;
  const late = lateNote(data.period, data.now);
  const fallback = [
    `${title}: ${data.inventory ? inventoryHeadline(data.inventory.counts) : NO_INVENTORY_YET.replace(/\.$/, '')}`,
    typeof point === 'number' ? `health score ${formatNumber(point)}${change(point, data.previous?.point)}` : '',
    unread
      .trim()
      .replace(/\.$/, '')
      .replace(/^Could/, 'could'),
    late ?? '',
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
