/**
 * One small error taxonomy for every CAS failure, so callers (Slack, CLI, digest) branch on
 * `kind` and never on message text. Messages are written for a person and never contain
 * credentials: they are built from the error code, the operation and the RequestId only.
 */
export type CasErrorKind = 'throttled' | 'auth' | 'bad_input' | 'not_found' | 'unavailable' | 'invalid_response';

export interface CasErrorInit {
  kind: CasErrorKind;
  operation: string;
  code: string;
  message: string;
  hint: string;
  requestId?: string;
  statusCode?: number;
  /** The RAM action the caller lacks, from AccessDeniedDetail.AuthAction. */
  ramAction?: string;
}

export class CasError extends Error {
  readonly kind: CasErrorKind;
  readonly operation: string;
  readonly code: string;
  /** What the person reading the error can do about it. */
  readonly hint: string;
  readonly requestId?: string;
  readonly statusCode?: number;
  readonly ramAction?: string;
  readonly retryable: boolean;

  constructor(init: CasErrorInit) {
    super(init.message);
    this.name = 'CasError';
    this.kind = init.kind;
    this.operation = init.operation;
    this.code = init.code;
    this.hint = init.hint;
    this.requestId = init.requestId;
    this.statusCode = init.statusCode;
    this.ramAction = init.ramAction;
    this.retryable = init.kind === 'throttled' || init.kind === 'unavailable';
  }

  toJSON(): Record<string, unknown> {
    return {
      kind: this.kind,
      operation: this.operation,
      code: this.code,
      message: this.message,
      hint: this.hint,
      requestId: this.requestId,
      statusCode: this.statusCode,
      ramAction: this.ramAction,
      retryable: this.retryable,
    };
  }
}

export function isCasError(value: unknown): value is CasError {
  return value instanceof CasError;
}

/** The fields of an upstream error answer we rely on, whatever shape the transport gave them. */
export interface UpstreamErrorFacts {
  operation: string;
  code?: string;
  statusCode?: number;
  requestId?: string;
  upstreamMessage?: string;
  /** The service's own Message, quoted in the error (up to any string to sign it echoes). */
  serviceMessage?: string;
  authAction?: string;
  /** What to do about it, when the caller knows better than the code alone (e.g. which credential source failed). */
  hint?: string;
  /** The environment variables the key pair was read from, named in the hints (default the ALIBABA_CLOUD_ ones). */
  keyVariables?: { id: string; secret: string };
}

const KIND_BY_PREFIX: Array<[RegExp, CasErrorKind]> = [
  [/^Throttling/, 'throttled'],
  [
    /^(InvalidAccessKeyId|SignatureDoesNotMatch|InvalidTimeStamp|SignatureNonceUsed|InvalidSecurityToken|Forbidden|NoPermission|InvalidCredentials)/,
    'auth',
  ],
  [/^(InvalidApi|InvalidAction)\.NotFound$/, 'bad_input'],
  [/NotFound$/, 'not_found'],
  [/^(Missing|Invalid)/, 'bad_input'],
  [/^(ServiceUnavailable|InternalError|ServiceTimeout|RequestTimeout)/, 'unavailable'],
];

function kindFor(code: string | undefined, statusCode: number | undefined): CasErrorKind {
  if (code) {
    for (const [pattern, kind] of KIND_BY_PREFIX) if (pattern.test(code)) return kind;
  }
  if (statusCode === undefined || statusCode >= 500) return 'unavailable';
  if (statusCode === 404) return 'not_found';
  if (statusCode === 401 || statusCode === 403) return 'auth';
  return 'bad_input';
}

function hintFor(
  kind: CasErrorKind,
  code: string,
  ramAction: string | undefined,
  keys: { id: string; secret: string } = {
    id: 'ALIBABA_CLOUD_ACCESS_KEY_ID',
    secret: 'ALIBABA_CLOUD_ACCESS_KEY_SECRET',
  },
): string {
  switch (kind) {
    case 'throttled':
      return 'Alibaba Cloud is rate-limiting this account; wait a few seconds and try again.';
    case 'auth':
      if (ramAction) return `Grant the RAM action ${ramAction} to the bot's RAM user or role.`;
      if (code.startsWith('InvalidAccessKeyId')) return `Check ${keys.id}: the key does not exist or is disabled.`;
      if (code === 'SignatureDoesNotMatch') return `Check ${keys.secret}: it does not match the key id.`;
      if (code.startsWith('InvalidTimeStamp')) return "Check the bot host's clock: it is more than 15 minutes off.";
      if (code === 'InvalidCredentials')
        return 'Set ALIBABA_CLOUD_ACCESS_KEY_ID and ALIBABA_CLOUD_ACCESS_KEY_SECRET, or another credential source.';
      return "Check the bot's RAM permissions for Certificate Management Service (yundun-cert:*).";
    case 'bad_input':
      return 'Check the values you gave and try again.';
    case 'not_found':
      return 'Check the identifier you gave; Certificate Management Service does not know it.';
    case 'unavailable':
      return 'Certificate Management Service is unavailable right now; try again in a minute.';
    case 'invalid_response':
      return 'Certificate Management Service sent an answer the bot does not understand; try again later.';
  }
}

