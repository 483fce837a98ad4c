/**
 * npm run bench:probe — a probing pass over 5,000 endpoints of the simulator's wire:
 *  1. the simulator (in its own process, with --wire) holds enough certificates for 5,000
 *     endpoints; the inventory is synced from it into a fresh SQLite store first;
 *  2. the targets come from the inventory (buildProbeTargets, cut at BENCH_ENDPOINTS) and are
 *     probed and judged through checkEndpoints, PROBE_CONCURRENCY at once, as a pass would;
 *  3. printed: endpoints per second, handshake p50/p99, the bench process's peak RSS, the
 *     verdicts, and the CAS calls the pass made (none: probing reads the wire, not CAS);
 *  4. the simulator's cost of fingerprints: certificates are made when a row is listed, so a
 *     10,000 and a 100,000-certificate data set cost nothing up front; the first listing of
 *     every row pays once, later ones reuse the fingerprints.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '../src/config';
import { buildProbeTargets } from '../src/domain/probe-targets';
import { checkEndpoints } from '../src/probe/check';
import { DEFAULT_PROBE_DENY_WITHOUT_LOOPBACK } from '../src/probe/deny';
import { proberFromConfig } from '../src/wiring/prober';
import { silentLogger } from '../src/ops/logger';
import { DEFAULT_ACCESS_KEY_ID, DEFAULT_ACCESS_KEY_SECRET, generateDataset, spawnSandbox } from '../src/sandbox';
import { OPERATIONS } from '../src/sandbox/operations';
import { createServices } from '../src/services';
import { machineMeter } from './inventory-proc';
import { ascending, percentile } from './slack-load';

const ENDPOINTS = Number(process.env.BENCH_ENDPOINTS ?? 5_000);
/** About 1.7 endpoints per certificate of the inventory (names, deployed domains, listener ports): enough for the cut. */
const CERTS = Number(process.env.BENCH_CERTS ?? Math.ceil(ENDPOINTS / 1.6));
const CONCURRENCY = process.env.PROBE_CONCURRENCY ?? '16';
const TIMEOUT_MS = process.env.PROBE_TIMEOUT_MS ?? '5000';
const FINGERPRINT_SIZES = (process.env.BENCH_FINGERPRINT_SIZES ?? '10000,100000').split(',').map(Number);
const WATCHDOG_MS = Number(process.env.BENCH_TIMEOUT_MS ?? 10 * 60_000);

const mb = (bytes: number) => `${Math.round(bytes / 1024 / 1024)} MB`;
const s = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
const n = (value: number) => value.toLocaleString('en-US');

