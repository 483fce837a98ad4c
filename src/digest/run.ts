import { backOff } from 'exponential-backoff';
import { isCasError } from '../cas/errors';
import type { CasApi } from '../cas/types';
import type { Logger } from '../ops/logger';
import type { SlackMessage } from '../slack/blocks/types';
import type { Store } from '../store/types';
import { collectDigest, type DigestData, snapshotOf } from './collect';
import type { DigestPeriod } from './period';

/** The one Slack call a digest makes; satisfied by WebClient's chat.postMessage. */
export interface DigestPoster {
  postMessage(message: SlackMessage & { channel: string }): Promise<{ ts?: string }>;
}

export interface DigestRenderer {
  digest(data: DigestData): SlackMessage;
  failure(input: { period: DigestPeriod; reason: string; now: Date }): SlackMessage;
}

export interface DigestDeps {
  cas: CasApi;
  store: Store;
  poster: DigestPoster;
  render: DigestRenderer;
  logger: Logger;
  now: () => Date;
  /** Names this process in the ledger (host and pid), so a claim can be traced. */
  instanceId: string;
  observe?: { digestRun?(outcome: ChannelOutcome['status']): void };
}

export interface DigestRunOptions {
  period: DigestPeriod;
  channels: readonly string[];
  /** Post even if the period was already posted. */
  force?: boolean;
  /** How long to keep retrying while CAS fails (DIGEST_RETRY_MINUTES). */
  retryForMs: number;
  /** First backoff delay; doubles up to `maxRetryDelayMs`. */
  retryBaseDelayMs?: number;
  maxRetryDelayMs?: number;
}

export interface ChannelOutcome {
  channel: string;
  status: 'posted' | 'failed' | 'skipped' | 'released';
  messageTs?: string;
  error?: string;
}

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

function slackErrorCode(error: unknown): string | undefined {
  const data = (error as { data?: { error?: unknown } } | undefined)?.data;
  return typeof data?.error === 'string' ? data.error : undefined;
}

/**
 * One digest run for one period: claim each channel in the ledger (so no other instance or
 * restart posts it again), build the digest once with retries while CAS fails, post it, and
 * record the outcome. When CAS stays down the channel gets a short notice instead of silence.
 */
export async function runDigest(deps: DigestDeps, options: DigestRunOptions): Promise<ChannelOutcome[]> {
  const log = deps.logger.child({ module: 'digest', period: options.period.key });
  const outcomes: ChannelOutcome[] = [];
  const claimed: string[] = [];
  const staleAfterMs = options.retryForMs + 15 * 60 * 1000;
  for (const channel of options.channels) {
    const ok = await deps.store.claimDigest({
      channel,
      period: options.period.key,
      claimedBy: deps.instanceId,
      now: deps.now(),
      staleAfterMs,
      force: options.force,
    });
    if (ok) claimed.push(channel);
    else {
      log.info({ channel }, 'digest for this period already posted or in progress elsewhere; skipping');
      outcomes.push({ channel, status: 'skipped' });
    }
  }
  if (claimed.length === 0) return outcomes;

  let message: SlackMessage;
  let failure: string | undefined;
  try {
    const data = await buildWithRetries(deps, options, log);
    await deps.store.saveSnapshot(snapshotOf(data));
    message = deps.render.digest(data);
  } catch (error) {
    failure = isCasError(error) ? `${error.message}. ${error.hint}` : 'an unexpected error';
    log.error(
      { err: isCasError(error) ? error.toJSON() : { name: (error as Error)?.name } },
      'digest could not be built',
    );
    message = deps.render.failure({ period: options.period, reason: failure, now: deps.now() });
  }

  for (const channel of claimed) {
    const outcome = await postToChannel(deps, options.period, channel, message, failure, log);
    deps.observe?.digestRun?.(outcome.status);
    outcomes.push(outcome);
  }
  return outcomes;
}

async function buildWithRetries(deps: DigestDeps, options: DigestRunOptions, log: Logger): Promise<DigestData> {
  const deadline = deps.now().getTime() + options.retryForMs;
  return backOff(() => collectDigest(deps.cas, deps.store, options.period, deps.now()), {
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

async function postToChannel(
  deps: DigestDeps,
  period: DigestPeriod,
  channel: string,
  message: SlackMessage,
  failure: string | undefined,
  log: Logger,
): Promise<ChannelOutcome> {
  try {
    const posted = await deps.poster.postMessage({ channel, ...message });
    const status = failure ? 'failed' : 'posted';
    await deps.store.finishDigest(channel, period.key, {
      status,
      messageTs: posted.ts,
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
      await deps.store.finishDigest(channel, period.key, {
        status: 'failed',
        error: `${code}: ${fix}`,
        now: deps.now(),
      });
      return { channel, status: 'failed', error: `${code}: ${fix}` };
    }
    // Slack unreachable or an unexpected answer: give the claim back so a later run posts it.
    log.error({ channel, slackError: code ?? (error as Error)?.name }, 'digest could not be posted; will try again');
    await deps.store.releaseDigest(channel, period.key, deps.instanceId);
    return { channel, status: 'released', error: code ?? 'Slack unreachable' };
  }
}
