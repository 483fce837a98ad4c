/**
 * npm run bench:inventory — the certificate inventory (issue 10) at the sizes users have:
 *  1. one sync of 10,000 certificates at 100 ms CAS latency and CAS_QPS 10, against pages ÷ QPS
 *     (BENCH_RATIO_ONLY=1 runs only this part, BENCH_RATIO_RUNS times, default 1);
 *  2. /cert-status answers while a second such sync runs (a signed command every ~250 ms, each
 *     with its own response_url), which the limiter must put ahead of the sync's pages;
 *  3. /cert-list expiring answered from the inventory at 10,000 and 100,000 certificates
 *     (BENCH_BIG_CERTS), with the CAS calls the simulator saw meanwhile;
 *  4. the peak RSS of `cert-bot sync --json` syncing 100,000 certificates and their resources, in
 *     its own process (issue 22: < 200 MB; the sync streams its pages into the store);
 *  5. serving at 100,000 (bench/serving.ts): a `cert-bot serve` child's RSS after 1,000 mixed
 *     requests, Home and /cert-info answer times, and /cert-list expiring including the first
 *     after another process synced (BENCH_SERVING_CERTS; BENCH_SERVING=0 leaves it out,
 *     BENCH_SERVING_ONLY=1 runs only it).
 * BENCH_SYNC_ONLY=1 runs only part 4's `cert-bot sync` (and the small one it is compared with).
 * The bot runs in this process (real Bolt HTTP receiver, CAS client, limiter, SQLite store); each
 * simulator runs in its own, as CAS would.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { type Config, loadConfig } from '../src/config';
import { signedFormHeaders } from '../src/demo/request-signing';
import { type ResponseSink, startResponseSink } from '../src/demo/response-sink';
import type { SyncSummary } from '../src/inventory/sync';
import { silentLogger } from '../src/ops/logger';
import { generateDataset, type SandboxProcess, type SandboxStats, spawnSandbox } from '../src/sandbox';
import { mulberry32, shuffle } from '../src/sandbox/prng';
import { createServices, type Services } from '../src/services';
import { botSettings, cleanEnv } from './bot-env';
import { describeReplacementRun, replacementRuns } from './replacements';
import { machineMeter, type MachineShare, type PeakRun, runWithPeakRss } from './inventory-proc';
import { reportServing, runServing, type ServingRun, servingOptionsFromEnv } from './serving';
import { freePort, type Latency, latencyOf, postForStatus } from './slack-load';

const CERTS = Number(process.env.BENCH_CERTS ?? 10_000);
const BIG_CERTS = Number(process.env.BENCH_BIG_CERTS ?? 100_000);
const LATENCY_MS = Number(process.env.BENCH_LATENCY_MS ?? 100);
const QPS = Number(process.env.CAS_QPS ?? 10);
const STATUS_EVERY_MS = Number(process.env.BENCH_STATUS_EVERY_MS ?? 250);
const LIST_COMMANDS = Number(process.env.BENCH_LIST_COMMANDS ?? 20);
/** Only part 1, the sync's ratio to pages ÷ QPS and its throttled answers, this many times. */
const RATIO_ONLY = process.env.BENCH_RATIO_ONLY === '1';
const RATIO_RUNS = Math.max(1, Number(process.env.BENCH_RATIO_RUNS ?? 1));
/** The big sync is about memory, not the limiter: no latency, a budget it never reaches. */
const BIG_QPS = 1_000;
const BIG_MAX_CONCURRENT = 20;
/** A small sync in the same way, for the process's RSS before certificates count. */
const BASELINE_CERTS = 500;
const SEED = 11;
const PROFILE = 'mixed' as const;

// Every loop is bounded in count and in time.
const MAX_STATUS_COMMANDS = 400;
const SYNC_TIMEOUT_MS = 180_000;
const ANSWER_TIMEOUT_MS = 30_000;
/** The big sync's own limit: 100,000 certificates and their resources are 4,800 pages, minutes on a busy machine. */
const CHILD_SYNC_TIMEOUT_MS = Number(process.env.BENCH_CHILD_TIMEOUT_MS ?? 1_200_000);
const SERVING = process.env.BENCH_SERVING !== '0';
const SERVING_ONLY = process.env.BENCH_SERVING_ONLY === '1';
/** Only part 4's `cert-bot sync` of BIG_CERTS (and its baseline of BASELINE_CERTS): the peak RSS alone. */
const SYNC_ONLY = process.env.BENCH_SYNC_ONLY === '1';
const PARTS = SERVING ? 5 : 4;
// The serving part syncs 100,000 certificates twice and sends 1,000 requests: half an hour more at most.
const WATCHDOG_MS = Number(process.env.BENCH_TIMEOUT_MS ?? (SERVING ? 75 : 45) * 60_000);

