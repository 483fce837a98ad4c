import { randomUUID } from 'node:crypto';

/**
 * Errors the simulator answers with, shaped like the POP gateway's JSON error body so the
 * real openapi-client turns them into the same ResponseError a production call would.
 */
export interface AnswerError {
  status: number;
  code: string;
  message?: string;
  accessDeniedDetail?: Record<string, string>;
}

export class SandboxError extends Error {
  readonly status: number;
  readonly code: string;
  readonly accessDeniedDetail?: Record<string, string>;

  constructor(status: number, code: string, message: string, accessDeniedDetail?: Record<string, string>) {
    super(message);
    this.name = 'SandboxError';
    this.status = status;
    this.code = code;
    this.accessDeniedDetail = accessDeniedDetail;
  }
}

export const HOST_ID = 'cas.aliyuncs.com';
/** The message CAS itself returns for NotFound (seen in a real response). */
export const CAS_NOT_FOUND_MESSAGE = '没有找到必要内容，请检查参数输入。';

/** Default messages for codes whose gateway wording is known. */
const KNOWN_MESSAGES: Record<string, string> = {
  'Throttling.User': 'Request was denied due to user flow control.',
  ServiceUnavailable: 'The request has failed due to a temporary failure of the server.',
  InternalError: 'The request processing has failed due to some unknown error.',
  'Forbidden.RAM': 'User not authorized to operate on the specified resource, or this API does not support RAM.',
  NotFound: CAS_NOT_FOUND_MESSAGE,
};

export function newRequestId(): string {
  return randomUUID().toUpperCase();
}

/** The service answering: CAS by default, STS for AssumeRole. */
export interface ServiceHost {
  hostId: string;
  product: string;
}

export const CAS_SERVICE: ServiceHost = { hostId: HOST_ID, product: 'cas' };
export const STS_SERVICE: ServiceHost = { hostId: 'sts.aliyuncs.com', product: 'Sts' };

export function errorBody(
  requestId: string,
  error: AnswerError,
  service: ServiceHost = CAS_SERVICE,
): Record<string, unknown> {
  const body: Record<string, unknown> = {
    RequestId: requestId,
    HostId: service.hostId,
    Code: error.code,
    Message: error.message ?? KNOWN_MESSAGES[error.code] ?? error.code,
    Recommend: `https://api.aliyun.com/troubleshoot?q=${encodeURIComponent(error.code)}&product=${service.product}&requestId=${requestId}`,
  };
  if (error.accessDeniedDetail) body.AccessDeniedDetail = error.accessDeniedDetail;
  return body;
}

export function missingParameter(name: string): SandboxError {
  return new SandboxError(400, `Missing${name}`, `${name} is mandatory for this action.`);
}

export function invalidParameter(name: string, value: string, why: string): SandboxError {
  return new SandboxError(400, 'InvalidParameter', `The specified parameter ${name} "${value}" is not valid: ${why}`);
}
