import { backOff } from 'exponential-backoff';
import { isCasError } from '../cas/errors';
import type { CertificateSource } from '../inventory/certificate-source';
import { keepLease } from '../jobs/lease';
import type { JobPeriod } from '../jobs/period';
import type { Logger } from '../ops/logger';
import { slackErrorCode } from '../ops/slack-error';
import type { ClaimKey, ClaimStore, SnapshotStore } from '../store/types';
import { accountSnapshotOf, collectDigest, type DigestAccount, type DigestData, snapshotOf } from './collect';

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
}

export interface DigestRenderer {
  digest(data: DigestData): DigestMessage;
  failure(input: { period: JobPeriod; reason: string; now: Date }): DigestMessage;
}

export interface DigestDeps {
  /** The accounts this digest covers. */
  accounts: readonly DigestAccount[];
  certificates: CertificateSource;
  claims: ClaimStore;
  /** Where the trend and each account's numbers are kept. */
  snapshots: SnapshotStore;
  /**
   * Whether this digest keeps (and shows) the week-on-week trend of all accounts together:
   * false for a digest of some accounts only, which would mix with it. Default true.
   */
  trend?: boolean;
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
}

export const DIGEST_CLAIM_KIND = 'digest';
export const DEFAULT_DIGEST_LEASE_MS = 2 * 60_000;

export const digestClaimKey = (channel: string, period: string): ClaimKey => ({
  kind: DIGEST_CLAIM_KIND,
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
    try {
      const data = await buildWithRetries(deps, options, log);
      if (deps.trend !== false) await deps.snapshots.saveSnapshot(snapshotOf(data));
      for (const numbers of data.accountNumbers ?? [])
        await deps.snapshots.saveAccountSnapshot(numbers.account, accountSnapshotOf(data, numbers));
      message = deps.render.digest(data);
    } catch (error) {
      failure = isCasError(error) ? `${error.message}. ${error.hint}` : 'an unexpected error';
      log.error(
        { err: isCasError(error) ? error.toJSON() : { name: (error as Error)?.name } },
        'digest could not be built',
      );
      message = deps.render.failure({ period: options.period, reason: failure, now: deps.now() });
    }

    for (const { channel, attempt } of claimed) {
      const outcome = await postToChannel(deps, options, channel, attempt, message, failure, log);
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
        return { channel, status: 'posted', messageTs: ts };
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
    return { channel, status, messageTs: posted.ts, error: failure };
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
