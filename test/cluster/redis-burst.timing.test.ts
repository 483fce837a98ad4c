import { busiestWindow, runCluster, splitPages } from '../../bench/cluster-driver';
import { spawnSandbox } from '../../src/sandbox';
import { dropNamespace, freshNamespace, namespaceKeys, REDIS_URL, requireRedis } from './redis-helpers';

/*
 * Timing-sensitive: the simulator judges one-second windows by when requests arrive, so this
 * file runs in the separate, serial jest pass (jest.timing.config.js), where no other suite
 * competes for the two cores. It fails, never skips, without Redis.
 */
const NAMESPACE = freshNamespace();
let redis: Awaited<ReturnType<typeof requireRedis>>;

beforeAll(async () => {
  redis = await requireRedis();
});
afterAll(async () => {
  if (!redis) return;
  await dropNamespace(redis, NAMESPACE);
  await redis.quit();
});

test('three processes sharing one Redis keep a 300-call burst within CAS_QPS, with zero throttled answers', async () => {
  const sandbox = await spawnSandbox({ certs: 1_500, seed: 3, qps: 50, profile: 'healthy', latencyMs: 0 });
  try {
    // 300 distinct pages of 5: nothing coalesces, every page is one call.
    const run = await runCluster({
      endpoint: sandbox.url,
      qps: 50,
      redisUrl: REDIS_URL,
      namespace: NAMESPACE,
      workers: splitPages(300, 3, 5),
      // Counts only the burst, not the workers' warm-up calls.
      beforeGo: () => sandbox.reset(),
    });
    const stats = await sandbox.stats();
    const calls = await sandbox.calls();
    expect(run.reports.map((r) => [r.redis, r.ok, r.failed])).toEqual([
      [true, 100, 0],
      [true, 100, 0],
      [true, 100, 0],
    ]);
    expect(stats.throttled).toBe(0);
    expect(stats.calls).toBe(300);
    expect(busiestWindow(calls)).toBeLessThanOrEqual(50);
    // Bursting as one: 300 calls at 50 a second take about 6 s, not the 2 s of three separate limiters.
    expect(run.finishedAt - run.startedAt).toBeGreaterThan(5_500);
  } finally {
    await sandbox.close();
  }
  // The limiter's keys carry this run's namespace and expire once unused.
  const keys = await namespaceKeys(redis, NAMESPACE);
  expect(keys.length).toBeGreaterThan(0);
  for (const key of keys) {
    const ttl = await redis.pttl(key);
    expect([key, ttl > 0 && ttl <= 10 * 60_000]).toEqual([key, true]);
  }
}, 30_000);
