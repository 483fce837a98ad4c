/**
 * The load side of `npm run bench:slack`: slash-command payloads (signed as the demo signs
 * them, src/demo/request-signing.ts), a fixed-concurrency sender over keep-alive sockets, and
 * the small process helpers the bench needs. Kept apart from test/helpers because bench/ is
 * compiled into dist/ and test/ is not.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import net from 'node:net';
import readline from 'node:readline';
import { slackSignature } from '../src/demo/request-signing';

export type BenchCommand = '/cert-risk' | '/cert-status';

export interface LoadRequest {
  /** Also the response_url path segment, so the sink can tie an answer to its request. */
  id: string;
  command: BenchCommand;
  text: string;
}

/** A slash-command form body with the fields Slack sends (for any command). */
export function commandBody(
  request: Pick<LoadRequest, 'id' | 'text'> & { command: string },
  responseUrl: string,
): string {
  return new URLSearchParams({
    token: 'deprecated-verification-token',
    team_id: 'T0BENCH',
    team_domain: 'bench',
    channel_id: 'C0BENCH',
    channel_name: 'bench',
    user_id: 'U0BENCH',
    user_name: 'bench',
    command: request.command,
    text: request.text,
    api_app_id: 'A0CERTBOT',
    is_enterprise_install: 'false',
    response_url: responseUrl,
    trigger_id: `trigger-${request.id}`,
  }).toString();
}

/** Wall-clock milliseconds with sub-millisecond resolution, comparable across processes on one machine. */
export function epochMs(): number {
  return performance.timeOrigin + performance.now();
}

export interface Sample {
  id: string;
  command: BenchCommand;
  /** epochMs() just before the request was written. */
  sentAt: number;
  /** Until the whole HTTP response had arrived. */
  ackMs: number;
  status: number;
}

export interface LoadTarget {
  port: number;
  path: string;
  signingSecret: string;
  responseUrl: (id: string) => string;
}

/** Keep-alive sockets, one per concurrent request; shared by a warm-up and its load. */
export function loadAgent(concurrency: number): http.Agent {
  return new http.Agent({ keepAlive: true, maxSockets: concurrency });
}

/**
 * Sends every request with at most `concurrency` in flight, each signed at send time. node:http
 * rather than fetch: the sender shares two cores with what it measures, and http costs less CPU.
 * Pass the warm-up's agent so the measured load does not also time 50 connection set-ups.
 */
export async function runLoad(
  target: LoadTarget,
  requests: readonly LoadRequest[],
  concurrency: number,
  agent: http.Agent,
): Promise<{ samples: Sample[]; wallMs: number }> {
  const samples: Sample[] = [];
  let next = 0;
  const started = performance.now();
  const worker = async () => {
    while (next < requests.length) {
      const request = requests[next++];
      const body = commandBody(request, target.responseUrl(request.id));
      const timestamp = Math.floor(Date.now() / 1000);
      const sentAt = epochMs();
      const t0 = performance.now();
      const status = await postForStatus({
        agent,
        port: target.port,
        path: target.path,
        body,
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          'x-slack-request-timestamp': String(timestamp),
          'x-slack-signature': slackSignature(body, timestamp, target.signingSecret),
        },
      });
      samples.push({ id: request.id, command: request.command, sentAt, ackMs: performance.now() - t0, status });
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  const wallMs = performance.now() - started;
  return { samples, wallMs };
}

/**
 * One POST to the bot on 127.0.0.1, resolving with its HTTP status: 0 when the connection was
 * refused or reset, or (with `timeoutMs`) when no answer came in time.
 */
export function postForStatus(request: {
  agent: http.Agent;
  port: number;
  path: string;
  body: string;
  headers: Record<string, string>;
  timeoutMs?: number;
}): Promise<number> {
  const { body } = request;
  return new Promise((resolve) => {
    const req = http.request(
      {
        host: '127.0.0.1',
        port: request.port,
        path: request.path,
        method: 'POST',
        agent: request.agent,
        headers: { ...request.headers, 'content-length': Buffer.byteLength(body) },
        ...(request.timeoutMs === undefined ? {} : { timeout: request.timeoutMs }),
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
        res.on('error', () => resolve(0));
      },
    );
    req.on('timeout', () => req.destroy());
    // A refused or reset connection is a failed ack (status 0), not a crashed bench.
    req.on('error', () => resolve(0));
    req.end(body);
  });
}

/** Nearest-rank percentile of an ascending array. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

export function ascending(values: Iterable<number>): number[] {
  return [...values].sort((a, b) => a - b);
}

/**
 * A port that was free a moment ago. The children bind it themselves: `cert-bot serve` logs the
 * port it bound only at info level, and the bench runs it at warn.
 */
export async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/**
 * Resolves once the Bolt receiver answers a signed ssl_check with 200: listening, and verifying
 * with the same secret as the load. Signed so the probe leaves no verification warning in the logs.
 */
export async function waitUntilServing(
  port: number,
  path: string,
  signingSecret: string,
  child: ChildProcess,
  timeoutMs = 30_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  const body = 'ssl_check=1&token=bench';
  let lastStatus = 0;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`child exited early with code ${child.exitCode}`);
    try {
      const timestamp = Math.floor(Date.now() / 1000);
      const res = await fetch(`http://127.0.0.1:${port}${path}`, {
        method: 'POST',
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          'x-slack-request-timestamp': String(timestamp),
          'x-slack-signature': slackSignature(body, timestamp, signingSecret),
        },
        body,
      });
      await res.arrayBuffer();
      lastStatus = res.status;
      if (res.status === 200) return;
    } catch {
      // Not listening yet.
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`no 200 on port ${port} within ${timeoutMs} ms (last status ${lastStatus})`);
}

