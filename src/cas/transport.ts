import { networkReason, networkWording } from '../domain/error-description';
import Credential, { type CredentialsProvider } from '@alicloud/credentials';
import OpenApi, * as $OpenApi from '@alicloud/openapi-client';
import OpenApiUtil from '@alicloud/openapi-util';
import * as $Util from '@alicloud/tea-util';
import type { z } from 'zod';
import type { CasEndpoint } from './endpoint';
import { CasError, casErrorFromUpstream, type CasTarget, invalidResponseError, networkError } from './errors';

/** The two API versions CAS splits its operations across. */
export type CasVersion = '2020-04-07' | '2020-06-30';

export interface OperationSpec<T> {
  action: string;
  version: CasVersion;
  schema: z.ZodType<T>;
  /**
   * The RAM action that authorises the call, named in a denial that comes without an
   * AccessDeniedDetail (a `Forbidden.RAM` of some gateways); set where it is known.
   */
  ramAction?: string;
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
  /**
   * Builds the Credential calls are signed with, instead of the default chain's `new Credential()`;
   * undefined: the explicit key pair of `credentials`. A factory because a Credential that failed
   * to resolve once must be rebuilt (see `connect()`). A DescribedCredential names its source in
   * the error when it cannot be resolved.
   */
  credential?: () => Credential | undefined;
  /** The environment variables the explicit key pair came from, for the hints of key errors. */
  keyVariables?: { id: string; secret: string };
  /**
   * What sets the endpoint, named in network errors (default `CAS_ENDPOINT`), e.g. `the site of
   * account prod in CAS_ACCOUNTS_FILE`.
   */
  endpointName?: string;
}

/** Where a DescribedCredential's keys come from: shown in errors, never a secret. */
export interface CredentialSource {
  kind: 'profile' | 'role';
  /** e.g. `profile prod`, `role acs:ram::123456789012:role/cert-bot` */
  description: string;
  /** host[:port] the role is assumed through */
  stsEndpoint?: string;
}

/** A Credential over one provider that says where it comes from, so a failure to resolve it can say so. */
export class DescribedCredential extends Credential {
  constructor(
    readonly source: CredentialSource,
    provider: CredentialsProvider,
  ) {
    super(null, provider);
  }
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
  const target: CasTarget = {
    url: `${options.endpoint.protocol}://${options.endpoint.host}`,
    setting: options.endpointName ?? 'CAS_ENDPOINT',
  };
  const explicit = Boolean(accessKeyId && accessKeySecret);

