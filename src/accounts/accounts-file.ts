import { readYamlFile } from '../ops/config-file';
import { z } from 'zod';
import { DEFAULT_ACCOUNT, isAccountName } from '../domain/account';
import type { AccountConfig, AccountCredentials, Site } from './account-config';

/**
 * CAS_ACCOUNTS_FILE: a YAML list of the Alibaba Cloud accounts the bot watches, each with its
 * site (endpoint, region, STS), rate limit, credentials and optional Slack channel overrides.
 * Credentials are never written in the file: an AccessKey pair is named by the environment
 * variables that hold it, a profile by its name in the credentials file, a role by its ARN.
 *
 * Every problem is reported at once, one line each, naming the account (or its entry number)
 * and the field; no problem ever carries a variable's value.
 */

/** The endpoints of the two Alibaba Cloud sites (see docs/cas-api.md §2). */
export const SITE_ENDPOINTS = {
  china: { endpoint: 'cas.aliyuncs.com', region: 'cn-hangzhou', stsEndpoint: 'sts.aliyuncs.com' },
  international: {
    endpoint: 'cas.ap-southeast-1.aliyuncs.com',
    region: 'ap-southeast-1',
    stsEndpoint: 'sts.ap-southeast-1.aliyuncs.com',
  },
} as const;

/** The region of an account whose site is a URL (the simulator), unless the file or the defaults say otherwise. */
export const URL_SITE_REGION = 'cn-hangzhou';
export const DEFAULT_ROLE_SESSION_NAME = 'cas-cert-bot';
const QPS_RANGE = { min: 1, max: 1000 };

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const CHANNEL_ID = /^[CGD][A-Z0-9]{2,}$/;
const REGION = /^[a-z]{2,}(?:-[a-z0-9]+){1,3}$/;
const HOST_PORT = /^[a-z0-9](?:[a-z0-9.-]*[a-z0-9])?(?::\d{1,5})?$/i;
const PROFILE = /^[A-Za-z0-9_.@-]{1,64}$/;
const ROLE_ARN = /^acs:ram::\d+:role\/[A-Za-z0-9._@+=,-]{1,64}$/;
const ROLE_SESSION_NAME = /^[\w.@-]{2,64}$/;
const EXTERNAL_ID = /^[\w=,.@:/-]{2,1224}$/;

const KEY_FIELDS = ['accessKeyId', 'accessKeySecret', 'securityToken'] as const;
type KeyField = (typeof KEY_FIELDS)[number];
const ROLE_FIELDS = ['roleArn', 'roleSessionName', 'externalId'] as const;
const CREDENTIAL_CHOICES = 'accessKeyId + accessKeySecret (names of environment variables), profile, or roleArn';
const ENV_EXAMPLE: Record<KeyField, string> = {
  accessKeyId: 'PROD_CAS_KEY_ID',
  accessKeySecret: 'PROD_CAS_KEY_SECRET',
  securityToken: 'PROD_CAS_STS_TOKEN',
};

const quoted = (value: string) => JSON.stringify(value);

/** What a YAML value is, for a message that must not repeat it. */
function kindOf(value: unknown): string {
  if (value === null || value === undefined) return 'empty';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  if (typeof value === 'number') return 'a number';
  if (typeof value === 'boolean') return 'true/false';
  return 'text';
}

/** An AccessKey ID (`LTAI…`, `STS.…`) or something shaped like a secret, rather than a variable's name. */
function looksLikeKey(value: string): boolean {
  return (
    /^(LTAI|STS\.)/i.test(value) ||
    (value.length >= 16 && !value.includes('_') && /[a-z]/.test(value) && /\d/.test(value))
  );
}

/** A valid name close to what was written, to suggest (`Prod Shop` → `prod-shop`). */
function suggestedName(value: string): string | undefined {
  const candidate = value
    .trim()
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/^[^a-z]+/, '')
    .replace(/-+$/, '');
  return isAccountName(candidate) && candidate !== value ? candidate : undefined;
}

