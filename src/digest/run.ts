import { describeError, failureReason } from '../domain/error-description';
import { backOff } from 'exponential-backoff';
import { isCasError } from '../cas/errors';
import type { InventoryReader } from '../inventory/inventory-reader';
import {
  claimPosts,
  type Granted,
  type PostItem,
  type PostOnceDeps,
  type PostRetry,
  postClaimed,
  postOnce,
} from '../delivery/post-once';
import { keepLease } from '../jobs/lease';
import type { JobPeriod } from '../jobs/period';
import type { Logger } from '../ops/logger';
import { slackErrorCode } from '../ops/slack-error';
import type { ClaimKey, ClaimStore, DigestSnapshot, ProbeResultStore, SnapshotStore } from '../store/types';
import { accountSnapshotOf, collectDigest, type DigestAccount, type DigestData, snapshotOf } from './collect';
import { chartPoints, DIGEST_CHART_WEEKS, noChartReason } from './chart-rule';

export { DIGEST_CHART_WEEKS };

/** A message as the digest renderer builds it: fallback text and Block Kit blocks. */
export interface DigestMessage {
  text: string;
  blocks: unknown[];
}

/** Marks the bot's own digest messages, so a retry can find one that was already posted. */
export const DIGEST_EVENT_TYPE = 'cert_bot_digest';

/** The Slack calls a digest makes; satisfied by WebClient (see services). */
export interface DigestPoster {
  postMessage(
    message: DigestMessage & {
      channel: string;
      metadata: { event_type: string; event_payload: Record<string, string> };
    },
  ): Promise<{ ts?: string }>;
  /**
   * The ts of the bot's digest of `period` in `channel` posted since `since`, if there is one
   * (conversations.history with the message metadata); rejects when the channel cannot be read.
   */
  findPosted(channel: string, period: string, since: Date): Promise<string | undefined>;
  /** Uploads the trend chart into the digest's thread (files.uploadV2; needs files:write). */
  uploadChart?(chart: DigestChartUpload): Promise<{ fileId?: string }>;
  /**
   * Whether the digest's thread already has the chart (conversations.replies), for a claim an
   * earlier holder left unfinished; rejects when the thread cannot be read.
   */
  findChart?(channel: string, threadTs: string, filename: string): Promise<boolean>;
}

/** The chart as the digest uploads it: a PNG in the thread of the digest message. */
export interface DigestChartUpload {
  channel: string;
  /** The digest message's ts. */
  threadTs: string;
  png: Buffer;
  filename: string;
  title: string;
  altText: string;
}

export interface DigestRenderer {
  digest(data: DigestData): DigestMessage;
  failure(input: { period: JobPeriod; reason: string; now: Date; scope?: string[] }): DigestMessage;
  /** The trend chart of these snapshots (oldest first) as a PNG; undefined with fewer than two. */
  chart?(snapshots: DigestSnapshot[]): Promise<Buffer | undefined>;
}

export interface DigestDeps {
  /** The accounts this digest covers. */
  accounts: readonly DigestAccount[];
  /** The stored inventory (of every account; the digest reads those of `accounts`). */
  inventory: InventoryReader;
  claims: ClaimStore;
  /** Where the trend and each account's numbers are kept. */
  snapshots: SnapshotStore;
  /**
   * Whether this digest keeps (and shows) the week-on-week trend of all accounts together:
   * false for a digest of some accounts only, which would mix with it. Default true.
   */
  trend?: boolean;
  /** What endpoints served at the last probe pass (the digest counts them by verdict). */
  probes?: { results: Pick<ProbeResultStore, 'list'>; enabled: boolean };
  poster: DigestPoster;
  render: DigestRenderer;
  logger: Logger;
  now: () => Date;
  /** Names this process in the claims (host and pid), so a claim can be traced. */
  instanceId: string;
  observe?: { digestRun?(outcome: ChannelOutcome['status']): void };
  /** How long a post whose answer was lost is looked for and tried again (see delivery/post-once). */
  postRetry?: PostRetry;
}

