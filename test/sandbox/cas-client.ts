import OpenApi, * as $OpenApi from '@alicloud/openapi-client';
import OpenApiUtil from '@alicloud/openapi-util';
import * as $Util from '@alicloud/tea-util';
import { DEFAULT_ACCESS_KEY_ID, DEFAULT_ACCESS_KEY_SECRET, type Sandbox } from '../../src/sandbox';

/**
 * Calls the sandbox through the real @alicloud/openapi-client, configured the way the
 * bot configures it for production, so the signature and transport are the real ones.
 */
export interface ClientOptions {
  accessKeyId?: string;
  accessKeySecret?: string;
}

export interface CallOptions {
  method?: 'POST' | 'GET';
  /** Sent as a form body instead of the query string. */
  asForm?: boolean;
  readTimeout?: number;
}

export type Query = Record<string, string | number | undefined>;

export function sandboxClient(sandbox: Sandbox, options: ClientOptions = {}): OpenApi {
  return new OpenApi(
    new $OpenApi.Config({
      endpoint: sandbox.endpoint,
      protocol: 'http',
      accessKeyId: options.accessKeyId ?? DEFAULT_ACCESS_KEY_ID,
      accessKeySecret: options.accessKeySecret ?? DEFAULT_ACCESS_KEY_SECRET,
      regionId: 'cn-hangzhou',
    }),
  );
}

export async function callCas(
  client: OpenApi,
  action: string,
  version: string,
  query: Query = {},
  options: CallOptions = {},
): Promise<Record<string, unknown>> {
  const params = new $OpenApi.Params({
    action,
    version,
    protocol: 'HTTP',
    pathname: '/',
    method: options.method ?? 'POST',
    authType: 'AK',
    style: 'RPC',
    reqBodyType: 'formData',
    bodyType: 'json',
  });
  const flat = OpenApiUtil.query(query);
  const request = new $OpenApi.OpenApiRequest(options.asForm ? { body: flat } : { query: flat });
  const runtime = new $Util.RuntimeOptions(options.readTimeout ? { readTimeout: options.readTimeout } : {});
  const response = await client.callApi(params, request, runtime);
  return response.body as Record<string, unknown>;
}

/** What a failed call looks like to the caller: openapi-client's ResponseError fields. */
export interface CasFailure {
  name: string;
  message: string;
  code?: string;
  statusCode?: number;
  data?: Record<string, unknown>;
  accessDeniedDetail?: Record<string, string>;
}

export async function failureOf(call: Promise<unknown>): Promise<CasFailure> {
  try {
    await call;
  } catch (error) {
    if (!(error instanceof Error)) throw error;
    const fields = error as Error & Partial<Omit<CasFailure, 'name' | 'message'>>;
    return {
      name: error.name,
      message: error.message,
      code: fields.code,
      statusCode: fields.statusCode,
      data: fields.data,
      accessDeniedDetail: fields.accessDeniedDetail,
    };
  }
  throw new Error('expected the call to fail, it succeeded');
}
