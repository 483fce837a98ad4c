import { runCluster } from '../../bench/cluster-driver';
import { CasError, type LimiterConnectionState, LimiterStartupError } from '../../src/cas';
import { buildCasClient } from '../../src/wiring/cas-client';
import { startSandbox } from '../../src/sandbox';
import {
  configFor,
  dropNamespace,
  freePort,
  freshNamespace,
  kill,
  REDIS_URL,
  requireRedis,
  startRedisServer,
} from './redis-helpers';

/*
 * The shared limiter's failure modes against real Redis servers: the machine's own for the
 * start-up check (it fails, never skips, when that one is down), and a throwaway redis-server
 * that the loss test kills and restarts. The 300-call burst is in redis-burst.timing.test.ts.
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

test('Redis unreachable at start: a clear start-up error naming host:port, never the password', async () => {
  const started = Date.now();
  const unreachable = configFor('http://127.0.0.1:9', 'redis://bot:s3cret-Pw0rd@127.0.0.1:1/0');
  const error = await buildCasClient(unreachable, unreachable.accounts[0], {
    redisNamespace: NAMESPACE,
    redisConnectTimeoutMs: 1_000,
  }).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(LimiterStartupError);
  const message = (error as Error).message;
  expect(message).toMatch(
    /^Redis at 127\.0\.0\.1:1 \(REDIS_URL\) is unreachable: no ready connection after 1000 ms \(connect ECONNREFUSED/,
  );
  expect(message).toContain('check that Redis is running');
  expect(message).not.toContain('s3cret-Pw0rd');
  expect(message).not.toContain('bot:');
  expect(Date.now() - started).toBeLessThan(3_000);
});

type Settled = { ok: true } | { ok: false; error: unknown };
const settle = (promise: Promise<unknown>): Promise<Settled> =>
  promise.then(
    () => ({ ok: true }),
    (error: unknown) => ({ ok: false, error }),
  );

function isLimiterUnavailable(error: unknown): boolean {
  return error instanceof CasError && error.kind === 'unavailable' && error.code === 'LimiterUnavailable';
}

test('Redis lost while running: calls fail as unavailable instead of hanging or crashing, and work again once it is back', async () => {
  const port = await freePort();
  const redisUrl = `redis://127.0.0.1:${port}`;
  let server = await startRedisServer(port);
  const sandbox = await startSandbox({ certs: 200, seed: 5, qps: 1_000 });
  const states: LimiterConnectionState[] = [];
  const config = configFor(sandbox.url, redisUrl, 10);
  const client = await buildCasClient(config, config.accounts[0], {
    redisNamespace: NAMESPACE,
    retryBaseDelayMs: 20,
  });
  client.events.on('limiter', (state) => states.push(state));
  try {
    await client.listCertificatePage({ pageSize: 5 }, 1);

    // A replica in its own process shares the budget: jest hides unhandled rejections, a
    // process of its own would die of one (Node's default), so its clean exit shows there was none.
    let go: () => void = () => undefined;
    const released = new Promise<void>((resolve) => {
      go = resolve;
    });
    const replica = runCluster({
      endpoint: sandbox.url,
      qps: 10,
      redisUrl,
      namespace: NAMESPACE,
      workers: [{ from: 100, to: 139, pageSize: 5 }],
      onGo: () => go(),
    });
    await released;

    // A burst at 10 a second: a few calls are done, some hold a slot, most still wait for one.
    const burst = Array.from({ length: 30 }, (_, i) => settle(client.listCertificatePage({ pageSize: 5 }, i + 2)));
    await new Promise((resolve) => setTimeout(resolve, 400));
    await kill(server);
    const lostAt = Date.now();
    const results = await Promise.all(burst);
    expect(Date.now() - lostAt).toBeLessThan(5_000);
    const failures = results.filter((r): r is { ok: false; error: unknown } => !r.ok).map((r) => r.error);
    expect(failures.length).toBeGreaterThan(0);
    expect(failures.filter((e) => !isLimiterUnavailable(e))).toEqual([]);

    const whileDown = await settle(client.getRiskCount());
    expect(whileDown.ok).toBe(false);
    const error = (whileDown as { error: CasError }).error;
    expect(isLimiterUnavailable(error)).toBe(true);
    expect(error.message).toBe(
      `GetRiskCount was not sent: the shared rate limiter (Redis at 127.0.0.1:${port}) is unreachable`,
    );

    const [report] = (await replica).reports;
    expect(report.ok + report.failed).toBe(40);
    expect(report.failed).toBeGreaterThan(0);
    expect(Object.keys(report.errors)).toEqual(['unavailable:LimiterUnavailable']);

    // Back, and empty (no persistence): Bottleneck recreates the limiter's keys.
    server = await startRedisServer(port);
    const deadline = Date.now() + 10_000;
    let recovered = false;
    while (!recovered && Date.now() < deadline) {
      const attempt = await settle(client.listCertificatePage({ pageSize: 5 }, 1));
      if (attempt.ok) recovered = true;
      else {
        expect(isLimiterUnavailable(attempt.error)).toBe(true);
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
    }
    expect(recovered).toBe(true);
    await expect(client.getRiskCount()).resolves.toMatchObject({ RequestId: expect.any(String) });
    expect(states).toEqual(['lost', 'restored']);
  } finally {
    await client.close();
    await sandbox.close();
    await kill(server);
  }
}, 30_000);

test('with the shared limiter too, a status lookup goes ahead of the bulk pages still waiting', async () => {
  const sandbox = await startSandbox({ certs: 200, seed: 11, qps: 1_000 });
  const config = { ...configFor(sandbox.url, REDIS_URL, 10), CAS_MAX_CONCURRENT: 1 };
  const client = await buildCasClient(config, config.accounts[0], { redisNamespace: NAMESPACE });
  try {
    const bulkPages = 12;
    const filter = { orderType: 'CERT' as const, pageSize: 5, priority: 'bulk' as const };
    const pages = Promise.all(Array.from({ length: bulkPages }, (_, i) => client.listCertificatePage(filter, i + 1)));
    while (sandbox.calls.length === 0) await new Promise((resolve) => setTimeout(resolve, 5));
    const status = await client.getCertificateStatus(sandbox.dataset.certificates[0].serialNo);
    await pages;
    expect(status.Status).toBe('good');
    const actions = sandbox.calls.map((call) => call.action);
    expect(actions).toHaveLength(bulkPages + 1);
    const statusAt = actions.indexOf('DescribeClientCertificateStatusForSerialNumber');
    expect(statusAt).toBeLessThanOrEqual(4);
    expect(actions.length - statusAt - 1).toBeGreaterThanOrEqual(bulkPages - 4);
  } finally {
    await client.close();
    await sandbox.close();
  }
});
