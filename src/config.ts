import { CronExpressionParser } from 'cron-parser';
import cron from 'node-cron';
import { z } from 'zod';
import { type AlertHours, parseAlertHours } from './domain/alert-hours';
import { type AlertRoute, alertRoutesFromYaml, parseAlertRoutes } from './domain/alert-routes';
import { readYamlFile } from './ops/config-file';
import { DEFAULT_ALERT_DAYS } from './domain/alerts';
import type { AccountConfig } from './accounts/account-config';
import { accountsFromFile, environmentAccount } from './accounts/accounts-file';
import { endpointProblem } from './cas/endpoint';
import { type Endpoint, parseEndpoint, parseResolveRules, type ResolveRule } from './domain/endpoints';
import { DEFAULT_PROBE_DENY, denyEntryProblem } from './probe/deny';
import { trustAnchorsProblem } from './probe/trust';

/**
 * The single source of truth for every environment variable the bot reads. Each entry's
 * description is what the configuration table (docs/configuration.md) shows (see `configTable()`), so a
 * variable cannot be added without being documented.
 *
 * Empty values: a variable set to an empty value (or only spaces), such as `DIGEST_CRON=`,
 * counts as unset and takes its default, exactly as if it were left out. This holds for every
 * variable below; the sentence for the configuration docs' intro:
 *
 *   "A variable set to an empty value (`CAS_QPS=`) counts as unset: it takes its default."
 *
 * Problems name the variable and say what to write instead. They may repeat the value of a
 * variable that is not a secret (numbers, choices, cron, endpoint, the database of REDIS_URL),
 * never that of a key, token, secret or URL that can hold a password.
 */

const emptyToUndefined = (value: unknown) => (typeof value === 'string' && value.trim() === '' ? undefined : value);
const optionalString = () => z.preprocess(emptyToUndefined, z.string().optional());
/** A text variable with a default: empty means the default too. */
const stringWithDefault = (fallback: string) => z.preprocess(emptyToUndefined, z.string().default(fallback));

/** Decimal text that may be a whole number (`10`, `+10`, `10.0`, `1e3`), not hex, Infinity or `1_000`. */
const DECIMAL = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:e[+-]?\d+)?$/i;

/**
 * A whole number from min to max. Not a number: `"abc" is not a whole number; use 1 to 1000
 * (default 10)`, to which loadConfig adds `, e.g. CAS_QPS=10` (the issue's `example`);
 * out of range: `5000 is out of range; use 1 to 1000 (default 10)`.
 */
const intWithDefault = (fallback: number, min: number, max: number) =>
  optionalString().transform((text, ctx): number => {
    if (text === undefined) return fallback;
    const value = text.trim();
    const range = `use ${min} to ${max} (default ${fallback})`;
    const number = Number(value);
    if (!DECIMAL.test(value) || !Number.isInteger(number)) {
      ctx.addIssue({
        code: 'custom',
        message: `${JSON.stringify(value)} is not a whole number; ${range}`,
        params: { example: String(fallback) },
      });
      return z.NEVER;
    }
    if (number < min || number > max) {
      ctx.addIssue({ code: 'custom', message: `${value} is out of range; ${range}` });
      return z.NEVER;
    }
    return number === 0 ? 0 : number; // not -0
  });

/** One of `values`, in any case, normalised to lowercase: `"verbose" is not one of …`. */
const oneOf = <const T extends readonly [string, ...string[]]>(values: T, fallback: T[number]) =>
  optionalString().transform((text, ctx): T[number] => {
    if (text === undefined) return fallback;
    const value = text.trim().toLowerCase();
    if ((values as readonly string[]).includes(value)) return value;
    ctx.addIssue({
      code: 'custom',
      message: `${JSON.stringify(text.trim())} is not one of ${values.join(', ')} (default ${fallback}); any case is accepted`,
    });
    return z.NEVER;
  });

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

const CHANNEL_ID = /^[CGD][A-Z0-9]{2,}$/;
/** A Slack user (U…, W…) or user group (S…), as deployment requesters and approvers are given. */
const SLACK_PRINCIPAL = /^[UWS][A-Z0-9]{2,}$/;
const SLACK_PRINCIPAL_TEXT = 'a Slack user ID (U012ABCDEF, W012ABCDEF) or user group ID (S012ABCDEF)';
const TIME_ZONE_MESSAGE = 'must be an IANA time zone such as Europe/Berlin';

