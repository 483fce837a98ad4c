import { backOff } from 'exponential-backoff';
import { isCasError } from '../cas/errors';
import type { MergedSource } from '../inventory/merged-source';
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
  certificates: MergedSource;
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
  const claimed: Array<{ channel: string; attempt: number }> = [];
  for (const channel of options.channels) {
    const granted = await deps.claims.claim({
      ...digestClaimKey(channel, options.period.key),
      holder: deps.instanceId,
      now: deps.now(),
      leaseMs,
      force: options.force,
    });
    if (granted) claimed.push({ channel, attempt: granted.attempt });
    else {
      log.info({ channel }, 'digest for this period already posted or in progress elsewhere; skipping');
      outcomes.push({ channel, status: 'skipped' });
    }
  }
  if (claimed.length === 0) return outcomes;

  const keeper = keepLease(
    deps.claims,
    claimed.map(({ channel }) => digestClaimKey(channel, options.period.key)),
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
      log.error(
        { err: isCasError(error) ? error.toJSON() : { name: (error as Error)?.name } },
        'digest could not be built',
      );
      message = deps.render.failure({
        period: options.period,
        reason: failure,
        now: deps.now(),
        ...(deps.trend === false ? { scope: deps.accounts.map((a) => a.account) } : {}),
      });
    }

    for (const { channel, attempt } of claimed) {
      const outcome = await postToChannel(deps, options, channel, attempt, message, failure, log, chart);
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
        { attempt, err: isCasError(error) ? error.toJSON() : { name: (error as Error)?.name }, willRetry: more },
        'digest build failed',
      );
      return more;
    },
  });
}

/** An earlier attempt's message, when there may be one; a channel that cannot be read is searched no further. */
async function alreadyPosted(
  deps: DigestDeps,
  period: JobPeriod,
  channel: string,
  log: Logger,
): Promise<string | undefined> {
  try {
    return await deps.poster.findPosted(channel, period.key, period.start);
  } catch (error) {
    // Posting again risks a duplicate; not posting risks a missed digest, which is worse.
    log.warn(
      { channel, slackError: slackErrorCode(error) ?? (error as Error)?.name },
      'could not read the channel to check for an earlier post of this digest (add channels:history and groups:history); posting',
    );
    return undefined;
  }
}

