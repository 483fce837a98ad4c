import { createHmac, randomBytes } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import { DEFAULT_ACCESS_KEY_ID, DEFAULT_ACCESS_KEY_SECRET } from '../../src/sandbox';
import type { RawAnswer } from './signed-request';

/**
 * An RPC (signature version 1.0, HMAC-SHA1) signer written from the spec, independent of the
 * sandbox's code, as the aliyun CLI, pop-core and @alicloud/credentials' STS client sign:
 *   StringToSign = METHOD&%2F&percentEncode(sorted "enc(k)=enc(v)" pairs joined by "&")
 *   Signature    = base64(HMAC-SHA1(secret + "&", StringToSign))
 */

/** RFC 3986: encodeURIComponent plus !'()* (what @alicloud/credentials' encode() does). */
function encode(value: string): string {
  return encodeURIComponent(value)
    .replace(/!/g, '%21')
    .replace(/'/g, '%27')
    .replace(/\(/g, '%28')
    .replace(/\)/g, '%29')
    .replace(/\*/g, '%2A');
}

export function rpcStringToSignFromSpec(method: string, params: Record<string, string>): string {
  const pairs = Object.keys(params)
    .sort()
    .map((key) => `${encode(key)}=${encode(params[key] as string)}`);
  return `${method}&${encode('/')}&${encode(pairs.join('&'))}`;
}

export function rpcSignatureFromSpec(secret: string, stringToSign: string): string {
  return createHmac('sha1', `${secret}&`).update(stringToSign).digest('base64');
}

/** UTC without milliseconds, e.g. 2026-12-01T10:00:00Z. */
export function rpcTimestamp(epochMs: number = Date.now()): string {
  return `${new Date(epochMs).toISOString().slice(0, 19)}Z`;
}

export interface RpcCall {
  action: string;
  version: string;
  /** The operation's own parameters. */
  params?: Record<string, string>;
  /** Where the operation's parameters travel: the query string (default) or a form body (like the STS client). */
  placement?: 'query' | 'form';
  method?: 'POST' | 'GET';
  accessKeyId?: string;
  /** Signs with this secret. */
  secret?: string;
  securityToken?: string;
  timestamp?: string;
  nonce?: string;
  /** Common parameters left out before signing (e.g. 'Timestamp'). */
  omit?: string[];
  /** Changes the parameters after signing (tampering, dropping the Signature). */
  afterSigning?: (query: Record<string, string>, form: Record<string, string>) => void;
  headers?: Record<string, string>;
}

export interface RpcAnswer extends RawAnswer {
  /** What this client signed. */
  stringToSign: string;
}

export function sendRpc(sandbox: { port: number }, call: RpcCall): Promise<RpcAnswer> {
  const method = call.method ?? 'POST';
  const common: Record<string, string> = {
    AccessKeyId: call.accessKeyId ?? DEFAULT_ACCESS_KEY_ID,
    Action: call.action,
    Format: 'JSON',
    SignatureMethod: 'HMAC-SHA1',
    SignatureNonce: call.nonce ?? randomBytes(16).toString('hex'),
    SignatureVersion: '1.0',
    Timestamp: call.timestamp ?? rpcTimestamp(),
    Version: call.version,
  };
  if (call.securityToken !== undefined) common.SecurityToken = call.securityToken;
  for (const name of call.omit ?? []) delete common[name];
  const own = call.params ?? {};
  const inForm = (call.placement ?? 'query') === 'form';
  const stringToSign = rpcStringToSignFromSpec(method, { ...common, ...own });
  const query: Record<string, string> = {
    ...common,
    ...(inForm ? {} : own),
    Signature: rpcSignatureFromSpec(call.secret ?? DEFAULT_ACCESS_KEY_SECRET, stringToSign),
  };
  const form: Record<string, string> = inForm ? { ...own } : {};
  call.afterSigning?.(query, form);
  const wire = (params: Record<string, string>) =>
    Object.entries(params)
      .map(([key, value]) => `${key}=${encodeURIComponent(value)}`)
      .join('&');
  const body = Object.keys(form).length > 0 ? wire(form) : '';
  const headers: Record<string, string> = { ...call.headers };
  if (body !== '') headers['content-type'] = 'application/x-www-form-urlencoded';

  return new Promise((resolve, reject) => {
    const req = httpRequest(
      { host: '127.0.0.1', port: sandbox.port, method, path: `/?${wire(query)}`, headers, agent: false },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            text,
            json: () => JSON.parse(text) as Record<string, unknown>,
            stringToSign,
          });
        });
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}