const TARGET = { ratio: 1.1, statusP99Ms: 1_500, listMs: 300, peakRssMb: 200 };
const EVENTS_PATH = '/slack/events';

interface CommandSample {
  id: string;
  status: number;
  /** performance.now() just before the request was written. */
  sentAt: number;
  ackMs: number;
  /** Send to the answer at the sink; undefined: no answer within ANSWER_TIMEOUT_MS. */
  answerMs?: number;
  /** The answer's fallback text, shortened. */
  text?: string;
  /** The whole answer as JSON, for checks on what it says. */
  json?: string;
}

interface Bot {
  services: Services;
  port: number;
  sink: ResponseSink;
  signingSecret: string;
  agent: http.Agent;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const fixed = (value: number | undefined, digits = 1) =>
  value === undefined || !Number.isFinite(value) ? '-' : value.toFixed(digits);

async function startBot(settings: Record<string, string>, sink: ResponseSink): Promise<Bot> {
  const config: Config = loadConfig(settings);
  const services = createServices(config, {
    logger: silentLogger(),
    botIdentity: { botId: 'B0BENCH', botUserId: 'U0BENCH' },
  });
  const { port } = await services.start();
  if (port === undefined) throw new Error('the bot bound no HTTP port');
  return {
    services,
    port,
    sink,
    signingSecret: settings.SLACK_SIGNING_SECRET,
    agent: new http.Agent({ keepAlive: true, maxSockets: 16 }),
  };
}

function post(bot: Bot, body: string): Promise<number> {
  return postForStatus({
    agent: bot.agent,
    port: bot.port,
    path: EVENTS_PATH,
    body,
    headers: signedFormHeaders(body, bot.signingSecret),
    timeoutMs: 10_000,
  });
}

/** One signed slash command, timed from send to its answer at the sink. */
async function command(bot: Bot, id: string, name: string, text: string): Promise<CommandSample> {
  // Wait at the sink before sending, so the answer is timed when it arrives.
  const answer = bot.sink.next(id, ANSWER_TIMEOUT_MS).then(
    (message) => ({ message, at: performance.now() }),
    () => undefined,
  );
  const body = new URLSearchParams({
    token: 'deprecated-verification-token',
    team_id: 'T0BENCH',
    team_domain: 'bench',
    channel_id: 'C0BENCH',
    channel_name: 'bench',
    user_id: 'U0BENCHUSER',
    user_name: 'bench',
    command: name,
    text,
    api_app_id: 'A0CERTBOT',
    is_enterprise_install: 'false',
    response_url: bot.sink.url(id),
    trigger_id: `trigger-${id}`,
  }).toString();
  const sentAt = performance.now();
  const status = await post(bot, body);
  const ackMs = performance.now() - sentAt;
  const got = await answer;
  return {
    id,
    status,
    sentAt,
    ackMs,
    answerMs: got ? got.at - sentAt : undefined,
    text: got ? String(got.message.text ?? '').slice(0, 160) : undefined,
    json: got ? JSON.stringify(got.message) : undefined,
  };
}

const isError = (sample: CommandSample) => sample.text?.startsWith('Could not') ?? false;

function latency(samples: readonly CommandSample[]): Latency {
  return latencyOf(samples, isError);
}

interface SyncRun {
  summary: SyncSummary;
  /** performance.now() when the sync resolved. */
  endedAt: number;
  wallSeconds: number;
  /** From the start to the last page's answer; the rest is building and writing the inventory. */
  pagingSeconds?: number;
  stats: SandboxStats;
  machine: MachineShare;
}

/** One sync through the services, timed; `during` runs alongside and is awaited after. */
async function timedSync<T>(
  bot: Bot,
  sandbox: SandboxProcess,
  during?: (syncing: () => boolean) => Promise<T>,
): Promise<SyncRun & { during?: T }> {
  await sandbox.reset();
  const meter = machineMeter();
  const started = performance.now();
  let lastPageAt: number | undefined;
  let finished = false;
  const sync = bot.services.syncNow({
    onProgress: ({ pagesDone, pagesTotal }) => {
      if (pagesDone === pagesTotal) lastPageAt = performance.now();
    },
  });
  // Awaited below; marked handled now so a failure is not an unhandled rejection meanwhile.
  sync.catch(() => undefined);
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`the sync did not finish within ${SYNC_TIMEOUT_MS / 1000} s`)),
      SYNC_TIMEOUT_MS,
    );
  });
  const alongside = during?.(() => !finished && performance.now() - started < SYNC_TIMEOUT_MS);
  try {
    const summary = await Promise.race([sync, timedOut]);
    finished = true;
    const endedAt = performance.now();
    const wallSeconds = (endedAt - started) / 1000;
    const result = alongside ? await alongside : undefined;
    const machine = meter();
    const stats = await sandbox.stats();
    return {
      summary,
      endedAt,
      wallSeconds,
      pagingSeconds: lastPageAt === undefined ? undefined : (lastPageAt - started) / 1000,
      stats,
      machine,
      during: result,
    };
  } finally {
    finished = true;
    clearTimeout(timer);
  }
}