/** A text field: `required` when missing (if it is), `is empty`, `must be text`, then `check` on the text. */
function textField(check: (text: string) => string | undefined, required: string | undefined = undefined) {
  const schema = z.unknown().superRefine((value, ctx) => {
    let message: string | undefined;
    if (value === undefined) message = required;
    else if (value === null || (typeof value === 'string' && value.trim() === '')) message = 'is empty';
    else if (typeof value !== 'string') message = `must be text, not ${kindOf(value)}`;
    else message = check(value.trim());
    if (message !== undefined) ctx.addIssue({ code: 'custom', message });
  });
  return required === undefined ? schema.optional() : schema;
}

const channelProblem = (text: string) =>
  CHANNEL_ID.test(text) ? undefined : `${quoted(text)} is not a Slack channel ID such as C012ABCDEF`;

/** A named environment variable: checked without ever repeating text that may be the key itself. */
const envNameProblem = (field: KeyField) => (text: string) => {
  const hint = `name an environment variable that holds it, not the key itself (e.g. ${ENV_EXAMPLE[field]})`;
  if (looksLikeKey(text)) return `looks like an AccessKey itself: ${hint}`;
  if (!ENV_NAME.test(text))
    return `is not an environment variable name (letters, digits and '_', not starting with a digit): ${hint}`;
  return undefined;
};

function siteProblem(text: string): string | undefined {
  const allowed = 'must be china, international, or an http:// or https:// URL such as http://127.0.0.1:9000';
  if (text.toLowerCase() in SITE_ENDPOINTS) return undefined;
  if (!/^https?:\/\//i.test(text)) return `${quoted(text)} ${allowed}`;
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return `${quoted(text)} is not a valid URL; it ${allowed}`;
  }
  // A user or password in the URL could be a secret: not repeated.
  if (url.username !== '' || url.password !== '') return 'the URL must not hold a user name or password';
  if (url.pathname !== '/' || url.search !== '' || url.hash !== '')
    return `${quoted(text)} must be only a scheme, host and port, such as http://127.0.0.1:9000`;
  return undefined;
}

function entrySchema(defaults: { qps: number }) {
  const qpsMessage = `must be a whole number from ${QPS_RANGE.min} to ${QPS_RANGE.max} (leave it out for the default, CAS_QPS: ${defaults.qps})`;
  return z.strictObject({
    name: textField((text) => {
      // Never named in answers: it is the one account of a bot without this file.
      if (text === DEFAULT_ACCOUNT)
        return `"${DEFAULT_ACCOUNT}" is the name of the account made from the environment without this file; give this one its own name (e.g. "prod")`;
      if (isAccountName(text)) return undefined;
      const suggestion = suggestedName(text);
      return `${quoted(text)} is not allowed: use lowercase letters, digits and '-', starting with a letter, at most 32 characters${suggestion ? ` (e.g. ${quoted(suggestion)})` : ''}`;
    }, 'required, a short lowercase name such as prod'),
    site: textField(siteProblem, 'required: china, international, or an http(s) URL (the simulator)'),
    region: textField((text) =>
      REGION.test(text) ? undefined : `${quoted(text)} is not a region ID such as cn-hangzhou or ap-southeast-1`,
    ),
    qps: z
      .unknown()
      .optional()
      .refine(
        (value) =>
          value === undefined ||
          (typeof value === 'number' && Number.isInteger(value) && value >= QPS_RANGE.min && value <= QPS_RANGE.max),
        { message: qpsMessage },
      ),
    stsEndpoint: textField((text) =>
      HOST_PORT.test(text)
        ? undefined
        : /^[a-z]+:\/\//i.test(text)
          ? `${quoted(text)} must be a host name with an optional port, without the scheme (e.g. sts.aliyuncs.com)`
          : `${quoted(text)} is not a host name with an optional port, such as sts.aliyuncs.com`,
    ),
    accessKeyId: textField(envNameProblem('accessKeyId')),
    accessKeySecret: textField(envNameProblem('accessKeySecret')),
    securityToken: textField(envNameProblem('securityToken')),
    profile: textField((text) =>
      PROFILE.test(text)
        ? undefined
        : `${quoted(text)} is not a profile name of the credentials file (letters, digits, '_', '.', '@', '-', at most 64)`,
    ),
    roleArn: textField((text) =>
      ROLE_ARN.test(text)
        ? undefined
        : `${quoted(text)} is not a RAM role ARN such as acs:ram::123456789012:role/cert-bot`,
    ),
    roleSessionName: textField((text) =>
      ROLE_SESSION_NAME.test(text)
        ? undefined
        : `${quoted(text)} must be 2 to 64 letters, digits, '_', '.', '@' or '-'`,
    ),
    // Not repeated: an external ID is a shared value between two accounts.
    externalId: textField((text) =>
      EXTERNAL_ID.test(text)
        ? undefined
        : "must be 2 to 1224 letters, digits or '_', '=', ',', '.', '@', ':', '/', '-'",
    ),
    digestChannels: z
      .unknown()
      .optional()
      .superRefine((value, ctx) => {
        if (value === undefined) return;
        const items = typeof value === 'string' ? value.split(',').map((item) => item.trim()) : value;
        if (!Array.isArray(items)) {
          ctx.addIssue({ code: 'custom', message: `must be a list of Slack channel IDs, not ${kindOf(value)}` });
          return;
        }
        items.forEach((item: unknown, index) => {
          const problem =
            typeof item === 'string' && item.trim() !== ''
              ? channelProblem(item.trim())
              : `is ${kindOf(item) === 'empty' ? 'empty' : kindOf(item)}, not a Slack channel ID such as C012ABCDEF`;
          if (problem) ctx.addIssue({ code: 'custom', message: `item ${index + 1} ${problem}` });
        });
      }),
    alertChannel: textField(channelProblem),
  });
}

