import type { Button, KnownBlock } from '@slack/types';
import { type Certificate, displayName } from '../../domain/certificate';
import type { Freshness, ListedCertificate } from '../../inventory/certificate-source';
import { daysLeft, urgency } from '../../domain/expiry';
import { deploymentPhrase, describeResource } from '../../domain/deployment';
import type { CertificateView } from '../../domain/views';
import type { DeployedResource } from '../../store/types';
import { describeDaysLeft, describeFreshness, formatNumber, plural } from '../../render/format';
import { EMOJI, URGENCY_EMOJI } from './emoji';
import { actions, buildMessage, button, context, fitsButtonValue, header, section, takeBlocks } from './builders';
import { accountTag, boldText, codeSpan, inlineText, oneLine, truncate, userMention } from './escape';
import { failuresSection } from './accounts';
import type { AccountFailure } from '../../accounts/account-failure';
import { BUTTONS } from '../button-codecs';
import type { SlackMessage } from './types';
import { slackDateTime, slackTime } from './dates';

export interface CertificateListInput {
  /** `account`: the one account listed, when the list was narrowed to it. */
  filter: { status: CertificateView; keyword?: string; account?: string };
  /** Accounts that could not be listed (the others' certificates are shown). */
  failures?: AccountFailure[];
  /** 0-based. */
  page: number;
  pageSize: number;
  /** Matching certificates over all pages. */
  total: number;
  /** Just this page, already sorted most urgent first (domain/certificate-state inUrgencyOrder). */
  items: ListedCertificate[];
  /** Where the list came from; absent: a live listing at `now`. */
  freshness?: Freshness;
  now: Date;
}

const TITLES: Record<CertificateView, string> = {
  expiring: 'Expiring certificates',
  expired: 'Expired certificates',
  issued: 'Issued certificates',
  uploaded: 'Uploaded certificates',
  all: 'All certificates',
  stale: 'Stale deployments: renewed, old certificate still serving',
};

/** Budget for the certificate sections; header, pager and context take well under 2,000 more. */
const ITEMS_JSON_BUDGET = 8_500;
const MAX_ITEM_BLOCKS = 40;

function cleanKeyword(keyword: string | undefined): string | undefined {
  if (typeof keyword !== 'string') return undefined;
  const trimmed = keyword.trim();
  return trimmed === '' ? undefined : trimmed;
}

function titleOf(status: CertificateView): string {
  return TITLES[status] ?? TITLES.all;
}

function itemSection(item: ListedCertificate, now: Date): KnownBlock {
  const days = daysLeft(item.endDate, now);
  const level = urgency(days, item.expired);
  const renewed = item.replacedBy ? renewedLine(item.replacedBy) : undefined;
  const name = `${accountTag(item.account)}${boldText(displayName(item), 120) || '_(no common name)_'}`;
  const end = typeof item.endDate === 'string' && days !== undefined ? ` (ends ${inlineText(item.endDate, 10)})` : '';
  const when = days === undefined && item.expired ? 'expired' : describeDaysLeft(days);
  const details: string[] = [];
  const id = item.certificateId ?? item.instanceId;
  if (id !== undefined && id !== '') details.push(`ID ${codeSpan(id, 60)}`);
  if (item.issuer) details.push(`Issuer: ${inlineText(item.issuer, 100)}`);
  if (item.uploaded) details.push('uploaded');
  if (item.deployment) details.push(deploymentPhrase(item.deployment.state, item.deployment.resources.length));
  const second = details.length > 0 ? `\n${details.join(' · ')}` : '';
  if (item.deployment?.state === 'stale' && renewed)
    return section(
      `${EMOJI.warning} ${name} — ${when}${end}${second}\n${renewed} · *still served by the old certificate:*\n${resourceLines(item.deployment.resources)}`,
    );
  if (renewed) return section(`${EMOJI.good} ${name} — ${when}${end}${second}\n${renewed}`);
  const state = alertStateLine(item);
  if (state) return section(`${URGENCY_EMOJI[level]} ${name} — ${when}${end}${second}\n${state}`);
  return section(`${URGENCY_EMOJI[level]} ${name} — ${when}${end}${second}`);
}

/** Up to 10 resources, one a line, then how many more. */
export function resourceLines(resources: readonly DeployedResource[], max = 10): string {
  const lines = resources.slice(0, max).map((r) => `• ${inlineText(describeResource(r), 120)}`);
  if (resources.length > max) lines.push(`…and ${formatNumber(resources.length - max)} more`);
  return lines.join('\n');
}

/** "Acknowledged by @ann at …", "Snoozed until … by @bob": what people did about its alerts. */
export function alertStateLine(item: ListedCertificate): string | undefined {
  const parts: string[] = [];
  if (item.alert?.acknowledgedBy)
    parts.push(
      `Acknowledged by ${userMention(item.alert.acknowledgedBy)}${item.alert.acknowledgedAt ? ` at ${slackDateTime(item.alert.acknowledgedAt)}` : ''}`,
    );
  if (item.alert?.snoozedUntil && item.alert.snoozedBy)
    parts.push(`Snoozed until ${slackDateTime(item.alert.snoozedUntil)} by ${userMention(item.alert.snoozedBy)}`);
  return parts.length > 0 ? parts.join(' · ') : undefined;
}

