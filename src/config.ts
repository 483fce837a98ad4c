import { CronExpressionParser } from 'cron-parser';
import cron from 'node-cron';
import { z } from 'zod';

/**
 * The single source of truth for every environment variable the bot reads. Each entry's
 * description is what the README's configuration table shows (see `configTable()`), so a
 * variable cannot be added without being documented.
 */

const emptyToUndefined = (value: unknown) => (typeof value === 'string' && value.trim() === '' ? undefined : value);
const optionalString = () => z.preprocess(emptyToUndefined, z.string().optional());
const intWithDefault = (fallback: number, min: number, max: number) =>
  z.preprocess(emptyToUndefined, z.coerce.number().int().min(min).max(max).default(fallback));
const commaList = (pattern: RegExp, what: string) =>
  z.preprocess(
    (value) =>
      typeof value === 'string'
        ? value
            .split(',')
            .map((item) => item.trim())
            .filter((item) => item.length > 0)
        : value,
    z.array(z.string().regex(pattern, `each entry must be ${what}`)).default([]),
  );

function isValidTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

function isValidCron(expression: string): boolean {
  if (!cron.validate(expression)) return false;
  try {
    CronExpressionParser.parse(expression);
    return true;
  } catch {
    return false;
  }
}

export const configSchema = z.object({
  ALIBABA_CLOUD_ACCESS_KEY_ID: optionalString().describe(
    'AccessKey ID of the RAM user the bot calls CAS as. Unset: the default credential chain (profile file, OIDC, ECS RAM role).',
  ),
  ALIBABA_CLOUD_ACCESS_KEY_SECRET: optionalString().describe('AccessKey secret paired with the key ID. Never logged.'),
  ALIBABA_CLOUD_SECURITY_TOKEN: optionalString().describe('STS security token, when the key pair is temporary.'),
  CAS_ENDPOINT: z
    .string()
    .default('cas.aliyuncs.com')
    .describe('CAS endpoint host, or a URL such as http://127.0.0.1:9000 (scheme and port honoured).'),
  CAS_REGION: z.string().default('cn-hangzhou').describe('Region ID sent with every call.'),
  CAS_QPS: intWithDefault(10, 1, 1000).describe(
    'Most CAS calls in any one-second window, per AccessKey, across all operations.',
  ),
  CAS_MAX_CONCURRENT: intWithDefault(10, 1, 200).describe('Most CAS calls in flight at once, per AccessKey.'),
  CAS_TIMEOUT_MS: intWithDefault(10_000, 100, 120_000).describe('Timeout of one CAS call, in milliseconds.'),
  CAS_MAX_ATTEMPTS: intWithDefault(4, 1, 10).describe(
    'Attempts per CAS call on throttling, 5xx, network errors and timeouts (exponential backoff with jitter).',
  ),
  CAS_CACHE_TTL_SECONDS: intWithDefault(60, 0, 86_400).describe(
    'How long GetRiskCount and GetAssetCount answers are reused, in seconds.',
  ),
  SLACK_BOT_TOKEN: z
    .preprocess(
      emptyToUndefined,
      z
        .string()
        .regex(/^xox[bp]-/, 'must start with xoxb-')
        .optional(),
    )
    .describe('Bot token (xoxb-...). Required by `cert-bot serve` and digest posting.'),
  SLACK_SIGNING_SECRET: optionalString().describe('Signing secret that verifies requests from Slack (HTTP mode).'),
  SLACK_APP_TOKEN: z
    .preprocess(
      emptyToUndefined,
      z
        .string()
        .regex(/^xapp-/, 'must start with xapp-')
        .optional(),
    )
    .describe('App-level token (xapp-...). Set: Socket Mode instead of HTTP.'),
  SLACK_API_URL: z
    .preprocess(emptyToUndefined, z.url({ message: 'must be a URL such as https://slack.com/api/' }).optional())
    .describe('Override of the Slack Web API base URL (tests, GovSlack).'),
  PORT: intWithDefault(3000, 0, 65_535).describe('HTTP port for Slack requests and the health endpoints.'),
  ADMIN_USER_IDS: commaList(/^[UW][A-Z0-9]{2,}$/, 'a Slack user ID such as U012ABCDEF').describe(
    'Comma-separated Slack user IDs allowed to run /cert-assign.',
  ),
  DATA_DIR: z.string().default('./data').describe('Folder of the embedded SQLite store (audit log, digest ledger).'),
  DIGEST_CHANNEL: commaList(/^[CGD][A-Z0-9]{2,}$/, 'a Slack channel ID such as C012ABCDEF').describe(
    'Comma-separated channel IDs that get the weekly digest. Empty: no digest task.',
  ),
  DIGEST_CRON: z
    .string()
    .default('0 9 * * 1')
    .refine(isValidCron, 'must be a cron expression with 5 or 6 fields, e.g. "0 9 * * 1"')
    .describe('When the digest is posted (cron, 5 fields or 6 with seconds).'),
  DIGEST_TIMEZONE: z
    .string()
    .default('UTC')
    .refine(isValidTimeZone, 'must be an IANA time zone such as Europe/Berlin')
    .describe('Time zone of DIGEST_CRON.'),
  DIGEST_RETRY_MINUTES: intWithDefault(60, 0, 24 * 60).describe(
    'How long a digest run keeps retrying while CAS fails, before it posts a failure notice.',
  ),
  INVENTORY_SYNC_MINUTES: intWithDefault(30, 0, 7 * 24 * 60).describe(
    'How often the certificate inventory is synced from CAS in the background, in minutes; `serve` also syncs at start when the stored inventory is older. 0: no background sync (lists then come live from CAS until `cert-bot sync` runs).',
  ),
  METRICS_PER_CERTIFICATE: z
    .preprocess(
      (value) => (typeof value === 'string' ? (value.trim() === '' ? undefined : value.trim().toLowerCase()) : value),
      z.enum(['true', 'false']).default('true'),
    )
    .transform((value) => value === 'true')
    .describe(
      'One `certbot_inventory_certificate_not_after_seconds` gauge per certificate (true/false); turn it off for very large inventories.',
    ),
  LOG_LEVEL: z
    .enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])
    .default('info')
    .describe('Log level of the JSON logs.'),
  REDIS_URL: z
    .preprocess(
      emptyToUndefined,
      z
        .string()
        .regex(/^rediss?:\/\//, 'must be a redis:// URL')
        .optional(),
    )
    .describe('Set: the CAS rate limit is shared by all replicas through Redis.'),
  DATABASE_URL: z
    .preprocess(
      emptyToUndefined,
      z
        .string()
        .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// URL')
        .optional(),
    )
    .describe('Set: the store lives in PostgreSQL instead of the SQLite file.'),
});

