import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { SandboxError } from './errors';

/**
 * Server side of ACS3-HMAC-SHA256 as @alicloud/openapi-util 0.3.3 computes it
 * (docs/cas-api.md section 4). The canonical request is rebuilt from what arrived on
 * the wire, so a client that signs something other than what it sends is caught here
 * rather than in production.
 */

export const ACS3_ALGORITHM = 'ACS3-HMAC-SHA256';
export const EMPTY_BODY_SHA256 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';
/** The gateway's tolerance for client clock skew, in both directions. */
export const MAX_CLOCK_SKEW_MS = 15 * 60_000;

/** Headers the gateway needs to route and replay-protect a V3 call; all must be signed. */
const REQUIRED_SIGNED_HEADERS = [
  'host',
  'x-acs-action',
  'x-acs-version',
  'x-acs-date',
  'x-acs-signature-nonce',
  'x-acs-content-sha256',
];

export interface ParsedAuthorization {
  algorithm: string;
  accessKeyId: string;
  signedHeaders: string[];
  signature: string;
}

/** A request as received: decoded query, every header value (lowercase names), raw body. */
export interface ReceivedRequest {
  method: string;
  /** Raw path before '?', as sent. */
  pathname: string;
  query: Record<string, string>;
  headers: Record<string, string[] | undefined>;
  body: Buffer;
}

export interface VerifyOptions {
  secretFor(accessKeyId: string): string | undefined;
  /** Simulator clock, epoch ms. */
  now: number;
  nonces?: NonceCache;
}

export type VerifyResult = { ok: true; accessKeyId: string } | { ok: false; accessKeyId?: string; error: SandboxError };

/** `ACS3-HMAC-SHA256 Credential=<id>,SignedHeaders=a;b,Signature=<hex>`; undefined when malformed. */
export function parseAuthorization(value: string): ParsedAuthorization | undefined {
  const match = /^(\S+) (.*)$/.exec(value.trim());
  if (!match) return undefined;
  const [, algorithm = '', rest = ''] = match;
  const fields = new Map<string, string>();
  for (const part of rest.split(',')) {
    const eq = part.indexOf('=');
    if (eq <= 0) return undefined;
    fields.set(part.slice(0, eq).trim(), part.slice(eq + 1).trim());
  }
  const accessKeyId = fields.get('Credential');
  const signedHeaders = fields.get('SignedHeaders');
  const signature = fields.get('Signature');
  if (!accessKeyId || !signedHeaders || !signature) return undefined;
  return { algorithm, accessKeyId, signedHeaders: signedHeaders.split(';'), signature };
}

