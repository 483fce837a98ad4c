import { type Logger as BoltLogger, LogLevel } from '@slack/bolt';
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

/** Routes Bolt's own log lines into our JSON logger, so redaction applies to them too. */
export function boltLogger(logger: Logger): BoltLogger {
  const child = logger.child({ module: 'bolt' });
  // Bolt passes free-form arguments; join them as text rather than logging raw objects.
  const text = (msg: unknown[]) =>
    msg.map((m) => (typeof m === 'string' ? m : m instanceof Error ? m.message : safeJson(m))).join(' ');
  return {
    debug: (...msg: unknown[]) => child.debug(text(msg)),
    info: (...msg: unknown[]) => child.info(text(msg)),
    warn: (...msg: unknown[]) => child.warn(text(msg)),
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