const ENTRY_KEYS = Object.keys(entrySchema({ qps: 1 }).shape);

function unknownKeyProblem(key: string): string {
  const near = ENTRY_KEYS.find((known) => known.toLowerCase() === key.toLowerCase());
  return near ? `unknown key; did you mean ${near}?` : `unknown key; an account may have ${ENTRY_KEYS.join(', ')}`;
}

/** `present(fields, key)`: the key is written in the entry (an empty value counts; it is reported apart). */
function present(fields: Record<string, unknown>, key: string): boolean {
  return Object.prototype.hasOwnProperty.call(fields, key) && fields[key] !== undefined;
}

/** The two credential kinds' checks that no single field shows: one kind, complete, and variables that are set. */
function credentialProblems(
  fields: Record<string, unknown>,
  env: Record<string, string | undefined>,
): Array<[string, string]> {
  const problems: Array<[string, string]> = [];
  const written = (keys: readonly string[]) => keys.filter((key) => present(fields, key));
  const keyFields = written(KEY_FIELDS);
  const roleFields = written(ROLE_FIELDS);
  const kinds = [keyFields[0], present(fields, 'profile') ? 'profile' : undefined, roleFields[0]].filter(
    (field): field is string => field !== undefined,
  );
  if (kinds.length === 0) problems.push(['credentials', `missing; give ${CREDENTIAL_CHOICES}`]);
  if (kinds.length > 1) {
    const list =
      kinds.length === 2 ? `${kinds[0]} and ${kinds[1]}` : `${kinds.slice(0, -1).join(', ')} and ${kinds.at(-1)}`;
    problems.push(['credentials', `${list} cannot be combined; give exactly one of ${CREDENTIAL_CHOICES}`]);
  }
  const has = (key: string) => present(fields, key);
  if (has('accessKeyId') && !has('accessKeySecret'))
    problems.push([
      'accessKeySecret',
      'required with accessKeyId: the name of the environment variable holding the secret',
    ]);
  if (!has('accessKeyId') && has('accessKeySecret'))
    problems.push([
      'accessKeyId',
      'required with accessKeySecret: the name of the environment variable holding the key ID',
    ]);
  if (has('securityToken') && !has('accessKeyId') && !has('accessKeySecret'))
    problems.push(['securityToken', 'only allowed with accessKeyId and accessKeySecret']);
  if (roleFields.length > 0 && !has('roleArn'))
    problems.push(['roleArn', `required with ${roleFields.join(' and ')}: the ARN of the RAM role to assume`]);
  if (has('stsEndpoint') && roleFields.length === 0)
    problems.push(['stsEndpoint', 'only used with roleArn (the STS endpoint the role is assumed through)']);
  for (const field of KEY_FIELDS) {
    const name = fields[field];
    if (typeof name !== 'string' || envNameProblem(field)(name.trim()) !== undefined) continue;
    const value = env[name.trim()];
    // The value is only checked, never shown.
    if (value === undefined) problems.push([field, `environment variable ${name.trim()} is not set`]);
    else if (value.trim() === '') problems.push([field, `environment variable ${name.trim()} is empty`]);
  }
  return problems;
}

