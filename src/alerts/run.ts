import { describeError, failureReason } from '../domain/error-description';
import {
  claimPosts,
  type Granted,
  type PostItem,
  type PostOnceDeps,
  type PostRetry,
  postClaimed,
} from '../delivery/post-once';
import { type AlertHours, insideAlertHours } from '../domain/alert-hours';
import { type AlertRoute, routeFor } from '../domain/alert-routes';
import { type AlertState, dueThreshold } from '../domain/alerts';
import { type BaselineScope } from '../domain/baseline';
import { stateCounts } from '../domain/certificate-state';
import { daysLeft } from '../domain/expiry';
import { shownAccount } from '../render/accounts';
import type { ListedCertificate } from '../inventory/certificate-source';
import type { InventoryReader } from '../inventory/inventory-reader';
import type { Logger } from '../ops/logger';
import type { DriftAlertParts } from './drift';
import { slackErrorCode } from '../ops/slack-error';
import type {
  AlertItem,
  AlertMessage,
  AlertStore,
  ClaimEntry,
  ClaimKey,
  ClaimStore,
  ProbeResultStore,
  StoredAlertState,
} from '../store/types';

/** A rendered message: fallback text and Block Kit blocks. */
export interface AlertSlackMessage {
  text: string;
  blocks: unknown[];
}

/** Marks the bot's own alert messages, so a takeover can find one an earlier holder posted. */
export const ALERT_EVENT_TYPE = 'cert_bot_alert';
export const ALERT_CLAIM_KIND = 'alert';
/** How long an alert claim is held without being finished; a holder that died frees it then. */
const ALERT_LEASE_MS = 5 * 60_000;
/** Claim keys carried in a message's metadata (for the check after a crash). */
const METADATA_KEYS = 50;

/** Stale-deployment alerts have a ledger of their own: acknowledging the renewal does not deploy it. */
export const STALE_CLAIM_KIND = 'alert-stale';
/** The first stale-deployment alert, when it is found; later ones are the old certificate's thresholds. */
export const STALE_FOUND = -1;

/** The first-day summary of one account's certificates in one channel (ALERT_BASELINE). */
export const BASELINE_CLAIM_KIND = 'alert-baseline';
/** A threshold counted as announced by a baseline rather than by an alert of its own. */
export const BASELINE_STATUS = 'baseline';

export const baselineKey = (account: string, channel: string): ClaimKey => ({
  kind: BASELINE_CLAIM_KIND,
  subject: account,
  period: channel,
});

export const alertKey = (account: string, certificateId: string, threshold: number, stale = false): ClaimKey => ({
  kind: stale ? STALE_CLAIM_KIND : ALERT_CLAIM_KIND,
  subject: `${account}/${certificateId}`,
  period: String(threshold),
});

export interface AlertEntryInput {
  certificate: ListedCertificate;
  threshold: number;
  /** A stale deployment (renewed, old certificate still serving) rather than an expiry. */
  stale?: boolean;
  acknowledged?: { by: string; at: Date };
  snoozed?: { by: string; until: Date };
  removed?: boolean;
}

/** The Slack calls alerts make; satisfied by WebClient (see slack/alert-poster.ts). */
export interface AlertPoster {
  postMessage(
    message: AlertSlackMessage & {
      channel: string;
      metadata: { event_type: string; event_payload: Record<string, string> };
    },
  ): Promise<{ ts?: string }>;
  update(message: AlertSlackMessage & { channel: string; ts: string }): Promise<void>;
  /** The ts of the bot's alert message in `channel` since `since` that carries one of `keys`. */
  findPosted(channel: string, keys: readonly string[], since: Date): Promise<string | undefined>;
}