async function postToChannel(
  deps: DigestDeps,
  options: DigestRunOptions,
  channel: string,
  attempt: number,
  message: DigestMessage,
  failure: string | undefined,
  log: Logger,
  chart?: () => Promise<Buffer | undefined>,
): Promise<ChannelOutcome> {
  const key = digestClaimKey(channel, options.period.key);
  try {
    if (attempt > 1 && !options.force) {
      const ts = await alreadyPosted(deps, options.period, channel, log);
      if (ts) {
        await deps.claims.finish(key, deps.instanceId, {
          status: 'posted',
          result: { messageTs: ts },
          now: deps.now(),
        });
        log.info({ channel, ts }, 'digest was already posted by an earlier attempt; recorded it');
        return withChart(
          { channel, status: 'posted', messageTs: ts },
          await postChart(deps, options, channel, ts, log, chart),
        );
      }
    }
    const posted = await deps.poster.postMessage({
      channel,
      ...message,
      metadata: { event_type: DIGEST_EVENT_TYPE, event_payload: { period: options.period.key } },
    });
    const status = failure ? 'failed' : 'posted';
    await deps.claims.finish(key, deps.instanceId, {
      status,
      result: posted.ts ? { messageTs: posted.ts } : undefined,
      error: failure,
      now: deps.now(),
    });
    log.info({ channel, ts: posted.ts, status }, failure ? 'digest failure notice posted' : 'digest posted');
    const outcome: ChannelOutcome = { channel, status, messageTs: posted.ts, error: failure };
    return posted.ts && !failure
      ? withChart(outcome, await postChart(deps, options, channel, posted.ts, log, chart))
      : outcome;
  } catch (error) {
    const code = slackErrorCode(error);
    const fix = code ? CHANNEL_FIXES[code] : undefined;
    if (fix) {
      // Retrying will not help until someone acts; record it so it is not retried every minute.
      log.error({ channel, slackError: code, fix }, `digest could not be posted to ${channel}: ${code}; ${fix}`);
      await deps.claims.finish(key, deps.instanceId, { status: 'failed', error: `${code}: ${fix}`, now: deps.now() });
      return { channel, status: 'failed', error: `${code}: ${fix}` };
    }
    // Slack unreachable or an unexpected answer: give the claim back so a later run posts it.
    log.error({ channel, slackError: code ?? (error as Error)?.name }, 'digest could not be posted; will try again');
    await deps.claims.release(key, deps.instanceId);
    return { channel, status: 'released', error: code ?? 'Slack unreachable' };
  }
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
    log.error(
      { err: { name: (error as Error)?.name, message: (error as Error)?.message } },
      'trend chart could not be drawn; the digest goes out without it',
    );
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
    const granted = await deps.claims.claim({
      ...key,
      holder: deps.instanceId,
      now: deps.now(),
      leaseMs,
      force: options.force,
    });
    if (!granted) {
      log.info(
        { channel },
        'digest chart already uploaded, given up on or in progress elsewhere for this period; skipping',
      );
      return 'done';
    }
    if (granted.attempt > 1 && !options.force && deps.poster.findChart) {
      // An earlier holder started the upload and did not finish: it may be in the thread already.
      const found = await deps.poster.findChart(channel, threadTs, DIGEST_CHART_FILENAME).catch((error) => {
        log.warn(
          { channel, slackError: slackErrorCode(error) ?? (error as Error)?.name },
          "could not read the digest's thread to check for an earlier chart; uploading",
        );
        return false;
      });
      if (found) {
        await deps.claims.finish(key, deps.instanceId, { status: 'uploaded', result: { threadTs }, now: deps.now() });
        log.info({ channel, threadTs }, 'digest chart was already uploaded by an earlier attempt; recorded it');
        return 'done';
      }
    }
    const keeper = keepLease(deps.claims, [key], { holder: deps.instanceId, leaseMs, now: deps.now });
    try {
      const { fileId } = await upload({
        channel,
        threadTs,
        png,
        filename: DIGEST_CHART_FILENAME,
        title: `Certificate trend, last ${DIGEST_CHART_WEEKS} weeks`,
        altText: `Chart: certificates at risk in the bot inventory (stale deployments, expired, expiring) and CAS health score over the last ${DIGEST_CHART_WEEKS} weekly digests`,
      });
      await deps.claims.finish(key, deps.instanceId, {
        status: 'uploaded',
        result: { threadTs, ...(fileId ? { fileId } : {}) },
        now: deps.now(),
      });
      log.info({ channel, threadTs, fileId }, 'digest chart uploaded');
      return 'uploaded';
    } catch (error) {
      const code = slackErrorCode(error);
      const fix = chartFix(code);
      const reason = code ?? (error as { code?: string })?.code ?? (error as Error)?.name ?? 'error';
      // Once: the outcome is recorded, so no later run of this period uploads (or logs) again.
      log.error(
        { channel, slackError: reason, fix },
        `digest chart could not be uploaded to ${channel}: ${reason}; ${fix}. The digest was posted without it; the chart is not retried for this period`,
      );
      await deps.claims.finish(key, deps.instanceId, { status: 'failed', error: `${reason}: ${fix}`, now: deps.now() });
      return 'failed';
    } finally {
      keeper.stop();
    }
  } catch (error) {
    // The claims store failed: say so, and leave the digest's outcome as it is.
    log.error({ channel, err: { name: (error as Error)?.name } }, 'digest chart step failed');
    return 'failed';
  }
}