export interface DigestRunOptions {
  period: JobPeriod;
  channels: readonly string[];
  /** Post even if the period was already posted. */
  force?: boolean;
  /** How long to keep retrying while CAS fails (DIGEST_RETRY_MINUTES). */
  retryForMs: number;
  /** First backoff delay; doubles up to `maxRetryDelayMs`. */
  retryBaseDelayMs?: number;
  maxRetryDelayMs?: number;
  /** How long a claim is held without renewal (default two minutes). */
  leaseMs?: number;
}

export interface ChannelOutcome {
  channel: string;
  status: 'posted' | 'failed' | 'skipped' | 'released';
  messageTs?: string;
  error?: string;
  /**
   * The trend chart in the digest's thread: uploaded now, failed (logged with the fix, and not
   * tried again for this period), or done already by an earlier run. Absent: no chart (fewer
   * than two digests, or a digest of some accounts only).
   */
  chart?: 'uploaded' | 'failed' | 'done';
}

export const DIGEST_CLAIM_KIND = 'digest';
export const DEFAULT_DIGEST_LEASE_MS = 2 * 60_000;
/** The chart's own claim, so a retry, catch-up or replica never uploads it twice (nor after it failed). */
export const DIGEST_CHART_CLAIM_KIND = 'digest-chart';
export const DIGEST_CHART_FILENAME = 'certificate-trend.png';

export const digestClaimKey = (channel: string, period: string): ClaimKey => ({
  kind: DIGEST_CLAIM_KIND,
  subject: channel,
  period,
});

export const digestChartClaimKey = (channel: string, period: string): ClaimKey => ({
  kind: DIGEST_CHART_CLAIM_KIND,
  subject: channel,
  period,
});

/** Slack errors that no retry fixes, with what the person running the bot should do. */
const CHANNEL_FIXES: Record<string, string> = {
  not_in_channel: 'invite the bot to the channel (/invite @cert-bot) or add the chat:write.public scope',
  channel_not_found:
    'check DIGEST_CHANNEL (use the channel ID, e.g. C012ABCDEF) and invite the bot if the channel is private',
  is_archived: 'unarchive the channel or remove it from DIGEST_CHANNEL',
  invalid_auth: 'check SLACK_BOT_TOKEN',
  not_authed: 'check SLACK_BOT_TOKEN',
  account_inactive: 'reinstall the app and update SLACK_BOT_TOKEN',
  missing_scope: 'add the chat:write scope to the app and reinstall it',
};

/** Why the chart upload failed, with what to do; the digest itself was posted. */
const CHART_FIXES: Record<string, string> = {
  missing_scope: 'add the files:write scope to the app (manifest.yml) and reinstall it',
  not_in_channel: 'invite the bot to the channel (/invite @cert-bot): files are shared only where the bot is a member',
  channel_not_found: 'invite the bot to the channel (/invite @cert-bot)',
  not_allowed_token_type: 'use a bot token (xoxb-) with the files:write scope',
  invalid_auth: 'check SLACK_BOT_TOKEN',
  not_authed: 'check SLACK_BOT_TOKEN',
  account_inactive: 'reinstall the app and update SLACK_BOT_TOKEN',
};
const chartFix = (code: string | undefined) =>
  (code && CHART_FIXES[code]) ??
  (code
    ? 'check the files:write scope and that the bot is in the channel'
    : 'Slack could not be reached; check the network to Slack and that files:write is granted');

/**
 * One digest run for one period: claim each channel (so no other replica or restart posts it
 * again), build the digest once with retries while CAS fails, post it, and record the outcome.
 * When CAS stays down the channel gets a short notice instead of silence.
 *
 * Exactly once: a claim that an earlier holder left unfinished (it died, or Slack's answer was
 * lost) may have been posted already, so before posting again the channel's history is searched
 * for the bot's own message of that period, by its metadata.
 */