export interface AlertSettings {
  thresholds: readonly number[];
  routes: readonly AlertRoute[];
  defaultChannel?: string;
  /** An account's own default channel (its alertChannel, else its first digest channel). */
  accountChannels?: Readonly<Record<string, string>>;
  hours: AlertHours;
  timezone: string;
  /**
   * ALERT_BASELINE: a channel's first pass for an account posts one summary and counts every
   * threshold already crossed as announced. Off (or unset): every certificate one by one.
   */
  baseline?: boolean;
  /** ALERT_EXPIRED_GRACE_DAYS: expired longer than this when first seen, never announced one by one. */
  expiredGraceDays?: number;
}

export interface AlertDeps {
  /** The stored inventory as answers read it (/cert-info, the alert buttons). */
  inventory: InventoryReader;
  claims: ClaimStore;
  alerts: AlertStore;
  /** What endpoints served at the last probe pass (for /cert-info's "Served at"). */
  probes?: { results: ProbeResultStore; enabled: boolean };
  /** Drift alerts (endpoints that do not serve the current certificate), when endpoints are probed. */
  drift?: DriftAlertParts;
  poster: AlertPoster;
  render(input: { entries: AlertEntryInput[]; mention?: string; omitted: number; now: Date }): AlertSlackMessage;
  /** The first-day summary of a channel (needed when settings.baseline is on). */
  renderBaseline?(input: { scopes: BaselineScope[]; now: Date }): AlertSlackMessage;
  settings: AlertSettings;
  logger: Logger;
  now: () => Date;
  instanceId: string;
  /** How long an alert claim is held without renewal (default five minutes). */
  leaseMs?: number;
  /** How long a post whose answer was lost is looked for and tried again (see delivery/post-once). */
  postRetry?: PostRetry;
  observe?: {
    alertPosted?(threshold: number): void;
    alertsDue?(count: number): void;
    alertPostFailed?(reason: string): void;
  };
}

export interface DueAlert {
  certificate: ListedCertificate;
  threshold: number;
  stale?: boolean;
  /** A stale deployment found late: the threshold it had already crossed, announced with it. */
  covers?: number;
  channel: string;
  mention?: string;
}

export interface ChannelAlerts {
  channel: string;
  mention?: string;
  alerts: DueAlert[];
}

/** A channel that gets its first-day summary: the accounts whose certificates it now watches. */
export interface ChannelBaseline {
  channel: string;
  scopes: Array<{ account: string; certificates: ListedCertificate[] }>;
}

type PostStatus = 'posted' | 'failed' | 'skipped' | 'would-post';

export interface AlertRunResult {
  /** Outside ALERT_HOURS: nothing was posted; the alerts stay due. */
  held: boolean;
  /** First-day summaries (ALERT_BASELINE), one per channel, before any alert there. */
  baselines: Array<
    { channel: string; accounts: string[]; certificates: number } & { status: PostStatus; ts?: string; error?: string }
  >;
  channels: Array<ChannelAlerts & { status: PostStatus; ts?: string; error?: string }>;
  /** Due certificates that no route and no ALERT_CHANNEL sends anywhere. */
  unrouted: number;
}

/** Slack errors that leave the alert due, with what the person running the bot should do. */
const CHANNEL_FIXES: Record<string, string> = {
  not_in_channel: 'invite the bot to the channel (/invite @cert-bot)',
  channel_not_found: 'check ALERT_ROUTES and ALERT_CHANNEL (use channel IDs such as C012ABCDEF)',
  is_archived: 'unarchive the channel or change ALERT_ROUTES / ALERT_CHANNEL',
  invalid_auth: 'check SLACK_BOT_TOKEN',
  missing_scope: 'add the chat:write scope to the app and reinstall it',
};

const stateKey = (account: string, id: string) => `${account}/${id}`;

/** Every acknowledgement and snooze, by certificate. */
async function statesByKey(alerts: AlertStore): Promise<Map<string, StoredAlertState>> {
  return new Map((await alerts.states()).map((s) => [stateKey(s.account, s.certificateId), s] as const));
}

