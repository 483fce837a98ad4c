import type { WebClient, WebClientOptions } from '@slack/web-api';
import type { Config } from '../../config';
import { MANIFEST_BOT_SCOPES } from './bot-scopes';
import { type CheckResult, CHECK_TIMEOUT_MS, CheckTimeout, fail, pass, reasonOf, skip, withTimeout } from './report';

const DEFAULT_API_URL = 'https://slack.com/api/';

/** A channel the configuration names, and every place that names it. */
export interface ChannelUse {
  channel: string;
  uses: string[];
}

/**
 * Every channel the bot posts to, in the order a person reads the configuration: the digest
 * channels, the alert channel, the alert routes', then each account's own.
 */
export function channelsOf(config: Config, env: Record<string, string | undefined>): ChannelUse[] {
  const found = new Map<string, string[]>();
  const add = (channel: string | undefined, use: string) => {
    if (!channel) return;
    const uses = found.get(channel) ?? [];
    if (!uses.includes(use)) uses.push(use);
    found.set(channel, uses);
  };
  for (const channel of config.DIGEST_CHANNEL) add(channel, 'DIGEST_CHANNEL');
  // Unset, ALERT_CHANNEL is the first DIGEST_CHANNEL: that channel also gets the alerts.
  add(config.ALERT_CHANNEL, env.ALERT_CHANNEL?.trim() ? 'ALERT_CHANNEL' : 'alerts');
  for (const route of config.alertRoutes) add(route.channel, `route ${route.pattern}`);
  for (const account of config.accounts) {
    for (const channel of account.digestChannels ?? []) add(channel, `account ${account.name} digestChannels`);
    add(account.alertChannel, `account ${account.name} alertChannel`);
  }
  return [...found].map(([channel, uses]) => ({ channel, uses }));
}

/** The fields of a Web API failure doctor reads; duck-typed over @slack/web-api's error classes. */
interface SlackFailure {
  code?: string;
  data?: { error?: string; needed?: string };
  original?: unknown;
  statusCode?: number;
  retryAfter?: number;
}

function platformError(error: unknown): string | undefined {
  const e = (error ?? {}) as SlackFailure;
  return e.code === 'slack_webapi_platform_error' ? e.data?.error : undefined;
}

/** Why a call got no usable answer, other than Slack saying no. */
function transportProblem(error: unknown, apiUrl: string): string {
  const e = (error ?? {}) as SlackFailure;
  if (error instanceof CheckTimeout) return `${apiUrl} did not answer within ${error.ms / 1000} s`;
  if (e.code === 'slack_webapi_http_error') return `${apiUrl} answered HTTP ${e.statusCode}`;
  if (e.code === 'slack_webapi_rate_limited_error') return `rate-limited by Slack (retry after ${e.retryAfter} s)`;
  if (e.code === 'slack_webapi_request_error') return `${apiUrl} unreachable (${reasonOf(e.original)})`;
  return reasonOf(error);
}

const TOKEN_REFUSED = new Set([
  'invalid_auth',
  'not_authed',
  'account_inactive',
  'token_revoked',
  'token_expired',
  'no_permission',
]);

/** A Web API client that fails fast (no retries, 5 s) and logs nothing. */
async function slackClient(config: Config): Promise<WebClient> {
  const { LogLevel, WebClient } = await import('@slack/web-api');
  const quiet: NonNullable<WebClientOptions['logger']> = {
    debug: () => undefined,
    info: () => undefined,
    warn: () => undefined,
    error: () => undefined,
    setLevel: () => undefined,
    getLevel: () => LogLevel.ERROR,
    setName: () => undefined,
  };
  return new WebClient(config.SLACK_BOT_TOKEN, {
    slackApiUrl: config.SLACK_API_URL,
    retryConfig: { retries: 0 },
    timeout: CHECK_TIMEOUT_MS,
    rejectRateLimitedCalls: true,
    logger: quiet,
  });
}

/**
 * The token (auth.test), its scopes against the manifest's bot scopes (the x-oauth-scopes
 * header of the answer), then every configured channel (conversations.info): it exists, is
 * not archived, and the bot is in it. Nothing is posted.
 */
