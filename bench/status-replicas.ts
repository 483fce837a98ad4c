/**
 * Part of `npm run bench:cluster`: 150 distinct status lookups (what /cert-status sends) at 20 a
 * second, round robin over three replicas' CAS clients sharing one Redis limiter, against the
 * simulator in its own process (100 ms latency, throttling above CAS_QPS). Counts the CAS calls,
 * the busiest one-second window and the throttled answers at the simulator, and each lookup's
 * answer time. The replicas are three clients in this process (each its own limiter, send window
 * and Redis connections), the Redis budget and status batches theirs to share.
 */
import { lookUpStatus } from '../src/accounts/status-lookup';
import type { CasClient } from '../src/cas';
import { buildCasClient } from '../src/wiring/cas-client';
import { loadConfig } from '../src/config';
import { DEFAULT_ACCESS_KEY_ID, DEFAULT_ACCESS_KEY_SECRET, spawnSandbox } from '../src/sandbox';
import { busiestWindow } from './cluster-driver';
import { percentile } from './slack-load';

export const STATUS_TARGET = { calls: 20, p99Ms: 2_000, busiest: 10, throttled: 0 };

export interface StatusRun {
  lookups: number;
  replicas: number;
  calls: number;
  throttled: number;
  busiest: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  wrong: number;
}

export async function measureStatusLookups(input: {
  redisUrl: string;
  namespace: string;
  qps?: number;
  lookups?: number;
  perSecond?: number;
  replicas?: number;
}): Promise<StatusRun> {
  const qps = input.qps ?? 10;
  const lookups = input.lookups ?? 150;
  const everyMs = 1000 / (input.perSecond ?? 20);
  const sandbox = await spawnSandbox({ certs: 1_000, seed: 17, profile: 'mixed', qps, latencyMs: 100 });
  const clients: CasClient[] = [];
  try {
    const config = loadConfig({
      CAS_ENDPOINT: sandbox.url,
      ALIBABA_CLOUD_ACCESS_KEY_ID: DEFAULT_ACCESS_KEY_ID,
      ALIBABA_CLOUD_ACCESS_KEY_SECRET: DEFAULT_ACCESS_KEY_SECRET,
      CAS_QPS: String(qps),
      REDIS_URL: input.redisUrl,
    });
    for (let i = 0; i < (input.replicas ?? 3); i++)
      clients.push(await buildCasClient(config, config.accounts[0], { redisNamespace: input.namespace }));
    // Distinct serials of the simulator's own certificates, taken from its listing.
    const page = await clients[0]?.listCertificatePage({ pageSize: 200 }, 1);
    const serials = (page?.CertificateOrderList ?? []).map((c) => String(c.SerialNo)).slice(0, lookups);
    await sandbox.reset();
    const times = await Promise.all(
      serials.map(
        (serial, i) =>
          new Promise<{ ms: number; ok: boolean }>((resolve) => {
            setTimeout(() => {
              const started = performance.now();
              const cas = clients[i % clients.length] as CasClient;
              lookUpStatus([{ name: 'main', cas }], [serial]).then(
                ({ results }) => resolve({ ms: performance.now() - started, ok: results[0]?.Status !== 'unknown' }),
                () => resolve({ ms: performance.now() - started, ok: false }),
              );
            }, i * everyMs);
          }),
      ),
    );
    const stats = await sandbox.stats();
    const calls = await sandbox.calls();
    const ms = times.map((t) => t.ms).sort((a, b) => a - b);
    return {
      lookups: serials.length,
      replicas: clients.length,
      calls: stats.calls,
      throttled: stats.throttled,
      busiest: busiestWindow(calls),
      p50Ms: percentile(ms, 50),
      p99Ms: percentile(ms, 99),
      maxMs: ms[ms.length - 1] ?? Number.NaN,
      wrong: times.filter((t) => !t.ok).length,
    };
  } finally {
    await Promise.all(clients.map((client) => client.close()));
    await sandbox.close();
  }
}

export function statusChecks(run: StatusRun): Array<[string, boolean, string]> {
  return [
    [`CAS calls ≤ ${STATUS_TARGET.calls}`, run.calls <= STATUS_TARGET.calls, String(run.calls)],
    [
      `answer p99 ≤ ${STATUS_TARGET.p99Ms} ms`,
      run.p99Ms <= STATUS_TARGET.p99Ms,
      `p50 ${run.p50Ms.toFixed(0)} / p99 ${run.p99Ms.toFixed(0)} / max ${run.maxMs.toFixed(0)} ms`,
    ],
    [`≤ ${STATUS_TARGET.busiest} calls in any second`, run.busiest <= STATUS_TARGET.busiest, String(run.busiest)],
    [`throttled = ${STATUS_TARGET.throttled}`, run.throttled === STATUS_TARGET.throttled, String(run.throttled)],
    ['every lookup answered (not unknown, no error)', run.wrong === 0, `${run.lookups - run.wrong}/${run.lookups}`],
  ];
}