function domainState(state: StoredAlertState | undefined): AlertState | undefined {
  if (!state) return undefined;
  return {
    acknowledgedAt: state.acknowledgedAt,
    acknowledgedBy: state.acknowledgedBy,
    snoozedUntil: state.snoozedUntil,
    snoozedBy: state.snoozedBy,
  };
}

export function entryState(state: StoredAlertState | undefined): Pick<AlertEntryInput, 'acknowledged' | 'snoozed'> {
  return {
    acknowledged:
      state?.acknowledgedBy && state.acknowledgedAt
        ? { by: state.acknowledgedBy, at: state.acknowledgedAt }
        : undefined,
    snoozed: state?.snoozedBy && state.snoozedUntil ? { by: state.snoozedBy, until: state.snoozedUntil } : undefined,
  };
}

const scopeKey = (account: string, channel: string) => `${account}\u0000${channel}`;
/** The account of an alert claim's subject (`account/certificateId`; IDs have no slash). */
const subjectAccount = (subject: string) => subject.slice(0, subject.lastIndexOf('/'));

/** A claim that counts a threshold as announced: posted in an alert, or covered by a baseline. */
const isAnnounced = (status: string) => status === 'posted' || status === BASELINE_STATUS;

/**
 * Which (account, channel) scopes have had their baseline, and which one is being posted now
 * by another holder. A scope where alerts were posted before baselines existed (an upgraded
 * bot, or ALERT_BASELINE turned on later) counts as done: it gets no summary.
 */
function baselineScopes(
  baselineClaims: readonly ClaimEntry[],
  alertClaims: readonly ClaimEntry[],
  now: Date,
): { done: Set<string>; busy: Set<string> } {
  const done = new Set<string>();
  const busy = new Set<string>();
  for (const claim of baselineClaims) {
    const key = scopeKey(claim.subject, claim.period);
    if (claim.status === 'posted') done.add(key);
    else if (claim.status === 'claimed' && (claim.leaseUntil?.getTime() ?? 0) > now.getTime()) busy.add(key);
  }
  for (const claim of alertClaims)
    if (claim.status === 'posted' && typeof claim.result?.channel === 'string')
      done.add(scopeKey(subjectAccount(claim.subject), claim.result.channel));
  return { done, busy };
}

/** Expired longer than the grace when the bot first saw it: never announced one by one. */
function pastGrace(certificate: ListedCertificate, graceDays: number | undefined): boolean {
  if (graceDays === undefined || !certificate.firstSeen) return false;
  const atFirstSight = daysLeft(certificate.endDate, certificate.firstSeen);
  return atFirstSight !== undefined && atFirstSight < -graceDays;
}

/**
 * The certificates an alert can be due for: stale deployments, and those ending within the
 * largest threshold (ended ones included); every one with ALERT_BASELINE on, whose first-day
 * summary counts them all.
 */
async function candidates(deps: AlertDeps, now: Date, baselineOn: boolean): Promise<ListedCertificate[]> {
  if (baselineOn) return (await deps.inventory.select({}, now)).certificates;
  const largest = Math.max(...deps.settings.thresholds);
  const [stale, ending] = await Promise.all([
    deps.inventory.select({ states: ['stale'] }, now),
    Number.isFinite(largest)
      ? deps.inventory.select({ endsWithinDays: largest }, now)
      : Promise.resolve({ certificates: [] }),
  ]);
  const seen = new Set(stale.certificates.map((c) => stateKey(c.account, c.id)));
  return [...stale.certificates, ...ending.certificates.filter((c) => !seen.has(stateKey(c.account, c.id)))];
}

/**
 * What is due now: for every certificate in the inventory that is not renewed, the most urgent
 * threshold it crossed and was not announced (and is not held by a snooze or acknowledgement),
 * routed to its channel. Grouped by channel, most urgent first. With ALERT_BASELINE on, a
 * channel that has not had its first-day summary for an account gets that instead: none of
 * that account's certificates is announced there one by one until the summary is posted.
 */
