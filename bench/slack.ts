/**
 * npm run bench:slack — 2,000 signed slash commands (/cert-risk and /cert-status with distinct
 * serials) at concurrency 50 against `cert-bot serve`, with the CAS simulator at 100 ms latency
 * behind it, and the same load against a Bolt app that only acks: the ack floor of this machine.
 * Each server, the simulator and the fake Slack run in their own processes, as in production.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { configSchema } from '../src/config';
import {
  type CallRecord,
  DEFAULT_ACCESS_KEY_ID,
  DEFAULT_ACCESS_KEY_SECRET,
  generateDataset,
  type SandboxProcess,
  type SandboxStats,
  spawnSandbox,
} from '../src/sandbox';
import { mulberry32, shuffle } from '../src/sandbox/prng';
import { type Answer, type FakeSlackProcess, spawnFakeSlack } from './slack-fake';
import {
  ascending,
  type BenchCommand,
  type Child,
  cpuSeconds,
  freePort,
  loadAgent,
  machineBusySeconds,
  type LoadRequest,
  percentile,
  runLoad,
  type Sample,
  spawnChild,
  waitUntilServing,
} from './slack-load';

const REQUESTS = Number(process.env.BENCH_REQUESTS ?? 2_000);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 50);
const WARMUP = Number(process.env.BENCH_WARMUP ?? 50);
const LATENCY_MS = Number(process.env.BENCH_LATENCY_MS ?? 100);
const QPS = Number(process.env.CAS_QPS ?? 10);
const ANSWER_TIMEOUT_MS = Number(process.env.BENCH_ANSWER_TIMEOUT_MS ?? 120_000);
const SEED = 7;
// Serials must be distinct across the warm-up and the measured load, with some to spare.
const CERTS = Math.ceil((REQUESTS + WARMUP) / 2) + 200;
// Set: every sample and answer is written there as JSON, for looking at the figures over time.
const SAMPLES_FILE = process.env.BENCH_SAMPLES_FILE;
// Extra node flags for both servers, for looking into where their time goes (e.g. --cpu-prof).
const SERVER_NODE_ARGS = (process.env.BENCH_SERVER_NODE_ARGS ?? '').split(' ').filter((arg) => arg.length > 0);
const EVENTS_PATH = '/slack/events';
const ACK_DEADLINE_MS = 3_000;
const SERIALS_PER_CALL = 50;

type AppName = 'bare Bolt (ack only)' | 'cert-bot';

interface Measured {
  name: AppName;
  samples: Sample[];
  wallMs: number;
  /** Only cert-bot answers through response_url. */
  answers?: Map<string, Answer[]>;
  /** CPU seconds used while the measured requests were being acked. */
  cpu: { bench?: number; server?: number; fakeSlack?: number; machine?: number };
  statsAfterWarmup?: SandboxStats;
  statsEnd?: SandboxStats;
  /** Seconds after the measured load started at which the simulator refused a call as throttled. */
  throttledAt?: number[];
  stderr: string[];
}

function buildLoad(
  prefix: string,
  count: number,
  serials: readonly string[],
): { requests: LoadRequest[]; statusCount: number } {
  const requests: LoadRequest[] = [];
  let serial = 0;
  for (let i = 0; i < count; i++) {
    const command: BenchCommand = i % 2 === 0 ? '/cert-risk' : '/cert-status';
    const text = command === '/cert-status' ? serials[serial++] : '';
    requests.push({ id: `${prefix}-${i}`, command, text });
  }
  return { requests, statusCount: serial };
}

/** Only the bench's settings: a config variable exported in this shell would change what is measured. */
function serveEnv(settings: Record<string, string>): NodeJS.ProcessEnv {
  const env = { ...process.env };
  for (const name of Object.keys(configSchema.shape)) delete env[name];
  return { ...env, ...settings };
}