/** ALERT_DAYS: comma-separated whole days 1..365, any order, each once; every value at fault is reported. */
const alertDays = () =>
  z.preprocess(emptyToUndefined, z.string().default(DEFAULT_ALERT_DAYS.join(','))).transform((text, ctx) => {
    const items = text.split(',').map((item) => item.trim());
    const days: number[] = [];
    if (items.every((item) => item === ''))
      ctx.addIssue({ code: 'custom', message: 'must list at least one number of days, e.g. 30,14,7,3,1' });
    for (const item of items) {
      if (item === '') continue;
      const day = /^\d+$/.test(item) ? Number(item) : NaN;
      if (!(day >= 1 && day <= 365))
        ctx.addIssue({
          code: 'custom',
          message: `${JSON.stringify(item)} is not a whole number of days from 1 to 365`,
        });
      else if (days.includes(day)) ctx.addIssue({ code: 'custom', message: `${day} is listed more than once` });
      else days.push(day);
    }
    return days;
  });

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

const CRON_EXAMPLE = 'e.g. "0 9 * * 1" (Mondays 09:00)';
const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
const WEEKDAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];

interface CronField {
  name: string;
  min: number;
  max: number;
  /** Names, in order from `min`. */
  names?: string[];
  note?: string;
}

const CRON_FIELDS: CronField[] = [
  { name: 'second', min: 0, max: 59 },
  { name: 'minute', min: 0, max: 59 },
  { name: 'hour', min: 0, max: 23 },
  { name: 'day of month', min: 1, max: 31 },
  { name: 'month', min: 1, max: 12, names: MONTHS },
  { name: 'day of week', min: 0, max: 7, names: WEEKDAYS, note: ' (0 and 7 are Sunday)' },
];