/** encodeURIComponent plus the five characters it leaves alone that the signer escapes (not `~`). */
export function percentEncode(value: string): string {
  return encodeURIComponent(value).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/** Keys sorted by UTF-16 code unit (JS default sort) and left unencoded, as the client does. */
export function canonicalQueryString(query: Record<string, string>): string {
  return Object.keys(query)
    .sort()
    .map((key) => `${key}=${percentEncode(query[key] ?? '')}`)
    .join('&');
}

/** The client replaces only the first occurrence of each (String.replace with a string). */
export function canonicalUri(pathname: string): string {
  return pathname.replace('+', '%20').replace('*', '%2A').replace('%7E', '~');
}

export function canonicalHeaders(headers: ReceivedRequest['headers'], signedHeaders: readonly string[]): string {
  return signedHeaders
    .map((name) => {
      const values = (headers[name] ?? []).map((v) => v.trim()).sort();
      return `${name}:${values.join(',')}\n`;
    })
    .join('');
}

export function buildCanonicalRequest(
  request: ReceivedRequest,
  signedHeaders: readonly string[],
  hashedPayload: string,
): string {
  return [
    request.method,
    canonicalUri(request.pathname),
    canonicalQueryString(request.query),
    canonicalHeaders(request.headers, signedHeaders),
    signedHeaders.join(';'),
    hashedPayload,
  ].join('\n');
}

export function stringToSign(canonicalRequest: string): string {
  return `${ACS3_ALGORITHM}\n${sha256Hex(canonicalRequest)}`;
}

export function sign(secret: string, toSign: string): string {
  return createHmac('sha256', secret).update(toSign).digest('hex');
}

export function sha256Hex(data: string | Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

/**
 * Remembers nonces for the skew window so a captured request cannot be replayed. Bounded:
 * past maxEntries the oldest are forgotten, which only weakens replay detection.
 */
export class NonceCache {
  private readonly seen = new Map<string, number>();

  constructor(
    private readonly ttlMs = MAX_CLOCK_SKEW_MS,
    private readonly maxEntries = 100_000,
  ) {}

  /** False when the nonce was already used within the window. */
  claim(nonce: string, now: number): boolean {
    this.evict(now);
    const expires = this.seen.get(nonce);
    if (expires !== undefined && expires > now) return false;
    this.seen.delete(nonce);
    this.seen.set(nonce, now + this.ttlMs);
    while (this.seen.size > this.maxEntries) {
      const oldest = this.seen.keys().next();
      if (oldest.done) break;
      this.seen.delete(oldest.value);
    }
    return true;
  }

  get size(): number {
    return this.seen.size;
  }

  private evict(now: number): void {
    // Insertion order is expiry order as long as the clock does not go backwards.
    for (const [nonce, expires] of this.seen) {
      if (expires > now) break;
      this.seen.delete(nonce);
    }
  }
}

export function verifySignature(request: ReceivedRequest, options: VerifyOptions): VerifyResult {
  const fail = (status: number, code: string, message: string, accessKeyId?: string): VerifyResult => ({
    ok: false,
    accessKeyId,
    error: new SandboxError(status, code, message),
  });
  const header = (name: string): string | undefined => request.headers[name]?.[0];

  const authorization = header('authorization');
  if (!authorization) return fail(400, 'MissingAuthorization', 'Authorization header is mandatory for this request.');
  const auth = parseAuthorization(authorization);
  if (!auth) return fail(400, 'IncompleteSignature', 'The request signature does not conform to Aliyun standards.');
  if (auth.algorithm !== ACS3_ALGORITHM) {
    return fail(400, 'IncompleteSignature', `The sandbox only accepts ${ACS3_ALGORITHM}, got ${auth.algorithm}.`);
  }
  const { accessKeyId } = auth;
  const secret = options.secretFor(accessKeyId);
  if (secret === undefined) return fail(404, 'InvalidAccessKeyId.NotFound', 'Specified access key is not found.');

  for (const name of REQUIRED_SIGNED_HEADERS) {
    if (header(name) === undefined) {
      return fail(400, 'MissingParameter', `The header ${name} is mandatory for this request.`, accessKeyId);
    }
  }
  const signed = new Set(auth.signedHeaders);
  const mustSign = [...REQUIRED_SIGNED_HEADERS, ...Object.keys(request.headers).filter((h) => h.startsWith('x-acs-'))];
  const unsigned = mustSign.find((name) => !signed.has(name));
  if (unsigned) return fail(400, 'IncompleteSignature', `The header ${unsigned} must be signed.`, accessKeyId);

  const date = header('x-acs-date') ?? '';
  const sentAt = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/.test(date) ? Date.parse(date) : Number.NaN;
  if (Number.isNaN(sentAt)) {
    return fail(
      400,
      'InvalidTimeStamp.Format',
      `Specified time stamp or date value "${date}" is not well formatted.`,
      accessKeyId,
    );
  }
  if (Math.abs(options.now - sentAt) > MAX_CLOCK_SKEW_MS) {
    return fail(400, 'InvalidTimeStamp.Expired', 'Specified time stamp or date value is expired.', accessKeyId);
  }

  const hashedPayload = header('x-acs-content-sha256') ?? '';
  if (hashedPayload.toLowerCase() !== sha256Hex(request.body)) {
    return fail(
      400,
      'SignatureDoesNotMatch',
      'The x-acs-content-sha256 header does not match the SHA-256 of the request body.',
      accessKeyId,
    );
  }

  const toSign = stringToSign(buildCanonicalRequest(request, auth.signedHeaders, hashedPayload));
  if (!constantTimeEqualHex(sign(secret, toSign), auth.signature)) {
    // The real gateway also echoes its string to sign; it is what makes a mismatch debuggable.
    return fail(
      400,
      'SignatureDoesNotMatch',
      `Specified signature does not match our calculation. The server string to sign is: ${toSign}`,
      accessKeyId,
    );
  }

  // Claimed only after the signature holds, so forged requests cannot burn a client's nonces.
  const nonce = header('x-acs-signature-nonce') ?? '';
  if (options.nonces && !options.nonces.claim(`${accessKeyId}\n${nonce}`, options.now)) {
    return fail(400, 'SignatureNonceUsed', 'Specified signature nonce was used already.', accessKeyId);
  }
  return { ok: true, accessKeyId };
}

function constantTimeEqualHex(expected: string, actual: string): boolean {
  const a = Buffer.from(expected, 'utf8');
  const b = Buffer.from(actual.toLowerCase(), 'utf8');
  // timingSafeEqual needs equal lengths; comparing a with itself keeps the timing flat.
  if (a.length !== b.length) {
    timingSafeEqual(a, a);
    return false;
  }
  return timingSafeEqual(a, b);
}