export async function dueAlerts(
  deps: AlertDeps,
  now: Date,
): Promise<{
  channels: ChannelAlerts[];
  baselines: ChannelBaseline[];
  unrouted: number;
  states: Map<string, StoredAlertState>;
}> {
  if (!(await deps.inventory.status(now))) return { channels: [], baselines: [], unrouted: 0, states: new Map() };
  const baselineOn = deps.settings.baseline === true;
  const [stateOf, claims, staleClaims, baselineClaims] = await Promise.all([
    statesByKey(deps.alerts),
    deps.claims.list(ALERT_CLAIM_KIND, 10_000_000),
    deps.claims.list(STALE_CLAIM_KIND, 10_000_000),
    baselineOn ? deps.claims.list(BASELINE_CLAIM_KIND, 10_000_000) : Promise.resolve([]),
  ]);
  const posted = (list: typeof claims) => {
    const map = new Map<string, Set<number>>();
    for (const claim of list) {
      if (!isAnnounced(claim.status)) continue;
      const set = map.get(claim.subject) ?? new Set<number>();
      set.add(Number(claim.period));
      map.set(claim.subject, set);
    }
    return map;
  };
  const announced = posted(claims);
  const announcedStale = posted(staleClaims);
  const scopes = baselineScopes(baselineClaims, [...claims, ...staleClaims], now);
  const pending = new Map<string, ChannelBaseline>();
  const byChannel = new Map<string, ChannelAlerts>();
  let unrouted = 0;
  for (const certificate of await candidates(deps, now, baselineOn)) {
    const key = stateKey(certificate.account, certificate.id);
    let due: { threshold: number; stale: boolean; covers?: number } | undefined;
    if (pastGrace(certificate, deps.settings.expiredGraceDays)) {
      // Listed, counted and summarised like any other; only never announced on its own.
    } else if (certificate.deployment?.state === 'stale') {
      // Announced when found, then at every threshold the old certificate crosses, whatever
      // was acknowledged: acknowledging the renewal does not deploy it.
      const seen = announcedStale.get(key) ?? new Set<number>();
      const crossed = dueThreshold({
        daysLeft: daysLeft(certificate.endDate, now),
        thresholds: deps.settings.thresholds,
        announced: seen,
        now,
      });
      if (!seen.has(STALE_FOUND)) due = { threshold: STALE_FOUND, stale: true, covers: crossed };
      else if (crossed !== undefined) due = { threshold: crossed, stale: true };
    } else if (!certificate.replacedBy) {
      const threshold = dueThreshold({
        daysLeft: daysLeft(certificate.endDate, now),
        thresholds: deps.settings.thresholds,
        announced: announced.get(key) ?? new Set(),
        state: domainState(stateOf.get(key)),
        now,
      });
      if (threshold !== undefined) due = { threshold, stale: false };
    }
    // Without a baseline only due certificates need a route; with one, every certificate
    // counts in its channel's summary.
    if (!due && !baselineOn) continue;
    const route = routeFor(
      certificate,
      deps.settings.routes,
      deps.settings.accountChannels?.[certificate.account] ?? deps.settings.defaultChannel,
    );
    if (!route) {
      if (due) unrouted += 1;
      continue;
    }
    if (baselineOn) {
      const scope = scopeKey(certificate.account, route.channel);
      if (!scopes.done.has(scope)) {
        if (!scopes.busy.has(scope)) {
          const group = pending.get(route.channel) ?? { channel: route.channel, scopes: [] };
          let entry = group.scopes.find((s) => s.account === certificate.account);
          if (!entry) group.scopes.push((entry = { account: certificate.account, certificates: [] }));
          entry.certificates.push(certificate);
          pending.set(route.channel, group);
        }
        continue;
      }
    }
    if (!due) continue;
    // A route's mention is part of its channel's message: one message per (channel, mention).
    const groupKey = `${route.channel} ${route.mention ?? ''}`;
    const group = byChannel.get(groupKey) ?? { channel: route.channel, mention: route.mention, alerts: [] };
    group.alerts.push({ certificate, ...due, ...route });
    byChannel.set(groupKey, group);
  }
  const channels = [...byChannel.values()];
  // Stale deployments first (the most urgent state), then by days left.
  for (const group of channels)
    group.alerts.sort(
      (a, b) =>
        Number(Boolean(b.stale)) - Number(Boolean(a.stale)) ||
        (daysLeft(a.certificate.endDate, now) ?? Infinity) - (daysLeft(b.certificate.endDate, now) ?? Infinity) ||
        a.certificate.id.localeCompare(b.certificate.id),
    );
  return { channels, baselines: [...pending.values()], unrouted, states: stateOf };
}

