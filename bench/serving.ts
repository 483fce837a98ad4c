/**
 * The serving part of `npm run bench:inventory` (issue 22): a real `cert-bot serve` child on
 * SQLite whose store already holds the simulator's BENCH_SERVING_CERTS (default 100,000) data
 * set, synced by `cert-bot sync` in its own process; then
 *  1. BENCH_SERVING_COMMANDS (default 1,000) mixed signed requests: /cert-list views, keywords and
 *     Next pages, /cert-risk, /cert-info by ID and by domain, App Home opens (app_home_opened,
 *     answered by views.publish), /cert-status; the RSS of `serve` after them (target < 200 MB),
 *     Home and /cert-info p50/p99 (target ≤ 300 ms);
 *  2. another `cert-bot sync` in its own process against the same store while `serve` runs, then
 *     BENCH_SERVING_LISTS `/cert-list expiring` one after another: p99 including the very first
 *     after that sync (target ≤ 300 ms).
 * Requests go one at a time (BENCH_SERVING_CONCURRENCY to change it), each timed from its send to
 * its answer at the fake Slack (response_url, or views.publish for Home).
 * Alone: `npm run build && node dist/bench/serving.js`; bench:inventory runs it after its own
 * parts (BENCH_SERVING=0 leaves it out, BENCH_SERVING_ONLY=1 runs only it).
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { slackSignature } from '../src/demo/request-signing';
import { CERTIFICATE_VIEWS, type CertificateView } from '../src/domain/views';
import type { SyncSummary } from '../src/inventory/sync';
import { generateDataset, type SandboxCertificate, spawnSandbox } from '../src/sandbox';
import { mulberry32, shuffle } from '../src/sandbox/prng';
import { BUTTONS } from '../src/slack/button-codecs';
import { botSettings, cleanEnv } from './bot-env';
import { machineMeter, type MachineShare, type PeakRun, runWithPeakRss, statusKb } from './inventory-proc';
import { type FakeSlackProcess, homeAnswerId, spawnFakeSlack } from './slack-fake';
import {
  type Child,
  commandBody,
  type Latency,
  latencyOf,
  epochMs,
  freePort,
  postForStatus,
  spawnChild,
  waitUntilServing,
} from './slack-load';

export const SERVING_TARGET = { rssMb: 200, listMs: 300, homeMs: 300, infoMs: 300 };

export interface ServingOptions {
  certs: number;
  commands: number;
  /** `/cert-list expiring` after the second sync, the first included. */
  lists: number;
  concurrency: number;
  seed: number;
  /** CAS_QPS of `serve` (the syncs run at the simulator's own, larger budget). */
  qps: number;
  /** Folder for the store and the children's working directory. */
  tmp: string;
  log: (line: string) => void;
}

export function servingOptionsFromEnv(defaults: { certs: number; qps: number; tmp: string }): ServingOptions {
  return {
    certs: Number(process.env.BENCH_SERVING_CERTS ?? defaults.certs),
    commands: Number(process.env.BENCH_SERVING_COMMANDS ?? 1_000),
    lists: Number(process.env.BENCH_SERVING_LISTS ?? 20),
    concurrency: Math.max(1, Number(process.env.BENCH_SERVING_CONCURRENCY ?? 1)),
    seed: 11,
    qps: defaults.qps,
    tmp: defaults.tmp,
    log: (line) => console.log(line),
  };
}

const PROFILE = 'mixed' as const;
/** The syncs are about filling the store, not the limiter: no latency, a budget they never reach. */
const SYNC_QPS = 1_000;
const SYNC_MAX_CONCURRENT = 20;
const SYNC_TIMEOUT_MS = Number(process.env.BENCH_CHILD_TIMEOUT_MS ?? 1_200_000);
const ANSWER_TIMEOUT_MS = 60_000;
/** Start-up of `serve` on a big store: migrations, the limiter, Bolt. */
const SERVE_START_TIMEOUT_MS = 180_000;
const EVENTS_PATH = '/slack/events';
// Set: every sample (with the start of its answer's text) is written there as JSON, to look at.
const SAMPLES_FILE = process.env.BENCH_SAMPLES_FILE;

