import type { WebClient, WebClientOptions } from '@slack/web-api';
import type { Config } from '../config';
import { fetchKeepingCause } from '../delivery/post-once';
import type { Logger } from '../ops/logger';
import { once } from './once';
import { SLACK_API_DEFAULT, SLACK_PROBE_TIMEOUT_MS } from './startup-errors';

/** How long a post or upload waits for Slack's answer before its outcome counts as unknown. */
const SLACK_POST_TIMEOUT_MS = 20_000;

/**
 * The bot's own Web API clients (Bolt's app has its own), each built on first use. Slack's
 * libraries are loaded then, not by every CLI command; their log lines go through the bot's
 * logger (JSON, redacted) like Bolt's.
 */
export interface SlackClients {
  /** Reads and updates, with the client's own retries. */
  webClient(): Promise<WebClient>;
  /**
   * Posts and uploads: one attempt each, and an answer within a bound. A retry of its own after a
   * lost answer would post twice; postOnce (delivery/) looks for the post before trying again, and
   * waits out a rate limit itself.
   */
  postClient(): Promise<WebClient>;
  /** The readiness probe and the start-up token check: one attempt, and an answer within 10 s. */
  probeClient(): Promise<WebClient>;
}

export function slackClients(
  config: Pick<Config, 'SLACK_BOT_TOKEN' | 'SLACK_API_URL'>,
  logger: Logger,
  options: { retries?: number; postTimeoutMs?: number } = {},
): SlackClients {
  const webApiLogger = async () =>
    (await import('../slack/bolt-logger')).boltLogger(logger, {
      module: 'slack-web-api',
      slackApiUrl: config.SLACK_API_URL ?? SLACK_API_DEFAULT,
    });
  const client = async (extra: WebClientOptions = {}): Promise<WebClient> => {
    const { WebClient } = await import('@slack/web-api');
    return new WebClient(config.SLACK_BOT_TOKEN, {
      slackApiUrl: config.SLACK_API_URL,
      logger: await webApiLogger(),
      ...extra,
    });
  };
  const tokenNeeded = () => {
    if (!config.SLACK_BOT_TOKEN) throw new Error('SLACK_BOT_TOKEN is not set: cannot post to Slack');
  };
  return {
    webClient: once(async () => {
      tokenNeeded();
      return client(options.retries !== undefined ? { retryConfig: { retries: options.retries } } : {});
    }),
    postClient: once(async () => {
      tokenNeeded();
      return client({
        retryConfig: { retries: 0 },
        rejectRateLimitedCalls: true,
        timeout: options.postTimeoutMs ?? SLACK_POST_TIMEOUT_MS,
        fetch: fetchKeepingCause,
      });
    }),
    probeClient: once(() => client({ retryConfig: { retries: 0 }, timeout: SLACK_PROBE_TIMEOUT_MS })),
  };
}