/**
 * One alert pass: what is due, one message per channel, each (certificate, threshold) claimed
 * once so no restart, crash or replica announces it twice. A post that fails gives its claims
 * back (the alerts stay due for the next pass); the other channels still get theirs. Outside
 * ALERT_HOURS nothing is posted. `post: false` only reports what would be posted.
 */
export async function runAlerts(deps: AlertDeps, options: { post: boolean }): Promise<AlertRunResult> {
  const now = deps.now();
  const log = deps.logger.child({ module: 'alerts' });
  const { channels, baselines, unrouted, states } = await dueAlerts(deps, now);
  const total = channels.reduce((n, c) => n + c.alerts.length, 0);
  deps.observe?.alertsDue?.(total);
  if (unrouted > 0)
    log.warn({ unrouted }, 'certificates need an alert but no route or ALERT_CHANNEL sends them anywhere');
  const held = !insideAlertHours(deps.settings.hours, deps.settings.timezone, now);
  const baselineOf = (b: ChannelBaseline) => ({
    channel: b.channel,
    accounts: b.scopes.map((s) => s.account),
    certificates: b.scopes.reduce((n, s) => n + s.certificates.length, 0),
  });
  if (!options.post || held) {
    if (held && total + baselines.length > 0)
      log.info(
        { due: total, summaries: baselines.length },
        'alerts due outside ALERT_HOURS; held until the window opens',
      );
    const status = options.post ? 'skipped' : 'would-post';
    return {
      held,
      unrouted,
      baselines: baselines.map((b) => ({ ...baselineOf(b), status })),
      channels: channels.map((c) => ({ ...c, status })),
    };
  }
  const summaries: AlertRunResult['baselines'] = [];
  for (const group of baselines)
    summaries.push({ ...baselineOf(group), ...(await postBaseline(deps, group, now, log)) });
  const results: AlertRunResult['channels'] = [];
  for (const group of channels) results.push({ ...group, ...(await postChannel(deps, group, states, now, log)) });
  return { held, unrouted, baselines: summaries, channels: results };
}

/** Counts the threshold(s) a certificate has already crossed as announced, without an alert. */
async function markCrossed(deps: AlertDeps, certificate: ListedCertificate, now: Date): Promise<void> {
  const days = daysLeft(certificate.endDate, now);
  const crossed = days === undefined ? [] : deps.settings.thresholds.filter((t) => days <= t);
  // Only the most urgent crossed threshold is ever announced (domain/alerts), so it is enough.
  const mostUrgent = crossed.length > 0 ? Math.min(...crossed) : undefined;
  const stale = certificate.deployment?.state === 'stale';
  const thresholds = stale
    ? [STALE_FOUND, ...(mostUrgent === undefined ? [] : [mostUrgent])]
    : certificate.replacedBy || mostUrgent === undefined
      ? []
      : [mostUrgent];
  for (const threshold of thresholds) {
    const key = alertKey(certificate.account, certificate.id, threshold, stale);
    // Announced already (or being announced by another pass): nothing to mark.
    const claimed = await deps.claims.claim({ ...key, holder: deps.instanceId, now, leaseMs: ALERT_LEASE_MS });
    if (claimed) await deps.claims.finish(key, deps.instanceId, { status: BASELINE_STATUS, now });
  }
}

