/**
 * Sliding one-second window per caller, the way the gateway enforces "N calls per second
 * per user": a call is refused when `limit` calls were already accepted in the last
 * `windowMs`. Refused calls do not enter the window, so a client that backs off recovers.
 */
export class SlidingWindowLimiter {
  private readonly accepted = new Map<string, number[]>();

  constructor(
    private limit: number,
    private readonly windowMs = 1000,
  ) {}

  setLimit(limit: number): void {
    this.limit = limit;
  }

  /** True when the call is accepted (and recorded), false when it is over the limit. */
  tryAcquire(key: string, now: number): boolean {
    const times = this.accepted.get(key) ?? [];
    const recent = times.filter((t) => now - t < this.windowMs);
    if (recent.length >= this.limit) {
      this.accepted.set(key, recent);
      return false;
    }
    recent.push(now);
    this.accepted.set(key, recent);
    return true;
  }
}

/** The most calls that arrived within any one-second span: what a sliding-window limit sees. */
export function busiestWindow(calls: ReadonlyArray<{ at: number }>): number {
  const times = calls.map((c) => c.at).sort((a, b) => a - b);
  let best = 0;
  let start = 0;
  for (let end = 0; end < times.length; end++) {
    while (times[end] - times[start] >= 1000) start++;
    best = Math.max(best, end - start + 1);
  }
  return best;
}
