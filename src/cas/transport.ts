import Credential from '@alicloud/credentials';
import OpenApi, * as $OpenApi from '@alicloud/openapi-client';
import OpenApiUtil from '@alicloud/openapi-util';
import * as $Util from '@alicloud/tea-util';
import type { z } from 'zod';
import type { CasEndpoint } from './endpoint';
import { CasError, casErrorFromUpstream, invalidResponseError, networkError } from './errors';

/** The two API versions CAS splits its operations across. */
export type CasVersion = '2020-04-07' | '2020-06-30';

export interface OperationSpec<T> {
  action: string;
  version: CasVersion;
  schema: z.ZodType<T>;
}

export interface CredentialsInput {
  accessKeyId?: string;
  accessKeySecret?: string;
  securityToken?: string;
}

export interface TransportOptions {
  endpoint: CasEndpoint;
  region: string;
  credentials: CredentialsInput;
  timeoutMs: number;
}

/** One signed RPC call; the limiter, retries and caching live above this. */
export interface CasTransport {
  call<T>(operation: OperationSpec<T>, query: Record<string, string | number | undefined>): Promise<T>;
  /** The AccessKey ID calls are made with: the rate-limit account key. */
  accountKey(): Promise<string>;
}

interface TeaErrorShape {
  name?: string;
  code?: string;
  message?: string;
  statusCode?: number;
  data?: Record<string, unknown>;
  accessDeniedDetail?: Record<string, unknown>;
}

export function createTransport(options: TransportOptions): CasTransport {
  const { accessKeyId, accessKeySecret, securityToken } = options.credentials;
  const explicit = Boolean(accessKeyId && accessKeySecret);

  // openapi-client only builds a credential from an explicit key pair; everything else
  // (profile, OIDC, ECS role) needs the default chain handed in as a Credential object.
  const connect = () => {
    const credential = explicit ? undefined : new Credential();
    const client = new OpenApi(
      new $OpenApi.Config({
        endpoint: options.endpoint.host,
        protocol: options.endpoint.protocol,
        regionId: options.region,
        accessKeyId: credential ? undefined : accessKeyId,
        accessKeySecret: credential ? undefined : accessKeySecret,
        securityToken: credential ? undefined : securityToken,
        credential,
        readTimeout: options.timeoutMs,
        connectTimeout: Math.min(options.timeoutMs, 5_000),
      }),
    );
    return { credential, client };
  };
  let current = connect();

  async function accountKey(): Promise<string> {
    const { credential } = current;
    if (!credential) return accessKeyId as string;
    try {
      const resolved = await credential.getCredential();
      return resolved.accessKeyId ?? 'default';
    } catch {
      // After one failed resolution a Credential object only retries its last provider, so a
      // fixed environment (a mounted token file, a profile) needs a fresh one next time.
      current = connect();
      throw casErrorFromUpstream({ operation: 'credentials', code: 'InvalidCredentials', statusCode: 401 });
    }
  }

  async function call<T>(operation: OperationSpec<T>, query: Record<string, string | number | undefined>): Promise<T> {
    const params = new $OpenApi.Params({
      action: operation.action,
      version: operation.version,
      protocol: options.endpoint.protocol.toUpperCase(),
      pathname: '/',
      method: 'POST',
      authType: 'AK',
      style: 'RPC',
      reqBodyType: 'formData',
      // Read the body as text so that a malformed answer becomes our invalid-response error
      // instead of a bare SyntaxError from inside the client.
      bodyType: 'string',
    });
    const defined = Object.fromEntries(Object.entries(query).filter(([, v]) => v !== undefined && v !== ''));
    const request = new $OpenApi.OpenApiRequest({ query: OpenApiUtil.query(defined) });
    let raw: unknown;
    try {
      const response = await current.client.callApi(params, request, new $Util.RuntimeOptions({}));
      raw = response.body;
    } catch (error) {
      throw toCasError(operation.action, error);
    }
    let body: unknown;
    try {
      body = JSON.parse(String(raw));
    } catch {
      throw invalidResponseError(operation.action, 'the body is not JSON');
    }
    const requestId =
      typeof body === 'object' && body !== null ? (body as { RequestId?: unknown }).RequestId : undefined;
    const parsed = operation.schema.safeParse(body);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const field = issue?.path.length ? issue.path.join('.') : '(body)';
      throw invalidResponseError(
        operation.action,
        `field ${field}: ${issue?.message ?? 'unexpected shape'}`,
        typeof requestId === 'string' ? requestId : undefined,
      );
    }
    return parsed.data;
  }

  return { call, accountKey };
}

function toCasError(operation: string, error: unknown): CasError {
  if (error instanceof CasError) return error;
  const e = (error ?? {}) as TeaErrorShape;
  if (e.name === 'SyntaxError') {
    // openapi-client parses error answers as JSON; a non-JSON error page is a gateway failure.
    return networkError(operation, 'the service answered an error page that is not JSON', 'BadGateway');
  }
  const data = e.data ?? {};
  const statusCode = typeof e.statusCode === 'number' ? e.statusCode : numberOr(data.statusCode);
  if (statusCode !== undefined) {
    const detail = (e.accessDeniedDetail ?? data.AccessDeniedDetail ?? {}) as Record<string, unknown>;
    return casErrorFromUpstream({
      operation,
      code: stringOr(data.Code) ?? stringOr(e.code),
      statusCode,
      requestId: stringOr(data.RequestId),
      upstreamMessage: stringOr(data.Message),
      authAction: stringOr(detail.AuthAction),
    });
  }
  // The default chain reports "unable to get credentials from any of the providers in the chain".
  if (
    e.code === 'InvalidCredentials' ||
    /credential/i.test(e.name ?? '') ||
    /unable to get credentials/i.test(e.message ?? '')
  ) {
    return casErrorFromUpstream({ operation, code: 'InvalidCredentials', statusCode: 401 });
  }
  const text = `${e.name ?? ''} ${e.code ?? ''} ${e.message ?? ''}`;
  if (/timeout/i.test(text)) return networkError(operation, 'timed out', 'Timeout');
  const reason = /ECONNREFUSED/.test(text)
    ? 'connection refused'
    : /ENOTFOUND|EAI_AGAIN/.test(text)
      ? 'host not found'
      : /ECONNRESET|socket hang up/i.test(text)
        ? 'connection reset'
        : 'network error';
  return networkError(operation, reason);
}

function stringOr(value: unknown): string | undefined {
  return typeof value === 'string' && value.length > 0 ? value : undefined;
}

function numberOr(value: unknown): number | undefined {
  return typeof value === 'number' ? value : undefined;
}