export async function runDigest(deps: DigestDeps, options: DigestRunOptions): Promise<ChannelOutcome[]> {
  const log = deps.logger.child({ module: 'digest', period: options.period.key });
  const leaseMs = options.leaseMs ?? DEFAULT_DIGEST_LEASE_MS;
  const outcomes: ChannelOutcome[] = [];
  const claimed: Granted<DigestItem>[] = [];
  for (const channel of options.channels) {
    const [granted] = await claimPosts(
      postDeps(deps),
      [{ key: digestClaimKey(channel, options.period.key), channel }],
      { leaseMs, force: options.force },
    );
    if (granted) claimed.push(granted);
    else {
      log.info({ channel }, 'digest for this period already posted or in progress elsewhere; skipping');
      outcomes.push({ channel, status: 'skipped' });
    }
  }
  if (claimed.length === 0) return outcomes;

  const keeper = keepLease(
    deps.claims,
    claimed.map((g) => g.item.key),
    { holder: deps.instanceId, leaseMs, now: deps.now },
  );
  try {
    let message: DigestMessage;
    let failure: string | undefined;
    let chart: (() => Promise<Buffer | undefined>) | undefined;
    try {
      const data = await buildWithRetries(deps, options, log);
      // A week some account could not be read would break the trend of all of them.
      const charted = noChartReason(deps, data) === undefined;
      if (charted) await deps.snapshots.saveSnapshot(snapshotOf(data));
      for (const numbers of data.accountNumbers ?? [])
        await deps.snapshots.saveAccountSnapshot(numbers.account, accountSnapshotOf(data, numbers));
      message = deps.render.digest(data);
      // The chart shows every account together, this week last: only a digest whose snapshot
      // was just saved (every account, all of them read) has one.
      if (charted) chart = once(() => renderChart(deps, data, log));
    } catch (error) {
      failure = isCasError(error) ? `${error.message}. ${error.hint}` : 'an unexpected error';
      log.error({ err: isCasError(error) ? error.toJSON() : describeError(error) }, 'digest could not be built');
      message = deps.render.failure({
        period: options.period,
        reason: failure,
        now: deps.now(),
        ...(deps.trend === false ? { scope: deps.accounts.map((a) => a.account) } : {}),
      });
    }

    for (const granted of claimed) {
      const outcome = await postToChannel(deps, options, granted, message, failure, log, chart);
      deps.observe?.digestRun?.(outcome.status);
      outcomes.push(outcome);
    }
    return outcomes;
  } finally {
    keeper.stop();
  }
}

async function buildWithRetries(deps: DigestDeps, options: DigestRunOptions, log: Logger): Promise<DigestData> {
  const deadline = deps.now().getTime() + options.retryForMs;
  return backOff(() => collectDigest(deps, options.period, deps.now()), {
    numOfAttempts: Number.MAX_SAFE_INTEGER,
    startingDelay: options.retryBaseDelayMs ?? 30_000,
    maxDelay: options.maxRetryDelayMs ?? 10 * 60 * 1000,
    timeMultiple: 2,
    jitter: 'full',
    retry: (error, attempt) => {
      const retryable = !isCasError(error) || error.retryable;
      const more = retryable && deps.now().getTime() < deadline;
      log.warn(
        { attempt, err: isCasError(error) ? error.toJSON() : describeError(error), willRetry: more },
        'digest build failed',
      );
      return more;
    },
  });
}

interface DigestItem extends PostItem {
  channel: string;
}

const postDeps = (deps: DigestDeps): PostOnceDeps => ({
  claims: deps.claims,
  holder: deps.instanceId,
  now: deps.now,
  retry: deps.postRetry,
});

