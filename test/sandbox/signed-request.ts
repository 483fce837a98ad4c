import { createHash, randomBytes } from 'node:crypto';
import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { stringify } from 'node:querystring';
import OpenApiUtil from '@alicloud/openapi-util';
import { DEFAULT_ACCESS_KEY_ID, DEFAULT_ACCESS_KEY_SECRET, type Sandbox } from '../../src/sandbox';

/**
 * Raw HTTP with a signature from openapi-util's own getAuthorization (not the sandbox's
 * code), for cases the client cannot produce: replays, tampering, missing headers.
 */
export interface RawCall {
  action: string;
  version: string;
  method?: string;
  path?: string;
  query?: Record<string, string>;
  /** Sent on the wire instead of `query` (to send something other than what was signed). */
  sentQuery?: Record<string, string>;
  body?: string;
  /** Sent instead of `body`; the hash still covers `body`. */
  sentBody?: string;
  contentType?: string;
  accessKeyId?: string;
  secret?: string;
  date?: string;
  nonce?: string;
  /** Added after signing, so they are not covered by the signature. */
  unsignedHeaders?: Record<string, string>;
  /** null sends no Authorization header at all. */
  authorization?: string | null;
}

export interface RawAnswer {
  status: number;
  headers: IncomingHttpHeaders;
  text: string;
  json(): Record<string, unknown>;
}

type AuthorizationRequest = Parameters<typeof OpenApiUtil.getAuthorization>[0];

export function acsDate(epochMs: number = Date.now()): string {
  return `${new Date(epochMs).toISOString().slice(0, 19)}Z`;
}

export function sendSigned(sandbox: Sandbox, call: RawCall): Promise<RawAnswer> {
  const method = call.method ?? 'POST';
  const pathname = call.path ?? '/';
  const query = call.query ?? {};
  const body = call.body ?? '';
  const headers: Record<string, string> = {
    host: sandbox.endpoint,
    'x-acs-action': call.action,
    'x-acs-version': call.version,
    'x-acs-date': call.date ?? acsDate(),
    'x-acs-signature-nonce': call.nonce ?? randomBytes(16).toString('hex'),
    'x-acs-content-sha256': createHash('sha256').update(body).digest('hex'),
  };
  if (body !== '') headers['content-type'] = call.contentType ?? 'application/x-www-form-urlencoded';
  const signable = { method, pathname, query, headers } as AuthorizationRequest;
  const authorization =
    call.authorization === undefined
      ? OpenApiUtil.getAuthorization(
          signable,
          'ACS3-HMAC-SHA256',
          headers['x-acs-content-sha256'] ?? '',
          call.accessKeyId ?? DEFAULT_ACCESS_KEY_ID,
          call.secret ?? DEFAULT_ACCESS_KEY_SECRET,
        )
      : call.authorization;
  const wireHeaders: Record<string, string> = { ...headers, ...call.unsignedHeaders };
  if (authorization !== null) wireHeaders.authorization = authorization;
  const wireQuery = stringify(call.sentQuery ?? query);
  const wireBody = call.sentBody ?? body;

  return new Promise((resolve, reject) => {
    const req = httpRequest(
      {
        host: '127.0.0.1',
        port: sandbox.port,
        method,
        path: wireQuery === '' ? pathname : `${pathname}?${wireQuery}`,
        headers: wireHeaders,
        agent: false,
      },
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
          });
        });
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(wireBody);
  });
}