/** Builds the CasError for an HTTP error answer from CAS (or a failure to reach it). */
export function casErrorFromUpstream(facts: UpstreamErrorFacts): CasError {
  const code = facts.code ?? (facts.statusCode ? `HTTP${facts.statusCode}` : 'NetworkError');
  const kind = kindFor(facts.code, facts.statusCode);
  const quoted = facts.serviceMessage ? serviceSentences(facts.serviceMessage) : '';
  const detail = quoted
    ? `: ${JSON.stringify(quoted)}`
    : facts.upstreamMessage
      ? `: ${sanitizeUpstreamMessage(facts.upstreamMessage)}`
      : '';
  return new CasError({
    kind,
    operation: facts.operation,
    code,
    message: `${facts.operation} failed with ${code}${detail}`,
    hint: facts.hint ?? hintFor(kind, code, facts.authAction, facts.keyVariables),
    requestId: facts.requestId,
    statusCode: facts.statusCode,
    ramAction: facts.authAction,
  });
}

/** Where calls go, for the messages of network errors: the URL and what sets it. */
export interface CasTarget {
  /** e.g. `https://cas.aliyuncs.com`, `http://127.0.0.1:9000` */
  url: string;
  /** e.g. `CAS_ENDPOINT`, `the site of account prod in CAS_ACCOUNTS_FILE` */
  setting: string;
}

/**
 * CAS could not be reached. The message names where calls went; the hint says to check what
 * sets it when nothing answers there (refused, unknown host), and to try again when the
 * service was reached but slow or cut off.
 */
export function networkError(
  operation: string,
  reason: string,
  code = 'NetworkError',
  hint?: string,
  target?: CasTarget,
): CasError {
  const at = target ? ` at ${target.url}` : '';
  return new CasError({
    kind: 'unavailable',
    operation,
    code,
    message: `${operation} could not reach Certificate Management Service${at} (${reason})`,
    hint: hint ?? networkHint(reason, target),
  });
}

function networkHint(reason: string, target: CasTarget | undefined): string {
  const setting = target?.setting ?? 'CAS_ENDPOINT';
  const where = target ? `${setting} (${target.url})` : setting;
  if (reason === 'connection refused')
    return `Check ${where}: nothing accepts connections there. It must be the CAS endpoint (cas.aliyuncs.com, or the simulator's http://127.0.0.1:<port>, with the simulator running).`;
  if (reason === 'host not found')
    return `Check ${where}: its host name does not resolve. Fix the name, or the bot's DNS.`;
  if (reason === 'timed out' || reason === 'connection reset')
    return `Certificate Management Service did not answer in time or cut the connection; try again in a minute, and if it keeps failing check ${where} and the bot's egress to it.`;
  return `Check ${where} and that the bot can reach it (firewall, proxy); then try again.`;
}

export function invalidResponseError(operation: string, detail: string, requestId?: string): CasError {
  return new CasError({
    kind: 'invalid_response',
    operation,
    code: 'InvalidResponse',
    message: `${operation} returned an invalid response: ${detail}${requestId ? ` (RequestId ${requestId})` : ''}`,
    hint: hintFor('invalid_response', 'InvalidResponse', undefined),
    requestId,
  });
}

/**
 * The service's Message as a person reads it: up to the string to sign a signature mismatch
 * echoes (it is long and carries the request), cut back to the last whole sentence, capped, and
 * without anything that looks like a signature. "Specified signature does not match our
 * calculation. The server string to sign is: POST&…" becomes its first sentence.
 */
function serviceSentences(message: string): string {
  let text = message;
  const echo = /\b(?:the\s+)?(?:server\s+)?string\s*to\s*sign\b/i.exec(text);
  if (echo) {
    const before = text.slice(0, echo.index);
    const end = Math.max(before.lastIndexOf('.'), before.lastIndexOf('!'), before.lastIndexOf('?'));
    text = end >= 0 ? before.slice(0, end + 1) : before;
  }
  text = sanitizeUpstreamMessage(text).replace(/\s+/g, ' ').trim();
  if (text.length > 200) text = `${text.slice(0, 199).trimEnd()}…`;
  return text;
}

/**
 * Upstream messages are short service texts, but we still cap them and strip anything that
 * looks like a signature or key material before they reach a person or a log.
 */
function sanitizeUpstreamMessage(message: string): string {
  return message
    .replace(/Signature=[0-9a-f]+/gi, 'Signature=[redacted]')
    .replace(/(StringToSign|server string to sign) is[^.]*\.?/gi, '')
    .trim()
    .slice(0, 300);
}
