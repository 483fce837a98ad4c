/**
 * npm run bench:cas — list 10,000 certificates from the simulator (100 ms added latency) through
 * the real client, the concurrent way (every page queued on the limiter once TotalCount is known)
 * and the naive way (one page after another), and compare both with the QPS-bound minimum.
 */
import { type CasClient, createCasClient } from '../src/cas/client';
import { parseEndpoint } from '../src/cas/endpoint';
import { createTransport } from '../src/cas/transport';
import type { ListFilter } from '../src/cas/types';
import { DEFAULT_ACCESS_KEY_ID, DEFAULT_ACCESS_KEY_SECRET, spawnSandbox } from '../src/sandbox';

const CERTS = Number(process.env.BENCH_CERTS ?? 10_000);
const LATENCY_MS = Number(process.env.BENCH_LATENCY_MS ?? 100);
const QPS = Number(process.env.CAS_QPS ?? 10);
const PAGE_SIZE = 50;

interface Row {
  way: string;
  certificates: number;
  pages: number;
  calls: number;
  throttled: number;
  wallSeconds: number;
  ratio: number;
}

async function measure(way: 'concurrent' | 'naive'): Promise<Row> {
  // The simulator runs in its own process, as CAS would, so it does not share our event loop.
  const sandbox = await spawnSandbox({ certs: CERTS, seed: 1, profile: 'healthy', qps: QPS, latencyMs: LATENCY_MS });
  const client: CasClient = createCasClient({
    transport: createTransport({
      endpoint: parseEndpoint(sandbox.url),
      region: 'cn-hangzhou',
      credentials: { accessKeyId: DEFAULT_ACCESS_KEY_ID, accessKeySecret: DEFAULT_ACCESS_KEY_SECRET },
      timeoutMs: 10_000,
    }),
    qps: QPS,
    maxConcurrent: 10,
    attempts: 4,
    cacheTtlSeconds: 60,
    pageSize: PAGE_SIZE,
  });
  const filter: ListFilter = { orderType: 'CERT', pageSize: PAGE_SIZE };
  const started = performance.now();
  let certificates = 0;
  if (way === 'concurrent') {
    for await (const _ of client.listCertificates(filter)) certificates++;
  } else {
    let page = 1;
    let total = Number.POSITIVE_INFINITY;
    while ((page - 1) * PAGE_SIZE < total) {
      const answer = await client.listCertificatePage(filter, page++);
      total = answer.TotalCount;
      certificates += answer.CertificateOrderList.length;
    }
  }
  const wallSeconds = (performance.now() - started) / 1000;
  const stats = await sandbox.stats();
  const pages = Math.ceil(certificates / PAGE_SIZE);
  await client.close();
  await sandbox.close();
  return {
    way,
    certificates,
    pages,
    calls: stats.calls,
    throttled: stats.throttled,
    wallSeconds,
    ratio: wallSeconds / (pages / QPS),
  };
}

async function main(): Promise<void> {
  console.log(
    `bench:cas — ${CERTS} certificates, page size ${PAGE_SIZE}, CAS_QPS ${QPS}, ${LATENCY_MS} ms added latency`,
  );
  const rows = [await measure('concurrent'), await measure('naive')];
  console.table(
    rows.map((r) => ({
      way: r.way,
      certificates: r.certificates,
      pages: r.pages,
      calls: r.calls,
      throttled: r.throttled,
      'wall s': r.wallSeconds.toFixed(2),
      'QPS-bound min s': (r.pages / QPS).toFixed(2),
      ratio: r.ratio.toFixed(3),
    })),
  );
  const concurrent = rows[0];
  const ok = concurrent.ratio <= 1.1 && concurrent.throttled === 0 && concurrent.certificates === CERTS;
  console.log(
    `target: ratio <= 1.10 with zero throttled answers — ${ok ? 'met' : 'NOT met'} (ratio ${concurrent.ratio.toFixed(3)}, throttled ${concurrent.throttled})`,
  );
  process.exitCode = ok ? 0 : 1;
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
