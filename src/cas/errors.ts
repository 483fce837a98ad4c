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
  const detail = facts.upstreamMessage ? `: ${sanitizeUpstreamMessage(facts.upstreamMessage)}` : '';
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

export function networkError(operation: string, reason: string, code = 'NetworkError', hint?: string): CasError {
  return new CasError({
    kind: 'unavailable',
    operation,
    code,
    message: `${operation} could not reach Certificate Management Service (${reason})`,
    hint: hint ?? hintFor('unavailable', code, undefined),
  });
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
