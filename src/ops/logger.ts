import pino, { type Logger } from 'pino';
import type { Config } from '../config';

export type { Logger };

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
}

export function createLogger(options: LoggerOptions = {}): Logger {
  const secrets = (options.secrets ?? []).filter((s): s is string => typeof s === 'string' && s.length >= 6);
  const destination = options.destination ?? pino.destination({ dest: 2, sync: false });
  const scrubbing: pino.DestinationStream =
    secrets.length === 0
      ? destination
      : {
          write(line: string) {
            let clean = line;
            for (const secret of secrets) clean = clean.split(secret).join('[redacted]');
            destination.write(clean);
          },
        };
  return pino(
    {
      level: options.level ?? 'info',
      redact: { paths: REDACT_PATHS, censor: '[redacted]' },
      base: { app: 'cas-cert-bot' },
    },
    scrubbing,
  );
}

/** A logger that drops everything, for library-style use and quiet tests. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}

/** The bot's logger as configured: level from LOG_LEVEL, every configured secret scrubbed. */
export function loggerForConfig(
  config: Pick<
    Config,
    | 'LOG_LEVEL'
    | 'ALIBABA_CLOUD_ACCESS_KEY_SECRET'
    | 'ALIBABA_CLOUD_SECURITY_TOKEN'
    | 'SLACK_BOT_TOKEN'
    | 'SLACK_SIGNING_SECRET'
    | 'SLACK_APP_TOKEN'
    | 'DATABASE_URL'
    | 'REDIS_URL'
  >,
  destination?: pino.DestinationStream,
): Logger {
  return createLogger({
    level: config.LOG_LEVEL,
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