function accountFrom(
  fields: Record<string, unknown>,
  env: Record<string, string | undefined>,
  defaults: { qps: number; region?: string },
): AccountConfig {
  const text = (key: string) => (typeof fields[key] === 'string' ? (fields[key] as string).trim() : undefined);
  const siteText = text('site') as string;
  const keyword = siteText.toLowerCase();
  const known = keyword === 'china' || keyword === 'international' ? SITE_ENDPOINTS[keyword] : undefined;
  const site: Site = known ? (keyword as Site) : 'url';
  const endpoint = known ? known.endpoint : siteText;
  const region = text('region') ?? (known ? known.region : (defaults.region ?? URL_SITE_REGION));
  const stsEndpoint = text('stsEndpoint') ?? (known ? known.stsEndpoint : new URL(siteText).host);
  let credentials: AccountCredentials;
  if (present(fields, 'accessKeyId')) {
    const idVariable = text('accessKeyId') as string;
    const secretVariable = text('accessKeySecret') as string;
    const tokenVariable = text('securityToken');
    credentials = {
      kind: 'keys',
      idVariable,
      secretVariable,
      accessKeyId: (env[idVariable] as string).trim(),
      accessKeySecret: (env[secretVariable] as string).trim(),
      ...(tokenVariable !== undefined ? { securityToken: (env[tokenVariable] as string).trim() } : {}),
    };
  } else if (present(fields, 'profile')) {
    credentials = { kind: 'profile', profile: text('profile') as string };
  } else {
    const externalId = text('externalId');
    credentials = {
      kind: 'role',
      roleArn: text('roleArn') as string,
      roleSessionName: text('roleSessionName') ?? DEFAULT_ROLE_SESSION_NAME,
      ...(externalId !== undefined ? { externalId } : {}),
      stsEndpoint,
    };
  }
  const channels = fields.digestChannels;
  const digestChannels =
    channels === undefined
      ? undefined
      : (typeof channels === 'string' ? channels.split(',') : (channels as string[]))
          .map((item) => item.trim())
          .filter((item) => item !== '');
  const alertChannel = text('alertChannel');
  return {
    name: text('name') as string,
    site,
    endpoint,
    region,
    qps: typeof fields.qps === 'number' ? fields.qps : defaults.qps,
    credentials,
    ...(digestChannels !== undefined ? { digestChannels } : {}),
    ...(alertChannel !== undefined ? { alertChannel } : {}),
  };
}

/**
 * The accounts of parsed YAML (see accountsFromFile); each problem starts with the entry's
 * label (`account "prod" (entry 2)`, or `entry 2` while the name is missing or invalid).
 */