/**
 * One channel's first-day summary: each account's scope claimed once (no replica or retry
 * posts it twice), every threshold its certificates already crossed counted as announced,
 * then one message. A post that fails gives the claims back; the summary stays due, and the
 * channel gets no alert of those accounts one by one until it is posted.
 */
async function postBaseline(deps: AlertDeps, group: ChannelBaseline, now: Date, log: Logger): Promise<PostResult> {
  const granted = await claimPosts(
    postDeps(deps),
    group.scopes.map((scope) => ({ key: baselineKey(scope.account, group.channel), scope })),
    { leaseMs: deps.leaseMs ?? ALERT_LEASE_MS },
  );
  if (granted.length === 0) return { status: 'skipped' };
  const what = `the alert summary could not be posted to ${group.channel}`;
  try {
    for (const g of granted)
      for (const certificate of g.item.scope.certificates) await markCrossed(deps, certificate, now);
  } catch (error) {
    await Promise.all(granted.flatMap((g) => g.keys.map((key) => deps.claims.release(key, deps.instanceId))));
    return postFailed(deps, log, group.channel, error, what, 'it stays due');
  }
  const outcome = await deliver(deps, group.channel, granted, {
    keys: granted.map((g) => `baseline/${g.item.scope.account}/${group.channel}`),
    now,
    log,
    message: () => {
      if (!deps.renderBaseline) throw new Error('no renderer for the alert summary');
      return deps.renderBaseline({
        scopes: granted.map((g) => ({
          account: g.item.scope.account,
          shownAccount: shownAccount(g.item.scope.account),
          counts: stateCounts(g.item.scope.certificates, now),
        })),
        now,
      });
    },
    result: (g, ts) => ({ channel: group.channel, ts, certificates: g.item.scope.certificates.length }),
  });
  if (outcome.status !== 'posted') return postFailed(deps, log, group.channel, outcome.error, what, 'it stays due');
  log.info(
    { channel: group.channel, ts: outcome.ts, accounts: granted.map((g) => g.item.scope.account) },
    outcome.found
      ? 'alert summary was already posted by an earlier attempt; recorded it'
      : 'alert summary posted: thresholds already crossed count as announced',
  );
  return { status: 'posted', ts: outcome.ts };
}

async function postChannel(
  deps: AlertDeps,
  group: ChannelAlerts,
  states: Map<string, StoredAlertState>,
  now: Date,
  log: Logger,
): Promise<PostResult> {
  const items = group.alerts.map((alert) => ({
    key: alertKey(alert.certificate.account, alert.certificate.id, alert.threshold, alert.stale),
    // A late-found stale deployment also takes the threshold it had already crossed, now, so
    // that no concurrent pass announces that threshold on its own.
    also:
      alert.covers === undefined
        ? []
        : [alertKey(alert.certificate.account, alert.certificate.id, alert.covers, alert.stale)],
    alert,
  }));
  const granted = await claimPosts(postDeps(deps), items, { leaseMs: deps.leaseMs ?? ALERT_LEASE_MS });
  if (granted.length === 0) return { status: 'skipped' };
  // The threshold it covers is announced with it only when this pass holds that claim too.
  const alerts = granted.map((g) => (g.keys.length > 1 ? g.item.alert : { ...g.item.alert, covers: undefined }));
  const keyText = (a: DueAlert) =>
    `${a.stale ? 'stale/' : ''}${a.certificate.account}/${a.certificate.id}/${a.threshold}`;
  const what = `alerts could not be posted to ${group.channel}`;
  const outcome = await deliver(deps, group.channel, granted, {
    keys: alerts.slice(0, METADATA_KEYS).map(keyText),
    now,
    log,
    message: () => {
      const shown = alerts.slice(0, 20);
      return deps.render({
        entries: shown.map((a) => ({
          certificate: a.certificate,
          threshold: a.threshold,
          stale: a.stale,
          ...entryState(states.get(stateKey(a.certificate.account, a.certificate.id))),
        })),
        mention: group.mention,
        omitted: alerts.length - shown.length,
        now,
      });
    },
    result: (_, ts) => ({ channel: group.channel, ts }),
  });
  if (outcome.status !== 'posted') return postFailed(deps, log, group.channel, outcome.error, what, 'they stay due');
  const { ts } = outcome;
  try {
    const items: AlertItem[] = alerts.map((a) => ({
      account: a.certificate.account,
      certificateId: a.certificate.id,
      threshold: a.threshold,
      ...(a.stale ? { stale: true } : {}),
    }));
    // Also when an earlier attempt's post was found: its buttons and renewal updates need it.
    await deps.alerts.saveMessage({
      channel: group.channel,
      ts,
      postedAt: now,
      mention: group.mention,
      items,
      omitted: 0,
    });
  } catch (error) {
    // Posted and claimed: only the message's later updates are lost, not worth a second post.
    log.error(
      { channel: group.channel, ts, err: describeError(error) },
      'alerts posted, but the message could not be recorded: it will not show renewals',
    );
  }
  if (outcome.found) {
    log.info({ channel: group.channel, ts }, 'alert was already posted by an earlier attempt; recorded it');
  } else {
    for (const a of alerts) deps.observe?.alertPosted?.(a.threshold);
    log.info({ channel: group.channel, ts, certificates: alerts.length }, 'alerts posted');
  }
  return { status: 'posted', ts };
}