async function probePass(): Promise<void> {
  const sandbox = await spawnSandbox({ certs: CERTS, seed: 23, qps: 1_000, replacedPairs: 40, wire: true });
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-probe-'));
  try {
    const config = loadConfig({
      CAS_ENDPOINT: sandbox.url,
      ALIBABA_CLOUD_ACCESS_KEY_ID: DEFAULT_ACCESS_KEY_ID,
      ALIBABA_CLOUD_ACCESS_KEY_SECRET: DEFAULT_ACCESS_KEY_SECRET,
      CAS_QPS: '1000',
      CAS_MAX_CONCURRENT: '20',
      DATA_DIR: dir,
      PROBE_RESOLVE: `*:*=${sandbox.wire?.endpoint}`,
      PROBE_CA_FILE: sandbox.wire?.caFile,
      PROBE_DENY: DEFAULT_PROBE_DENY_WITHOUT_LOOPBACK.join(','),
      PROBE_CONCURRENCY: CONCURRENCY,
      PROBE_TIMEOUT_MS: TIMEOUT_MS,
      PROBE_MAX_TARGETS: String(ENDPOINTS),
    });
    const services = createServices(config, { logger: silentLogger() });
    try {
      const synced = await services.syncNow();
      const snapshot = await services.inventorySnapshot();
      if (!snapshot) throw new Error('the inventory did not sync');
      const syncCalls = (await sandbox.stats()).calls;
      await sandbox.reset();

      const now = () => new Date();
      const list = buildProbeTargets({
        certificates: snapshot.certificates,
        configured: config.PROBE_TARGETS,
        maxTargets: config.PROBE_MAX_TARGETS,
        now: now(),
      });
      const prober = proberFromConfig(config);
      let peakRss = process.memoryUsage().rss;
      const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 100);
      const meter = machineMeter();
      const ownCpu = process.cpuUsage();
      const started = performance.now();
      const { verdicts, observations } = await checkEndpoints({
        endpoints: list.targets,
        prober,
        certificates: snapshot.certificates,
        now,
      });
      const wallMs = performance.now() - started;
      clearInterval(sampler);
      const share = meter();
      const own = process.cpuUsage(ownCpu);
      const ownSeconds = (own.user + own.system) / 1e6;
      peakRss = Math.max(peakRss, process.memoryUsage().rss);
      const casCalls = (await sandbox.stats()).calls;

      const handshakes = ascending(observations.flat().flatMap((o) => (o.ok ? [o.handshakeMs] : [])));
      const counts = new Map<string, number>();
      for (const v of verdicts) counts.set(v.verdict, (counts.get(v.verdict) ?? 0) + 1);
      const failures = new Map<string, number>();
      for (const v of verdicts)
        if (v.failure) failures.set(v.failure.reason, (failures.get(v.failure.reason) ?? 0) + 1);

      console.log(
        `bench:probe — ${n(list.targets.length)} endpoints of the simulator's wire (${n(snapshot.certificates.length)} certificates, ${list.total} targets found, cut at ${ENDPOINTS}), PROBE_CONCURRENCY ${CONCURRENCY}`,
      );
      console.log(
        `  pass                 ${s(wallMs)}: ${n(Math.round(list.targets.length / (wallMs / 1000)))} endpoints/s`,
      );
      console.log(
        `  handshake            p50 ${percentile(handshakes, 50).toFixed(1)} ms, p99 ${percentile(handshakes, 99).toFixed(1)} ms, max ${(handshakes[handshakes.length - 1] ?? 0).toFixed(1)} ms (${n(handshakes.length)} handshakes)`,
      );
      console.log(
        `  verdicts             ${[...counts].map(([k, v]) => `${n(v)} ${k}`).join(', ')}${failures.size > 0 ? ` (failures: ${[...failures].map(([k, v]) => `${v} ${k}`).join(', ')})` : ''}`,
      );
      // A second pass, as the next interval's: the simulator has its TLS contexts ready by now.
      const againStarted = performance.now();
      const again = await checkEndpoints({ endpoints: list.targets, prober, certificates: snapshot.certificates, now });
      const againMs = performance.now() - againStarted;
      const againHandshakes = ascending(again.observations.flat().flatMap((o) => (o.ok ? [o.handshakeMs] : [])));
      const casCallsAfter = (await sandbox.stats()).calls;
      console.log(
        `  second pass          ${s(againMs)}: ${n(Math.round(list.targets.length / (againMs / 1000)))} endpoints/s, handshake p50 ${percentile(againHandshakes, 50).toFixed(1)} ms, p99 ${percentile(againHandshakes, 99).toFixed(1)} ms`,
      );
      console.log(
        `  CAS calls            ${casCalls} during the first pass, ${casCallsAfter - casCalls} during the second (the sync before it made ${syncCalls}: ${synced.pages} pages)`,
      );
      console.log(`  RSS                  peak ${mb(peakRss)} (this process: prober, verdicts, inventory)`);
      if (share.benchTree !== undefined)
        console.log(
          `  CPU, first pass      ${share.benchTree.toFixed(1)} s: the prober ${ownSeconds.toFixed(1)} s (${((ownSeconds * 1000) / list.targets.length).toFixed(2)} ms an endpoint), the simulator ${(share.benchTree - ownSeconds).toFixed(1)} s; other processes ${share.others?.toFixed(1)} s in ${share.wallSeconds.toFixed(1)} s on ${os.cpus().length} cores`,
        );
    } finally {
      await services.stop();
    }
  } finally {
    await sandbox.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** What rows cost the simulator now that each carries the fingerprints of a real certificate. */
function fingerprintCost(certs: number): void {
  let started = performance.now();
  const dataset = generateDataset({ count: certs, seed: 5 });
  const generated = performance.now() - started;
  const list = (page: number, size: number) =>
    OPERATIONS.ListUserCertificateOrder?.handle(
      { OrderType: 'CERT', Status: '', CurrentPage: String(page), ShowSize: String(size) },
      dataset,
      Date.now(),
    ) as { TotalCount: number; CertificateOrderList: unknown[] };
  started = performance.now();
  list(1, 50);
  const firstPage = performance.now() - started;
  const pages = Math.ceil(list(1, 1).TotalCount / 1000);
  const everyRow = () => {
    const t = performance.now();
    let rows = 0;
    for (let page = 1; page <= pages; page++) rows += list(page, 1000).CertificateOrderList.length;
    return { ms: performance.now() - t, rows };
  };
  const first = everyRow();
  const again = everyRow();
  console.log(
    `  ${n(certs)} certificates: data set ${s(generated)} (no certificate made); first page of 50 rows ${firstPage.toFixed(0)} ms; ` +
      `every valid row (${n(first.rows)} in ${pages} pages of 1,000) ${s(first.ms)}, ${(first.ms / first.rows).toFixed(3)} ms a row; ` +
      `again ${s(again.ms)}; RSS ${mb(process.memoryUsage().rss)}`,
  );
}

async function main(): Promise<void> {
  const watchdog = setTimeout(() => {
    console.error(`bench:probe did not finish within ${WATCHDOG_MS / 1000} s`);
    process.exit(1);
  }, WATCHDOG_MS);
  watchdog.unref();
  await probePass();
  console.log('simulator — certificates made on first use (ListUserCertificateOrder rows with real fingerprints)');
  for (const size of FINGERPRINT_SIZES) fingerprintCost(size);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
