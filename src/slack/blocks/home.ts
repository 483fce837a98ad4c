import type { KnownBlock } from '@slack/types';
import type { VerdictCounts } from '../../domain/probe-verdict';
import { verdictCountsLine } from '../../render/probe';
import { CERTIFICATE_STATES, certificateState, STATE_LABELS, type StateCounts } from '../../domain/certificate-state';
import { displayName } from '../../domain/certificate';
import { DEFAULT_ACCOUNT } from '../../domain/account';
import { daysLeft } from '../../domain/expiry';
import { type AccountFailure, describeAccountFailure } from '../../accounts/account-failure';
import type { ListedCertificate } from '../../inventory/certificate-source';
import { describeDaysLeft, describeFreshness, formatNumber, plural } from '../../render/format';
import { describeWeekChange, sparkline } from '../../render/sparkline';
import type { StoredAlertState } from '../../store/types';
import { BUTTONS } from '../button-codecs';
import {
  actions,
  button,
  context,
  cutLines,
  divider,
  fieldsSection,
  header,
  lineSections,
  moreLine,
  section,
} from './builders';
import { EMOJI, STATE_EMOJI } from './emoji';
import { accountTag, boldText, codeSpan, fitText, inlineText, jsonCost, userMention } from './escape';
import { renderCasError } from './errors';
import { slackDateTime, slackTime } from './dates';

/** Block Kit limits of a Home tab (docs.slack.dev/reference/block-kit/blocks; views.publish). */
export const MAX_HOME_BLOCKS = 100;
/** Slack refuses views over 250 kB (view_too_large); a dashboard stays far below. */
export const HOME_VIEW_JSON_BUDGET = 40_000;
/** Certificates shown one by one, each with its buttons; the rest are counted. */
export const HOME_URGENT_SIZE = 10;
/** Lines in the "Acknowledged by you" and "Snoozed by you" lists before "…and N more". */
export const HOME_LIST_LINES = 15;

const SECTION_CHARS = 2_800;
/** JSON the urgent list may spend (ten certificates with their buttons need far less). */
const URGENT_JSON_BUDGET = 16_000;

/** A Home tab view, as views.publish takes it. */
export interface HomeView {
  type: 'home';
  blocks: KnownBlock[];
}

/** One account's health score (GetAssetCount) and its trend (digest snapshots, oldest first). */
export interface HomeAccountScore {
  account: string;
  /** The current score; undefined when CAS sent none. */
  point?: number;
  trend: readonly number[];
  /** Set when CAS could not be asked: shown instead of the score. */
  failure?: AccountFailure;
}

/** A certificate on the dashboard, with who acknowledged or snoozed its alerts. */
export interface HomeItem {
  certificate: ListedCertificate;
  state?: StoredAlertState;
}

/** The inventory's count of each state, and whether deployments were listed (else stale and not deployed are unknown). */
export type HomeCounts = StateCounts & { deploymentsKnown: boolean };

export interface HomeInput {
  /** Whose dashboard this is. */
  userId: string;
  now: Date;
  accounts: readonly HomeAccountScore[];
  /** The stored inventory; undefined before the first sync. */
  inventory?: { syncedAt: Date; lastFailure?: { at: Date; message: string }; counts: HomeCounts };
  /** The certificates at risk, most urgent first (domain/certificate-state mostUrgentFirst), minus the user's own acknowledged and snoozed ones: all, or the first ones with `urgentTotal`. */
  urgent: readonly HomeItem[];
  /**
   * How many certificates the urgent list has in all, when `urgent` holds only its first ones
   * (a reader asks for a page, not the whole list); unset: `urgent` is the whole list.
   */
  urgentTotal?: number;
  /** Present certificates at risk this user acknowledged, most urgent first. */
  acknowledged: readonly HomeItem[];
  /** Present certificates at risk this user snoozed, while the snooze lasts. */
  snoozed: readonly HomeItem[];
  /** Endpoints by the verdict of the last probe pass (as /cert-list drift counts them); unset when not probed or none yet. */
  endpoints?: VerdictCounts;
}

function certificateName(c: ListedCertificate): string {
  return `${accountTag(c.account)}${boldText(displayName(c), 100) || '_(no common name)_'} ${codeSpan(c.certificateId ?? c.instanceId ?? c.id, 40)}`;
}

function scoreText(score: HomeAccountScore): string {
  if (score.failure) {
    const line = describeAccountFailure(score.failure);
    // The one account made from the environment is never named.
    const unnamed =
      score.account === DEFAULT_ACCOUNT && !score.failure.slow ? line.slice(score.account.length + 2) : line;
    return `${EMOJI.warning} not available: ${inlineText(unnamed, 400)}`;
  }
  const point = score.point === undefined ? 'n/a' : `*${formatNumber(score.point)}*`;
  const spark = sparkline(score.trend);
  return [point, spark ? `\`${spark}\`` : undefined, describeWeekChange(score.trend)].filter(Boolean).join('  ');
}

