import type Bottleneck from 'bottleneck';
import type { Config } from '../config';
import { type CasClient, createCasClient } from './client';
import { parseEndpoint } from './endpoint';
import { minTimeFor } from './limiter';
import { connectRedisLimiter, type SharedLimiter } from './redis-limiter';
import { createTransport } from './transport';

export { BottleneckCompatError, checkBottleneckCompat, PINNED_BOTTLENECK_VERSION } from './bottleneck-compat';
export * from './client';
export * from './errors';
export {
  DEFAULT_LIMITER_NAMESPACE,
  LIMITER_UNAVAILABLE_CODE,
  type LimiterConnectionState,
  LimiterStartupError,
} from './redis-limiter';
export * from './types';

export interface BuildClientOptions {
  bottleneck?: Bottleneck.ConstructorOptions;
  retryBaseDelayMs?: number;
  /**
   * Prefix of the shared limiter's Redis keys (default `cas-cert-bot:limiter`). Every replica
   * of one bot must use the same one; tests and benchmarks use their own so they never share
   * a budget with each other or with a bot on the same Redis.
   */
  redisNamespace?: string;
  /** How long start-up waits for Redis, in ms (default 5000). */
  redisConnectTimeoutMs?: number;
}

/** Slack for the wait a granted job may spend before it starts (at most maxConcurrent × minTime) and for clock noise. */
const JOB_EXPIRATION_SLACK_MS = 10_000;

/**
 * The CAS client as configured by the environment. Async because a shared (Redis) limiter
 * must be reachable before the bot starts serving: with REDIS_URL set, this rejects with a
 * LimiterStartupError naming the Redis host:port when it is not.
 */
export async function buildCasClient(config: Config, options: BuildClientOptions = {}): Promise<CasClient> {
  const { redisNamespace, redisConnectTimeoutMs, ...clientOptions } = options;
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
  let sharedLimiter: SharedLimiter | undefined;
  if (config.REDIS_URL) {
    sharedLimiter = await connectRedisLimiter({
      url: config.REDIS_URL,
      namespace: redisNamespace,
      connectTimeoutMs: redisConnectTimeoutMs,
      jobExpirationMs:
        config.CAS_TIMEOUT_MS + config.CAS_MAX_CONCURRENT * minTimeFor(config.CAS_QPS) + JOB_EXPIRATION_SLACK_MS,
      limits: { minTime: minTimeFor(config.CAS_QPS), maxConcurrent: config.CAS_MAX_CONCURRENT },
    });
  }
  const client = createCasClient({
    transport,
    qps: config.CAS_QPS,
    maxConcurrent: config.CAS_MAX_CONCURRENT,
    attempts: config.CAS_MAX_ATTEMPTS,
    cacheTtlSeconds: config.CAS_CACHE_TTL_SECONDS,
    sharedLimiter,
    ...clientOptions,
  });
  if (sharedLimiter) {
    try {
      // Sets up this account's limiter in Redis now, so a Redis that refuses Bottleneck's
      // scripts is a start-up error rather than a failure of every call.
      await client.prepare();
    } catch (error) {
      await client.close();
      throw error;
    }
  }
  return client;
}