/** What is wrong with one field of a cron expression, e.g. `minute 61 is out of range 0-59`. */
function cronFieldProblem(text: string, field: CronField): string | undefined {
  const outOfRange = (value: number) =>
    `${field.name} ${value} is out of range ${field.min}-${field.max}${field.note ?? ''}`;
  const valueOf = (item: string): number | string => {
    if (/^\d+$/.test(item)) return Number(item);
    const index = field.names?.indexOf(item.toLowerCase()) ?? -1;
    if (index >= 0) return field.min + index;
    return `${field.name} ${JSON.stringify(item)} is not a number${field.names ? ` or a name such as ${field.names[1].toUpperCase()}` : ''}`;
  };
  for (const item of text.split(',')) {
    if (item === '') return `${field.name} ${JSON.stringify(text)} has an empty entry`;
    // ?, #, L and W (`1#2`, `L`, `5L`, `15W`) are left to the cron libraries.
    if (/[#?]/.test(item) || /^[\d-]*[lw][\d-]*w?$/i.test(item)) continue;
    const [range, step, ...rest] = item.split('/');
    if (rest.length > 0) return `${field.name} ${JSON.stringify(item)} has more than one /`;
    if (step !== undefined && !(/^\d+$/.test(step) && Number(step) >= 1))
      return `${field.name} step ${JSON.stringify(step)} must be a whole number of at least 1`;
    if (range === '*') continue;
    const bounds = range.split('-');
    if (bounds.length > 2) return `${field.name} range ${JSON.stringify(range)} has more than one -`;
    const values: number[] = [];
    for (const bound of bounds) {
      const value = valueOf(bound);
      if (typeof value === 'string') return value;
      if (value < field.min || value > field.max) return outOfRange(value);
      values.push(value);
    }
    if (values.length === 2 && values[0] > values[1])
      return `${field.name} range ${range} runs backwards; write ${bounds[1]}-${bounds[0]} or list both parts`;
  }
  return undefined;
}

/**
 * What is wrong with a cron expression (5 fields, or 6 with seconds first), starting with the
 * expression itself: `"61 9 * * 1": minute 61 is out of range 0-59; e.g. "0 9 * * 1" (Mondays 09:00)`.
 * Both the scheduler (node-cron) and the period computation (cron-parser) must accept it.
 */
function cronProblem(expression: string): string | undefined {
  const quoted = JSON.stringify(expression);
  const fields = expression.split(/\s+/);
  if (!expression.startsWith('@')) {
    if (fields.length !== 5 && fields.length !== 6)
      return (
        `${quoted} has ${fields.length} field${fields.length === 1 ? '' : 's'}; use 5 (minute hour day-of-month month day-of-week) ` +
        `or 6 (seconds first), ${CRON_EXAMPLE}`
      );
    const kinds = fields.length === 6 ? CRON_FIELDS : CRON_FIELDS.slice(1);
    for (const [index, field] of fields.entries()) {
      const problem = cronFieldProblem(field, kinds[index]);
      if (problem !== undefined) return `${quoted}: ${problem}; ${CRON_EXAMPLE}`;
    }
  }
  try {
    CronExpressionParser.parse(expression);
  } catch (error) {
    return `${quoted}: ${firstLine((error as Error).message)}; ${CRON_EXAMPLE}`;
  }
  if (!isValidCron(expression))
    return `${quoted} is not a cron expression the scheduler accepts (steps as */N or A-B/N); ${CRON_EXAMPLE}`;
  return undefined;
}

/** The password of a URL with a broken authority ends up after the host: never repeat such a URL. */
const SPECIAL_CHARACTERS =
  'is not a valid URL (a user name or password with @ : / ? # or % must be percent-encoded, e.g. / as %2F)';

/**
 * A connection URL of the given scheme, or what is wrong with it. An `@` after the host means a
 * password with an unencoded `/`, `?` or `#` pushed part of itself out of the credentials.
 */
function parsedUrl(text: string, scheme: RegExp, schemes: string, example: string): URL | string {
  if (!scheme.test(text)) return `must be ${schemes} URL, ${example}`;
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return `${SPECIAL_CHARACTERS}; ${example}`;
  }
  if (`${url.pathname}${url.search}${url.hash}`.includes('@')) return `${SPECIAL_CHARACTERS}; ${example}`;
  return url;
}

/** REDIS_URL: redis:// or rediss://, a host, and in the path a database 0..15 (ioredis SELECTs it). */
function redisUrlProblem(text: string): string | undefined {
  const example = 'e.g. redis://:password@10.0.0.5:6379/0';
  const url = parsedUrl(text, /^rediss?:\/\//i, 'a redis:// or rediss://', example);
  if (typeof url === 'string') return url;
  if (url.hostname === '') return `names no host; ${example}`;
  const database = url.pathname.replace(/^\//, '');
  const problems = [
    database === '' ? undefined : databaseProblem(database, 'in the path', `/0`),
    url.searchParams.has('db') ? databaseProblem(url.searchParams.get('db') ?? '', 'in ?db=', '?db=0') : undefined,
  ];
  return problems.find((problem) => problem !== undefined);
}

function databaseProblem(database: string, where: string, example: string): string | undefined {
  if (!/^\d+$/.test(database))
    return `database ${JSON.stringify(database)} ${where} must be a number such as ${example}`;
  if (Number(database) > 15)
    return `database ${Number(database)} ${where} is out of range; use 0 to 15 (Redis has 16 by default), e.g. ${example}`;
  return undefined;
}

/** DATABASE_URL: postgres:// or postgresql://, with a host (or ?host= for a Unix socket). */
function postgresUrlProblem(text: string): string | undefined {
  const example = 'e.g. postgres://certbot:password@db.example.com:5432/certbot';
  const url = parsedUrl(text, /^postgres(?:ql)?:\/\//i, 'a postgres:// or postgresql://', example);
  if (typeof url === 'string') return url;
  if (url.hostname === '' && !url.searchParams.get('host'))
    return `names no host (or ?host= for a Unix socket); ${example}`;
  return undefined;
}

/** Comma-separated entries of a list variable, blanks dropped. */
const entries = (text: string) =>
  text
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item !== '');

/** PROBE_TARGETS: comma-separated `host[:port]` (port 443 by default); every bad entry is reported. */
const endpointList = () =>
  optionalString().transform((text, ctx): Endpoint[] => {
    const endpoints: Endpoint[] = [];
    for (const item of entries(text ?? '')) {
      const parsed = parseEndpoint(item);
      if ('problem' in parsed) ctx.addIssue({ code: 'custom', message: parsed.problem });
      else if (!endpoints.some((e) => e.host === parsed.host && e.port === parsed.port)) endpoints.push(parsed);
    }
    return endpoints;
  });

/** PROBE_RESOLVE: comma-separated `host:port=address[:port]`. */
const resolveList = () =>
  optionalString().transform((text, ctx): ResolveRule[] => {
    const { rules, problems } = parseResolveRules(text ?? '');
    for (const message of problems) ctx.addIssue({ code: 'custom', message });
    return rules;
  });

/** PROBE_DENY: comma-separated addresses and CIDR ranges; `none` denies nothing. */
const denyList = () =>
  optionalString().transform((text, ctx): string[] => {
    if (text === undefined) return [...DEFAULT_PROBE_DENY];
    if (text.trim().toLowerCase() === 'none') return [];
    const list = entries(text);
    for (const item of list) {
      const message = denyEntryProblem(item);
      if (message) ctx.addIssue({ code: 'custom', message });
    }
    return list;
  });

/** A refinement from a function that returns what is wrong, or undefined. */
const check =
  (problem: (text: string) => string | undefined) =>
  (text: string | undefined, ctx: z.RefinementCtx): void => {
    const message = text === undefined ? undefined : problem(text);
    if (message !== undefined) ctx.addIssue({ code: 'custom', message });
  };

export const configSchema = z.object({
  ALIBABA_CLOUD_ACCESS_KEY_ID: optionalString().describe(
    'AccessKey ID of the RAM user the bot calls CAS as. Unset: the default credential chain (profile file, OIDC, ECS RAM role).',
  ),
  ALIBABA_CLOUD_ACCESS_KEY_SECRET: optionalString().describe('AccessKey secret paired with the key ID. Never logged.'),
  ALIBABA_CLOUD_SECURITY_TOKEN: optionalString().describe('STS security token, when the key pair is temporary.'),
  CAS_ACCOUNTS_FILE: optionalString().describe(
    'Path of a YAML file listing several CAS accounts (name, site, credentials, optional region, qps, digestChannels, alertChannel); see docs/accounts.md. Unset: one account, `default`, from the variables above and below.',
  ),
  CAS_ENDPOINT: stringWithDefault('cas.aliyuncs.com')
    .superRefine(check(endpointProblem))
    .describe(
      'CAS endpoint host (a bare host name means https), or a URL such as http://127.0.0.1:9000 (scheme and port honoured).',
    ),
  CAS_REGION: stringWithDefault('cn-hangzhou').describe('Region ID sent with every call.'),
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
  ACCOUNT_ANSWER_TIMEOUT_MS: intWithDefault(4_000, 100, 120_000).describe(
    'With several accounts: how long an answer covering them (/cert-risk, /cert-status, /cert-list, Home, `cert-bot risk` and `status`) waits for any one account, in milliseconds; it then answers with the others and names the slow one.',
  ),
  SLACK_BOT_TOKEN: z
    .preprocess(
      emptyToUndefined,
      z
        .string()
        // Only a bot token: a user token (xoxp-) would post and read as the person who made it.
        .regex(
          /^xoxb-/,
          "must start with xoxb-: the app's Bot User OAuth Token (OAuth & Permissions), not a user token",
        )
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
  DATA_DIR: stringWithDefault('./data').describe('Folder of the embedded SQLite store (audit log, digest ledger).'),
  DIGEST_CHANNEL: commaList(CHANNEL_ID, 'a Slack channel ID such as C012ABCDEF').describe(
    'Comma-separated channel IDs that get the weekly digest. Empty: no digest task.',
  ),
  DIGEST_CRON: stringWithDefault('0 9 * * 1')
    .transform((text) => text.trim())
    .superRefine(check(cronProblem))
    .describe('When the digest is posted (cron, 5 fields or 6 with seconds).'),
  DIGEST_TIMEZONE: stringWithDefault('UTC')
    .refine(isValidTimeZone, TIME_ZONE_MESSAGE)
    .describe('Time zone of DIGEST_CRON.'),
  DIGEST_RETRY_MINUTES: intWithDefault(60, 0, 24 * 60).describe(
    'How long a digest run keeps retrying while CAS fails, before it posts a failure notice.',
  ),
  INVENTORY_SYNC_MINUTES: intWithDefault(30, 0, 7 * 24 * 60).describe(
    'How often the certificate inventory is synced from CAS in the background, in minutes; `serve` also syncs at start when the stored inventory is older. 0: no background sync (lists then come live from CAS until `cert-bot sync` runs).',
  ),
  ALERT_DAYS: alertDays().describe(
    'Days left at which a certificate is announced once, comma-separated whole days 1..365 in any order; the day it expires is always announced too. Only the most urgent threshold crossed is posted (a certificate first seen with 5 days left gets the 7-day alert only).',
  ),
  ALERT_BASELINE: oneOf(['on', 'off'], 'on').describe(
    'on: the first alert pass after the first successful sync of an account (and after a route sends its certificates to a new channel) posts one summary per channel ("Now watching N certificates…") and counts every threshold already crossed as announced; only thresholds crossed later are announced one by one. off: every certificate is announced one by one from the first pass.',
  ),
  ALERT_EXPIRED_GRACE_DAYS: intWithDefault(7, 0, 3650).describe(
    'A certificate that had been expired for more than this many days when the bot first saw it is never announced one by one (it is still listed by /cert-list, the digest and the baseline summary).',
  ),
  ALERT_CHECK_MINUTES: intWithDefault(60, 1, 24 * 60).describe(
    'How often alerts are checked, in minutes (they are also checked after every inventory sync).',
  ),
  ALERT_HOURS: z
    .preprocess(emptyToUndefined, z.string().default('09:00-20:00'))
    .superRefine((text, ctx) => {
      const hours = parseAlertHours(text);
      if (typeof hours === 'string') ctx.addIssue({ code: 'custom', message: hours });
    })
    .describe(
      'Daily window alerts are posted in, HH:MM-HH:MM in ALERT_TIMEZONE (00:00-24:00: always); an alert due outside waits for the window to open.',
    ),
  ALERT_TIMEZONE: z
    .preprocess(emptyToUndefined, z.string().refine(isValidTimeZone, TIME_ZONE_MESSAGE).optional())
    .describe('Time zone of ALERT_HOURS (IANA). Unset: DIGEST_TIMEZONE.'),
  ALERT_CHANNEL: z
    .preprocess(
      emptyToUndefined,
      z.string().regex(CHANNEL_ID, 'must be a Slack channel ID such as C012ABCDEF').optional(),
    )
    .describe(
      'Channel ID that gets every alert no route claims. Unset: the first DIGEST_CHANNEL (neither set: unrouted certificates get no alert).',
    ),
  ALERT_ROUTES: optionalString()
    .superRefine((text, ctx) => {
      if (text === undefined) return;
      for (const problem of parseAlertRoutes(text).problems) ctx.addIssue({ code: 'custom', message: problem });
    })
    .describe(
      'Alert routes, `PATTERN=CHANNEL` or `PATTERN=CHANNEL MENTION`, separated by `;` or newlines, first match wins. PATTERN is a case-insensitive glob matched against the CommonName and every SAN (`*` matches any characters, dots too); MENTION is `<@U…>` or `<!subteam^S…>`; `account:NAME PATTERN=…` applies to one account only.',
    ),
  ALERT_ROUTES_FILE: optionalString().describe(
    "Path (relative to the working directory) of a YAML file with more alert routes: a list of `{match, channel, mention}`, `mention` and `account` optional; quote patterns that start with `*`. Read at start; its rules come after ALERT_ROUTES'.",
  ),
  DEPLOY_ENABLED: oneOf(['true', 'false'], 'false')
    .transform((value) => value === 'true')
    .describe(
      'Deploy a renewal from Slack, requested by one person and approved by another (true/false); see docs/deployment-jobs.md. Needs DEPLOY_APPROVERS and DEPLOY_CHANNELS, and the RAM actions of the deployment statement.',
    ),
  DEPLOY_REQUESTERS: commaList(SLACK_PRINCIPAL, SLACK_PRINCIPAL_TEXT).describe(
    'Comma-separated Slack user IDs (U…, W…) and user groups (S…) who may request a deployment. Empty: anyone in DEPLOY_CHANNELS.',
  ),
  DEPLOY_APPROVERS: commaList(SLACK_PRINCIPAL, SLACK_PRINCIPAL_TEXT).describe(
    'Comma-separated Slack user IDs (U…, W…) and user groups (S…) who may approve a deployment; never the person who requested it. Required with DEPLOY_ENABLED=true.',
  ),
  DEPLOY_CHANNELS: commaList(CHANNEL_ID, 'a Slack channel ID such as C012ABCDEF').describe(
    'Comma-separated channel IDs where deployments may be requested and approved. Required with DEPLOY_ENABLED=true.',
  ),
  DEPLOY_CONTACT_IDS: commaList(/^\d{1,19}$/, 'a CAS contact ID (ListContact ContactId) such as 519580').describe(
    'Comma-separated CAS contact IDs a deployment job notifies. Empty: the first contact ListContact returns, named in the request.',
  ),
  DEPLOY_HOURS: optionalString()
    .superRefine((text, ctx) => {
      if (text === undefined) return;
      const hours = parseAlertHours(text);
      if (typeof hours === 'string') ctx.addIssue({ code: 'custom', message: hours });
    })
    .describe(
      "Change window for deployments, HH:MM-HH:MM in ALERT_TIMEZONE, as ALERT_HOURS: a deployment approved outside it is created to run at the window's next start (and the request says so). Unset: any time.",
    ),
  DEPLOY_REQUEST_HOURS: intWithDefault(24, 1, 7 * 24).describe(
    'How long a deployment request waits for approval, in hours, before it expires.',
  ),
  METRICS_PER_CERTIFICATE: oneOf(['true', 'false'], 'true')
    .transform((value) => value === 'true')
    .describe(
      'One `certbot_inventory_certificate_not_after_seconds` gauge per certificate (true/false); turn it off for very large inventories.',
    ),
  PROBE_TARGETS: endpointList().describe(
    'Endpoints outside Alibaba Cloud to probe besides those of the inventory: comma-separated `host[:port]` (port 443 by default), host names only (map a name to an address with PROBE_RESOLVE).',
  ),
  PROBE_RESOLVE: resolveList().describe(
    "Addresses for probes instead of DNS, as curl's `--resolve`: comma-separated `host:port=address`, `*` for any host or port, and optionally a port to connect to instead (`*:443=127.0.0.1:9443`, `[::1]:9443`). For split-horizon DNS and tests.",
  ),
  PROBE_CA_FILE: optionalString()
    .superRefine(check(trustAnchorsProblem))
    .describe(
      "PEM file of extra trust anchors for probes (a private CA, the simulator's), trusted besides the public roots Node ships; read at start.",
    ),
  PROBE_CONCURRENCY: intWithDefault(16, 1, 256).describe('Most probes in flight at once.'),
  PROBE_TIMEOUT_MS: intWithDefault(5000, 100, 60_000).describe(
    'Time one probe may take in all (address lookup, connection, TLS handshake), in milliseconds; an endpoint that takes longer is unreachable (timeout).',
  ),
  PROBE_INTERVAL_MINUTES: intWithDefault(60, 0, 7 * 24 * 60).describe(
    'How often every endpoint is probed, in minutes (one replica probes per interval). 0: no scheduled probing.',
  ),
  PROBE_MAX_TARGETS: intWithDefault(5000, 1, 100_000).describe(
    'Most endpoints one pass probes; the rest are left out, and the pass says so (PROBE_TARGETS and deployed domains are kept first).',
  ),
  PROBE_FAILURES_BEFORE_ALERT: intWithDefault(3, 1, 100).describe(
    'Failed probes in a row before an endpoint is reported unreachable.',
  ),
  PROBE_DENY: denyList().describe(
    'Addresses and CIDR ranges a host named in a command may not resolve to (checked after DNS or PROBE_RESOLVE), comma-separated; `none` for no check. Default: loopback, "this network", link-local and the cloud metadata addresses.',
  ),
  METRICS_PER_ENDPOINT: oneOf(['true', 'false'], 'false')
    .transform((value) => value === 'true')
    .describe(
      'Per-endpoint probe gauges (`certbot_probe_success{endpoint}`...) besides the counts by verdict (true/false).',
    ),
  LOG_LEVEL: oneOf(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], 'info').describe(
    'Log level of the JSON logs (any case).',
  ),
  LOG_FORMAT: oneOf(['json', 'pretty'], 'json').describe(
    'Log lines on stderr: `json` (one JSON object a line, for log collectors) or `pretty` (human-readable, through pino-pretty; any case).',
  ),
  REDIS_URL: optionalString()
    .superRefine(check(redisUrlProblem))
    .describe(
      'Set: the CAS rate limit is shared by all replicas through Redis (redis:// or rediss://; the path picks the database, /0 to /15).',
    ),
  DATABASE_URL: optionalString()
    .superRefine(check(postgresUrlProblem))
    .describe('Set: the store lives in PostgreSQL instead of the SQLite file.'),
});

/** The environment as the schema parses it, before defaults that depend on other variables are resolved. */
export type EnvConfig = z.infer<typeof configSchema>;

export type Config = Omit<EnvConfig, 'ALERT_HOURS' | 'ALERT_TIMEZONE' | 'ALERT_CHANNEL' | 'DEPLOY_HOURS'> & {
  ALERT_HOURS: AlertHours;
  /** ALERT_TIMEZONE, or DIGEST_TIMEZONE when it is unset. */
  ALERT_TIMEZONE: string;
  /** ALERT_CHANNEL, or the first DIGEST_CHANNEL when it is unset. */
  ALERT_CHANNEL: string | undefined;
  /** The rules of ALERT_ROUTES, then those of ALERT_ROUTES_FILE: the first that matches wins. */
  alertRoutes: AlertRoute[];
  /** The accounts of CAS_ACCOUNTS_FILE, or the one `default` account of the environment; never empty. */
  accounts: AccountConfig[];
  /** The change window of deployments, in ALERT_TIMEZONE; undefined: any time. */
  DEPLOY_HOURS: AlertHours | undefined;
};

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
      // A message repeats the value only where the schema knows it is no secret (see above).
      const example = issue.code === 'custom' ? (issue.params?.example as string | undefined) : undefined;
      problems.push(`${name}: ${issue.message}${example === undefined ? '' : `, e.g. ${name}=${example}`}`);
    }
  }
  const raw = (name: string) => emptyToUndefined(env[name]) as string | undefined;
  if (raw('ALIBABA_CLOUD_ACCESS_KEY_ID') && !raw('ALIBABA_CLOUD_ACCESS_KEY_SECRET'))
    problems.push('ALIBABA_CLOUD_ACCESS_KEY_SECRET: required when ALIBABA_CLOUD_ACCESS_KEY_ID is set');
  if (!raw('ALIBABA_CLOUD_ACCESS_KEY_ID') && raw('ALIBABA_CLOUD_ACCESS_KEY_SECRET'))
    problems.push('ALIBABA_CLOUD_ACCESS_KEY_ID: required when ALIBABA_CLOUD_ACCESS_KEY_SECRET is set');
  problems.push(...deploymentProblems(raw));
  if (needs.includes('slack')) {
    if (!raw('SLACK_BOT_TOKEN')) problems.push('SLACK_BOT_TOKEN: required, the bot token (xoxb-...)');
    if (!raw('SLACK_APP_TOKEN') && !raw('SLACK_SIGNING_SECRET'))
      problems.push('SLACK_SIGNING_SECRET: required in HTTP mode (or set SLACK_APP_TOKEN for Socket Mode)');
  }
  // Read even when the rest is invalid, so the file's problems are reported with the others.
  const fileRoutes = routesFromFile(raw('ALERT_ROUTES_FILE'));
  problems.push(...fileRoutes.problems.map((problem) => `ALERT_ROUTES_FILE: ${problem}`));
  const accountsFile = raw('CAS_ACCOUNTS_FILE');
  const fileAccounts = accountsFile
    ? accountsFromFile(accountsFile, env, {
        qps: result.success ? result.data.CAS_QPS : 10,
        region: result.success ? result.data.CAS_REGION : undefined,
      })
    : undefined;
  problems.push(...(fileAccounts?.problems ?? []).map((problem) => `CAS_ACCOUNTS_FILE: ${problem}`));
  if (fileAccounts && result.success) {
    const known = fileAccounts.accounts.map((a) => a.name);
    const routed = [
      ...(result.data.ALERT_ROUTES ? parseAlertRoutes(result.data.ALERT_ROUTES).routes : []),
      ...fileRoutes.routes,
    ];
    for (const route of routed)
      if (route.account !== undefined && known.length > 0 && !known.includes(route.account.toLowerCase()))
        problems.push(
          `ALERT_ROUTES: account:${route.account} names no account of CAS_ACCOUNTS_FILE (known: ${known.join(', ')})`,
        );
  }
  if (problems.length > 0 || !result.success) throw new ConfigError([...new Set(problems)]);
  const data = result.data;
  const hours = parseAlertHours(data.ALERT_HOURS);
  if (typeof hours === 'string') throw new ConfigError([`ALERT_HOURS: ${hours}`]); // already refused by the schema
  const deployHours = data.DEPLOY_HOURS === undefined ? undefined : parseAlertHours(data.DEPLOY_HOURS);
  if (typeof deployHours === 'string') throw new ConfigError([`DEPLOY_HOURS: ${deployHours}`]); // refused by the schema
  return {
    ...data,
    ALERT_HOURS: hours,
    DEPLOY_HOURS: deployHours,
    ALERT_TIMEZONE: data.ALERT_TIMEZONE ?? data.DIGEST_TIMEZONE,
    ALERT_CHANNEL: data.ALERT_CHANNEL ?? data.DIGEST_CHANNEL[0],
    alertRoutes: [...(data.ALERT_ROUTES ? parseAlertRoutes(data.ALERT_ROUTES).routes : []), ...fileRoutes.routes].map(
      (route) => (route.account === undefined ? route : { ...route, account: route.account.toLowerCase() }),
    ),
    accounts: fileAccounts
      ? // An account's unrouted alerts: its alertChannel, else ALERT_CHANNEL when set, else its
        // first digest channel (where its people already look), else the first DIGEST_CHANNEL.
        fileAccounts.accounts.map((account) => {
          const channel = account.alertChannel ?? (data.ALERT_CHANNEL ? undefined : account.digestChannels?.[0]);
          return channel ? { ...account, alertChannel: channel } : account;
        })
      : [
          environmentAccount({
            endpoint: data.CAS_ENDPOINT,
            region: data.CAS_REGION,
            qps: data.CAS_QPS,
            accessKeyId: data.ALIBABA_CLOUD_ACCESS_KEY_ID,
            accessKeySecret: data.ALIBABA_CLOUD_ACCESS_KEY_SECRET,
            securityToken: data.ALIBABA_CLOUD_SECURITY_TOKEN,
          }),
        ],
  };
}