function scoreBlocks(accounts: readonly HomeAccountScore[]): KnownBlock[] {
  if (accounts.length === 1 && accounts[0].account === DEFAULT_ACCOUNT)
    return [section(`*Health score:* ${scoreText(accounts[0])}`)];
  const lines = accounts.map((a) => `• ${boldText(a.account, 40)} · ${scoreText(a)}`);
  const { blocks } = lineSections(['*Health score by account*', ...lines], {
    maxChars: SECTION_CHARS,
    maxLines: 60,
    maxSections: 2,
  });
  return blocks;
}

function countBlocks(input: HomeInput): KnownBlock[] {
  const counts = input.inventory?.counts;
  if (!counts)
    return [
      section(
        `${EMOJI.unknown} No inventory sync has finished yet: the counts and the most urgent certificates appear after the first one.`,
      ),
    ];
  // Stale and not deployed need the deployments; until they are listed those two are unknown.
  const unknown = (state: string) => !counts.deploymentsKnown && (state === 'stale' || state === 'not-deployed');
  const field = (state: (typeof CERTIFICATE_STATES)[number]) => {
    const label = STATE_LABELS[state].many;
    const title = label.charAt(0).toUpperCase() + label.slice(1);
    const value = unknown(state)
      ? `${EMOJI.unknown} not listed yet`
      : `${STATE_EMOJI[state]} ${formatNumber(counts[state])}`;
    return `*${title}*\n${value}`;
  };
  return [
    section(`*${plural(counts.total, 'certificate')} in the inventory*, one state each, most urgent first:`),
    fieldsSection(CERTIFICATE_STATES.map(field)),
  ];
}

/** What endpoints serve, counted by verdict, when they are probed. */
function endpointBlocks(input: HomeInput): KnownBlock[] {
  const counts = input.endpoints;
  if (!counts || counts.total === 0) return [];
  const drifted = counts.total - counts.ok - counts.pending;
  return [
    section(
      `${drifted > 0 ? EMOJI.warning : EMOJI.allClear} *${verdictCountsLine(counts)}*${drifted > 0 ? ' · `/cert-list drift` lists them' : ''}`,
    ),
  ];
}

function othersState(state: StoredAlertState | undefined, now: Date): string[] {
  const lines: string[] = [];
  if (state?.acknowledgedBy)
    lines.push(
      `Acknowledged by ${userMention(state.acknowledgedBy)}${state.acknowledgedAt ? ` at ${slackDateTime(state.acknowledgedAt)}` : ''}`,
    );
  if (state?.snoozedBy && state.snoozedUntil && state.snoozedUntil.getTime() > now.getTime())
    lines.push(`Snoozed until ${slackDateTime(state.snoozedUntil)} by ${userMention(state.snoozedBy)}`);
  return lines;
}

function urgentBlocks(item: HomeItem, now: Date): KnownBlock[] {
  const c = item.certificate;
  const days = daysLeft(c.endDate, now);
  const state = certificateState(c, now);
  // "expired 3 days ago" already names the state; "5 days left" gets it added.
  const when = describeDaysLeft(days);
  const named = when.startsWith(STATE_LABELS[state].one) ? `*${when}*` : `${when} · *${STATE_LABELS[state].one}*`;
  const first =
    state === 'stale'
      ? `${STATE_EMOJI.stale} ${certificateName(c)} — *${STATE_LABELS.stale.one}:* renewed, the old certificate is still serving (${describeDaysLeft(days)})`
      : `${STATE_EMOJI[state]} ${certificateName(c)} — ${named}`;
  const value = BUTTONS.certInfo.encode({ account: c.account, id: c.id });
  // Every item has both: the first acknowledgement wins, a later one is told who it was.
  const buttons = [
    button({ text: 'Info', actionId: BUTTONS.certInfo.actionId, value }),
    button({
      text: 'Acknowledge',
      actionId: BUTTONS.alertAcknowledge.actionId,
      value: BUTTONS.alertAcknowledge.encode({ account: c.account, id: c.id }),
      style: 'primary',
    }),
  ];
  return [section([first, ...othersState(item.state, now)].join('\n')), actions(buttons)];
}

function urgentSection(input: HomeInput): KnownBlock[] {
  if (!input.inventory) return [];
  const total = input.urgentTotal ?? input.urgent.length;
  const blocks: KnownBlock[] = [section(`*Most urgent* (${plural(total, 'certificate')})`)];
  if (total === 0) {
    blocks.push(section(`${EMOJI.allClear} Nothing needs your attention.`));
    return blocks;
  }
  let used = 0;
  let shown = 0;
  for (const item of input.urgent.slice(0, HOME_URGENT_SIZE)) {
    const built = urgentBlocks(item, input.now);
    const cost = JSON.stringify(built).length;
    if (used + cost > URGENT_JSON_BUDGET) break;
    blocks.push(...built);
    used += cost;
    shown += 1;
  }
  const hidden = total - shown;
  if (hidden > 0)
    blocks.push(
      context([`${moreLine(hidden)} need attention: \`/cert-list expiring\`, \`/cert-list stale\` list them all`]),
    );
  return blocks;
}

