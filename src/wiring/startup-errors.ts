import Credential from '@alicloud/credentials';
import { LimiterStartupError } from '../cas';
import type { Config } from '../config';
import { networkReason as networkReasonOf, networkWording } from '../domain/error-description';
import { StoreError } from '../store/types';

/**
 * Start-up diagnostics: why `serve` could not start, in one line that names the variable to fix.
 */

/**
 * `start()` could not serve: one line that names the variable to fix and what to do (never a
 * secret), and the exit status for it (2: the configuration is wrong, 1: something it points at
 * is not there).
 */
export class StartupError extends Error {
  constructor(
    message: string,
    readonly exitCode: 1 | 2,
    options?: { cause?: unknown },
  ) {
    super(message.replace(/\s*\n\s*/g, ' '), options);
    this.name = 'StartupError';
  }
}

export const SLACK_API_DEFAULT = 'https://slack.com/api/';
export const SLACK_PROBE_TIMEOUT_MS = 10_000;
export const CREDENTIAL_CHECK_MS = 3_000;

/** auth.test answers that mean the token itself is wrong, not Slack. */
const REFUSED_TOKEN = new Set(['invalid_auth', 'account_inactive', 'not_authed', 'token_revoked', 'token_expired']);

export function slackStartupError(error: unknown, apiUrl: string | undefined): StartupError {
  const url = shownUrl(apiUrl ?? SLACK_API_DEFAULT);
  const e = (error ?? {}) as { code?: unknown; data?: { error?: unknown }; statusCode?: unknown };
  if (e.code === 'slack_webapi_platform_error') {
    const answer = typeof e.data?.error === 'string' ? e.data.error : 'unknown_error';
    if (REFUSED_TOKEN.has(answer))
      return new StartupError(
        `SLACK_BOT_TOKEN: Slack refused the token (${answer}): set SLACK_BOT_TOKEN to the app's Bot User OAuth Token (xoxb-…, on its OAuth & Permissions page); reinstall the app to the workspace if the token was revoked`,
        2,
        { cause: error },
      );
    return new StartupError(
      `SLACK_BOT_TOKEN: Slack's auth.test at ${url} failed (${answer}); check SLACK_BOT_TOKEN, and try again if Slack is having trouble`,
      1,
      { cause: error },
    );
  }
  const variable = apiUrl ? 'SLACK_API_URL' : 'Slack';
  const fix = apiUrl
    ? 'check SLACK_API_URL (the Web API base URL, ending in /api/) and that the bot can reach it'
    : "check the bot's egress to slack.com (firewall, proxy, DNS), or set SLACK_API_URL";
  if (e.code === 'slack_webapi_http_error')
    return new StartupError(
      `${variable}: Slack at ${url} answered auth.test with HTTP ${String(e.statusCode)}; ${fix}`,
      1,
      {
        cause: error,
      },
    );
  return new StartupError(`${variable}: cannot reach Slack at ${url} (${socketReason(error)}); ${fix}`, 1, {
    cause: error,
  });
}

/** The store or the shared limiter could not be opened: the variable that points at it. */
export function storeStartupError(error: unknown, config: Config): unknown {
  if (error instanceof StoreError)
    return new StartupError(`${config.DATABASE_URL ? 'DATABASE_URL' : 'DATA_DIR'}: ${error.message}`, 1, {
      cause: error,
    });
  if (error instanceof LimiterStartupError) return new StartupError(`REDIS_URL: ${error.message}`, 1, { cause: error });
  return error;
}

/** The receiver could not start: a port in use or not allowed, or (Socket Mode) a refused app token. */
export function listenStartupError(error: unknown, config: Config): unknown {
  const e = (error ?? {}) as { code?: unknown; data?: { error?: unknown } };
  if (e.code === 'EADDRINUSE')
    return new StartupError(
      `PORT: ${config.PORT} is already in use by another process; stop it or set PORT to a free port`,
      1,
      { cause: error },
    );
  if (e.code === 'EACCES')
    return new StartupError(
      `PORT: ${config.PORT} may not be bound by this user (ports below 1024 need privileges); set PORT to a port above 1023`,
      1,
      { cause: error },
    );
  if (config.SLACK_APP_TOKEN && e.code === 'slack_webapi_platform_error') {
    const answer = typeof e.data?.error === 'string' ? e.data.error : 'unknown_error';
    return new StartupError(
      `SLACK_APP_TOKEN: Slack refused the app-level token (${answer}): set SLACK_APP_TOKEN to a token with connections:write (xapp-…, on the app's Basic Information page)`,
      REFUSED_TOKEN.has(answer) ? 2 : 1,
      { cause: error },
    );
  }
  return error;
}

/** Why a request never got an answer, from the error and its causes (fetch wraps them). */
function socketReason(error: unknown): string {
  const codes: string[] = [];
  let innermost: string | undefined;
  const seen = new Set<unknown>();
  const walk = (value: unknown) => {
    if (typeof value !== 'object' || value === null || seen.has(value)) return;
    seen.add(value);
    const v = value as {
      code?: unknown;
      name?: unknown;
      message?: unknown;
      original?: unknown;
      cause?: unknown;
      errors?: unknown;
    };
    if (typeof v.code === 'string') codes.push(v.code);
    if (typeof v.name === 'string') codes.push(v.name);
    if (typeof v.message === 'string' && v.message) innermost = v.message;
    walk(v.original);
    walk(v.cause);
    if (Array.isArray(v.errors)) v.errors.forEach(walk);
  };
  walk(error);
  const reason = networkReasonOf(codes.join(' '));
  // fetch refuses some ports outright (1, 25, 6000…): a port Slack is never on.
  if (reason === 'network' && innermost === 'bad port') return 'a port fetch refuses to connect to';
  return networkWording(reason);
}

/** A URL as shown in a message: without a user name or password, should it have one. */
function shownUrl(url: string): string {
  try {
    const parsed = new URL(url);
    parsed.username = '';
    parsed.password = '';
    return parsed.toString();
  } catch {
    return url;
  }
}

/** Whether the default credential chain finds credentials, within `timeoutMs`. */
export async function probeDefaultCredentials(timeoutMs: number): Promise<'found' | 'none' | 'timeout'> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), timeoutMs);
    timer.unref();
  });
  const resolved = new Credential().getCredential().then(
    (credentials): 'found' | 'none' => (credentials.accessKeyId ? 'found' : 'none'),
    (): 'none' => 'none',
  );
  try {
    return await Promise.race([resolved, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