export async function checkSlack(
  config: Config,
  env: Record<string, string | undefined>,
  emit: (result: CheckResult) => void,
): Promise<void> {
  const channels = channelsOf(config, env);
  if (!config.SLACK_BOT_TOKEN) {
    emit(skip('Slack', 'not checked (SLACK_BOT_TOKEN unset)'));
    return;
  }
  const apiUrl = config.SLACK_API_URL ?? DEFAULT_API_URL;
  const client = await slackClient(config);
  let botName: string;
  try {
    const auth = await withTimeout(client.auth.test());
    botName = auth.user ?? 'cert-bot';
    if (!auth.bot_id) {
      emit(
        fail(
          'Slack',
          `the token is valid but is not a bot token (user @${botName} in ${auth.team ?? 'the workspace'})`,
          "set SLACK_BOT_TOKEN to the app's Bot User OAuth Token (OAuth & Permissions, xoxb-…)",
        ),
      );
      return;
    }
    emit(pass('Slack', `token valid: bot @${botName} in ${auth.team ?? auth.team_id ?? 'the workspace'}`));
    const granted = auth.response_metadata?.scopes;
    if (granted === undefined) emit(skip('Slack scopes', 'not checked (Slack sent no x-oauth-scopes header)'));
    else {
      const missing = MANIFEST_BOT_SCOPES.filter((scope) => !granted.includes(scope));
      if (missing.length > 0)
        emit(
          fail(
            'Slack scopes',
            `missing ${missing.join(', ')} (of manifest.yml's bot scopes)`,
            "add them in the app's OAuth settings and reinstall",
          ),
        );
      else emit(pass('Slack scopes', `all ${MANIFEST_BOT_SCOPES.length} of manifest.yml's bot scopes granted`));
    }
  } catch (error) {
    const refused = platformError(error);
    if (refused !== undefined && TOKEN_REFUSED.has(refused))
      emit(
        fail(
          'Slack',
          `token refused (${refused})`,
          "set SLACK_BOT_TOKEN to the app's Bot User OAuth Token (OAuth & Permissions, xoxb-…); reinstall the app if it was revoked",
        ),
      );
    else if (refused !== undefined) emit(fail('Slack', `auth.test failed (${refused})`, 'check SLACK_BOT_TOKEN'));
    else
      emit(
        fail(
          'Slack',
          transportProblem(error, apiUrl),
          config.SLACK_API_URL
            ? 'check SLACK_API_URL and that the bot reaches it'
            : 'check that the bot reaches slack.com (firewall, proxy, DNS)',
        ),
      );
    if (channels.length > 0) emit(skip('channels', 'not checked (the Slack token could not be confirmed)'));
    return;
  }

  if (channels.length === 0) {
    emit(skip('channels', 'none configured (DIGEST_CHANNEL, ALERT_CHANNEL and ALERT_ROUTES unset)'));
    return;
  }
  for (const use of channels) emit(await checkChannel(client, use, botName, apiUrl));
}

interface ChannelInfo {
  name?: string;
  is_im?: boolean;
  is_archived?: boolean;
  is_member?: boolean;
}

async function checkChannel(client: WebClient, use: ChannelUse, botName: string, apiUrl: string): Promise<CheckResult> {
  const check = `channel ${use.channel}`;
  const uses = `(${use.uses.join(', ')})`;
  const invite = `invite the bot (/invite @${botName})`;
  const notFound = () =>
    fail(
      check,
      `not found ${uses}: no such channel, or a private one the bot is not in`,
      `check the ID (channel details → About, at the bottom); for a private channel ${invite} first`,
    );
  try {
    const answer = await withTimeout(client.conversations.info({ channel: use.channel }));
    const channel = (answer.channel ?? {}) as ChannelInfo;
    const name = channel.name ? `#${channel.name}` : use.channel;
    if (channel.is_archived)
      return fail(check, `${name} is archived ${uses}`, 'unarchive it, or name another channel there');
    if (channel.is_im) return pass(check, `a direct message ${uses}`);
    if (channel.is_member === false) return fail(check, `the bot is not in ${name} ${uses}`, invite);
    return pass(check, `${name} ${uses}, the bot is a member`);
  } catch (error) {
    const code = platformError(error);
    if (code === 'channel_not_found') return notFound();
    // conversations.info needs channels:read (groups:read for private channels), which the
    // manifest does not ask for: conversations.history (channels:history, which the bot has to
    // read its digests back) tells the same apart, without the name.
    if (code === 'missing_scope') return checkByHistory(client, use, check, uses, invite, notFound, apiUrl);
    if (code !== undefined) return fail(check, `conversations.info failed (${code}) ${uses}`, 'check the channel ID');
    return fail(check, `${transportProblem(error, apiUrl)} ${uses}`, 'run cert-bot doctor again');
  }
}

async function checkByHistory(
  client: WebClient,
  use: ChannelUse,
  check: string,
  uses: string,
  invite: string,
  notFound: () => CheckResult,
  apiUrl: string,
): Promise<CheckResult> {
  try {
    await withTimeout(client.conversations.history({ channel: use.channel, limit: 1 }));
    return pass(
      check,
      `the bot is in it ${uses}; read with conversations.history, as conversations.info needs channels:read`,
    );
  } catch (error) {
    const code = platformError(error);
    if (code === 'not_in_channel') return fail(check, `the bot is not in ${use.channel} ${uses}`, invite);
    if (code === 'channel_not_found') return notFound();
    if (code === 'missing_scope') {
      const needed = ((error as SlackFailure).data?.needed ?? 'channels:read').replace(/,/g, ', ');
      return fail(
        check,
        `cannot be checked ${uses}: the token lacks ${needed}`,
        "add it in the app's OAuth settings and reinstall",
      );
    }
    if (code === 'is_archived')
      return fail(check, `${use.channel} is archived ${uses}`, 'unarchive it, or name another channel there');
    if (code !== undefined)
      return fail(check, `conversations.history failed (${code}) ${uses}`, 'check the channel ID');
    return fail(check, `${transportProblem(error, apiUrl)} ${uses}`, 'run cert-bot doctor again');
  }
}