type Kind =
  'list view' | 'list keyword' | 'list page' | 'risk' | 'info id' | 'info domain' | 'home' | 'status' | 'list expiring';

/** One cycle of the mix; 1,000 commands are 50 cycles. */
const CYCLE: readonly Kind[] = [
  'list view',
  'home',
  'info id',
  'list keyword',
  'status',
  'list page',
  'info domain',
  'risk',
  'list view',
  'home',
  'info id',
  'list keyword',
  'list page',
  'info domain',
  'status',
  'list view',
  'home',
  'info id',
  'risk',
  'list view',
];

interface Request {
  id: string;
  kind: Kind;
  /** Where the answer arrives at the fake Slack. */
  answerId: string;
  body: string;
  contentType: string;
}

interface Sample {
  id: string;
  kind: Kind;
  status: number;
  ackMs: number;
  /** Send to answer at the fake Slack; undefined: none within ANSWER_TIMEOUT_MS. */
  answerMs?: number;
  error: boolean;
  text?: string;
}

export interface RssReading {
  label: string;
  rssMb?: number;
  peakMb?: number;
}

export interface ServingRun {
  options: ServingOptions;
  initialSync?: { run: PeakRun; summary?: SyncSummary };
  /** The first list after `serve` started: it loads the inventory (no target). */
  firstAfterStart?: Sample;
  mixed: Sample[];
  mixedWallSeconds: number;
  secondSync?: { run: PeakRun; summary?: SyncSummary };
  listsAfterSync: Sample[];
  rss: RssReading[];
  /** The figure with a target: right after the mixed requests were answered. */
  rssAfterMixed?: RssReading;
  machine: { mixed?: MachineShare; lists?: MachineShare };
  /** CAS calls the simulator saw by action: during the mixed requests, and during the lists after the sync. */
  casCalls: { mixed?: Record<string, number>; lists?: Record<string, number> };
  stderr: string[];
  wallSeconds: number;
  /** Why it stopped early. */
  failure?: string;
}

const fixed = (value: number | undefined, digits = 1) =>
  value === undefined || !Number.isFinite(value) ? '-' : value.toFixed(digits);

