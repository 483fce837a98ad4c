/**
 * Process helpers of `npm run bench:inventory`, read from /proc (Linux): the CPU used by this
 * process and everything it started (to tell whether other load skewed a phase), and a child
 * run whose peak RSS is sampled while it runs (VmHWM), cross-checked with `/usr/bin/time -v`
 * when it is installed.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import { machineBusySeconds } from './slack-load';

const TIME_BIN = '/usr/bin/time';

interface ProcStat {
  ppid: number;
  /** utime + stime, in seconds. */
  own: number;
  /** cutime + cstime: children this process has reaped, in seconds. */
  reaped: number;
}

function readStat(pid: number): ProcStat | undefined {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name, which may itself contain spaces and parentheses.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // USER_HZ = 100 on every common architecture (as machineBusySeconds assumes).
    return {
      ppid: Number(fields[1]),
      own: (Number(fields[11]) + Number(fields[12])) / 100,
      reaped: (Number(fields[13]) + Number(fields[14])) / 100,
    };
  } catch {
    return undefined;
  }
}

/** Every live process below `root`, by a scan of /proc. */
export function descendants(root: number): number[] {
  const children = new Map<number, number[]>();
  let names: string[] = [];
  try {
    names = fs.readdirSync('/proc');
  } catch {
    return [];
  }
  for (const name of names) {
    if (!/^\d+$/.test(name)) continue;
    const stat = readStat(Number(name));
    if (!stat) continue;
    children.set(stat.ppid, [...(children.get(stat.ppid) ?? []), Number(name)]);
  }
  const found: number[] = [];
  const queue = [...(children.get(root) ?? [])];
  while (queue.length > 0 && found.length < 10_000) {
    const pid = queue.shift() as number;
    found.push(pid);
    queue.push(...(children.get(pid) ?? []));
  }
  return found;
}

/**
 * CPU seconds used by this process and all it started: its own, its reaped children's (Linux adds
 * a child's time to its parent's when the parent waits for it) and every live descendant's.
 */
export function treeCpuSeconds(root = process.pid): number | undefined {
  const self = readStat(root);
  if (!self) return undefined;
  let total = self.own + self.reaped;
  for (const pid of descendants(root)) total += readStat(pid)?.own ?? 0;
  return total;
}

export interface MachineShare {
  wallSeconds: number;
  /** CPU seconds of the bench and everything it started. */
  benchTree?: number;
  /** CPU seconds of every other process on the machine. */
  others?: number;
}

/** Starts measuring; the returned function says how the machine's CPU was shared since. */
export function machineMeter(): () => MachineShare {
  const started = performance.now();
  const machine = machineBusySeconds();
  const tree = treeCpuSeconds();
  return () => {
    const wallSeconds = (performance.now() - started) / 1000;
    const machineNow = machineBusySeconds();
    const treeNow = treeCpuSeconds();
    if (machine === undefined || tree === undefined || machineNow === undefined || treeNow === undefined)
      return { wallSeconds };
    const benchTree = treeNow - tree;
    // Counters are read at slightly different instants, so a quiet machine can come out a hair below zero.
    return { wallSeconds, benchTree, others: Math.max(0, machineNow - machine - benchTree) };
  };
}

/** A field of /proc/<pid>/status in kB (VmHWM: peak resident set size; VmRSS: now). */
export function statusKb(pid: number, field: 'VmHWM' | 'VmRSS'): number | undefined {
  try {
    const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) : undefined;
  } catch {
    return undefined;
  }
}

export interface PeakRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  wallMs: number;
  /** Highest VmHWM read while the node process ran (kB). */
  polledPeakKb?: number;
  polls: number;
  /** `/usr/bin/time -v`'s "Maximum resident set size" (kB), when it ran under it. */
  timePeakKb?: number;
  timedOut: boolean;
}

/**
 * Runs `node <args>` (under `/usr/bin/time -v` when present) and reads the node process's VmHWM
 * every `pollMs` until it exits; killed after `timeoutMs`.
 */
export async function runWithPeakRss(
  args: string[],
  options: { env: NodeJS.ProcessEnv; cwd: string; timeoutMs: number; pollMs?: number },
): Promise<PeakRun> {
  const underTime = fs.existsSync(TIME_BIN);
  const command = underTime ? TIME_BIN : process.execPath;
  const argv = underTime ? ['-v', process.execPath, ...args] : args;
  const started = performance.now();
  const child = spawn(command, argv, { env: options.env, cwd: options.cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('close', (code, signal) => resolve({ code, signal })),
  );
  let done = false;
  void exited.then(() => (done = true));

  let nodePid = underTime ? undefined : child.pid;
  let polledPeakKb: number | undefined;
  let polls = 0;
  let timedOut = false;
  const deadline = Date.now() + options.timeoutMs;
  while (!done) {
    if (Date.now() >= deadline) {
      timedOut = true;
      for (const pid of [...descendants(child.pid ?? -1), child.pid]) {
        try {
          if (pid !== undefined) process.kill(pid, 'SIGKILL');
        } catch {
          // Already gone.
        }
      }
      break;
    }
    if (nodePid === undefined && child.pid !== undefined) nodePid = descendants(child.pid)[0];
    if (nodePid !== undefined) {
      const kb = statusKb(nodePid, 'VmHWM');
      if (kb !== undefined) {
        polls += 1;
        polledPeakKb = Math.max(polledPeakKb ?? 0, kb);
      }
    }
    await new Promise((resolve) => setTimeout(resolve, options.pollMs ?? 20));
  }
  const { code, signal } = await exited;
  const timeMatch = /Maximum resident set size \(kbytes\): (\d+)/.exec(stderr);
  return {
    code,
    signal,
    stdout,
    stderr,
    wallMs: performance.now() - started,
    polledPeakKb,
    polls,
    timePeakKb: timeMatch ? Number(timeMatch[1]) : undefined,
    timedOut,
  };
}