/**
 * What DEPLOY_ENABLED=true needs besides valid values: approvers, channels, and someone who can
 * approve a request (a lone approver who is also the lone requester never could). Read from the
 * raw variables, so these are reported with every other problem.
 */
function deploymentProblems(raw: (name: string) => string | undefined): string[] {
  if (raw('DEPLOY_ENABLED')?.trim().toLowerCase() !== 'true') return [];
  const list = (name: string) =>
    (raw(name) ?? '')
      .split(',')
      .map((item) => item.trim())
      .filter((item) => item !== '');
  const approvers = list('DEPLOY_APPROVERS');
  const requesters = list('DEPLOY_REQUESTERS');
  const problems: string[] = [];
  if (approvers.length === 0)
    problems.push(
      'DEPLOY_APPROVERS: required when DEPLOY_ENABLED=true: the Slack users (U…) or user groups (S…) who approve deployments, e.g. DEPLOY_APPROVERS=U012ABCDEF,S0SECOPS',
    );
  else if (approvers.length === 1 && !approvers[0].startsWith('S') && requesters.join() === approvers[0])
    problems.push(
      `DEPLOY_APPROVERS: ${approvers[0]} is the only approver and the only requester, and nobody approves their own request: add another approver or a user group`,
    );
  if (list('DEPLOY_CHANNELS').length === 0)
    problems.push(
      'DEPLOY_CHANNELS: required when DEPLOY_ENABLED=true: the channel IDs where deployments are requested and approved, e.g. DEPLOY_CHANNELS=C012ABCDEF',
    );
  return problems;
}