function listBlock(title: string, items: readonly HomeItem[], detail: (item: HomeItem) => string, now: Date) {
  if (items.length === 0) return section(`*${title}*\n_none_`);
  const lines = items.map(
    (item) =>
      `• ${certificateName(item.certificate)} — ${describeDaysLeft(daysLeft(item.certificate.endDate, now))} · ${detail(item)}`,
  );
  const cut = cutLines(lines, { maxChars: SECTION_CHARS - title.length - 20, maxLines: HOME_LIST_LINES });
  return section([`*${title}* (${formatNumber(items.length)})`, ...cut.lines].join('\n'));
}

function freshnessText(input: HomeInput): string {
  const updated = `Updated ${slackDateTime(input.now)}`;
  if (!input.inventory) return `No inventory sync has finished yet · ${updated}`;
  const { syncedAt, lastFailure } = input.inventory;
  // The failure's message is escaped on its own: the line carries a date token for Slack.
  const failure = lastFailure ? { lastFailure: { ...lastFailure, message: inlineText(lastFailure.message, 500) } } : {};
  const line = describeFreshness({ source: 'inventory', syncedAt, ...failure }, input.now, slackTime);
  return `Inventory: ${line} · ${updated}`;
}

/** The net under the budgets: at most 100 blocks and the view JSON within HOME_VIEW_JSON_BUDGET. */
function finishView(blocks: KnownBlock[]): HomeView {
  let kept = blocks;
  if (kept.length > MAX_HOME_BLOCKS)
    kept = [
      ...kept.slice(0, MAX_HOME_BLOCKS - 1),
      context([`${moreLine(kept.length - (MAX_HOME_BLOCKS - 1))} blocks`]),
    ];
  const cost = (block: KnownBlock) => JSON.stringify(block).length + 1;
  let total = JSON.stringify(kept).length;
  while (total > HOME_VIEW_JSON_BUDGET && kept.length > 1) {
    let largest = 1;
    for (let i = 2; i < kept.length; i += 1) if (cost(kept[i]) > cost(kept[largest])) largest = i;
    const block = kept[largest];
    if (block.type === 'section' && block.text && !block.fields && jsonCost(block.text.text) > 200)
      kept[largest] = {
        ...block,
        text: { ...block.text, text: fitText(block.text.text, jsonCost(block.text.text) / 2) },
      };
    else kept = kept.filter((_, i) => i !== largest);
    total = JSON.stringify(kept).length;
  }
  return { type: 'home', blocks: kept };
}

/**
 * App Home for one user: each account's health score and trend, what is at risk in the
 * inventory, the ten most urgent certificates with Info and Acknowledge, what this user
 * acknowledged and snoozed, and how fresh the inventory is, with a Refresh button. Everything
 * from CAS is escaped; every list is cut with "…and N more", within Slack's limits for a Home tab.
 */
export function renderHomeView(input: HomeInput): HomeView {
  const blocks: KnownBlock[] = [
    header('Certificates'),
    ...scoreBlocks(input.accounts),
    ...countBlocks(input),
    ...endpointBlocks(input),
    divider(),
    ...urgentSection(input),
    divider(),
    listBlock(
      'Acknowledged by you',
      input.acknowledged,
      (item) => `acknowledged ${item.state?.acknowledgedAt ? slackDateTime(item.state.acknowledgedAt) : ''}`.trim(),
      input.now,
    ),
    listBlock(
      'Snoozed by you',
      input.snoozed,
      (item) => (item.state?.snoozedUntil ? `snoozed until ${slackDateTime(item.state.snoozedUntil)}` : 'snoozed'),
      input.now,
    ),
    divider(),
    context([freshnessText(input)]),
    refreshActions(),
  ];
  return finishView(blocks);
}

function refreshActions(): KnownBlock {
  return actions([
    button({ text: 'Refresh', actionId: BUTTONS.homeRefresh.actionId, value: BUTTONS.homeRefresh.encode({}) }),
  ]);
}

/** The dashboard could not be built: what failed (the CAS error's hint and RequestId), and Refresh. */
export function renderHomeError(error: unknown, now: Date): HomeView {
  const message = renderCasError(error, 'Could not build your certificate dashboard');
  return finishView([
    header('Certificates'),
    ...message.blocks,
    context([`Updated ${slackDateTime(now)}`]),
    refreshActions(),
  ]);
}