/** Slash commands every `everyMs` while `active()`, each with the next serial; answers awaited after. */
async function statusLoad(bot: Bot, serials: readonly string[], active: () => boolean): Promise<CommandSample[]> {
  const pending: Promise<CommandSample>[] = [];
  // A moment for the sync's first pages to fill the limiter's queue.
  await sleep(STATUS_EVERY_MS);
  for (let i = 0; i < Math.min(MAX_STATUS_COMMANDS, serials.length) && active(); i++) {
    pending.push(command(bot, `status-${i}`, '/cert-status', serials[i]));
    await sleep(STATUS_EVERY_MS);
  }
  return Promise.all(pending);
}

interface ListRun {
  certificates: number;
  samples: CommandSample[];
  casCalls: number;
  byAction: Record<string, number>;
  fromInventory: number;
  machine: MachineShare;
}

/** `/cert-list expiring` one after another, counting the CAS calls the simulator saw meanwhile. */
async function listRun(bot: Bot, sandbox: SandboxProcess, certificates: number, prefix: string): Promise<ListRun> {
  await sandbox.reset();
  const meter = machineMeter();
  const samples: CommandSample[] = [];
  for (let i = 0; i < LIST_COMMANDS; i++) samples.push(await command(bot, `${prefix}-${i}`, '/cert-list', 'expiring'));
  const machine = meter();
  const stats = await sandbox.stats();
  return {
    certificates,
    samples,
    casCalls: stats.calls,
    byAction: stats.byAction,
    fromInventory: samples.filter((s) => s.json?.includes('As of ') && !s.json.includes('Listed live')).length,
    machine,
  };
}

interface BigSync {
  run: PeakRun;
  summary?: SyncSummary;
  stats?: SandboxStats;
  machine: MachineShare;
}