export interface Child {
  process: ChildProcess;
  /** stderr lines, for the report: warnings of the app under load are findings. */
  stderrLines: string[];
  stop(): Promise<void>;
}

export function spawnChild(args: string[], options: { env: NodeJS.ProcessEnv; cwd?: string }): Child {
  const child = spawn(process.execPath, args, {
    env: options.env,
    cwd: options.cwd,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const stderrLines: string[] = [];
  readline.createInterface({ input: child.stderr as NodeJS.ReadableStream }).on('line', (line) => {
    stderrLines.push(line);
  });
  child.stdout?.resume();
  return { process: child, stderrLines, stop: () => stopChild(child) };
}

/** SIGTERM, then SIGKILL if the child has not exited after a grace period. */
export function stopChild(child: ChildProcess, graceMs = 5_000): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

/**
 * CPU seconds a process has used (user + system), from /proc; undefined off Linux. Assumes
 * USER_HZ = 100, which is what Linux reports to userspace on every common architecture.
 */
export function cpuSeconds(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined;
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name, which may itself contain spaces and parentheses.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return undefined;
  }
}

/**
 * CPU seconds all processes on the machine have used (user, nice, system, steal; all cores), from
 * /proc/stat; undefined off Linux. Interrupt time is left out: loopback traffic lands there and
 * belongs to no process, so it would pass for other load.
 */
export function machineBusySeconds(): number | undefined {
  try {
    const fields = fs.readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
    // user nice system idle iowait irq softirq steal
    const [user, nice, system, , , , , steal] = fields;
    return (user + nice + system + steal) / 100;
  } catch {
    return undefined;
  }
}

/** How a set of commands went: how many were answered, failed or refused, and answer times. */
export interface Latency {
  count: number;
  answered: number;
  errors: number;
  non200: number;
  p50: number;
  p99: number;
  max: number;
}

export function latencyOf<S extends { answerMs?: number; status: number }>(
  samples: readonly S[],
  isError: (sample: S) => boolean,
): Latency {
  const times = ascending(samples.flatMap((s) => (s.answerMs === undefined ? [] : [s.answerMs])));
  return {
    count: samples.length,
    answered: times.length,
    errors: samples.filter(isError).length,
    non200: samples.filter((s) => s.status !== 200).length,
    p50: percentile(times, 50),
    p99: percentile(times, 99),
    max: times[times.length - 1] ?? Number.NaN,
  };
}
