import type Bottleneck from 'bottleneck';
import type { Config } from '../config';
import { type CasClient, type ClientHooks, createCasClient } from './client';
import { parseEndpoint } from './endpoint';
import { createTransport } from './transport';

export * from './client';
export * from './errors';
export * from './types';

export interface BuildClientOptions {
  hooks?: ClientHooks;
  bottleneck?: Bottleneck.ConstructorOptions;
  retryBaseDelayMs?: number;
}

/**
 * The CAS client as configured by the environment. Async because a shared (Redis) limiter
 * must be reachable before the bot starts serving.
 */
export async function buildCasClient(config: Config, options: BuildClientOptions = {}): Promise<CasClient> {
  const transport = createTransport({
    endpoint: parseEndpoint(config.CAS_ENDPOINT),
    region: config.CAS_REGION,
    credentials: {
      accessKeyId: config.ALIBABA_CLOUD_ACCESS_KEY_ID,
      accessKeySecret: config.ALIBABA_CLOUD_ACCESS_KEY_SECRET,
      securityToken: config.ALIBABA_CLOUD_SECURITY_TOKEN,
    },
    timeoutMs: config.CAS_TIMEOUT_MS,
  });
  return createCasClient({
    transport,
    qps: config.CAS_QPS,
    maxConcurrent: config.CAS_MAX_CONCURRENT,
    attempts: config.CAS_MAX_ATTEMPTS,
    cacheTtlSeconds: config.CAS_CACHE_TTL_SECONDS,
    ...options,
  });
}