/** The built CLI next to this file's dist/bench. */
function builtCli(): string {
  const cli = path.resolve(__dirname, '..', 'src', 'cli.js');
  if (!fs.existsSync(cli)) throw new Error(`${cli} is missing: run "npm run build" first`);
  return cli;
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

/** What the mix asks about, drawn from the data set the simulator serves (same count, seed, profile). */
function askables(certificates: readonly SandboxCertificate[], seed: number) {
  const random = mulberry32(seed);
  // Revoked certificates are not in the inventory (ListUserCertificateOrder leaves them out).
  const held = shuffle(
    random,
    certificates.filter((c) => c.status !== 'REVOKED'),
  );
  const domainOf = (name: string) => (name.startsWith('*.') ? `www.${name.slice(2)}` : name);
  // The label after the host, e.g. `portal-7` of img.portal-7.example.com: a keyword several match.
  const keywords = [
    ...new Set(held.slice(0, 400).flatMap((c) => (c.commonName.split('.')[1] ? [c.commonName.split('.')[1]] : []))),
  ];
  const instanceIds = held.flatMap((c) => c.resources.flatMap((r) => (r.instanceId ? [r.instanceId] : [])));
  return {
    ids: held.map((c) => String(c.certificateId)),
    domains: held.map((c) => domainOf(c.commonName)),
    keywords: [...keywords.slice(0, 40), ...instanceIds.slice(0, 10)],
    serials: shuffle(
      random,
      certificates.map((c) => c.serialNo),
    ),
  };
}

/** A Next press on a list message, form-encoded under `payload` as Slack sends it. */
function nextPageBody(id: string, value: string, responseUrl: string): string {
  const payload = {
    type: 'block_actions',
    team: { id: 'T0BENCH', domain: 'bench' },
    user: { id: 'U0BENCH', username: 'bench', team_id: 'T0BENCH' },
    api_app_id: 'A0CERTBOT',
    token: 'deprecated-verification-token',
    container: { type: 'message', message_ts: `1700000000.${id}`, channel_id: 'C0BENCH', is_ephemeral: true },
    trigger_id: `trigger-${id}`,
    channel: { id: 'C0BENCH', name: 'bench' },
    response_url: responseUrl,
    actions: [
      {
        type: 'button',
        action_id: BUTTONS.listNext.actionId,
        block_id: 'b1',
        text: { type: 'plain_text', text: 'Next' },
        value,
        action_ts: `${Date.now() / 1000}`,
      },
    ],
  };
  return new URLSearchParams({ payload: JSON.stringify(payload) }).toString();
}

/** `app_home_opened` on the Home tab, in its Events API envelope. */
function homeOpenedBody(id: string, userId: string): string {
  const now = Date.now() / 1000;
  return JSON.stringify({
    token: 'deprecated-verification-token',
    team_id: 'T0BENCH',
    api_app_id: 'A0CERTBOT',
    type: 'event_callback',
    event_id: `Ev0${id}`,
    event_time: Math.floor(now),
    event: { type: 'app_home_opened', user: userId, channel: 'D0HOME01', tab: 'home', event_ts: now.toFixed(6) },
  });
}

const FORM = 'application/x-www-form-urlencoded';

function buildMix(count: number, data: ReturnType<typeof askables>, fake: FakeSlackProcess): Request[] {
  const views = CERTIFICATE_VIEWS;
  const requests: Request[] = [];
  const at = <T>(list: readonly T[], i: number) => list[i % list.length];
  for (let i = 0; i < count; i++) {
    const kind = CYCLE[i % CYCLE.length];
    const id = `mix-${i}`;
    const slash = (command: string, text: string): Request => ({
      id,
      kind,
      answerId: id,
      body: commandBody({ id, command, text }, fake.responseUrl(id)),
      contentType: FORM,
    });
    switch (kind) {
      case 'list view':
        requests.push(slash('/cert-list', at(views, i)));
        break;
      case 'list keyword':
        // Alternately across every certificate and among the expiring ones.
        requests.push(slash('/cert-list', `${i % 2 === 0 ? 'all' : 'expiring'} ${at(data.keywords, i)}`));
        break;
      case 'list page': {
        const view: CertificateView = at(['all', 'expiring', 'expired', 'stale'] as const, i);
        const value = BUTTONS.listNext.encode({ status: view, page: 1 + (i % 3) });
        requests.push({
          id,
          kind,
          answerId: id,
          body: nextPageBody(id, value, fake.responseUrl(id)),
          contentType: FORM,
        });
        break;
      }
      case 'risk':
        requests.push(slash('/cert-risk', ''));
        break;
      case 'info id':
        requests.push(slash('/cert-info', at(data.ids, i)));
        break;
      case 'info domain':
        requests.push(slash('/cert-info', at(data.domains, i)));
        break;
      case 'home': {
        // One user per open: views.publish is recorded under its user, so each open has its own answer.
        const user = `U0HOME${i}`;
        requests.push({
          id,
          kind,
          answerId: homeAnswerId(user),
          body: homeOpenedBody(id, user),
          contentType: 'application/json',
        });
        break;
      }
      case 'status':
        requests.push(slash('/cert-status', at(data.serials, i)));
        break;
      default:
        requests.push(slash('/cert-list', 'expiring'));
    }
  }
  return requests;
}

function post(agent: http.Agent, port: number, request: Request, secret: string): Promise<number> {
  const timestamp = Math.floor(Date.now() / 1000);
  return postForStatus({
    agent,
    port,
    path: EVENTS_PATH,
    body: request.body,
    headers: {
      'content-type': request.contentType,
      'x-slack-request-timestamp': String(timestamp),
      'x-slack-signature': slackSignature(request.body, timestamp, secret),
    },
    timeoutMs: 10_000,
  });
}

interface Target {
  port: number;
  secret: string;
  agent: http.Agent;
  fake: FakeSlackProcess;
}

/** One request, timed from its send to its answer at the fake Slack. */
async function send(target: Target, request: Request): Promise<Sample> {
  const answer = target.fake.waitFor(request.answerId, ANSWER_TIMEOUT_MS);
  const sentAt = epochMs();
  const status = await post(target.agent, target.port, request, target.secret);
  const ackMs = epochMs() - sentAt;
  const got = await answer;
  return {
    id: request.id,
    kind: request.kind,
    status,
    ackMs,
    answerMs: got ? got.at - sentAt : undefined,
    error: got?.error ?? false,
    text: got?.text,
  };
}

async function sendAll(target: Target, requests: readonly Request[], concurrency: number): Promise<Sample[]> {
  const samples: Sample[] = [];
  let next = 0;
  const worker = async () => {
    while (next < requests.length) samples.push(await send(target, requests[next++]));
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return samples;
}

function rssOf(pid: number | undefined, label: string): RssReading {
  const kb = (field: 'VmRSS' | 'VmHWM') => (pid === undefined ? undefined : statusKb(pid, field));
  const mb = (value: number | undefined) => (value === undefined ? undefined : value / 1024);
  return { label, rssMb: mb(kb('VmRSS')), peakMb: mb(kb('VmHWM')) };
}

/** Runs the whole serving part; every child it starts is stopped before it returns. */
export async function runServing(options: ServingOptions): Promise<ServingRun> {
  const started = performance.now();
  const cli = builtCli();
  const dataDir = path.join(options.tmp, 'store-serving');
  fs.mkdirSync(dataDir, { recursive: true });
  const secret = crypto.randomBytes(16).toString('hex');
  const run: ServingRun = {
    options,
    mixed: [],
    mixedWallSeconds: Number.NaN,
    listsAfterSync: [],
    rss: [],
    machine: {},
    casCalls: {},
    stderr: [],
    wallSeconds: Number.NaN,
  };
  const cleanup: Array<() => Promise<void>> = [];
  try {
    options.log(`  serving: simulator with ${options.certs} certificates, fake Slack ...`);
    const sandbox = await spawnSandbox({ certs: options.certs, seed: options.seed, qps: SYNC_QPS, profile: PROFILE });
    cleanup.push(() => sandbox.close());
    const fake = await spawnFakeSlack();
    cleanup.push(() => fake.close());
    const syncEnv = cleanEnv({
      ...botSettings({
        casUrl: sandbox.url,
        dataDir,
        qps: SYNC_QPS,
        maxConcurrent: SYNC_MAX_CONCURRENT,
        signingSecret: secret,
        slackApiUrl: fake.apiUrl,
      }),
      LOG_LEVEL: 'error',
    });
    const sync = async () => {
      const peak = await runWithPeakRss([cli, 'sync', '--json'], {
        cwd: options.tmp,
        env: syncEnv,
        timeoutMs: SYNC_TIMEOUT_MS,
      });
      return { run: peak, summary: parseSummary(peak.stdout) };
    };

    options.log(`  serving: \`cert-bot sync\` of ${options.certs} certificates into the store ...`);
    const first = await sync();
    run.initialSync = first;
    options.log(
      `    done: exit ${first.run.code}, ${fixed(first.run.wallMs / 1000)} s, ${first.summary?.pages ?? '?'} pages`,
    );
    if (first.run.code !== 0 || !first.summary) {
      run.failure = `the first sync failed: ${first.run.stderr.split('\n').slice(0, 3).join(' | ')}`;
      return run;
    }
    // Built while nothing else runs: 100,000 certificates cost the bench a few seconds.
    const data = askables(
      generateDataset({ count: options.certs, seed: options.seed, profile: PROFILE }).certificates,
      options.seed,
    );

    const port = await freePort();
    const serve: Child = spawnChild([cli, 'serve'], {
      // Run in the temp folder so a developer's .env cannot change what is measured.
      cwd: options.tmp,
      env: cleanEnv({
        ...botSettings({
          casUrl: sandbox.url,
          dataDir,
          qps: options.qps,
          signingSecret: secret,
          slackApiUrl: fake.apiUrl,
        }),
        PORT: String(port),
        LOG_LEVEL: 'warn',
        // Serving alone: no background sync (the second sync is another process's, below) and no
        // probe pass over 100,000 certificates' made-up endpoints.
        INVENTORY_SYNC_MINUTES: '0',
        PROBE_INTERVAL_MINUTES: '0',
      }),
    });
    run.stderr = serve.stderrLines;
    cleanup.push(() => serve.stop());
    const pid = serve.process.pid;
    await waitUntilServing(port, EVENTS_PATH, secret, serve.process, SERVE_START_TIMEOUT_MS);
    run.rss.push(rssOf(pid, 'serving, nothing asked yet'));
    const agent = new http.Agent({ keepAlive: true, maxSockets: options.concurrency });
    cleanup.push(async () => agent.destroy());
    const target: Target = { port, secret, agent, fake };

    options.log('  serving: the first /cert-list expiring after start (loads the inventory) ...');
    const cold = { id: 'cold-0', kind: 'list expiring' as const, answerId: 'cold-0' };
    run.firstAfterStart = await send(target, {
      ...cold,
      body: commandBody({ id: cold.id, command: '/cert-list', text: 'expiring' }, fake.responseUrl(cold.id)),
      contentType: FORM,
    });
    run.rss.push(rssOf(pid, 'after the first list'));
    options.log(`    done: ${fixed(run.firstAfterStart.answerMs)} ms`);

    options.log(`  serving: ${options.commands} mixed requests, ${options.concurrency} at a time ...`);
    await sandbox.reset();
    const meter = machineMeter();
    const mixStarted = performance.now();
    run.mixed = await sendAll(target, buildMix(options.commands, data, fake), options.concurrency);
    run.mixedWallSeconds = (performance.now() - mixStarted) / 1000;
    run.machine.mixed = meter();
    run.casCalls.mixed = (await sandbox.stats()).byAction;
    run.rssAfterMixed = rssOf(pid, `after ${options.commands} mixed requests`);
    run.rss.push(run.rssAfterMixed);
    // Each phase's figures as it ends, so a run stopped later still says what it measured.
    const of = (kinds: readonly Kind[]) => latency(run.mixed.filter((x) => kinds.includes(x.kind)));
    const [home, info] = [of(['home']), of(['info id', 'info domain'])];
    options.log(
      `    done: ${fixed(run.mixedWallSeconds)} s; RSS ${fixed(run.rssAfterMixed.rssMb)} MB (peak ${fixed(run.rssAfterMixed.peakMb)}); ` +
        `Home p50/p99 ${fixed(home.p50)}/${fixed(home.p99)} ms; /cert-info ${fixed(info.p50)}/${fixed(info.p99)} ms`,
    );

    options.log('  serving: `cert-bot sync` in another process against the same store, `serve` running ...');
    const second = await sync();
    run.secondSync = second;
    run.rss.push(rssOf(pid, 'after the other process synced'));
    options.log(`    done: exit ${second.run.code}, ${fixed(second.run.wallMs / 1000)} s`);
    if (second.run.code !== 0 || !second.summary) {
      run.failure = `the second sync failed: ${second.run.stderr.split('\n').slice(0, 3).join(' | ')}`;
      return run;
    }
    options.log(`  serving: ${options.lists} × /cert-list expiring, the first right after that sync ...`);
    await sandbox.reset();
    const listMeter = machineMeter();
    const lists: Request[] = Array.from({ length: options.lists }, (_, i) => ({
      id: `after-${i}`,
      kind: 'list expiring' as const,
      answerId: `after-${i}`,
      body: commandBody({ id: `after-${i}`, command: '/cert-list', text: 'expiring' }, fake.responseUrl(`after-${i}`)),
      contentType: FORM,
    }));
    // One at a time whatever the concurrency: the first must be the very first after the sync.
    run.listsAfterSync = await sendAll(target, lists, 1);
    run.machine.lists = listMeter();
    run.casCalls.lists = (await sandbox.stats()).byAction;
    const lat = latency(run.listsAfterSync);
    options.log(
      `    done: first ${fixed(run.listsAfterSync[0]?.answerMs)} ms, p50 ${fixed(lat.p50)}, p99 ${fixed(lat.p99)} ms`,
    );
    run.rss.push(rssOf(pid, 'at the end'));
    if (SAMPLES_FILE)
      fs.writeFileSync(
        SAMPLES_FILE,
        JSON.stringify({ firstAfterStart: run.firstAfterStart, mixed: run.mixed, listsAfterSync: run.listsAfterSync }),
      );
    return run;
  } finally {
    for (const step of cleanup.reverse()) await step().catch(() => undefined);
    run.wallSeconds = (performance.now() - started) / 1000;
  }
}

function latency(samples: readonly Sample[]): Latency {
  return latencyOf(samples, (s) => s.error);
}

const allAnswered = (l: Latency) => l.count > 0 && l.answered === l.count && l.errors === 0 && l.non200 === 0;

function busyNote(label: string, machine: MachineShare | undefined): string | undefined {
  if (machine?.others === undefined) return undefined;
  // Over a quarter of a core used by other processes: the figures of this phase are noisy.
  if (machine.others <= 0.25 * machine.wallSeconds) return undefined;
  return `${label}: other processes used ${(machine.others / machine.wallSeconds).toFixed(2)} cores on average`;
}

/** Prints the serving part's figures; answers its target checks, for the bench's one list. */
export function reportServing(run: ServingRun): Array<[string, boolean, string]> {
  const { options } = run;
  const n = run.initialSync?.summary?.certificates ?? options.certs;
  const syncLine = (label: string, sync: ServingRun['secondSync']) =>
    sync
      ? `  ${label}: exit ${sync.run.code ?? sync.run.signal}${sync.run.timedOut ? ' (timed out)' : ''}, ` +
        `${fixed(sync.run.wallMs / 1000, 1)} s` +
        (sync.summary
          ? `, ${sync.summary.certificates} certificates, ${sync.summary.resources ?? 'no'} resources, ${sync.summary.pages} pages`
          : '')
      : `  ${label}: not run`;
  console.log(
    `\nServing (\`cert-bot serve\` on SQLite, ${options.certs} certificates in the simulator; ` +
      `${options.concurrency} request${options.concurrency === 1 ? '' : 's'} at a time; whole part ${fixed(run.wallSeconds, 0)} s):`,
  );
  console.log(syncLine('first `cert-bot sync` (fills the store)', run.initialSync));
  console.log(syncLine('second `cert-bot sync` (another process, `serve` running)', run.secondSync));
  if (run.failure) console.log(`  stopped early: ${run.failure}`);
  if (run.firstAfterStart)
    console.log(
      `  first /cert-list expiring after \`serve\` started: ${fixed(run.firstAfterStart.answerMs)} ms (no target)`,
    );

  const kinds = [...new Set(run.mixed.map((s) => s.kind))];
  if (run.mixed.length > 0) {
    console.log(
      `  ${run.mixed.length} mixed requests in ${fixed(run.mixedWallSeconds, 1)} s, answer times (send → answer at the fake Slack):`,
    );
    console.table(
      [
        ...kinds.map((kind) => [kind, run.mixed.filter((s) => s.kind === kind)] as const),
        ['all', run.mixed] as const,
      ].map(([kind, samples]) => {
        const l = latency(samples);
        return {
          kind,
          requests: l.count,
          answered: l.answered,
          errors: l.errors,
          'non-200': l.non200,
          'p50 ms': fixed(l.p50),
          'p99 ms': fixed(l.p99),
          'max ms': fixed(l.max),
        };
      }),
    );
    const firstError = run.mixed.find((s) => s.error || s.answerMs === undefined);
    if (firstError)
      console.log(
        `  first unanswered or error answer: ${firstError.id} (${firstError.kind}): ${firstError.text ?? 'no answer'}`,
      );
  }
  const calls = (byAction: Record<string, number> | undefined) =>
    byAction === undefined
      ? '-'
      : Object.entries(byAction)
          .map(([action, count]) => `${action} ${count}`)
          .join(', ') || 'none';
  console.log(
    `  CAS calls during the mixed requests: ${calls(run.casCalls.mixed)}; during the lists after the sync: ${calls(run.casCalls.lists)}`,
  );
  console.log('  RSS of `serve` (VmRSS now / VmHWM peak so far):');
  for (const r of run.rss) console.log(`    ${r.label}: ${fixed(r.rssMb)} MB / ${fixed(r.peakMb)} MB`);
  const after = latency(run.listsAfterSync);
  if (run.listsAfterSync.length > 0)
    console.log(
      `  /cert-list expiring after the other process synced: first ${fixed(run.listsAfterSync[0]?.answerMs)} ms, ` +
        `then p50 ${fixed(latency(run.listsAfterSync.slice(1)).p50)} ms; all ${after.count}: p50 ${fixed(after.p50)}, ` +
        `p99 ${fixed(after.p99)}, max ${fixed(after.max)} ms`,
    );
  if (run.stderr.length > 0)
    console.log(`  \`serve\` wrote ${run.stderr.length} stderr lines; first: ${run.stderr.slice(0, 3).join(' | ')}`);
  const notes = [busyNote('mixed requests', run.machine.mixed), busyNote('lists after the sync', run.machine.lists)];
  for (const note of notes.filter((x): x is string => x !== undefined))
    console.log(`  Warning: the machine was busy; ${note}`);

  const mixedRss = run.rssAfterMixed;
  const mixed = latency(run.mixed);
  const home = latency(run.mixed.filter((s) => s.kind === 'home'));
  const info = latency(run.mixed.filter((s) => s.kind === 'info id' || s.kind === 'info domain'));
  const withFirst = (l: Latency) => `p50 ${fixed(l.p50)} / p99 ${fixed(l.p99)} / max ${fixed(l.max)} ms`;
  return [
    [
      `RSS of \`serve\` holding ${n} certificates after ${options.commands} mixed requests < ${SERVING_TARGET.rssMb} MB`,
      allAnswered(mixed) && (mixedRss?.rssMb ?? Number.NaN) < SERVING_TARGET.rssMb,
      `${fixed(mixedRss?.rssMb)} MB (peak ${fixed(mixedRss?.peakMb)} MB), ${mixed.answered}/${mixed.count} answered, ${mixed.errors} errors`,
    ],
    [
      `/cert-list expiring at ${n}, including the first after another process synced: p99 ≤ ${SERVING_TARGET.listMs} ms`,
      allAnswered(after) && after.p99 <= SERVING_TARGET.listMs,
      `first ${fixed(run.listsAfterSync[0]?.answerMs)} ms; ${withFirst(after)} over ${after.count}`,
    ],
    [
      `Home view at ${n}: p99 ≤ ${SERVING_TARGET.homeMs} ms`,
      allAnswered(home) && home.p99 <= SERVING_TARGET.homeMs,
      `${withFirst(home)} over ${home.count}`,
    ],
    [
      `/cert-info (by ID and by domain) at ${n}: p99 ≤ ${SERVING_TARGET.infoMs} ms`,
      allAnswered(info) && info.p99 <= SERVING_TARGET.infoMs,
      `${withFirst(info)} over ${info.count}`,
    ],
  ];
}

async function main(): Promise<void> {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-serving-'));
  try {
    const options = servingOptionsFromEnv({ certs: 100_000, qps: Number(process.env.CAS_QPS ?? 10), tmp });
    console.log(
      `bench serving — ${options.certs} certificates, ${options.commands} mixed requests, ${options.lists} lists after a sync ` +
        `(${os.cpus().length} cores, load average ${os.loadavg()[0].toFixed(2)} at start)`,
    );
    const checks = reportServing(await runServing(options));
    console.log('\nTargets:');
    for (const [what, ok, value] of checks) console.log(`  ${ok ? 'PASS' : 'FAIL'}  ${what}: ${value}`);
    process.exitCode = checks.every(([, ok]) => ok) ? 0 : 1;
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

if (require.main === module)
  main().catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  });