/**
 * The digest in one channel, through postOnce: after a takeover, and after any answer lost on
 * the way, the channel is searched for the bot's message of this period (by its metadata)
 * before it is posted again.
 */
async function postToChannel(
  deps: DigestDeps,
  options: DigestRunOptions,
  granted: Granted<DigestItem>,
  message: DigestMessage,
  failure: string | undefined,
  log: Logger,
  chart?: () => Promise<Buffer | undefined>,
): Promise<ChannelOutcome> {
  const { channel } = granted.item;
  const outcome = await postClaimed(postDeps(deps), [granted], {
    leaseMs: options.leaseMs ?? DEFAULT_DIGEST_LEASE_MS,
    force: options.force,
    find: () => deps.poster.findPosted(channel, options.period.key, options.period.start),
    post: async () =>
      (
        await deps.poster.postMessage({
          channel,
          ...message,
          metadata: { event_type: DIGEST_EVENT_TYPE, event_payload: { period: options.period.key } },
        })
      ).ts,
    record: (ts, _, found) =>
      found
        ? { status: 'posted', result: { messageTs: ts } }
        : { status: failure ? 'failed' : 'posted', result: ts ? { messageTs: ts } : undefined, error: failure },
    refused: (error) => {
      const code = slackErrorCode(error);
      const fix = code ? CHANNEL_FIXES[code] : undefined;
      // Retrying will not help until someone acts; recorded so it is not retried every minute.
      return fix ? { status: 'failed', error: `${code}: ${fix}` } : 'release';
    },
    // Posting again risks a duplicate; not posting risks a missed digest, which is worse.
    onFindFailed: (error) =>
      log.warn(
        { channel, slackError: failureReason(error) },
        'could not read the channel to check for an earlier post of this digest (add channels:history and groups:history); posting',
      ),
    onRetry: (error, waitMs) =>
      log.warn(
        { channel, slackError: failureReason(error), waitMs },
        "Slack's answer to the digest post was lost or refused for now; looking for the post before trying again",
      ),
  });
  if (outcome.status === 'posted') {
    const ts = outcome.post;
    if (outcome.found) {
      log.info({ channel, ts }, 'digest was already posted by an earlier attempt; recorded it');
      return withChart(
        { channel, status: 'posted', messageTs: ts },
        ts ? await postChart(deps, options, channel, ts, log, chart) : undefined,
      );
    }
    const status = failure ? 'failed' : 'posted';
    log.info({ channel, ts, status }, failure ? 'digest failure notice posted' : 'digest posted');
    const posted: ChannelOutcome = { channel, status, messageTs: ts, error: failure };
    return ts && !failure ? withChart(posted, await postChart(deps, options, channel, ts, log, chart)) : posted;
  }
  if (outcome.status === 'skipped') return { channel, status: 'skipped' };
  const code = slackErrorCode(outcome.error);
  if (!outcome.released) {
    const fix = code ? CHANNEL_FIXES[code] : undefined;
    log.error({ channel, slackError: code, fix }, `digest could not be posted to ${channel}: ${code}; ${fix}`);
    return { channel, status: 'failed', error: `${code}: ${fix}` };
  }
  // Slack unreachable, its answer lost, or an unexpected answer: the claim is back for a later run.
  log.error({ channel, slackError: failureReason(outcome.error) }, 'digest could not be posted; will try again');
  return { channel, status: 'released', error: code ?? 'Slack unreachable' };
}

const withChart = (outcome: ChannelOutcome, chart: ChannelOutcome['chart']): ChannelOutcome =>
  chart ? { ...outcome, chart } : outcome;

function once<T>(build: () => Promise<T>): () => Promise<T> {
  let built: Promise<T> | undefined;
  return () => (built ??= build());
}

/**
 * The trend chart of the last DIGEST_CHART_WEEKS digests, read after this digest's snapshot was
 * saved (so it is the last point); undefined with fewer than two, or when it cannot be drawn
 * (logged: the digest goes out without it).
 */