  // openapi-client only builds a credential from an explicit key pair; everything else
  // (profile, OIDC, ECS role) needs the default chain handed in as a Credential object.
  const connect = () => {
    const credential = options.credential ? options.credential() : explicit ? undefined : new Credential();
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
    } catch (error) {
      // After one failed resolution a Credential object only retries its last provider, so a
      // fixed environment (a mounted token file, a profile) needs a fresh one next time.
      current = connect();
      throw credentialsError('credentials', error, sourceOf(credential));
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
      throw toCasError(operation.action, error, sourceOf(current.credential), options.keyVariables, target, {
        ramAction: operation.ramAction,
      });
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

function sourceOf(credential: Credential | undefined): CredentialSource | undefined {
  return credential instanceof DescribedCredential ? credential.source : undefined;
}

/** The texts @alicloud/credentials 2.4.x throws when a profile or an assumed role yields no keys. */
const CREDENTIAL_FAILURE =
  /^(refresh session token failed|refresh RoleArn sts token err)|the access key secret is invalid|Can not find credential type|Invalid type option|cannot found home dir|the (access key id|access key secret|security token) is empty/i;

const MAX_STS_MESSAGE = 160;

/**
 * The InvalidCredentials error for a credential that could not be resolved. Without a source
 * (the default chain, an explicit pair) it is the same as ever; with one, the message names the
 * source and why it failed, from the library's error text: an STS refusal gives its Code,
 * Message and RequestId, a profile its missing file or section. Unknown texts are not repeated
 * (they may hold an answer's body).
 */
function credentialsError(operation: string, error: unknown, source: CredentialSource | undefined): CasError {
  if (error instanceof CasError) return error;
  if (!source) return casErrorFromUpstream({ operation, code: 'InvalidCredentials', statusCode: 401 });
  const e = (error ?? {}) as NodeJS.ErrnoException;
  const text = typeof e.message === 'string' ? e.message : String(error);
  const sts = source.stsEndpoint ? `STS at ${source.stsEndpoint}` : 'STS';
  const fail = (detail: string, hint: string, requestId?: string) =>
    casErrorFromUpstream({
      operation,
      code: 'InvalidCredentials',
      statusCode: 401,
      upstreamMessage: `${source.description}: ${detail}`,
      requestId,
      hint,
    });

  const refused = /^refresh session token failed: ([\s\S]*)$/.exec(text);
  if (refused) {
    let answer: Record<string, unknown> = {};
    try {
      const parsed: unknown = JSON.parse(refused[1]);
      if (typeof parsed === 'object' && parsed !== null) answer = parsed as Record<string, unknown>;
    } catch {
      // not JSON: an error page; nothing of it is repeated
    }
    const code = stringOr(answer.Code);
    const message = stringOr(answer.Message);
    const requestId = stringOr(answer.RequestId);
    const why = code
      ? `${sts} refused AssumeRole with ${code}${message ? ` (${message.slice(0, MAX_STS_MESSAGE)})` : ''}`
      : `${sts} refused AssumeRole`;
    return fail(why, stsRefusalHint(code, source), requestId);
  }
  if (/the access key secret is invalid/i.test(text))
    return fail(
      `${sts} refused the AccessKey secret of the credentials that assume the role`,
      'Check the AccessKey secret of the credentials the role is assumed with (the default credential chain, or the profile).',
    );
  if (/^refresh RoleArn sts token err/i.test(text))
    return fail(
      `${sts} answered AssumeRole without credentials`,
      'Check stsEndpoint: it must be an STS endpoint (e.g. sts.aliyuncs.com).',
    );
  if (/unable to get credentials/i.test(text))
    return fail(
      source.kind === 'role'
        ? 'the default credential chain found no credentials to assume the role with'
        : 'no credentials found',
      'Give the bot credentials that may assume the role: ALIBABA_CLOUD_ACCESS_KEY_ID and ALIBABA_CLOUD_ACCESS_KEY_SECRET, a credentials file, OIDC or an ECS RAM role.',
    );
  if (source.kind === 'profile') {
    const profile = source.description.replace(/^profile /, '');
    const file = typeof e.path === 'string' ? e.path : 'the credentials file';
    const fileHint = `Create the file with a [${profile}] section, or point ALIBABA_CLOUD_CREDENTIALS_FILE at the one that has it.`;
    if (e.code === 'ENOENT') return fail(`${file} does not exist`, fileHint);
    if (e.code === 'EACCES') return fail(`${file} cannot be read (permission denied)`, fileHint);
    if (/Can not find credential type/i.test(text))
      return fail(
        `the credentials file has no [${profile}] section with a type`,
        `Add a [${profile}] section with type = access_key, access_key_id and access_key_secret (or type = ecs_ram_role or ram_role_arn).`,
      );
    if (/Invalid type option/i.test(text))
      return fail(
        'its type is not access_key, ecs_ram_role or ram_role_arn',
        `Set type = access_key, ecs_ram_role or ram_role_arn in the [${profile}] section.`,
      );
    const empty = /the (access key id|access key secret|security token) is empty/i.exec(text);
    if (empty)
      return fail(
        `${empty[1].toLowerCase().replace(/ /g, '_')} is missing`,
        `Fill in the [${profile}] section of the credentials file.`,
      );
    if (/cannot found home dir/i.test(text))
      return fail(
        'there is no home folder to find ~/.alibabacloud/credentials in',
        'Set ALIBABA_CLOUD_CREDENTIALS_FILE to the credentials file.',
      );
  }
  const network = `${e.code ?? ''} ${text}`;
  if (
    source.kind === 'role' &&
    /ECONNREFUSED|ENOTFOUND|EAI_AGAIN|ECONNRESET|socket hang up|timeout|EPROTO|certificate/i.test(network)
  )
    return fail(
      `could not reach ${sts} (${networkWording(networkReason(network))})`,
      'Check stsEndpoint and that the bot can reach it; the role is assumed through STS before every hour of calls.',
    );
  return fail(
    'could not get credentials',
    source.kind === 'role'
      ? 'Check the role ARN and that the default credential chain may assume it.'
      : 'Check the profile in the credentials file (ALIBABA_CLOUD_CREDENTIALS_FILE or ~/.alibabacloud/credentials).',
  );
}

function stsRefusalHint(code: string | undefined, source: CredentialSource): string {
  const role = source.description.replace(/^role /, '');
  if (code === 'EntityNotExist.Role') return `Check roleArn: ${role} does not exist.`;
  if (code?.startsWith('NoPermission') || code?.startsWith('Forbidden'))
    return `Let the bot's credentials assume ${role}: grant them sts:AssumeRole on it and trust them in the role's trust policy (with the externalId, if one is set).`;
  if (
    code?.startsWith('InvalidAccessKeyId') ||
    code === 'SignatureDoesNotMatch' ||
    code?.startsWith('InvalidSecurityToken')
  )
    return 'Check the credentials the role is assumed with (the default credential chain): STS does not accept them.';
  if (code?.startsWith('InvalidParameter') || code?.startsWith('MissingParameter'))
    return 'Check roleSessionName and externalId in the accounts file.';
  return `Check that the bot's credentials may assume ${role} through STS.`;
}

/** The codes of a RAM policy that does not allow the action. */
const RAM_DENIAL = /^(Forbidden\.RAM|Forbidden\.NoPermission|NoPermission)$/;

function toCasError(
  operation: string,
  error: unknown,
  source?: CredentialSource,
  keyVariables?: { id: string; secret: string },
  target?: CasTarget,
  spec: { ramAction?: string } = {},
): CasError {
  if (error instanceof CasError) return error;
  if (source && CREDENTIAL_FAILURE.test(String((error as { message?: unknown } | undefined)?.message ?? '')))
    return credentialsError(operation, error, source);
  const e = (error ?? {}) as TeaErrorShape;
  if (e.name === 'SyntaxError') {
    // openapi-client parses error answers as JSON; a non-JSON error page is a gateway failure.
    return networkError(
      operation,
      'the service answered an error page that is not JSON',
      'BadGateway',
      undefined,
      target,
    );
  }
  const data = e.data ?? {};
  const statusCode = typeof e.statusCode === 'number' ? e.statusCode : numberOr(data.statusCode);
  if (statusCode !== undefined) {
    const detail = (e.accessDeniedDetail ?? data.AccessDeniedDetail ?? {}) as Record<string, unknown>;
    const code = stringOr(data.Code) ?? stringOr(e.code);
    return casErrorFromUpstream({
      operation,
      code,
      statusCode,
      requestId: stringOr(data.RequestId),
      serviceMessage: stringOr(data.Message),
      authAction: stringOr(detail.AuthAction) ?? (code && RAM_DENIAL.test(code) ? spec.ramAction : undefined),
      keyVariables,
    });
  }
  // The default chain reports "unable to get credentials from any of the providers in the chain".
  if (
    e.code === 'InvalidCredentials' ||
    /credential/i.test(e.name ?? '') ||
    /unable to get credentials/i.test(e.message ?? '')
  ) {
    return credentialsError(operation, error, source);
  }
  const text = `${e.name ?? ''} ${e.code ?? ''} ${e.message ?? ''}`;
  if (networkReason(text) === 'timeout')
    return networkError(operation, networkWording('timeout'), 'Timeout', undefined, target);
  // A retry cannot fix a certificate the process does not trust (a self-signed simulator, a proxy).
  if (/self[- ]signed|unable to verify|UNABLE_TO_VERIFY|CERT_HAS_EXPIRED|ERR_TLS_CERT|DEPTH_ZERO/i.test(text))
    return networkError(
      operation,
      'its TLS certificate is not trusted',
      'TlsCertificateUntrusted',
      "Trust the endpoint's certificate authority: start the bot with NODE_EXTRA_CA_CERTS=<its PEM file> (the simulator's --tls prints the line).",
      target,
    );
  return networkError(operation, networkWording(networkReason(text)), undefined, undefined, target);
}

function stringOr(value: unknown): string | undefined {
  return typeof value === 'string' && value.length > 0 ? value : undefined;
}

function numberOr(value: unknown): number | undefined {
  return typeof value === 'number' ? value : undefined;
}
