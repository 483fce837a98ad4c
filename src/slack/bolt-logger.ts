// The Web API client's Logger is Bolt's too (both @slack/logger); importing it from there keeps
// Bolt unloaded for a process that only posts.
import { type Logger as BoltLogger, LogLevel } from '@slack/web-api';
import type { Logger } from '../ops/logger';

const LEVELS: Record<string, LogLevel> = {
  trace: LogLevel.DEBUG,
  debug: LogLevel.DEBUG,
  info: LogLevel.INFO,
  warn: LogLevel.WARN,
  error: LogLevel.ERROR,
  fatal: LogLevel.ERROR,
  silent: LogLevel.ERROR,
};

/**
 * Bolt's HTTP receiver rejects a request whose signature it cannot verify with one warn line
 * ("Failed to parse and verify the request data: Failed to verify authenticity: …") and a 401;
 * it offers no hook. These say what to fix instead of only quoting Bolt.
 */
const REJECTED_REQUESTS: Array<[RegExp, string]> = [
  [
    /Failed to verify authenticity: signature mismatch/,
    "Slack request rejected: its signature does not match SLACK_SIGNING_SECRET. Set SLACK_SIGNING_SECRET to the Signing Secret on the app's Basic Information page (a request that did not come from Slack is rejected the same way)",
  ],
  [
    /Failed to verify authenticity: x-slack-request-timestamp must differ from system time/,
    "Slack request rejected: its timestamp is more than 5 minutes from this host's clock. Fix the host's clock (NTP); the request may also be a replay",
  ],
];

/**
 * Routes the log lines of Bolt and of the Slack Web API client into our logger (JSON, or
 * pretty with LOG_FORMAT=pretty), so redaction and scrubbing apply to them too and no plain
 * `[WARN] web-api:…` line reaches stderr. Give it to Bolt (`logger`) and to every WebClient
 * (`new WebClient(token, { logger })`); `bindings` name where the lines come from.
 */
export function boltLogger(logger: Logger, bindings: Record<string, unknown> = { module: 'bolt' }): BoltLogger {
  const child = logger.child(bindings);
  // Bolt passes free-form arguments; join them as text rather than logging raw objects.
  const text = (msg: unknown[]) =>
    msg.map((m) => (typeof m === 'string' ? m : m instanceof Error ? m.message : safeJson(m))).join(' ');
  const warn = (...msg: unknown[]) => {
    const line = text(msg);
    const hint = REJECTED_REQUESTS.find(([pattern]) => pattern.test(line));
    if (hint) child.warn({ bolt: line }, hint[1]);
    else child.warn(line);
  };
  return {
    debug: (...msg: unknown[]) => child.debug(text(msg)),
    info: (...msg: unknown[]) => child.info(text(msg)),
    warn,
    error: (...msg: unknown[]) => child.error(text(msg)),
    setLevel: () => undefined,
    getLevel: () => LEVELS[child.level] ?? LogLevel.INFO,
    setName: () => undefined,
  };
}

function safeJson(value: unknown): string {
  try {
    return JSON.stringify(value);
  } catch {
    return String(value);
  }
}