async function renderChart(deps: DigestDeps, data: DigestData, log: Logger): Promise<Buffer | undefined> {
  if (!deps.render.chart || !deps.poster.uploadChart) return undefined;
  try {
    const history = await chartPoints(deps, data);
    const png = await deps.render.chart(history);
    if (!png) log.info({ digests: history.length }, 'no trend chart: trend from next week');
    return png;
  } catch (error) {
    log.error({ err: describeError(error) }, 'trend chart could not be drawn; the digest goes out without it');
    return undefined;
  }
}

/**
 * Uploads the chart into the digest's thread, once per channel and period: its own claim makes
 * a retry, a catch-up or a replica skip it, and a failed upload is recorded (and logged once,
 * with the fix) rather than tried again. Never throws: the digest stands whatever happens here.
 */
async function postChart(
  deps: DigestDeps,
  options: DigestRunOptions,
  channel: string,
  threadTs: string,
  log: Logger,
  chart: (() => Promise<Buffer | undefined>) | undefined,
): Promise<ChannelOutcome['chart']> {
  const upload = deps.poster.uploadChart;
  if (!chart || !upload) return undefined;
  const key = digestChartClaimKey(channel, options.period.key);
  const leaseMs = options.leaseMs ?? DEFAULT_DIGEST_LEASE_MS;
  try {
    const png = await chart();
    if (!png) return undefined;
    // Recorded as failed, with its fix, rather than retried: the digest stands without it.
    const failed = (error: unknown) => ({
      status: 'failed',
      error: `${failureReason(error)}: ${chartFix(slackErrorCode(error))}`,
    });
    const outcome = await postOnce(postDeps(deps), [{ key }], {
      leaseMs,
      force: options.force,
      find: async () =>
        (await deps.poster.findChart?.(channel, threadTs, DIGEST_CHART_FILENAME)) ? { found: true } : undefined,
      post: async (): Promise<{ fileId?: string; found?: boolean }> =>
        upload({
          channel,
          threadTs,
          png,
          filename: DIGEST_CHART_FILENAME,
          title: `Certificate trend, last ${DIGEST_CHART_WEEKS} weeks`,
          altText: `Chart: certificates at risk in the bot inventory (stale deployments, expired, expiring) and CAS health score over the last ${DIGEST_CHART_WEEKS} weekly digests`,
        }),
      record: (uploaded) => ({
        status: 'uploaded',
        result: { threadTs, ...(uploaded.fileId ? { fileId: uploaded.fileId } : {}) },
      }),
      refused: failed,
      unresolved: failed,
      onFindFailed: (error) =>
        log.warn(
          { channel, slackError: failureReason(error) },
          "could not read the digest's thread to check for an earlier chart; uploading",
        ),
    });
    if (outcome.status === 'skipped') {
      log.info(
        { channel },
        'digest chart already uploaded, given up on or in progress elsewhere for this period; skipping',
      );
      return 'done';
    }
    if (outcome.status === 'posted') {
      if (outcome.found) {
        log.info({ channel, threadTs }, 'digest chart was already uploaded by an earlier attempt; recorded it');
        return 'done';
      }
      log.info({ channel, threadTs, fileId: outcome.post.fileId }, 'digest chart uploaded');
      return 'uploaded';
    }
    const reason = failureReason(outcome.error);
    const fix = chartFix(slackErrorCode(outcome.error));
    // Once: the outcome is recorded, so no later run of this period uploads (or logs) again.
    log.error(
      { channel, slackError: reason, fix },
      `digest chart could not be uploaded to ${channel}: ${reason}; ${fix}. The digest was posted without it; the chart is not retried for this period`,
    );
    return 'failed';
  } catch (error) {
    // The claims store failed: say so, and leave the digest's outcome as it is.
    log.error({ channel, err: describeError(error) }, 'digest chart step failed');
    return 'failed';
  }
}
