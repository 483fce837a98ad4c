import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { type CheckResult, CHECK_TIMEOUT_MS, CheckTimeout, fail, pass, skip } from './report';

/** CAS refuses a signed request whose time is further off than this (InvalidTimeStamp.Expired). */
export const MAX_CLOCK_SKEW_MS = 15 * 60_000;

/** A server's `Date` header and the local time it arrived at. */
export interface ClockSample {
  /** Whose clock: `CAS (https://cas.aliyuncs.com)`, `Slack (https://slack.com/api/)`. */
  source: string;
  server: Date;
  local: Date;
}

/**
 * Any HTTP answer from `url` (an error status too: only the connection and the Date header
 * matter), over node:http(s) as the CAS client connects (fetch refuses some ports and would
 * not see the same proxy-less path). Rejects when nothing answered within the check timeout.
 */
export function fetchDate(url: string, now: () => Date): Promise<{ status: number; server?: Date; local: Date }> {
  return new Promise((resolve, reject) => {
    const target = new URL(url);
    const send = target.protocol === 'https:' ? httpsRequest : httpRequest;
    const req = send(target, { method: 'GET', agent: false, timeout: CHECK_TIMEOUT_MS }, (res) => {
      const local = now();
      res.resume();
      const server = res.headers.date ? new Date(res.headers.date) : undefined;
      resolve({
        status: res.statusCode ?? 0,
        server: server && !Number.isNaN(server.getTime()) ? server : undefined,
        local,
      });
    });
    req.on('timeout', () => req.destroy(new CheckTimeout(CHECK_TIMEOUT_MS)));
    req.on('error', reject);
    req.end();
  });
}

export function checkClock(sample: ClockSample | undefined): CheckResult {
  const check = 'clock';
  if (!sample) return skip(check, 'not checked (no CAS or Slack answer with a Date header)');
  // The header is whole seconds, cut down: the server's time was in [Date, Date + 1 s).
  const skew = sample.local.getTime() - (sample.server.getTime() + 500);
  const words = `${describeSkew(skew)} ${sample.source}`;
  if (Math.abs(skew) > MAX_CLOCK_SKEW_MS)
    return fail(
      check,
      `local time is ${words}; CAS refuses requests more than 15 min off (InvalidTimeStamp)`,
      "sync the host's clock (NTP: chrony or systemd-timesyncd; `timedatectl set-ntp true`)",
    );
  return pass(check, `local time is ${words}; CAS allows 15 min`);
}

function describeSkew(ms: number): string {
  const seconds = Math.round(Math.abs(ms) / 1000);
  if (seconds <= 1) return 'within 1 s of';
  const minutes = Math.floor(seconds / 60);
  const amount =
    minutes === 0
      ? `${seconds} s`
      : minutes < 60
        ? `${minutes} min ${seconds % 60} s`
        : `${Math.floor(minutes / 60)} h ${minutes % 60} min`;
  return `${amount} ${ms > 0 ? 'ahead of' : 'behind'}`;
}
