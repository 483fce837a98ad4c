import { failureReason } from '../domain/error-description';
import { insideAlertHours } from '../domain/alert-hours';
import {
  type DriftAlertKey,
  type DriftAlertRecord,
  type DriftResolution,
  driftAlertHeld,
  driftAlertKey,
  driftKeyText,
  driftResolution,
  driftRoute,
} from '../domain/drift-alerts';
import { endpointKey } from '../domain/endpoints';
import { compareVerdicts, type EndpointVerdict } from '../domain/probe-verdict';
import type { Logger } from '../ops/logger';
import type { ClaimKey, DriftAlertStore } from '../store/types';
import { claimPosts } from '../delivery/post-once';
import { type AlertDeps, type AlertSlackMessage, deliver, postDeps } from './run';

/**
 * Drift alerts: after a probe pass (and in every alert pass), each endpoint whose verdict is a
 * finding is announced once through the alert routing, by its host name; each (endpoint,
 * served fingerprint, verdict) is claimed once, so no replica, retry or restart posts it twice.
 * A message whose endpoints a later probe finds fixed is updated in place. Outside
 * ALERT_HOURS nothing new is posted (updates still are: they notify nobody).
 */

export const DRIFT_CLAIM_KIND = 'alert-drift';
/** How long a drift claim is held without being finished; a holder that died frees it then. */
const DRIFT_LEASE_MS = 5 * 60_000;
/** Endpoints shown one by one in a drift message; the rest are one line. */
export const DRIFT_MESSAGE_SIZE = 10;
/** Claim keys carried in a message's metadata (for the check after a crash). */
const METADATA_KEYS = 50;

export const driftClaimKey = (key: DriftAlertKey): ClaimKey => ({
  kind: DRIFT_CLAIM_KIND,
  subject: endpointKey(key),
  period: `${key.verdict}/${key.fingerprint || '-'}`,
});

/** One endpoint in a drift message: what it served when announced, and what people did since. */
export interface DriftEntry {
  verdict: EndpointVerdict;
  acknowledged?: { by: string; at: Date };
  snoozed?: { by: string; until: Date };
  resolution?: DriftResolution;
}

export interface DriftMessageInput {
  entries: DriftEntry[];
  mention?: string;
  /** Endpoints beyond DRIFT_MESSAGE_SIZE, summarised in one line. */
  omitted: number;
  now: Date;
  /** When the message was first posted (an update keeps saying so); default `now`. */
  postedAt?: Date;
}

/** What drift alerts need beyond the other alerts' deps: where they are kept, and how they look. */
export interface DriftAlertParts {
  store: DriftAlertStore;
  render(input: DriftMessageInput): AlertSlackMessage;
}

export interface DriftRunResult {
  /** Outside ALERT_HOURS: nothing new was posted. */
  held: boolean;
  /** Endpoints announced now, and messages posted. */
  posted: number;
  messages: Array<{
    channel: string;
    /** Endpoints due in that message. */
    endpoints: number;
    status: 'posted' | 'failed' | 'skipped' | 'would-post';
    error?: string;
  }>;
  /** Posted alerts updated to show the endpoint fixed (or serving something else). */
  resolved: number;
  /** Endpoints with a finding that no route, account channel or ALERT_CHANNEL sends anywhere. */
  unrouted: number;
}

const EMPTY: DriftRunResult = { held: false, posted: 0, messages: [], resolved: 0, unrouted: 0 };

/** A posted alert's entry as it stands now. */
export function driftEntry(record: DriftAlertRecord): DriftEntry {
  return {
    verdict: record.detail,
    ...(record.acknowledgedBy && record.acknowledgedAt
      ? { acknowledged: { by: record.acknowledgedBy, at: record.acknowledgedAt } }
      : {}),
    ...(record.snoozedBy && record.snoozedUntil
      ? { snoozed: { by: record.snoozedBy, until: record.snoozedUntil } }
      : {}),
    ...(record.resolution ? { resolution: record.resolution } : {}),
  };
}

/** Renders a drift message again from its alerts as they stand and updates it in place. */
export async function refreshDriftMessage(
  deps: Pick<AlertDeps, 'poster' | 'now'>,
  drift: DriftAlertParts,
  channel: string,
  ts: string,
): Promise<boolean> {
  const records = await drift.store.message(channel, ts);
  if (records.length === 0) return false;
  const ordered = [...records].sort((a, b) => compareVerdicts(a.detail, b.detail));
  const shown = ordered.slice(0, DRIFT_MESSAGE_SIZE);
  const rendered = drift.render({
    entries: shown.map(driftEntry),
    mention: records[0]?.mention,
    omitted: records.length - shown.length,
    now: deps.now(),
    postedAt: records[0]?.postedAt,
  });
  await deps.poster.update({ channel, ts, ...rendered });
  return true;
}

/**
 * Every posted alert whose endpoint a later probe found fixed (or with another finding) is
 * marked so, and its message updated in place once. A message that cannot be updated now is
 * tried again at the next pass.
 */