export type Config = z.infer<typeof configSchema>;

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/** What a command needs beyond the defaults; checked together with the schema so all problems show at once. */
export type Requirement = 'slack';

export function loadConfig(env: Record<string, string | undefined>, needs: Requirement[] = []): Config {
  const result = configSchema.safeParse(env);
  const problems: string[] = [];
  if (!result.success) {
    for (const issue of result.error.issues) {
      const name = String(issue.path[0] ?? 'configuration');
      // Never echo the offending value: it may be a secret.
      problems.push(`${name}: ${issue.message}`);
    }
  }
  const raw = (name: string) => emptyToUndefined(env[name]) as string | undefined;
  if (raw('ALIBABA_CLOUD_ACCESS_KEY_ID') && !raw('ALIBABA_CLOUD_ACCESS_KEY_SECRET'))
    problems.push('ALIBABA_CLOUD_ACCESS_KEY_SECRET: required when ALIBABA_CLOUD_ACCESS_KEY_ID is set');
  if (!raw('ALIBABA_CLOUD_ACCESS_KEY_ID') && raw('ALIBABA_CLOUD_ACCESS_KEY_SECRET'))
    problems.push('ALIBABA_CLOUD_ACCESS_KEY_ID: required when ALIBABA_CLOUD_ACCESS_KEY_SECRET is set');
  if (needs.includes('slack')) {
    if (!raw('SLACK_BOT_TOKEN')) problems.push('SLACK_BOT_TOKEN: required, the bot token (xoxb-...)');
    if (!raw('SLACK_APP_TOKEN') && !raw('SLACK_SIGNING_SECRET'))
      problems.push('SLACK_SIGNING_SECRET: required in HTTP mode (or set SLACK_APP_TOKEN for Socket Mode)');
  }
  if (problems.length > 0 || !result.success) throw new ConfigError([...new Set(problems)]);
  return result.data;
}

/** The README's configuration table, generated from the schema. */
export function configTable(): string {
  const rows = Object.entries(configSchema.shape).map(([name, field]) => {
    const parsed = field.safeParse(undefined);
    const fallback = parsed.success && parsed.data !== undefined ? formatDefault(parsed.data) : '';
    return `| \`${name}\` | ${fallback} | ${field.description ?? ''} |`;
  });
  return ['| Variable | Default | Meaning |', '| --- | --- | --- |', ...rows].join('\n');
}

function formatDefault(value: unknown): string {
  if (Array.isArray(value)) return value.length === 0 ? '' : `\`${value.join(',')}\``;
  return `\`${String(value)}\``;
}

/** `.env.example`, generated from the schema: every variable, its default and its meaning. */
export function envExample(): string {
  const lines = [
    '# cas-cert-bot configuration. Copy to .env and fill in; unset variables take the default shown.',
    '# Generated from src/config.ts (npm run docs:config).',
    '',
  ];
  for (const [name, field] of Object.entries(configSchema.shape)) {
    const parsed = field.safeParse(undefined);
    const fallback = parsed.success && parsed.data !== undefined ? envDefault(parsed.data) : '';
    lines.push(`# ${field.description ?? ''}`, `${fallback === '' ? '# ' : ''}${name}=${fallback}`, '');
  }
  return lines.join('\n');
}

function envDefault(value: unknown): string {
  if (Array.isArray(value)) return value.join(',');
  return String(value);
}