function parseSummary(stdout: string): SyncSummary | undefined {
  const start = stdout.search(/^\{/m);
  if (start < 0) return undefined;
  try {
    return JSON.parse(stdout.slice(start, stdout.lastIndexOf('}') + 1)) as SyncSummary;
  } catch {
    return undefined;
  }
}

async function bigSync(sandbox: SandboxProcess, dataDir: string, cwd: string, slackApiUrl: string): Promise<BigSync> {
  const cli = path.resolve(__dirname, '..', 'src', 'cli.js');
  if (!fs.existsSync(cli)) throw new Error(`${cli} is missing: run "npm run build" first`);
  await sandbox.reset();
  const meter = machineMeter();
  const settings = botSettings({
    casUrl: sandbox.url,
    dataDir,
    qps: BIG_QPS,
    maxConcurrent: BIG_MAX_CONCURRENT,
    signingSecret: 'unused',
    slackApiUrl,
  });
  const run = await runWithPeakRss([cli, 'sync', '--json'], {
    // Run in a temp folder so a developer's .env cannot change what is measured.
    cwd,
    env: cleanEnv({ ...settings, LOG_LEVEL: 'error' }),
    timeoutMs: CHILD_SYNC_TIMEOUT_MS,
  });
  const machine = meter();
  return { run, summary: parseSummary(run.stdout), stats: await sandbox.stats(), machine };
}

/** The same child with a small data set: what the process holds before certificates count. */
async function baselineSync(tmp: string, slackApiUrl: string, cleanup: Array<() => Promise<void>>): Promise<BigSync> {
  const smallSandbox = await spawnSandbox({ certs: BASELINE_CERTS, seed: SEED, profile: PROFILE, qps: BIG_QPS });
  cleanup.push(() => smallSandbox.close());
  const smallDir = path.join(tmp, 'store-small');
  fs.mkdirSync(smallDir);
  const baseline = await bigSync(smallSandbox, smallDir, tmp, slackApiUrl);
  await smallSandbox.close();
  return baseline;
}

/** Part 4's sync alone (BENCH_SYNC_ONLY): the big sync into a new store, then the baseline. */
async function bigAndBaseline(
  tmp: string,
  slackApiUrl: string,
  cleanup: Array<() => Promise<void>>,
): Promise<{ big: BigSync; baseline: BigSync }> {
  const bigSandbox = await spawnSandbox({ certs: BIG_CERTS, seed: SEED, profile: PROFILE, qps: BIG_QPS });
  cleanup.push(() => bigSandbox.close());
  const bigDir = path.join(tmp, 'store-big');
  fs.mkdirSync(bigDir);
  const big = await bigSync(bigSandbox, bigDir, tmp, slackApiUrl);
  await bigSandbox.close();
  return { big, baseline: await baselineSync(tmp, slackApiUrl, cleanup) };
}

function listRow(run: ListRun) {
  const l = latency(run.samples);
  return {
    certificates: run.certificates,
    commands: l.count,
    'first ms (cold)': fixed(run.samples[0]?.answerMs),
    'p50 ms': fixed(l.p50),
    'p99 ms': fixed(l.p99),
    'max ms': fixed(l.max),
    'from inventory': `${run.fromInventory}/${l.count}`,
    'CAS calls': run.casCalls,
  };
}

function busyNote(label: string, machine: MachineShare): string | undefined {
  if (machine.others === undefined) return undefined;
  // Over a quarter of a core used by other processes: the figures of this phase are noisy.
  if (machine.others <= 0.25 * machine.wallSeconds) return undefined;
  return `${label}: other processes used ${(machine.others / machine.wallSeconds).toFixed(2)} cores on average (bench tree ${fixed(
    (machine.benchTree ?? 0) / machine.wallSeconds,
    2,
  )})`;
}

async function main(): Promise<void> {
  const cleanup: Array<() => Promise<void>> = [];
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-inventory-'));
  cleanup.push(async () => fs.rmSync(tmp, { recursive: true, force: true }));
  // The last resort: whatever hangs, the bench stops its children and exits.
  const watchdog = setTimeout(() => {
    console.error(`bench:inventory: still running after ${WATCHDOG_MS / 1000} s; stopping.`);
    void Promise.allSettled(cleanup.reverse().map((step) => step())).finally(() => process.exit(2));
  }, WATCHDOG_MS);
  watchdog.unref();

  const load = os.loadavg()[0];
  if (SERVING_ONLY) {
    try {
      const options = servingOptionsFromEnv({ certs: BIG_CERTS, qps: QPS, tmp });
      console.log(
        `bench:inventory, serving part only — ${options.certs} certificates, ${options.commands} mixed requests ` +
          `(${os.cpus().length} cores, load average ${load.toFixed(2)} at start)`,
      );
      const ok = printChecks(reportServing(await runServing(options)));
      process.exitCode = ok ? 0 : 1;
    } finally {
      for (const step of cleanup.reverse()) await step().catch(() => undefined);
      clearTimeout(watchdog);
    }
    return;
  }
  if (SYNC_ONLY) {
    try {
      console.log(
        `bench:inventory, the sync's peak RSS only — \`cert-bot sync --json\` of ${BIG_CERTS} certificates ` +
          `(${os.cpus().length} cores, load average ${load.toFixed(2)} at start)`,
      );
      const slackApiUrl = `http://127.0.0.1:${await freePort()}/api/`;
      const { big, baseline } = await bigAndBaseline(tmp, slackApiUrl, cleanup);
      const census = {
        [BIG_CERTS]: byStatus(generateDataset({ count: BIG_CERTS, seed: SEED, profile: PROFILE }).certificates),
      };
      const busy = busyNote(`sync of ${BIG_CERTS}`, big.machine);
      if (busy) console.log(`\nWarning: the machine was busy: ${busy}`);
      const ok = printChecks([reportBigSync(big, baseline, census)]);
      console.log(`load average at the end ${os.loadavg()[0].toFixed(2)}`);
      process.exitCode = ok ? 0 : 1;
    } finally {
      for (const step of cleanup.reverse()) await step().catch(() => undefined);
      clearTimeout(watchdog);
    }
    return;
  }
  console.log(
    `bench:inventory — ${CERTS} certificates at ${LATENCY_MS} ms CAS latency and CAS_QPS ${QPS}; ` +
      `/cert-list at ${CERTS} and ${BIG_CERTS}; peak RSS of \`cert-bot sync\` at ${BIG_CERTS} ` +
      `(${os.cpus().length} cores, load average ${load.toFixed(2)} at start)`,
  );
  try {
    const sink = await startResponseSink();
    cleanup.push(() => sink.close());
    const slackApiUrl = `http://127.0.0.1:${await freePort()}/api/`;
    const signingSecret = crypto.randomBytes(16).toString('hex');

    // ── 10,000 certificates, 100 ms latency, CAS_QPS 10 ──
    const sandbox = await spawnSandbox({ certs: CERTS, seed: SEED, profile: PROFILE, qps: QPS, latencyMs: LATENCY_MS });
    cleanup.push(() => sandbox.close());
    // Same count, seed and profile as the simulator: the same serials, in a shuffled order.
    const dataset = generateDataset({ count: CERTS, seed: SEED, profile: PROFILE }).certificates;
    const serials = shuffle(
      mulberry32(SEED),
      dataset.map((c) => c.serialNo),
    );
    const census: Record<number, Record<string, number>> = { [CERTS]: byStatus(dataset) };
    const dataDir = path.join(tmp, 'store-10k');
    fs.mkdirSync(dataDir);
    const bot = await startBot(
      botSettings({ casUrl: sandbox.url, dataDir, qps: QPS, signingSecret, slackApiUrl }),
      sink,
    );
    cleanup.push(async () => {
      bot.agent.destroy();
      await bot.services.stop();
    });

    console.log(`[1/${PARTS}] sync of ${CERTS} certificates, nothing else running ...`);
    const alone = await timedSync(bot, sandbox);
    if (RATIO_ONLY) {
      const runs = [alone];
      while (runs.length < RATIO_RUNS) runs.push(await timedSync(bot, sandbox));
      process.exitCode = reportRatio(runs) ? 0 : 1;
      return;
    }
    console.log(`[2/${PARTS}] second sync with /cert-status every ${STATUS_EVERY_MS} ms ...`);
    const withStatus = await timedSync(bot, sandbox, (syncing) => statusLoad(bot, serials, syncing));
    console.log(`[3/${PARTS}] /cert-list expiring × ${LIST_COMMANDS} at ${CERTS} ...`);
    const list10k = await listRun(bot, sandbox, alone.summary.certificates, 'list10k');
    bot.agent.destroy();
    await bot.services.stop();
    await sandbox.close();

    // ── BIG_CERTS certificates: `cert-bot sync` in its own process, then /cert-list on its store ──
    console.log(`[4/${PARTS}] \`cert-bot sync --json\` of ${BIG_CERTS} certificates (peak RSS), then /cert-list ...`);
    const bigSandbox = await spawnSandbox({ certs: BIG_CERTS, seed: SEED, profile: PROFILE, qps: BIG_QPS });
    cleanup.push(() => bigSandbox.close());
    const bigDir = path.join(tmp, 'store-big');
    fs.mkdirSync(bigDir);
    const big = await bigSync(bigSandbox, bigDir, tmp, slackApiUrl);
    census[BIG_CERTS] = byStatus(generateDataset({ count: BIG_CERTS, seed: SEED, profile: PROFILE }).certificates);
    let list50k: ListRun | undefined;
    if (big.run.code === 0 && big.summary) {
      const bigBot = await startBot(
        botSettings({ casUrl: bigSandbox.url, dataDir: bigDir, qps: QPS, signingSecret, slackApiUrl }),
        sink,
      );
      cleanup.push(async () => {
        bigBot.agent.destroy();
        await bigBot.services.stop();
      });
      list50k = await listRun(bigBot, bigSandbox, big.summary.certificates, 'list50k');
      bigBot.agent.destroy();
      await bigBot.services.stop();
    }
    await bigSandbox.close();

    const baseline = await baselineSync(tmp, slackApiUrl, cleanup);

    let serving: ServingRun | undefined;
    if (SERVING) {
      console.log(`[5/${PARTS}] serving: \`cert-bot serve\` on a store of ${BIG_CERTS} certificates ...`);
      serving = await runServing(servingOptionsFromEnv({ certs: BIG_CERTS, qps: QPS, tmp }));
    }

    const ok = report({
      alone,
      withStatus: { ...withStatus, samples: withStatus.during ?? [] },
      list10k,
      big,
      baseline,
      list50k,
      census,
      serving,
    });
    // In this process, after the bot stopped: the issue's table sets no target for it.
    console.log('\nReplacement inference (no target in the table; CPU time, which other load skews least):');
    for (const run of replacementRuns()) console.log(`  ${describeReplacementRun(run)}`);
    console.log(ok ? 'All targets met.' : 'Some targets NOT met.');
    process.exitCode = ok ? 0 : 1;
  } finally {
    // Each step is safe to run twice: stop() and close() are idempotent.
    for (const step of cleanup.reverse()) await step().catch(() => undefined);
    clearTimeout(watchdog);
  }
}

/** Certificates of a data set by simulator status. */
function byStatus(certificates: readonly { status: string }[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const { status } of certificates) counts[status] = (counts[status] ?? 0) + 1;
  return counts;
}

/** What the inventory holds against the data set: the statuses missing from it are named. */
function coverage(synced: number, census: Record<string, number> | undefined, total: number): string {
  const left = total - synced;
  if (left <= 0 || !census) return `${synced} of ${total} certificates in the inventory`;
  const same = Object.entries(census).filter(([, n]) => n === left);
  return (
    `${synced} of ${total} certificates in the inventory; ${left} are not` +
    (same.length > 0 ? ` (the data set has exactly ${left} ${same.map(([status]) => status).join('/')})` : '')
  );
}

const peakOf = (run: PeakRun) => run.timePeakKb ?? run.polledPeakKb;

/** What part 4 measured (the big sync's peak RSS), printed, and its target check. */
function reportBigSync(
  big: BigSync,
  baseline: BigSync,
  census: Record<number, Record<string, number>>,
): [string, boolean, string] {
  const run = big.run;
  const peakKb = peakOf(run);
  const baselineKb = peakOf(baseline.run);
  const peakMb = peakKb === undefined ? Number.NaN : peakKb / 1024;
  console.log(
    `\n\`cert-bot sync --json\` of ${BIG_CERTS} certificates (own process, simulator without latency, CAS_QPS ${BIG_QPS}): ` +
      `exit ${run.code ?? run.signal}${run.timedOut ? ' (timed out)' : ''}, ${fixed(run.wallMs / 1000, 2)} s wall incl. start-up` +
      (big.summary
        ? `; ${big.summary.certificates} certificates, ${big.summary.resources ?? 'no'} resources` +
          `${big.summary.resourcesError ? ` (${big.summary.resourcesError})` : ''}, ` +
          `${big.summary.pages} pages, ${big.summary.calls} calls, ` +
          `${fixed(big.summary.seconds, 2)} s in the sync`
        : '') +
      `\n  peak RSS: VmHWM polled ${run.polls}× = ${fixed((run.polledPeakKb ?? Number.NaN) / 1024)} MB` +
      (run.timePeakKb !== undefined ? `, /usr/bin/time -v = ${fixed(run.timePeakKb / 1024)} MB` : '') +
      `\n  the same sync of ${BASELINE_CERTS} certificates peaks at ${fixed((baselineKb ?? Number.NaN) / 1024)} MB` +
      (peakKb !== undefined && baselineKb !== undefined && big.summary
        ? `: about ${fixed((peakKb - baselineKb) / big.summary.certificates, 1)} kB more per certificate`
        : '') +
      (big.summary ? `\n  coverage: ${coverage(big.summary.certificates, census[BIG_CERTS], BIG_CERTS)}` : ''),
  );
  if (run.code !== 0) console.log(`  its stderr: ${run.stderr.split('\n').slice(0, 5).join(' | ')}`);

  return [
    `peak RSS of \`cert-bot sync\` at ${BIG_CERTS} < ${TARGET.peakRssMb} MB`,
    run.code === 0 && big.summary !== undefined && peakMb < TARGET.peakRssMb,
    `${fixed(peakMb)} MB`,
  ];
}

function report(r: {
  alone: SyncRun;
  withStatus: SyncRun & { samples: CommandSample[] };
  list10k: ListRun;
  big: BigSync;
  baseline: BigSync;
  list50k?: ListRun;
  census: Record<number, Record<string, number>>;
  serving?: ServingRun;
}): boolean {
  const bound = (run: SyncRun) => run.summary.pages / QPS;
  const ratio = r.alone.wallSeconds / bound(r.alone);
  console.log(`\nSync of ${CERTS} certificates (simulator at ${LATENCY_MS} ms latency, throttling above ${QPS}/s):`);
  console.table([syncRow('alone', r.alone), syncRow('with /cert-status', r.withStatus)]);
  const other = (stats: SandboxStats) =>
    Object.entries(stats.byAction)
      .filter(([action]) => action !== 'ListUserCertificateOrder')
      .map(([action, n]) => `${action} ${n}`)
      .join(', ') || 'none';
  console.log(`Calls other than list pages during the second sync: ${other(r.withStatus.stats)}`);
  console.log(`Coverage: ${coverage(r.alone.summary.certificates, r.census[CERTS], CERTS)}`);

  const status = latency(r.withStatus.samples);
  const sentDuringSync = r.withStatus.samples.filter((s) => s.sentAt < r.withStatus.endedAt).length;
  console.log(
    `\n/cert-status while the sync ran: ${status.count} commands (${sentDuringSync} sent before the sync finished), ` +
      `${status.answered} answered, ${status.errors} error answers, ${status.non200} non-200 acks; ` +
      `answer p50 ${fixed(status.p50)} ms, p99 ${fixed(status.p99)} ms, max ${fixed(status.max)} ms`,
  );
  const firstError = r.withStatus.samples.find(isError);
  if (firstError) console.log(`  first error answer: ${firstError.text}`);

  console.log(`\n/cert-list expiring from the inventory (${LIST_COMMANDS} sequential commands each):`);
  console.table([listRow(r.list10k), ...(r.list50k ? [listRow(r.list50k)] : [])]);

  const bigCheck = reportBigSync(r.big, r.baseline, r.census);

  const notes = [
    busyNote('sync alone', r.alone.machine),
    busyNote('sync with /cert-status', r.withStatus.machine),
    busyNote(`/cert-list at ${CERTS}`, r.list10k.machine),
    busyNote(`sync of ${BIG_CERTS}`, r.big.machine),
    r.list50k ? busyNote(`/cert-list at ${BIG_CERTS}`, r.list50k.machine) : undefined,
  ].filter((note): note is string => note !== undefined);
  if (notes.length > 0) {
    console.log('\nWarning: the machine was busy; these figures are unreliable, run again on a quiet machine:');
    for (const note of notes) console.log(`  ${note}`);
  }

  const listCheck = (run: ListRun | undefined, certificates: number): Array<[string, boolean, string]> => {
    if (!run) return [[`/cert-list expiring at ${certificates}: no run (the big sync failed)`, false, '-']];
    const l = latency(run.samples);
    const answeredOk = l.answered === l.count && l.errors === 0 && run.fromInventory === l.count;
    // The first answer after a sync reads the whole inventory again; the others use that snapshot.
    const first = run.samples[0]?.answerMs ?? Number.NaN;
    const rest = latency(run.samples.slice(1));
    return [
      [
        `/cert-list expiring at ${run.certificates}: first answer after the sync ≤ ${TARGET.listMs} ms`,
        answeredOk && first <= TARGET.listMs,
        `${fixed(first)} ms`,
      ],
      [
        `/cert-list expiring at ${run.certificates}: the other ${rest.count} ≤ ${TARGET.listMs} ms, all from the inventory`,
        answeredOk && rest.max <= TARGET.listMs,
        `p50 ${fixed(rest.p50)} / p99 ${fixed(rest.p99)} / max ${fixed(rest.max)} ms, ${run.fromInventory}/${l.count} from the inventory`,
      ],
      [`/cert-list expiring at ${run.certificates}: CAS calls = 0`, run.casCalls === 0, String(run.casCalls)],
    ];
  };
  const statusOk = status.answered === status.count && status.errors === 0 && status.non200 === 0 && status.count > 0;
  const checks: Array<[string, boolean, string]> = [
    [
      `sync of ${CERTS}: wall / (pages ÷ QPS) ≤ ${TARGET.ratio.toFixed(2)}`,
      ratio <= TARGET.ratio,
      `${ratio.toFixed(3)} (${fixed(r.alone.wallSeconds, 2)} s for ${r.alone.summary.pages} pages)`,
    ],
    [
      `sync of ${CERTS}: throttled answers at the simulator = 0 (both syncs)`,
      r.alone.stats.throttled === 0 && r.withStatus.stats.throttled === 0,
      `${r.alone.stats.throttled} and ${r.withStatus.stats.throttled}`,
    ],
    [
      `/cert-status during the sync: answer p99 ≤ ${TARGET.statusP99Ms} ms, every one answered`,
      statusOk && status.p99 <= TARGET.statusP99Ms,
      `p99 ${fixed(status.p99)} ms, ${status.answered}/${status.count} answered, ${status.errors} errors`,
    ],
    ...listCheck(r.list10k, CERTS),
    ...listCheck(r.list50k, BIG_CERTS),
    bigCheck,
  ];
  if (r.serving) checks.push(...reportServing(r.serving));
  return printChecks(checks);
}

function printChecks(checks: ReadonlyArray<[string, boolean, string]>): boolean {
  console.log('\nTargets:');
  for (const [what, ok, value] of checks) console.log(`  ${ok ? 'PASS' : 'FAIL'}  ${what}: ${value}`);
  return checks.every(([, ok]) => ok);
}

/** One sync as a table row: the bot's and the simulator's counts, and where its time went. */
const syncRow = (label: string, run: SyncRun) => ({
  sync: label,
  certificates: run.summary.certificates,
  added: run.summary.added,
  changed: run.summary.changed,
  pages: run.summary.pages,
  'calls (bot)': run.summary.calls,
  'calls (simulator)': run.stats.calls,
  throttled: run.stats.throttled,
  'wall s': fixed(run.wallSeconds, 2),
  'paging s': fixed(run.pagingSeconds, 2),
  'store s': fixed(run.pagingSeconds === undefined ? undefined : run.wallSeconds - run.pagingSeconds, 2),
  'calls ÷ QPS s': fixed(run.stats.calls / QPS, 2),
  'wall / (calls ÷ QPS)': fixed(run.wallSeconds / (run.stats.calls / QPS), 3),
});

/** BENCH_RATIO_ONLY: each run's row, and the ratio and throttled checks judged on every run. */
function reportRatio(runs: readonly SyncRun[]): boolean {
  console.log(`\nSync of ${CERTS} certificates (simulator at ${LATENCY_MS} ms latency, throttling above ${QPS}/s):`);
  console.table(runs.map((run, i) => syncRow(`run ${i + 1}`, run)));
  const notes = runs.map((run, i) => busyNote(`run ${i + 1}`, run.machine)).filter((note) => note !== undefined);
  if (notes.length > 0) console.log(`Warning: the machine was busy: ${notes.join('; ')}`);
  console.log(`load average at the end ${os.loadavg()[0].toFixed(2)}`);
  const ratios = runs.map((run) => run.wallSeconds / (run.summary.pages / QPS));
  return printChecks([
    [
      `sync of ${CERTS}: wall / (pages ÷ QPS) ≤ ${TARGET.ratio.toFixed(2)}`,
      ratios.every((ratio) => ratio <= TARGET.ratio),
      runs
        .map((run, i) => `${ratios[i].toFixed(3)} (${fixed(run.wallSeconds, 2)} s for ${run.summary.pages} pages)`)
        .join(', '),
    ],
    [
      `sync of ${CERTS}: throttled answers at the simulator = 0`,
      runs.every((run) => run.stats.throttled === 0),
      runs.map((run) => run.stats.throttled).join(', '),
    ],
  ]);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