async function showResolutions(
  deps: AlertDeps,
  drift: DriftAlertParts,
  verdicts: readonly EndpointVerdict[],
  log: Logger,
): Promise<number> {
  const now = deps.now();
  const current = new Map(verdicts.map((v) => [endpointKey(v.endpoint), v]));
  const open = await drift.store.list({ open: true });
  const byMessage = new Map<string, Array<{ record: DriftAlertRecord; resolution: DriftResolution }>>();
  for (const record of open) {
    const resolution = driftResolution(record, current.get(endpointKey(record)));
    if (!resolution) continue;
    const key = `${record.channel} ${record.ts}`;
    byMessage.set(key, [...(byMessage.get(key) ?? []), { record, resolution }]);
  }
  let resolved = 0;
  for (const found of byMessage.values()) {
    const { channel, ts } = found[0]?.record as DriftAlertRecord;
    const marked: typeof found = [];
    for (const f of found) if (await drift.store.resolve(f.record, now, f.resolution)) marked.push(f);
    // Another replica marked them first: it updates the message.
    if (marked.length === 0) continue;
    try {
      await refreshDriftMessage(deps, drift, channel, ts);
      resolved += marked.length;
      log.info({ channel, ts, endpoints: marked.map((f) => endpointKey(f.record)) }, 'drift alert updated: fixed');
    } catch (error) {
      log.warn(
        { channel, ts, slackError: failureReason(error) },
        'could not update a drift alert to show the endpoint fixed; will try after the next probe pass',
      );
      // Unmarked, so the next pass finds them again and retries the update.
      for (const f of marked) await drift.store.reopen(f.record);
    }
  }
  return resolved;
}

interface DueDrift {
  key: DriftAlertKey;
  verdict: EndpointVerdict;
}

/**
 * One drift alert pass over the stored verdicts: fixed alerts updated, then each new finding
 * posted once, one message per (channel, mention). `post: false` only reports what would be posted.
 */
export async function runDriftAlerts(deps: AlertDeps, options: { post: boolean }): Promise<DriftRunResult> {
  const drift = deps.drift;
  if (!drift || !deps.probes?.enabled) return EMPTY;
  const log = deps.logger.child({ module: 'drift-alerts' });
  const verdicts = await deps.probes.results.list();
  if (verdicts.length === 0) return EMPTY;
  const resolved = options.post ? await showResolutions(deps, drift, verdicts, log) : 0;

  const now = deps.now();
  const announced = new Set(
    (await deps.claims.list(DRIFT_CLAIM_KIND, 10_000_000))
      .filter((c) => c.status === 'posted')
      .map((c) => `${c.subject}/${c.period}`),
  );
  const groups = new Map<string, { channel: string; mention?: string; due: DueDrift[] }>();
  let unrouted = 0;
  for (const verdict of [...verdicts].sort(compareVerdicts)) {
    const key = driftAlertKey(verdict);
    if (!key || announced.has(driftKeyText(key))) continue;
    if (driftAlertHeld(key, await drift.store.list({ endpoint: key }), now)) continue;
    const route = driftRoute(
      verdict,
      deps.settings.routes,
      deps.settings.accountChannels ?? {},
      deps.settings.defaultChannel,
    );
    if (!route) {
      unrouted += 1;
      continue;
    }
    const groupKey = `${route.channel} ${route.mention ?? ''}`;
    const group = groups.get(groupKey) ?? { ...route, due: [] };
    group.due.push({ key, verdict });
    groups.set(groupKey, group);
  }
  if (unrouted > 0) log.warn({ unrouted }, 'endpoints drifted but no route or ALERT_CHANNEL sends them anywhere');
  const held = !insideAlertHours(deps.settings.hours, deps.settings.timezone, now);
  if (!options.post || held) {
    const status = options.post ? 'skipped' : 'would-post';
    return {
      held,
      posted: 0,
      resolved,
      unrouted,
      messages: [...groups.values()].map((g) => ({ channel: g.channel, endpoints: g.due.length, status })),
    };
  }
  const messages: DriftRunResult['messages'] = [];
  let posted = 0;
  for (const group of groups.values()) {
    const outcome = await postGroup(deps, drift, group, now, log);
    messages.push({
      channel: group.channel,
      endpoints: group.due.length,
      status: outcome.status,
      error: outcome.error,
    });
    if (outcome.status === 'posted') posted += outcome.count;
  }
  return { held, posted, messages, resolved, unrouted };
}

async function postGroup(
  deps: AlertDeps,
  drift: DriftAlertParts,
  group: { channel: string; mention?: string; due: DueDrift[] },
  now: Date,
  log: Logger,
): Promise<{ status: 'posted' | 'failed' | 'skipped'; count: number; error?: string }> {
  const granted = await claimPosts(
    postDeps(deps),
    group.due.map((due) => ({ key: driftClaimKey(due.key), due })),
    { leaseMs: DRIFT_LEASE_MS },
  );
  if (granted.length === 0) return { status: 'skipped', count: 0 };
  const due = granted.map((g) => g.item.due);
  const keys = due.map((d) => `drift/${driftKeyText(d.key)}`);
  const delivered = await deliver(deps, group.channel, granted, {
    keys: keys.slice(0, METADATA_KEYS),
    now,
    log,
    message: () => {
      const shown = due.slice(0, DRIFT_MESSAGE_SIZE);
      return drift.render({
        entries: shown.map((d) => ({ verdict: d.verdict })),
        mention: group.mention,
        omitted: due.length - shown.length,
        now,
      });
    },
    result: () => ({ channel: group.channel }),
  });
  if (delivered.status === 'failed') {
    const reason = failureReason(delivered.error);
    deps.observe?.alertPostFailed?.(reason);
    log.error(
      { channel: group.channel, slackError: reason },
      `drift alerts could not be posted to ${group.channel}: ${reason}; they stay due`,
    );
    return { status: 'failed', count: 0, error: reason };
  }
  // The message each finding is in, so a later probe that finds it fixed can update it.
  await drift.store.save(
    due.map((d) => ({
      ...d.key,
      channel: group.channel,
      ts: delivered.ts,
      postedAt: now,
      ...(group.mention ? { mention: group.mention } : {}),
      detail: d.verdict,
    })),
  );
  log.info(
    { channel: group.channel, ts: delivered.ts, endpoints: due.length, found: delivered.found },
    delivered.found ? 'drift alert was already posted by an earlier attempt; recorded it' : 'drift alerts posted',
  );
  return { status: 'posted', count: due.length };
}