type PostResult = { status: 'posted' | 'failed' | 'skipped'; ts?: string; error?: string };

/** How far back a post of an earlier attempt is looked for. */
const LOOK_BACK_MS = 2 * 86_400_000;

export const postDeps = (deps: AlertDeps): PostOnceDeps => ({
  claims: deps.claims,
  holder: deps.instanceId,
  now: deps.now,
  retry: deps.postRetry,
});

/**
 * One alert message of claimed items, through postOnce: an earlier post of any of `keys` (in the
 * message metadata) is looked for after a takeover and after every answer lost on the way.
 */
export async function deliver<I extends PostItem>(
  deps: AlertDeps,
  channel: string,
  granted: Granted<I>[],
  options: {
    keys: string[];
    now: Date;
    log: Logger;
    message(): AlertSlackMessage;
    result(g: Granted<I>, ts: string): Record<string, unknown>;
  },
): Promise<{ status: 'posted'; ts: string; found: boolean } | { status: 'failed'; error: unknown }> {
  const since = new Date(options.now.getTime() - LOOK_BACK_MS);
  const outcome = await postClaimed(postDeps(deps), granted, {
    leaseMs: deps.leaseMs ?? ALERT_LEASE_MS,
    find: () => deps.poster.findPosted(channel, options.keys, since),
    post: async () =>
      (
        await deps.poster.postMessage({
          channel,
          ...options.message(),
          metadata: { event_type: ALERT_EVENT_TYPE, event_payload: { alerts: options.keys.join(' ') } },
        })
      ).ts ?? '',
    record: (ts, g) => ({ status: 'posted', result: options.result(g, ts) }),
    // The alerts stay due: the next pass tries again (and looks first).
    refused: () => 'release',
    onFindFailed: (error) =>
      options.log.warn(
        { channel, slackError: failureReason(error) },
        'could not read the channel to check for an earlier alert post (add channels:history and groups:history); posting',
      ),
    onRetry: (error, waitMs) =>
      options.log.warn(
        { channel, slackError: failureReason(error), waitMs },
        "Slack's answer to an alert post was lost or refused for now; looking for the post before trying again",
      ),
  });
  if (outcome.status === 'skipped') return { status: 'failed', error: new Error('nothing claimed') };
  if (outcome.status === 'posted') return { status: 'posted', ts: outcome.post, found: outcome.found };
  return { status: 'failed', error: outcome.error };
}