/** "renewed by 12345678, ends 2027-11-30": the certificate that took over a replaced one. */
export function renewedLine(replacement: Certificate): string {
  const id = replacement.certificateId ?? replacement.instanceId ?? replacement.id;
  const end = replacement.endDate ? `, ends ${inlineText(replacement.endDate, 10)}` : '';
  return `Renewed by ${codeSpan(id, 60)}${end}`;
}

/** Stands in for a missing list entry, so a hole in the input renders as a nameless row. */
const NO_CERTIFICATE: Certificate = { account: '', id: '', sans: [], expired: false, uploaded: false };

function pageValue(
  codec: typeof BUTTONS.listNext,
  filter: { status: CertificateView; keyword: string | undefined; account: string | undefined },
  page: number,
): string {
  return codec.encode({ ...filter, page });
}

function wholeNumber(value: number, fallback: number, min: number): number {
  return typeof value === 'number' && Number.isFinite(value) ? Math.max(min, Math.floor(value)) : fallback;
}

/** The /cert-list answer: one section per certificate on this page, with Previous/Next buttons. */
export function renderCertificateList(input: CertificateListInput): SlackMessage {
  const status: CertificateView = input.filter?.status in TITLES ? input.filter.status : 'all';
  const keyword = cleanKeyword(input.filter?.keyword);
  const items = Array.isArray(input.items) ? input.items : [];
  const pageSize = wholeNumber(input.pageSize, 10, 1);
  const page = wholeNumber(input.page, 0, 0);
  const first = page * pageSize;
  const given = wholeNumber(input.total, items.length, 0);
  // A total smaller than what this page shows would be an upstream inconsistency: trust the page.
  const total = items.length > 0 ? Math.max(given, first + items.length) : given;

  const title = titleOf(status);
  const account = input.filter?.account;
  const scoped = account ? `${title} of ${truncate(oneLine(account), 40)}` : title;
  const headerText = keyword ? `${scoped} matching “${truncate(oneLine(keyword), 60)}”` : scoped;
  const matching = keyword ? ` matching “${inlineText(keyword, 60)}”` : '';
  const blocks: KnownBlock[] = [header(headerText)];

  let text: string;
  if (items.length === 0) {
    if (total > 0) {
      text = `${title}${matching}: page ${formatNumber(page + 1)} is past the end; there are ${formatNumber(total)}.`;
      blocks.push(
        section(`${EMOJI.unknown} Nothing on page ${formatNumber(page + 1)}; ${plural(total, 'certificate')} in all.`),
      );
    } else if (status === 'expiring' || status === 'expired') {
      text = `No ${title.toLowerCase()}${matching}.`;
      blocks.push(section(`${EMOJI.allClear} No ${title.toLowerCase()}${matching}.`));
    } else {
      text = `No certificates found${matching}.`;
      blocks.push(section(`${EMOJI.unknown} No ${status === 'all' ? '' : `${status} `}certificates found${matching}.`));
    }
  } else {
    const last = first + items.length;
    const range = `Showing ${formatNumber(first + 1)}–${formatNumber(last)} of ${formatNumber(total)}`;
    const soonest = items[0];
    const soonestName = inlineText(soonest ? displayName(soonest) : undefined, 60);
    const soonestDays = daysLeft(soonest?.endDate, input.now);
    text = `${title}${matching}: ${range.toLowerCase()}.${
      soonestName && soonestDays !== undefined ? ` First: ${soonestName}, ${describeDaysLeft(soonestDays)}.` : ''
    }`;
    blocks.push(context([range]));
    // Views select by the one state: expiring and expired hold no renewed certificate to set apart.
    const fitted = takeBlocks(items, (item) => itemSection(item ?? NO_CERTIFICATE, input.now), {
      maxBlocks: MAX_ITEM_BLOCKS,
      maxChars: ITEMS_JSON_BUDGET,
    });
    blocks.push(...fitted.blocks);
    if (fitted.omitted > 0) blocks.push(context([`…and ${formatNumber(fitted.omitted)} more on this page not shown`]));
  }

  const buttons: Button[] = [];
  const hasPrevious = page > 0;
  const hasNext = first + pageSize < total;
  const filter = { status, keyword, account };
  const previous = pageValue(
    BUTTONS.listPrev,
    filter,
    Math.min(page - 1, Math.max(0, Math.ceil(total / pageSize) - 1)),
  );
  const next = pageValue(BUTTONS.listNext, filter, page + 1);
  const fits = fitsButtonValue(previous) && fitsButtonValue(next);
  if (fits && hasPrevious)
    buttons.push(button({ text: '◀ Previous', actionId: BUTTONS.listPrev.actionId, value: previous }));
  if (fits && hasNext) buttons.push(button({ text: 'Next ▶', actionId: BUTTONS.listNext.actionId, value: next }));
  if (buttons.length > 0) blocks.push(actions(buttons));

  const failures = input.failures ?? [];
  if (failures.length > 0) {
    blocks.push(failuresSection(failures));
    text = `${text} Could not list ${failures.map((f) => f.account).join(', ')}.`;
  }
  const footer = [
    input.freshness ? describeFreshness(input.freshness, input.now, slackTime) : `Checked ${slackDateTime(input.now)}`,
  ];
  if (!fits && (hasPrevious || hasNext)) footer.push('Paging is off for a keyword this long; use a shorter keyword.');
  blocks.push(context([footer.join(' · ')]));
  return buildMessage(text, blocks);
}