/**
 * The routes of ALERT_ROUTES_FILE (none when it is unset), or what is wrong with it: unreadable,
 * not YAML, not a list, or bad entries (each named). Problems do not carry the variable's name.
 */
function routesFromFile(file: string | undefined): { routes: AlertRoute[]; problems: string[] } {
  if (file === undefined) return { routes: [], problems: [] };
  const read = readYamlFile(file, "quote patterns that start with '*': match: '*.example.com'");
  if ('problems' in read) return { routes: [], problems: read.problems };
  return alertRoutesFromYaml(read.value);
}

function firstLine(text: string): string {
  return text.split('\n')[0].replace(/:$/, '');
}

/** The configuration table of docs/configuration.md, generated from the schema. */
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
  // Every line is commented out: a default written out would override what the Docker image
  // sets (DATA_DIR=/data, PORT) when this file becomes `--env-file .env`.
  const lines = [
    '# cas-cert-bot configuration. Copy to .env, uncomment and fill in what you need; a variable',
    '# left commented out takes the default shown.',
    '# Generated from src/config.ts (npm run docs:config).',
    '',
  ];
  for (const [name, field] of Object.entries(configSchema.shape)) {
    const parsed = field.safeParse(undefined);
    const fallback = parsed.success && parsed.data !== undefined ? envDefault(parsed.data) : '';
    lines.push(`# ${field.description ?? ''}`, `# ${name}=${fallback}`, '');
  }
  return lines.join('\n');
}

function envDefault(value: unknown): string {
  if (Array.isArray(value)) return value.join(',');
  return String(value);
}