/** A post that failed: logged with the fix when there is one, counted, and reported. */
function postFailed(
  deps: AlertDeps,
  log: Logger,
  channel: string,
  error: unknown,
  what: string,
  after: string,
): PostResult {
  const code = slackErrorCode(error);
  const reason = failureReason(error);
  const fix = code ? CHANNEL_FIXES[code] : undefined;
  deps.observe?.alertPostFailed?.(reason);
  log.error({ channel, slackError: reason, fix }, `${what}: ${reason}${fix ? `; ${fix}` : ''}; ${after}`);
  return { status: 'failed', error: fix ? `${reason}: ${fix}` : reason };
}

/** The entries of a posted message as they stand now: renewed, removed, acknowledged, snoozed. */
export async function currentEntries(
  deps: Pick<AlertDeps, 'inventory' | 'alerts'>,
  message: AlertMessage,
  now: Date,
): Promise<AlertEntryInput[]> {
  const items = message.items.slice(0, 20);
  const { certificates } = await deps.inventory.select(
    { keys: items.map((item) => ({ account: item.account, id: item.certificateId })) },
    now,
  );
  const byKey = new Map(certificates.map((c) => [stateKey(c.account, c.id), c]));
  const states = await statesByKey(deps.alerts);
  return items.map((item) => {
    const key = stateKey(item.account, item.certificateId);
    const certificate = byKey.get(key);
    return {
      certificate: certificate ?? {
        account: item.account,
        id: item.certificateId,
        certificateId: item.certificateId,
        sans: [],
        expired: false,
        uploaded: false,
      },
      threshold: item.threshold,
      stale: item.stale,
      removed: certificate === undefined,
      ...entryState(states.get(key)),
    };
  });
}

/** Renders a posted message again from its certificates' current state and updates it in place. */
export async function refreshMessage(deps: AlertDeps, message: AlertMessage): Promise<void> {
  const now = deps.now();
  const rendered = deps.render({
    entries: await currentEntries(deps, message, now),
    mention: message.mention,
    omitted: Math.max(0, message.items.length - 20),
    now: message.postedAt,
  });
  await deps.poster.update({ channel: message.channel, ts: message.ts, ...rendered });
}

/**
 * After a sync: every message that announced a certificate which has since been renewed is
 * updated to show the renewal (and loses that certificate's buttons), once per renewal.
 */
export async function showRenewals(deps: AlertDeps): Promise<number> {
  const now = deps.now();
  if (!(await deps.inventory.status(now))) return 0;
  const states = await statesByKey(deps.alerts);
  const messages = new Map<string, AlertMessage>();
  const renewed: Array<{ account: string; id: string; by: string }> = [];
  // Replaced: renewed, or renewed and still served (a stale deployment).
  const { certificates: replaced } = await deps.inventory.select({ states: ['stale', 'renewed'] }, now);
  for (const certificate of replaced) {
    if (!certificate.replacedBy) continue;
    const state = states.get(stateKey(certificate.account, certificate.id));
    // A stale deployment's messages change twice: renewed-but-serving, then deployed.
    const by =
      certificate.deployment?.state === 'stale' ? `stale:${certificate.replacedBy.id}` : certificate.replacedBy.id;
    if (state?.renewedBy === by) continue;
    const posted = await deps.alerts.messagesFor(certificate.account, certificate.id);
    if (posted.length === 0) continue;
    for (const message of posted) messages.set(`${message.channel} ${message.ts}`, message);
    renewed.push({ account: certificate.account, id: certificate.id, by });
  }
  for (const message of messages.values()) {
    try {
      await refreshMessage(deps, message);
    } catch (error) {
      deps.logger.warn(
        { channel: message.channel, ts: message.ts, err: describeError(error) },
        'could not update an alert message to show a renewal; will try after the next sync',
      );
      return 0;
    }
  }
  for (const r of renewed) await deps.alerts.markRenewed(r.account, r.id, r.by);
  return renewed.length;
}
