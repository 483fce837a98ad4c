/**
 * npm run bench:cluster — three replicas list 10,000 certificates between them (each a third of
 * the 200 pages of 50) from the simulator (100 ms added latency, throttling at CAS_QPS), once
 * sharing one Redis and once each with its own limiter, and compare the aggregate call rate and
 * the throttled answers with CAS_QPS.
 *
 * Then 150 distinct status lookups over three replicas on the same Redis (bench/status-replicas.ts);
 * BENCH_STATUS_ONLY=1 runs that part alone.
 *
 * REDIS_URL (default redis://127.0.0.1:6379) is the Redis the workers share; the benchmark uses
 * its own key namespace there and deletes it before each run.
 */
import Redis from 'ioredis';
import { spawnSandbox } from '../src/sandbox';
import { busiestWindow, runCluster, splitPages } from './cluster-driver';
import { measureStatusLookups, statusChecks } from './status-replicas';

const CERTS = Number(process.env.BENCH_CERTS ?? 10_000);
const LATENCY_MS = Number(process.env.BENCH_LATENCY_MS ?? 100);
const QPS = Number(process.env.CAS_QPS ?? 10);
const WORKERS = Number(process.env.BENCH_WORKERS ?? 3);
const REDIS_URL = process.env.REDIS_URL || 'redis://127.0.0.1:6379';
const NAMESPACE = 'cas-cert-bot:bench';
const STATUS_ONLY = process.env.BENCH_STATUS_ONLY === '1';
const PAGE_SIZE = 50;

interface Row {
  mode: 'shared Redis' | 'no Redis';
  workers: number;
  pages: number;
  certificates: number;
  failedPages: number;
  calls: number;
  throttled: number;
  wallSeconds: number;
  callsPerSecond: number;
  busiest: number;
}

function redisTarget(url: string): string {
  const parsed = new URL(url);
  return `${parsed.hostname}:${parsed.port || '6379'}`;
}

/** Deletes the benchmark's limiter and status-batch keys so that a run never inherits the previous one's state. */
async function flushNamespace(): Promise<number> {
  const redis = new Redis(REDIS_URL, { lazyConnect: true, connectTimeout: 3_000, maxRetriesPerRequest: 0 });
  redis.on('error', () => undefined);
  try {
    await redis.connect();
  } catch (error) {
    redis.disconnect();
    throw new Error(
      `Redis at ${redisTarget(REDIS_URL)} is unreachable (${error instanceof Error ? error.message : String(error)}); ` +
        'start it or set REDIS_URL.',
    );
  }
  let deleted = 0;
  try {
    for (const pattern of [`b_${NAMESPACE}-*`, `${NAMESPACE}:status:*`]) {
      let cursor = '0';
      do {
        const [next, keys] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
        if (keys.length > 0) deleted += await redis.del(...keys);
        cursor = next;
      } while (cursor !== '0');
    }
  } finally {
    await redis.quit();
  }
  return deleted;
}

async function measure(mode: Row['mode']): Promise<Row> {
  const pages = Math.ceil(CERTS / PAGE_SIZE);
  // The simulator runs in its own process, as CAS would, so it does not share an event loop with a worker.
  const sandbox = await spawnSandbox({ certs: CERTS, seed: 1, profile: 'healthy', qps: QPS, latencyMs: LATENCY_MS });
  try {
    const run = await runCluster({
      endpoint: sandbox.url,
      qps: QPS,
      redisUrl: mode === 'shared Redis' ? REDIS_URL : undefined,
      namespace: NAMESPACE,
      workers: splitPages(pages, WORKERS, PAGE_SIZE),
      // Counts only the burst, not the workers' warm-up calls.
      beforeGo: () => sandbox.reset(),
    });
    const stats = await sandbox.stats();
    const calls = await sandbox.calls();
    const wallSeconds = (run.finishedAt - run.startedAt) / 1000;
    return {
      mode,
      workers: WORKERS,
      pages,
      certificates: run.reports.reduce((sum, r) => sum + r.certificates, 0),
      failedPages: run.reports.reduce((sum, r) => sum + r.failed, 0),
      calls: stats.calls,
      throttled: stats.throttled,
      wallSeconds,
      callsPerSecond: stats.calls / wallSeconds,
      busiest: busiestWindow(calls),
    };
  } finally {
    await sandbox.close();
  }
}

async function main(): Promise<void> {
  const stale = await flushNamespace();
  if (stale > 0) console.log(`deleted ${stale} leftover limiter keys of namespace ${NAMESPACE}`);
  const listed = STATUS_ONLY ? true : await measureListing();
  const statusMet = await measureStatus();
  process.exitCode = listed && statusMet ? 0 : 1;
}

/** The listing by three processes, with and without Redis; true when its target is met. */
async function measureListing(): Promise<boolean> {
  console.log(
    `bench:cluster — ${WORKERS} worker processes list ${CERTS} certificates (page size ${PAGE_SIZE}), ` +
      `CAS_QPS ${QPS}, ${LATENCY_MS} ms added latency, Redis ${redisTarget(REDIS_URL)}`,
  );
  const rows = [await measure('shared Redis'), await measure('no Redis')];
  await flushNamespace();
  console.table(
    rows.map((r) => ({
      mode: r.mode,
      workers: r.workers,
      pages: r.pages,
      certificates: r.certificates,
      'failed pages': r.failedPages,
      calls: r.calls,
      throttled: r.throttled,
      'wall s': r.wallSeconds.toFixed(2),
      'calls/s': r.callsPerSecond.toFixed(2),
      CAS_QPS: QPS,
      'busiest 1 s': r.busiest,
    })),
  );
  const shared = rows[0];
  const ok =
    shared.callsPerSecond <= QPS &&
    shared.busiest <= QPS &&
    shared.throttled === 0 &&
    shared.failedPages === 0 &&
    shared.certificates === CERTS;
  console.log(
    `target: with Redis, aggregate <= CAS_QPS in every one-second window and zero throttled answers — ` +
      `${ok ? 'met' : 'NOT met'} (${shared.callsPerSecond.toFixed(2)} calls/s, busiest window ${shared.busiest}, ` +
      `throttled ${shared.throttled}, ${shared.certificates}/${CERTS} certificates)`,
  );
  const local = rows[1];
  console.log(
    `without Redis each replica spends its own CAS_QPS: ${local.throttled} throttled answers, ` +
      `busiest window ${local.busiest} calls, ${local.failedPages} pages failed after CAS_MAX_ATTEMPTS (4) attempts`,
  );
  return ok;
}

/** Status lookups over three replicas on one Redis; true when every check passes. */
async function measureStatus(): Promise<boolean> {
  // The table: 150 distinct /cert-status at 20 a second across three replicas on one
  // Redis, whose lookups join each other's calls.
  const status = await measureStatusLookups({ redisUrl: REDIS_URL, namespace: NAMESPACE, qps: QPS });
  await flushNamespace();
  console.log(
    `\n${status.lookups} distinct status lookups at 20/s over ${status.replicas} replicas sharing Redis ` +
      `(CAS_QPS ${QPS}, 100 ms latency):`,
  );
  const checks = statusChecks(status);
  for (const [what, passed, value] of checks) console.log(`  ${passed ? 'PASS' : 'FAIL'}  ${what}: ${value}`);
  return checks.every(([, passed]) => passed);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
});
