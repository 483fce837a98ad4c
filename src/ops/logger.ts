import pino, { type Logger } from 'pino';
import { prettyFactory } from 'pino-pretty';

export type { Logger };

/** `json`: one JSON object a line (the default, for log collectors); `pretty`: human-readable lines. */
export type LogFormat = 'json' | 'pretty';

/**
 * Paths that may carry a secret anywhere in a log object. pino's redaction replaces them
 * before serialisation, so a careless `log.info({ config })` still cannot leak.
 */
export const REDACT_PATHS = [
  'config.ALIBABA_CLOUD_ACCESS_KEY_SECRET',
  'config.ALIBABA_CLOUD_SECURITY_TOKEN',
  'config.SLACK_BOT_TOKEN',
  'config.SLACK_SIGNING_SECRET',
  'config.SLACK_APP_TOKEN',
  'config.DATABASE_URL',
  'config.REDIS_URL',
  '*.accessKeySecret',
  '*.securityToken',
  '*.token',
  '*.botToken',
  '*.appToken',
  '*.signingSecret',
  '*.response_url',
  '*.responseUrl',
  '*.authorization',
  '*.Authorization',
  '*.headers.authorization',
  '*.headers["x-slack-signature"]',
  '*.headers["x-acs-security-token"]',
  'headers.authorization',
  'headers["x-slack-signature"]',
  'headers["x-acs-security-token"]',
  'body.response_url',
  'response_url',
  'responseUrl',
];

export interface LoggerOptions {
  level?: string;
  /** Where the JSON lines go; tests pass a stream to capture them. */
  destination?: pino.DestinationStream;
  /** Literal secret values scrubbed from every line, wherever they appear. */
  secrets?: Array<string | undefined>;
  /** How lines are written (default json). */
  format?: LogFormat;
  /** Pretty lines in colour (default: when the destination is a terminal's stderr). */
  colorize?: boolean;
}

export function createLogger(options: LoggerOptions = {}): Logger {
  const secrets = (options.secrets ?? []).filter((s): s is string => typeof s === 'string' && s.length >= 6);
  const destination = options.destination ?? pino.destination({ dest: 2, sync: false });
  // Pretty lines are made from the JSON line after redaction and scrubbing, in this process and
  // synchronously: whatever the JSON line would not show, the pretty one does not either, and a
  // flush before exiting leaves nothing behind in a worker or a stream.
  const prettify =
    options.format === 'pretty'
      ? prettyFactory({
          colorize: options.colorize ?? (options.destination === undefined && Boolean(process.stderr.isTTY)),
          translateTime: 'SYS:HH:MM:ss.l',
          ignore: 'pid,hostname,app',
          singleLine: true,
        })
      : undefined;
  const writer: pino.DestinationStream = {
    write(line: string) {
      let clean = line;
      for (const secret of secrets) clean = clean.split(secret).join('[redacted]');
      destination.write(prettify ? prettify(clean) : clean);
    },
    flush: (cb?: (err?: Error) => void) => flushDestination(destination, cb),
  } as pino.DestinationStream;
  return pino(
    {
      level: options.level ?? 'info',
      redact: { paths: REDACT_PATHS, censor: '[redacted]' },
      base: { app: 'cas-cert-bot' },
    },
    writer,
  );
}

/**
 * Calls back once the lines written so far have left the process, so that a line printed next
 * (a failed start-up's) comes after them and `process.exit` loses none. pino's own flush does
 * not wait for that: an asynchronous SonicBoom answers at once while its write is in flight, and
 * says it is done with 'drain'.
 */
function flushDestination(destination: pino.DestinationStream, cb: (err?: Error) => void = () => undefined): void {
  const boom = destination as pino.DestinationStream & {
    _writing?: unknown;
    once?: (event: string, listener: () => void) => unknown;
    flush?: (cb?: (err?: Error) => void) => void;
  };
  if (boom._writing === true && typeof boom.once === 'function') {
    let called = false;
    const done = () => {
      if (called) return;
      called = true;
      clearTimeout(timer);
      cb();
    };
    // A destination that cannot drain (a closed pipe) must not hold the caller.
    const timer = setTimeout(done, 2_000);
    timer.unref();
    boom.once('drain', done);
  } else if (typeof boom.flush === 'function') boom.flush(cb);
  else cb();
}

/** A logger that drops everything, for library-style use and quiet tests. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}

/** The bot's logger as configured: level from LOG_LEVEL, format from LOG_FORMAT, every configured secret scrubbed. */
/**
 * What the configuration tells the logger, as plain values (the Config object satisfies it): the
 * level, the format and every secret to scrub from what is written.
 */
export interface LoggingSettings {
  LOG_LEVEL: NonNullable<LoggerOptions['level']>;
  LOG_FORMAT?: LogFormat;
  ALIBABA_CLOUD_ACCESS_KEY_SECRET?: string;
  ALIBABA_CLOUD_SECURITY_TOKEN?: string;
  SLACK_BOT_TOKEN?: string;
  SLACK_SIGNING_SECRET?: string;
  SLACK_APP_TOKEN?: string;
  DATABASE_URL?: string;
  REDIS_URL?: string;
}

export function loggerForConfig(config: LoggingSettings, destination?: pino.DestinationStream): Logger {
  return createLogger({
    level: config.LOG_LEVEL,
    format: config.LOG_FORMAT,
    destination,
    secrets: [
      config.ALIBABA_CLOUD_ACCESS_KEY_SECRET,
      config.ALIBABA_CLOUD_SECURITY_TOKEN,
      config.SLACK_BOT_TOKEN,
      config.SLACK_SIGNING_SECRET,
      config.SLACK_APP_TOKEN,
      config.DATABASE_URL,
      config.REDIS_URL,
    ],
  });
}
