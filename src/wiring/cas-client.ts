import type Bottleneck from 'bottleneck';
import type { AccountConfig } from '../accounts/account-config';
import { credentialFor } from '../accounts/credentials';
import { type CasClient, createCasClient } from '../cas/client';
import { parseEndpoint } from '../cas/endpoint';
import { minTimeFor } from '../cas/limiter';
import { connectRedisLimiter, DEFAULT_LIMITER_NAMESPACE, type SharedLimiter } from '../cas/redis-limiter';
import { connectStatusBatchStore, type StatusBatchStore } from '../cas/status-batch-store';
import { createTransport } from '../cas/transport';
import type { Config } from '../config';

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
 * One account's CAS client: its endpoint, credentials and QPS, with the shared settings of the
 * environment (timeouts, attempts, cache, Redis). Async because a shared (Redis) limiter must be
 * reachable before the bot starts serving: with REDIS_URL set, this rejects with a
 * LimiterStartupError naming the Redis host:port when it is not.
 */
export async function buildCasClient(
  config: Config,
  account: AccountConfig,
  options: BuildClientOptions = {},
): Promise<CasClient> {
  const { redisNamespace, redisConnectTimeoutMs, ...clientOptions } = options;
  const keys = account.credentials.kind === 'keys' ? account.credentials : undefined;
  const transport = createTransport({
    endpoint: parseEndpoint(account.endpoint),
    region: account.region,
    credentials: {
      accessKeyId: keys?.accessKeyId,
      accessKeySecret: keys?.accessKeySecret,
      securityToken: keys?.securityToken,
    },
    credential: keys ? undefined : () => credentialFor(account),
    keyVariables: keys ? { id: keys.idVariable, secret: keys.secretVariable } : undefined,
    endpointName: config.CAS_ACCOUNTS_FILE ? `the site of account ${account.name} in CAS_ACCOUNTS_FILE` : undefined,
    timeoutMs: config.CAS_TIMEOUT_MS,
  });
  const qps = account.qps;
  let sharedLimiter: SharedLimiter | undefined;
  let statusBatchStore: StatusBatchStore | undefined;
  if (config.REDIS_URL) {
    sharedLimiter = await connectRedisLimiter({
      url: config.REDIS_URL,
      namespace: redisNamespace,
      connectTimeoutMs: redisConnectTimeoutMs,
      jobExpirationMs: config.CAS_TIMEOUT_MS + config.CAS_MAX_CONCURRENT * minTimeFor(qps) + JOB_EXPIRATION_SLACK_MS,
      limits: { minTime: minTimeFor(qps), maxConcurrent: config.CAS_MAX_CONCURRENT },
    });
    // Replicas sharing the limiter's budget share status calls too. It never fails start-up: while
    // its Redis is away, lookups batch per process as without REDIS_URL.
    statusBatchStore = await connectStatusBatchStore({
      url: config.REDIS_URL,
      namespace: redisNamespace ?? DEFAULT_LIMITER_NAMESPACE,
    });
  }
  const client = createCasClient({
    transport,
    qps,
    // Accounts of a file share one budget per account name, whatever key or role signs the calls
    // (a role's temporary key changes each hour); the environment's one account keeps its
    // AccessKey-ID key, so replicas of an existing deployment keep sharing theirs.
    limiterKey: config.CAS_ACCOUNTS_FILE ? `account:${account.name}` : undefined,
    maxConcurrent: config.CAS_MAX_CONCURRENT,
    attempts: config.CAS_MAX_ATTEMPTS,
    cacheTtlSeconds: config.CAS_CACHE_TTL_SECONDS,
    sharedLimiter,
    statusBatchStore,
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
