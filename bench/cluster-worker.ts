/**
 * One replica for `npm run bench:cluster` and the cluster tests. Builds the real client from
 * the environment (CAS_ENDPOINT, ALIBABA_CLOUD_ACCESS_KEY_*, CAS_QPS, REDIS_URL, ...) the way
 * the bot does, makes one warm-up call, prints `{"ready":true}`, waits for a line on stdin (so
 * that every worker starts its burst at the same moment), queues all its pages at once, prints
 * one JSON report line and exits.
 *
 * The warm-up call makes the burst one of running replicas: a fresh process's first request
 * (module loading, JIT, a new connection) leaves tens of milliseconds late and crowds the next
 * ones into the same second at the server. That happens once per replica start; the driver
 * resets the simulator's counts after it (see runCluster's beforeGo).
 *
 *   node dist/bench/cluster-worker.js --from 1 --to 67 [--page-size 50] [--namespace NS] [--name w1]
 *
 * Pages are distinct, so nothing is coalesced: every page is one call (plus its retries).
 */
import readline from 'node:readline';
import { parseArgs } from 'node:util';
import { CasError } from '../src/cas';
import { buildCasClient } from '../src/wiring/cas-client';
import { loadConfig } from '../src/config';

export interface WorkerReport {
  name: string;
  redis: boolean;
  pages: number;
  ok: number;
  failed: number;
  /** Failed pages by `kind:code`. */
  errors: Record<string, number>;
  /** Attempts that reached CAS (every outcome), and how many of them CAS refused as throttled. */
  attempts: number;
  throttledAnswers: number;
  certificates: number;
  /** When each attempt left this process (epoch ms), with --trace. */
  sentAt?: number[];
  /** Epoch milliseconds. */
  startedAt: number;
  finishedAt: number;
}

export interface WorkerStartFailure {
  name: string;
  error: string;
}

function firstLine(stream: NodeJS.ReadableStream): Promise<void> {
  return new Promise((resolve) => {
    const lines = readline.createInterface({ input: stream });
    lines.once('line', () => {
      lines.close();
      resolve();
    });
    // A closed stdin (no driver) starts at once rather than never.
    lines.once('close', () => resolve());
  });
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      from: { type: 'string' },
      to: { type: 'string' },
      'page-size': { type: 'string', default: '50' },
      namespace: { type: 'string' },
      name: { type: 'string', default: `worker-${process.pid}` },
      trace: { type: 'boolean', default: false },
    },
  });
  const from = Number(values.from);
  const to = Number(values.to);
  const pageSize = Number(values['page-size']);
  const name = values.name;
  if (!Number.isInteger(from) || !Number.isInteger(to) || from < 1 || to < from || !Number.isInteger(pageSize)) {
    throw new Error('usage: cluster-worker --from <page> --to <page> [--page-size n] [--namespace ns] [--name n]');
  }
  const config = loadConfig(process.env);
  let attempts = 0;
  let throttledAnswers = 0;
  const sentAt: number[] = [];
  let client: Awaited<ReturnType<typeof buildCasClient>>;
  try {
    client = await buildCasClient(config, config.accounts[0], { redisNamespace: values.namespace });
  } catch (error) {
    const failure: WorkerStartFailure = { name, error: error instanceof Error ? error.message : String(error) };
    process.stdout.write(`${JSON.stringify(failure)}\n`);
    process.exitCode = 2;
    return;
  }
  client.events.on('call', (_operation, outcome, durationMs) => {
    attempts++;
    if (values.trace) sentAt.push(Math.round(Date.now() - durationMs));
    if (outcome === 'throttled') throttledAnswers++;
  });
  const filter = { orderType: 'CERT' as const, pageSize };
  try {
    await client.listCertificatePage(filter, from);
  } catch {
    // Only a warm-up: the burst reports whatever is wrong.
  }
  attempts = 0;
  throttledAnswers = 0;
  sentAt.length = 0;
  process.stdout.write(`${JSON.stringify({ ready: true })}\n`);
  await firstLine(process.stdin);

  const report: WorkerReport = {
    name,
    redis: Boolean(config.REDIS_URL),
    pages: to - from + 1,
    ok: 0,
    failed: 0,
    errors: {},
    attempts: 0,
    throttledAnswers: 0,
    certificates: 0,
    startedAt: Date.now(),
    finishedAt: 0,
  };
  await Promise.all(
    Array.from({ length: report.pages }, async (_, i) => {
      try {
        const page = await client.listCertificatePage(filter, from + i);
        report.ok++;
        report.certificates += page.CertificateOrderList.length;
      } catch (error) {
        report.failed++;
        const key = error instanceof CasError ? `${error.kind}:${error.code}` : String(error);
        report.errors[key] = (report.errors[key] ?? 0) + 1;
      }
    }),
  );
  report.finishedAt = Date.now();
  report.attempts = attempts;
  report.throttledAnswers = throttledAnswers;
  if (values.trace) report.sentAt = sentAt.sort((a, b) => a - b);
  await client.close();
  process.stdout.write(`${JSON.stringify(report)}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`cluster-worker: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
});