async function collectAnswers(
  fake: FakeSlackProcess,
  into: Answer[],
  wanted: ReadonlySet<string>,
  timeoutMs: number,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  const seen = new Set(into.filter((a) => wanted.has(a.id)).map((a) => a.id));
  while (true) {
    const { answers } = await fake.report(into.length);
    for (const answer of answers) {
      into.push(answer);
      if (wanted.has(answer.id)) seen.add(answer.id);
    }
    if (seen.size >= wanted.size || Date.now() >= deadline) return;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

async function measure(
  name: AppName,
  start: (port: number) => Child,
  context: {
    fake: FakeSlackProcess;
    sandbox: SandboxProcess;
    signingSecret: string;
    warmup: LoadRequest[];
    load: LoadRequest[];
    answersReceived: Answer[];
  },
): Promise<Measured> {
  const { fake, sandbox } = context;
  const port = await freePort();
  const server = start(port);
  const answersExpected = name === 'cert-bot';
  try {
    await waitUntilServing(port, EVENTS_PATH, context.signingSecret, server.process);
    const target = { port, path: EVENTS_PATH, signingSecret: context.signingSecret, responseUrl: fake.responseUrl };

    const agent = loadAgent(CONCURRENCY);
    await runLoad(target, context.warmup, CONCURRENCY, agent);
    if (answersExpected) {
      // The measured load starts with the CAS limiter idle, not behind the warm-up's lookups.
      await collectAnswers(fake, context.answersReceived, new Set(context.warmup.map((r) => r.id)), 30_000);
    }
    const statsAfterWarmup = answersExpected ? await sandbox.stats() : undefined;

    const before = {
      bench: process.cpuUsage(),
      server: cpuSeconds(server.process.pid),
      fakeSlack: cpuSeconds(fake.pid),
      machine: machineBusySeconds(),
    };
    const loadStartedAt = Date.now();
    const { samples, wallMs } = await runLoad(target, context.load, CONCURRENCY, agent);
    agent.destroy();
    const benchCpu = process.cpuUsage(before.bench);
    const serverAfter = cpuSeconds(server.process.pid);
    const fakeAfter = cpuSeconds(fake.pid);
    const machineAfter = machineBusySeconds();
    const cpu = {
      bench: (benchCpu.user + benchCpu.system) / 1e6,
      server: serverAfter !== undefined && before.server !== undefined ? serverAfter - before.server : undefined,
      fakeSlack: fakeAfter !== undefined && before.fakeSlack !== undefined ? fakeAfter - before.fakeSlack : undefined,
      machine: machineAfter !== undefined && before.machine !== undefined ? machineAfter - before.machine : undefined,
    };

    let answers: Map<string, Answer[]> | undefined;
    let statsEnd: SandboxStats | undefined;
    if (answersExpected) {
      const wanted = new Set(context.load.map((r) => r.id));
      await collectAnswers(fake, context.answersReceived, wanted, ANSWER_TIMEOUT_MS);
      answers = new Map();
      for (const answer of context.answersReceived) {
        if (!wanted.has(answer.id)) continue;
        answers.set(answer.id, [...(answers.get(answer.id) ?? []), answer]);
      }
      statsEnd = await sandbox.stats();
    }
    const throttledAt = answersExpected
      ? // The control route returns whole CallRecords; SandboxProcess types only the fields most callers need.
        ((await sandbox.calls()) as CallRecord[])
          .filter((call) => call.code === 'Throttling.User' && call.at >= loadStartedAt)
          .map((call) => (call.at - loadStartedAt) / 1000)
      : undefined;
    return { name, samples, wallMs, answers, cpu, statsAfterWarmup, statsEnd, throttledAt, stderr: server.stderrLines };
  } finally {
    await server.stop();
  }
}

const ms = (value: number) => (Number.isFinite(value) ? Number(value.toFixed(1)) : '-');

function ackRow(label: string, samples: readonly Sample[], wallMs?: number) {
  const acks = ascending(samples.map((s) => s.ackMs));
  return {
    app: label,
    requests: samples.length,
    'non-200': samples.filter((s) => s.status !== 200).length,
    'ack p50 ms': ms(percentile(acks, 50)),
    'ack p99 ms': ms(percentile(acks, 99)),
    'ack max ms': ms(acks[acks.length - 1] ?? Number.NaN),
    'req/s': wallMs ? Math.round(samples.length / (wallMs / 1000)) : '-',
  };
}

function answerRow(samples: readonly Sample[], answers: Map<string, Answer[]> | undefined) {
  if (!answers) return { answers: '-', 'error answers': '-', 'answer p50 ms': '-', 'answer p99 ms': '-' };
  const latencies: number[] = [];
  let answered = 0;
  let errors = 0;
  for (const sample of samples) {
    const first = answers.get(sample.id)?.[0];
    if (!first) continue;
    answered++;
    if (first.error) errors++;
    latencies.push(first.at - sample.sentAt);
  }
  const sorted = ascending(latencies);
  return {
    answers: answered,
    'error answers': errors,
    'answer p50 ms': ms(percentile(sorted, 50)),
    'answer p99 ms': ms(percentile(sorted, 99)),
  };
}

function callsByAction(stats: SandboxStats | undefined): Record<string, number> {
  return stats?.byAction ?? {};
}

function report(bare: Measured, bot: Measured, statusRequests: number): boolean {
  const byCommand = (m: Measured, command: BenchCommand) => m.samples.filter((s) => s.command === command);
  console.table([
    { ...ackRow(bare.name, bare.samples, bare.wallMs), ...answerRow(bare.samples, undefined) },
    { ...ackRow(bot.name, bot.samples, bot.wallMs), ...answerRow(bot.samples, bot.answers) },
    ...(['/cert-risk', '/cert-status'] as const).map((command) => ({
      ...ackRow(`  cert-bot ${command}`, byCommand(bot, command)),
      ...answerRow(byCommand(bot, command), bot.answers),
    })),
  ]);

  console.log('CPU seconds used while the measured requests were acked (2 cores = 2 CPU s per wall s):');
  const cpu = (value: number | undefined) => (value === undefined ? '-' : Number(value.toFixed(2)));
  const others = (m: Measured) =>
    m.cpu.machine === undefined || m.cpu.bench === undefined || m.cpu.server === undefined
      ? undefined
      : // Counters are read at slightly different instants, so a quiet machine can come out a hair below zero.
        Math.max(0, m.cpu.machine - m.cpu.bench - m.cpu.server - (m.cpu.fakeSlack ?? 0));
  console.table(
    [bare, bot].map((m) => ({
      app: m.name,
      'wall s': Number((m.wallMs / 1000).toFixed(2)),
      'bench (load generator)': cpu(m.cpu.bench),
      server: cpu(m.cpu.server),
      'server CPU ms per request':
        m.cpu.server === undefined ? '-' : Number(((m.cpu.server * 1000) / m.samples.length).toFixed(2)),
      'fake Slack (response_url sink)': cpu(m.cpu.fakeSlack),
      'other processes (incl. simulator)': cpu(others(m)),
    })),
  );
  // Anything else busy on the machine slows one app's run and not the other's, which skews the ratio.
  const noisy = [bare, bot].filter((m) => (others(m) ?? 0) > 0.25 * (m.wallMs / 1000));
  if (noisy.length > 0) {
    console.log(
      `Warning: other processes used over a quarter of a core during the ${noisy.map((m) => m.name).join(' and ')} ` +
        'run; the ack comparison is unreliable, run again on a quiet machine.',
    );
  }

  const warm = callsByAction(bot.statsAfterWarmup);
  const end = callsByAction(bot.statsEnd);
  const actions = [...new Set([...Object.keys(warm), ...Object.keys(end)])].sort();
  console.log('Upstream CAS calls made by cert-bot (simulator counts):');
  console.table(
    actions.map((action) => ({
      action,
      'warm-up': warm[action] ?? 0,
      measured: (end[action] ?? 0) - (warm[action] ?? 0),
      total: end[action] ?? 0,
    })),
  );
  const throttled = bot.statsEnd?.throttled ?? Number.NaN;
  const throttledAt = bot.throttledAt ?? [];
  console.log(
    `Throttled answers from the simulator (whole run): ${throttled}` +
      (throttledAt.length > 0
        ? ` (${throttledAt.map((s) => `+${s.toFixed(1)} s`).join(', ')} after the measured load started; its acks took ${(bot.wallMs / 1000).toFixed(1)} s)`
        : ''),
  );

  const missing = bot.samples.filter((s) => !bot.answers?.has(s.id)).map((s) => s.id);
  const duplicated = [...(bot.answers?.values() ?? [])].filter((list) => list.length > 1).length;
  if (missing.length > 0) {
    console.log(
      `Missing answers after ${ANSWER_TIMEOUT_MS / 1000} s: ${missing.length} (first: ${missing.slice(0, 5).join(', ')})`,
    );
  }
  if (duplicated > 0) console.log(`Requests answered more than once: ${duplicated}`);
  const errorAnswers = [...(bot.answers?.values() ?? [])].filter((list) => list[0]?.error);
  if (errorAnswers.length > 0) console.log(`First error answer: ${errorAnswers[0][0].text}`);
  for (const m of [bare, bot]) {
    if (m.stderr.length > 0)
      console.log(`${m.name} wrote ${m.stderr.length} stderr lines; first: ${m.stderr.slice(0, 3).join(' | ')}`);
  }

  const p99 = (m: Measured) => percentile(ascending(m.samples.map((s) => s.ackMs)), 99);
  const max = (m: Measured) => Math.max(...m.samples.map((s) => s.ackMs));
  const ratio = p99(bot) / p99(bare);
  const statusCalls =
    (end.DescribeClientCertificateStatusForSerialNumber ?? 0) -
    (warm.DescribeClientCertificateStatusForSerialNumber ?? 0);
  const statusLimit = 2 * Math.ceil(statusRequests / SERIALS_PER_CALL);
  const riskCalls = end.GetRiskCount ?? 0;
  const assetCalls = end.GetAssetCount ?? 0;
  const answeredOk = bot.samples.length - missing.length - errorAnswers.length;
  const non200 = [...bare.samples, ...bot.samples].filter((s) => s.status !== 200).length;
  const checks: Array<[string, boolean, string]> = [
    ['cert-bot ack p99 / bare ack p99 <= 1.25', ratio <= 1.25, `${ratio.toFixed(3)}`],
    [
      `every ack < ${ACK_DEADLINE_MS} ms and HTTP 200 (both apps)`,
      Math.max(max(bare), max(bot)) < ACK_DEADLINE_MS && non200 === 0,
      `max ${ms(Math.max(max(bare), max(bot)))} ms, ${non200} non-200`,
    ],
    [
      'every command answered, none with an error',
      answeredOk === bot.samples.length,
      `${answeredOk}/${bot.samples.length}`,
    ],
    ['zero throttled answers', throttled === 0, String(throttled)],
    [
      '/cert-risk coalesced: GetRiskCount and GetAssetCount <= 5 calls each (whole run)',
      riskCalls <= 5 && assetCalls <= 5,
      `${riskCalls} and ${assetCalls}`,
    ],
    [
      `/cert-status batched: <= ${statusLimit} status calls for ${statusRequests} serials`,
      statusCalls <= statusLimit,
      String(statusCalls),
    ],
  ];
  console.log('Targets:');
  for (const [what, ok, value] of checks) console.log(`  ${ok ? 'met    ' : 'NOT met'}  ${what}: ${value}`);
  return checks.every(([, ok]) => ok);
}

async function main(): Promise<void> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-slack-'));
  let sandbox: SandboxProcess | undefined;
  let fake: FakeSlackProcess | undefined;
  try {
    sandbox = await spawnSandbox({ certs: CERTS, seed: SEED, qps: QPS, latencyMs: LATENCY_MS, profile: 'mixed' });
    fake = await spawnFakeSlack();

    // Same count and seed as the simulator: the same serials, revoked and good ones mixed.
    const certificates = generateDataset({ count: CERTS, seed: SEED, profile: 'mixed' }).certificates;
    const serials = shuffle(
      mulberry32(SEED),
      certificates.map((c) => c.serialNo),
    );
    const revoked = new Set(certificates.filter((c) => c.status === 'REVOKED').map((c) => c.serialNo));
    const warmupSerials = serials.slice(0, Math.ceil(WARMUP / 2));
    const loadSerials = serials.slice(warmupSerials.length);
    const warmupPlan = buildLoad('w', WARMUP, warmupSerials);
    const loadPlan = buildLoad('m', REQUESTS, loadSerials);
    const revokedAsked = loadPlan.requests.filter((r) => revoked.has(r.text)).length;

    console.log(
      `bench:slack — ${REQUESTS} signed slash commands (${REQUESTS - loadPlan.statusCount} /cert-risk, ` +
        `${loadPlan.statusCount} /cert-status with distinct serials, ${revokedAsked} of them revoked) at concurrency ${CONCURRENCY}; ` +
        `CAS simulator at ${LATENCY_MS} ms latency, CAS_QPS ${QPS}. Each app first gets the same ${WARMUP}-request ` +
        'warm-up (its own serials), excluded from the figures; its CAS calls are shown apart.',
    );

    const signingSecret = `bench-${Math.random().toString(36).slice(2)}${Date.now().toString(36)}`;
    const botToken = 'xoxb-bench-0000000000-0000000000000-benchbenchbenchbenchbench';
    const answersReceived: Answer[] = [];
    const cli = path.resolve(__dirname, '..', 'src', 'cli.js');
    if (!fs.existsSync(cli)) throw new Error(`${cli} is missing: run "npm run build" first`);
    const slackApiUrl = fake.apiUrl;
    const casUrl = sandbox.url;

    // Bare app first, cert-bot second, each with its own ids so their answers never mix.
    const shared = { fake, sandbox, signingSecret, answersReceived };
    const bare = await measure(
      'bare Bolt (ack only)',
      (port) =>
        spawnChild([...SERVER_NODE_ARGS, path.join(__dirname, 'bare-bolt.js')], {
          env: {
            ...process.env,
            PORT: String(port),
            SLACK_BOT_TOKEN: botToken,
            SLACK_SIGNING_SECRET: signingSecret,
            SLACK_API_URL: slackApiUrl,
          },
        }),
      {
        ...shared,
        warmup: warmupPlan.requests.map((r) => ({ ...r, id: `bare-${r.id}` })),
        load: loadPlan.requests.map((r) => ({ ...r, id: `bare-${r.id}` })),
      },
    );
    const bot = await measure(
      'cert-bot',
      (port) =>
        spawnChild([...SERVER_NODE_ARGS, cli, 'serve'], {
          // Run in the temp folder so a developer's .env cannot change what is measured.
          cwd: dataDir,
          env: serveEnv({
            PORT: String(port),
            SLACK_BOT_TOKEN: botToken,
            SLACK_SIGNING_SECRET: signingSecret,
            SLACK_API_URL: slackApiUrl,
            CAS_ENDPOINT: casUrl,
            CAS_QPS: String(QPS),
            ALIBABA_CLOUD_ACCESS_KEY_ID: DEFAULT_ACCESS_KEY_ID,
            ALIBABA_CLOUD_ACCESS_KEY_SECRET: DEFAULT_ACCESS_KEY_SECRET,
            DATA_DIR: dataDir,
            LOG_LEVEL: 'warn',
            // Commands alone, as before the inventory: a sync under load is bench:inventory's.
            INVENTORY_SYNC_MINUTES: '0',
          }),
        }),
      {
        ...shared,
        warmup: warmupPlan.requests.map((r) => ({ ...r, id: `bot-${r.id}` })),
        load: loadPlan.requests.map((r) => ({ ...r, id: `bot-${r.id}` })),
      },
    );

    if (SAMPLES_FILE) {
      const dump = (m: Measured) => ({
        name: m.name,
        samples: m.samples,
        answers: m.answers ? [...m.answers.values()].flat() : undefined,
      });
      fs.writeFileSync(SAMPLES_FILE, JSON.stringify([dump(bare), dump(bot)]));
    }
    const ok = report(bare, bot, loadPlan.statusCount);
    console.log(ok ? 'All targets met.' : 'Some targets NOT met.');
    process.exitCode = ok ? 0 : 1;
  } finally {
    await fake?.close();
    await sandbox?.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