export function accountsFromYaml(
  value: unknown,
  env: Record<string, string | undefined>,
  defaults: { qps: number; region?: string },
): { accounts: AccountConfig[]; problems: string[] } {
  const shape = 'each a mapping with name, site and credentials (accessKeyId + accessKeySecret, profile or roleArn)';
  if (value === null || value === undefined || (Array.isArray(value) && value.length === 0))
    return { accounts: [], problems: [`lists no accounts: write a list of accounts, ${shape}`] };
  if (!Array.isArray(value))
    return {
      accounts: [],
      problems: [`must be a list of accounts (each starting with "- name: ..."), ${shape}; it is ${kindOf(value)}`],
    };
  const schema = entrySchema(defaults);
  const accounts: AccountConfig[] = [];
  const problems: string[] = [];
  const firstEntryOf = new Map<string, number>();
  value.forEach((entry: unknown, index) => {
    const number = index + 1;
    if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) {
      problems.push(`entry ${number}: must be a mapping with name, site and credentials, not ${kindOf(entry)}`);
      return;
    }
    const fields = entry as Record<string, unknown>;
    const name = typeof fields.name === 'string' ? fields.name.trim() : undefined;
    const label = isAccountName(name) ? `account ${quoted(name)} (entry ${number})` : `entry ${number}`;
    const found: Array<[string, string]> = [];
    const parsed = schema.safeParse(fields);
    if (!parsed.success) {
      for (const issue of parsed.error.issues) {
        if (issue.code === 'unrecognized_keys') for (const key of issue.keys) found.push([key, unknownKeyProblem(key)]);
        else found.push([String(issue.path[0] ?? 'entry'), issue.message]);
      }
    }
    found.push(...credentialProblems(fields, env));
    if (name !== undefined && name !== '') {
      const first = firstEntryOf.get(name.toLowerCase());
      if (first !== undefined)
        found.push([
          'name',
          `${quoted(name)} is also the name of entry ${first} (names are compared ignoring case); each account needs its own name`,
        ]);
      else firstEntryOf.set(name.toLowerCase(), number);
    }
    // Field problems in the order the schema lists the fields, cross-field ones after.
    const order = (field: string) => {
      const at = ENTRY_KEYS.indexOf(field);
      return at < 0 ? ENTRY_KEYS.length : at;
    };
    found.sort((a, b) => order(a[0]) - order(b[0]));
    if (found.length > 0) {
      for (const [field, message] of found) problems.push(`${label}: ${field}: ${message}`);
      return;
    }
    accounts.push(accountFrom(fields, env, defaults));
  });
  return { accounts, problems: [...new Set(problems)] };
}

/**
 * The accounts of CAS_ACCOUNTS_FILE, or every problem with it: the file unreadable, not YAML,
 * not a list, empty, and each entry's bad or missing fields. Problems do not carry the
 * variable's name (the caller prefixes it) and never a secret. `defaults.qps` (CAS_QPS) is the
 * qps of an account that sets none; `defaults.region` the region of a URL site that sets none
 * (cn-hangzhou without it); the china and international sites have their own region.
 */
export function accountsFromFile(
  file: string,
  env: Record<string, string | undefined>,
  defaults: { qps: number; region?: string },
): { accounts: AccountConfig[]; problems: string[] } {
  const read = readYamlFile(file, "quote values that start with '*': key: '*value'");
  if ('problems' in read) return { accounts: [], problems: read.problems };
  const result = accountsFromYaml(read.value, env, defaults);
  // A problem about the whole file names it; an entry's problem names the entry.
  return {
    accounts: result.accounts,
    problems: result.problems.map((problem) =>
      problem.startsWith('entry ') || problem.startsWith('account ') ? problem : `${quoted(file)} ${problem}`,
    ),
  };
}

/**
 * The one account (named `default`) made from today's variables when there is no accounts file:
 * the explicit key pair when both halves are set, else the default credential chain.
 */
export function environmentAccount(input: {
  endpoint: string;
  region: string;
  qps: number;
  accessKeyId?: string;
  accessKeySecret?: string;
  securityToken?: string;
}): AccountConfig {
  const host = input.endpoint.trim().toLowerCase();
  const site: Site =
    host === SITE_ENDPOINTS.china.endpoint
      ? 'china'
      : host === SITE_ENDPOINTS.international.endpoint
        ? 'international'
        : 'url';
  const credentials: AccountCredentials =
    input.accessKeyId && input.accessKeySecret
      ? {
          kind: 'keys',
          idVariable: 'ALIBABA_CLOUD_ACCESS_KEY_ID',
          secretVariable: 'ALIBABA_CLOUD_ACCESS_KEY_SECRET',
          accessKeyId: input.accessKeyId,
          accessKeySecret: input.accessKeySecret,
          ...(input.securityToken ? { securityToken: input.securityToken } : {}),
        }
      : { kind: 'chain' };
  return {
    name: DEFAULT_ACCOUNT,
    site,
    endpoint: input.endpoint,
    region: input.region,
    qps: input.qps,
    credentials,
  };
}
