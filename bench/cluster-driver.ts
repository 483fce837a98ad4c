/**
 * Runs cluster workers (bench/cluster-worker.ts, built to dist/bench) as separate processes:
 * used by `npm run bench:cluster` and by test/cluster. Every worker is started, waited for until
 * it has built its client (reaching Redis) and made a warm-up call, and only then told to go, all at once.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import readline from 'node:readline';
import { DEFAULT_ACCESS_KEY_ID, DEFAULT_ACCESS_KEY_SECRET } from '../src/sandbox';
import type { WorkerReport, WorkerStartFailure } from './cluster-worker';

export type { WorkerReport } from './cluster-worker';

export interface WorkerSpec {
  from: number;
  to: number;
  pageSize: number;
}

export interface ClusterRunOptions {
  /** The simulator's URL (CAS_ENDPOINT). */
  endpoint: string;
  qps: number;
  /** Unset: every worker has its own in-process limiter, as before clustering. */
  redisUrl?: string;
  namespace?: string;
  workers: WorkerSpec[];
  /** Extra environment for the workers. */
  env?: Record<string, string>;
  /** Workers report when each attempt left them (WorkerReport.sentAt). */
  trace?: boolean;
  /** Runs once every worker is ready (each has made its warm-up call), before they go. */
  beforeGo?: () => Promise<void>;
  /** Told when every worker is ready and has been told to go. */
  onGo?: () => void;
}

export interface ClusterRun {
  reports: WorkerReport[];
  /** Epoch ms of the go signal and of the last worker's end. */
  startedAt: number;
  finishedAt: number;
}

/** Splits pages 1..total into `parts` contiguous ranges of near-equal length. */
export function splitPages(total: number, parts: number, pageSize: number): WorkerSpec[] {
  const specs: WorkerSpec[] = [];
  let next = 1;
  for (let i = 0; i < parts; i++) {
    const count = Math.floor(total / parts) + (i < total % parts ? 1 : 0);
    specs.push({ from: next, to: next + count - 1, pageSize });
    next += count;
  }
  return specs;
}

function packageRoot(): string {
  let dir = __dirname;
  while (!fs.existsSync(path.join(dir, 'package.json'))) {
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error('cannot find the cas-cert-bot package root');
    dir = parent;
  }
  return dir;
}

export function workerScript(): string {
  const script = path.join(packageRoot(), 'dist', 'bench', 'cluster-worker.js');
  if (!fs.existsSync(script)) throw new Error(`${script} is missing: run "npm run build" first`);
  return script;
}

interface RunningWorker {
  child: ChildProcess;
  ready: Promise<void>;
  report: Promise<WorkerReport>;
}

function startWorker(spec: WorkerSpec, index: number, options: ClusterRunOptions): RunningWorker {
  const name = `worker-${index + 1}`;
  const args = [workerScript(), '--from', String(spec.from), '--to', String(spec.to)];
  args.push('--page-size', String(spec.pageSize), '--name', name);
  if (options.namespace) args.push('--namespace', options.namespace);
  if (options.trace) args.push('--trace');
  const child = spawn(process.execPath, args, {
    stdio: ['pipe', 'pipe', 'inherit'],
    env: {
      PATH: process.env.PATH ?? '',
      CAS_ENDPOINT: options.endpoint,
      ALIBABA_CLOUD_ACCESS_KEY_ID: DEFAULT_ACCESS_KEY_ID,
      ALIBABA_CLOUD_ACCESS_KEY_SECRET: DEFAULT_ACCESS_KEY_SECRET,
      CAS_QPS: String(options.qps),
      CAS_TIMEOUT_MS: '5000',
      REDIS_URL: options.redisUrl ?? '',
      ...options.env,
    },
  });
  let onReady: () => void = () => undefined;
  let failed: (error: Error) => void = () => undefined;
  const ready = new Promise<void>((resolve, reject) => {
    onReady = resolve;
    failed = reject;
  });
  // Resolved on a clean exit only: a report followed by a crash (e.g. an unhandled rejection,
  // fatal by Node's default) must fail the run.
  const report = new Promise<WorkerReport>((resolve, reject) => {
    let received: WorkerReport | undefined;
    const lines = readline.createInterface({ input: child.stdout as NodeJS.ReadableStream });
    lines.on('line', (line) => {
      let message: Partial<WorkerReport & WorkerStartFailure & { ready: boolean }>;
      try {
        message = JSON.parse(line);
      } catch {
        return;
      }
      if (message.ready) onReady();
      else if (message.error !== undefined) failed(new Error(`${name} could not start: ${message.error}`));
      else received = message as WorkerReport;
    });
    // 'close', not 'exit': only then has every line of stdout been read.
    child.once('close', (code, signal) => {
      if (code === 0 && received) return resolve(received);
      const error = new Error(
        `${name} exited with ${signal ?? `code ${code}`}${received ? ' after reporting' : ' before reporting'}`,
      );
      failed(error);
      reject(error);
    });
  });
  // Whichever of the two the caller is not awaiting yet must not become an unhandled rejection.
  ready.catch(() => undefined);
  report.catch(() => undefined);
  return { child, ready, report };
}

/** Starts the workers, releases them together and collects their reports. */
export async function runCluster(options: ClusterRunOptions): Promise<ClusterRun> {
  const workers = options.workers.map((spec, i) => startWorker(spec, i, options));
  try {
    await Promise.all(workers.map((w) => w.ready));
    await options.beforeGo?.();
    const startedAt = Date.now();
    for (const worker of workers) worker.child.stdin?.end('go\n');
    options.onGo?.();
    const reports = await Promise.all(workers.map((w) => w.report));
    return { reports, startedAt, finishedAt: Date.now() };
  } finally {
    for (const worker of workers) {
      if (worker.child.exitCode === null && worker.child.signalCode === null) worker.child.kill('SIGTERM');
    }
  }
}

export { busiestWindow } from '../src/sandbox';
