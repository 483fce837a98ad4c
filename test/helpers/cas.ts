import { type CasClient, createCasClient } from '../../src/cas/client';
import { parseEndpoint } from '../../src/cas/endpoint';
import { createTransport } from '../../src/cas/transport';
import { DEFAULT_ACCESS_KEY_ID, DEFAULT_ACCESS_KEY_SECRET } from '../../src/sandbox';

export interface TestClientOptions {
  qps?: number;
  attempts?: number;
  timeoutMs?: number;
  cacheTtlSeconds?: number;
  accessKeyId?: string;
  accessKeySecret?: string;
  maxConcurrent?: number;
  pageSize?: number;
}

/** The real client (transport, limiter, retries, cache, batching) pointed at a simulator. */
export function clientFor(sandbox: { url: string }, options: TestClientOptions = {}): CasClient {
  return createCasClient({
    transport: createTransport({
      endpoint: parseEndpoint(sandbox.url),
      region: 'cn-hangzhou',
      credentials: {
        accessKeyId: options.accessKeyId ?? DEFAULT_ACCESS_KEY_ID,
        accessKeySecret: options.accessKeySecret ?? DEFAULT_ACCESS_KEY_SECRET,
      },
      timeoutMs: options.timeoutMs ?? 2_000,
    }),
    qps: options.qps ?? 50,
    maxConcurrent: options.maxConcurrent ?? 10,
    attempts: options.attempts ?? 4,
    cacheTtlSeconds: options.cacheTtlSeconds ?? 60,
    pageSize: options.pageSize,
    retryBaseDelayMs: 20,
  });
}

export { busiestWindow } from '../../src/sandbox';
