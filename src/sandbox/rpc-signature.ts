import { createHmac, timingSafeEqual } from 'node:crypto';
import { missingParameter, SandboxError } from './errors';
import { MAX_CLOCK_SKEW_MS, type NonceCache, percentEncode, type VerifyResult } from './signature';

/**
 * Server side of the older RPC signature (signature version 1.0, HMAC-SHA1) that the aliyun
 * CLI, @alicloud/pop-core and @alicloud/credentials' STS client send: the signature and its
 * inputs travel as parameters (query and/or form body), not in an Authorization header.
 *
 *   StringToSign = METHOD + "&%2F&" + percentEncode(sorted "k=v" pairs, each side percent-encoded, joined by "&")
 *   Signature    = base64(HMAC-SHA1(key = AccessKeySecret + "&", StringToSign))
 */

export const RPC_SIGNATURE_METHOD = 'HMAC-SHA1';
export const RPC_SIGNATURE_VERSION = '1.0';

/** The parameters the signature protocol itself adds; the rest are the operation's. */
export const RPC_COMMON_PARAMS = [
  'AccessKeyId',
  'Action',
  'Format',
  'SecurityToken',
  'Signature',
  'SignatureMethod',
  'SignatureNonce',
  'SignatureType',
  'SignatureVersion',
  'Timestamp',
  'Version',
] as const;

/** Sent only by an RPC signer: a request carrying any of them is checked as RPC-signed. */
const RPC_MARKERS = ['Signature', 'SignatureMethod', 'SignatureVersion', 'SignatureNonce', 'AccessKeyId'];
/** Checked in this order, each answered Missing<Name> when absent. */
const REQUIRED = ['AccessKeyId', 'Signature', 'SignatureMethod', 'SignatureVersion', 'SignatureNonce', 'Timestamp'];

export interface RpcVerifyOptions {
  secretFor(accessKeyId: string): string | undefined;
  /** Simulator clock, epoch ms. */
  now: number;
  nonces?: NonceCache;
}

/** True when the parameters carry an RPC signature (or part of one). */
export function isRpcSigned(params: Record<string, string>): boolean {
  return RPC_MARKERS.some((name) => Object.hasOwn(params, name));
}

/** The parameters without the signature protocol's own (what the operation handles). */
export function operationParams(params: Record<string, string>): Record<string, string> {
  const rest: Record<string, string> = { ...params };
  for (const name of RPC_COMMON_PARAMS) delete rest[name];
  return rest;
}

/** Every parameter but Signature, as the signer sees them. */
export function rpcStringToSign(method: string, params: Record<string, string>): string {
  const canonical = Object.keys(params)
    .filter((key) => key !== 'Signature')
    .sort()
    .map((key) => `${percentEncode(key)}=${percentEncode(params[key] ?? '')}`)
    .join('&');
  return `${method.toUpperCase()}&${percentEncode('/')}&${percentEncode(canonical)}`;
}

export function signRpc(secret: string, stringToSign: string): string {
  return createHmac('sha1', `${secret}&`).update(stringToSign).digest('base64');
}

/** The prefix @alicloud/credentials parses to tell a wrong secret from another failure. */
export const RPC_MISMATCH_PREFIX = 'Specified signature is not matched with our calculation. server string to sign is:';

export function verifyRpcSignature(
  method: string,
  params: Record<string, string>,
  options: RpcVerifyOptions,
): VerifyResult {
  const fail = (status: number, code: string, message: string, accessKeyId?: string): VerifyResult => ({
    ok: false,
    accessKeyId,
    error: new SandboxError(status, code, message),
  });
  for (const name of REQUIRED) {
    if (!params[name]) {
      const accessKeyId = params.AccessKeyId || undefined;
      return { ok: false, accessKeyId, error: missingParameter(name) };
    }
  }
  const accessKeyId = params.AccessKeyId as string;
  const secret = options.secretFor(accessKeyId);
  if (secret === undefined) return fail(404, 'InvalidAccessKeyId.NotFound', 'Specified access key is not found.');

  if (params.SignatureMethod !== RPC_SIGNATURE_METHOD) {
    return fail(400, 'InvalidSignatureMethod', 'Specified signature method is not valid.', accessKeyId);
  }
  if (params.SignatureVersion !== RPC_SIGNATURE_VERSION) {
    return fail(400, 'InvalidSignatureVersion', 'Specified signature version is not valid.', accessKeyId);
  }
  const timestamp = params.Timestamp ?? '';
  const sentAt = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?Z$/.test(timestamp) ? Date.parse(timestamp) : NaN;
  if (Number.isNaN(sentAt)) {
    return fail(
      400,
      'InvalidTimeStamp.Format',
      'Specified time stamp or date value is not well formatted.',
      accessKeyId,
    );
  }
  if (Math.abs(options.now - sentAt) > MAX_CLOCK_SKEW_MS) {
    return fail(400, 'InvalidTimeStamp.Expired', 'Specified time stamp or date value is expired.', accessKeyId);
  }

  const toSign = rpcStringToSign(method, params);
  if (!constantTimeEqual(signRpc(secret, toSign), params.Signature ?? '')) {
    return fail(400, 'SignatureDoesNotMatch', `${RPC_MISMATCH_PREFIX}${toSign}`, accessKeyId);
  }
  // Claimed only after the signature holds, so forged requests cannot burn a client's nonces.
  if (options.nonces && !options.nonces.claim(`${accessKeyId}\n${params.SignatureNonce}`, options.now)) {
    return fail(400, 'SignatureNonceUsed', 'Specified signature nonce was used already.', accessKeyId);
  }
  return { ok: true, accessKeyId };
}

function constantTimeEqual(expected: string, actual: string): boolean {
  const a = Buffer.from(expected, 'utf8');
  const b = Buffer.from(actual, 'utf8');
  if (a.length !== b.length) {
    timingSafeEqual(a, a);
    return false;
  }
  return timingSafeEqual(a, b);
}
