import Bottleneck from 'bottleneck';

export interface LimiterOptions {
  /** Most calls in any one-second window, per account. */
  qps: number;
  /** Most calls in flight at once, per account. */
  maxConcurrent: number;
  /**
   * Extra Bottleneck options for every account's limiter, e.g. the Redis datastore that makes
   * the limit shared by several replicas.
   */
  bottleneck?: Bottleneck.ConstructorOptions;
}

/**
 * The service counts calls in a sliding one-second window. Spacing calls `1000 / qps` apart is
 * exactly on the edge: a few milliseconds of jitter on the wire would put qps + 1 calls in one
 * window. A 5% margin keeps every window under the limit at a 5% cost in throughput.
 *
 * Shared by several replicas (redis-limiter.ts), the same spacing holds across them: Bottleneck
 * computes every wait in Redis from one `nextRequest`. It takes "now" from each replica's own
 * clock, though, so the replicas' clocks must agree (NTP) to well within the margin, which is
 * about 50 ms per one-second window whatever CAS_QPS is.
 */
export const SPACING_MARGIN = 1.05;

export function minTimeFor(qps: number): number {
  return Math.ceil((1000 / qps) * SPACING_MARGIN);
}

/** One Bottleneck limiter per account (AccessKey ID), created on first use. */
export function createLimiterGroup(options: LimiterOptions): Bottleneck.Group {
  return new Bottleneck.Group({
    minTime: minTimeFor(options.qps),
    maxConcurrent: options.maxConcurrent,
    ...options.bottleneck,
  });
}

/** Jobs waiting or running across every account, for the queue-depth metric. */
export function queueDepth(group: Bottleneck.Group): number {
  return group.limiters().reduce((sum, { limiter }) => {
    const counts = limiter.counts();
    return sum + (counts.RECEIVED ?? 0) + (counts.QUEUED ?? 0) + (counts.RUNNING ?? 0) + (counts.EXECUTING ?? 0);
  }, 0);
}

/**
 * How much later than our send a request may reach CAS (signing, the socket write, the network,
 * a busy machine) and still be counted in the window we counted it in. It binds on every call of
 * a long run and costs its width per CAS_QPS calls beyond the limiter's own spacing (CAS_QPS calls
 * granted on time span CAS_QPS × minTime ≥ 1,050 ms): at CAS_QPS 10 a sync's pages leave 110 ms
 * apart instead of 105, so a sync cannot come within 10% of pages ÷ QPS. Narrower guards let a
 * 3-QPS account put 4 calls into one second at CAS on a busy machine
 * (test/accounts/account-qps.timing.test.ts): 25 ms once, 50 ms in 2 of 4 runs, 75 ms in 2 of 2
 * at load average 6.5 (100 ms: 0 of 3 at 7.2–7.5). Counting each call when its request is written
 * to the socket, not when it is granted, would let the guard cover the network alone.
 */
export const SEND_GUARD_MS = 100;

export interface SendWindow {
  /** Resolves when `key` may send a call now; counts that call as sent now. */
  acquire(key: string): Promise<void>;
}

/**
 * The limiter's margin for the time between a grant and the request's arrival. A limiter
 * grants calls `minTime` apart, but on a busy machine a granted call may start late (the event
 * loop was blocked) and leave together with the calls granted after it. This window counts each
 * call when it is actually sent, and holds a call while CAS_QPS calls were sent in the last
 * second (plus SEND_GUARD_MS), so no one-second window at CAS sees more than CAS_QPS calls from
 * this process unless a call arrives more than SEND_GUARD_MS later than it was sent. On time, calls
 * are `minTime` apart and wait here at most the guard's excess over that spacing.
 */
export function createSendWindow(qps: number, windowMs = 1000 + SEND_GUARD_MS): SendWindow {
  const limit = Math.max(1, Math.floor(qps));
  const sent = new Map<string, number[]>();
  return {
    async acquire(key) {
      for (;;) {
        const now = performance.now();
        const times = (sent.get(key) ?? []).filter((at) => now - at < windowMs);
        sent.set(key, times);
        if (times.length < limit) {
          times.push(now);
          return;
        }
        await new Promise((resolve) =>
          setTimeout(resolve, Math.max(1, Math.ceil((times[0] as number) + windowMs - now))),
        );
      }
    },
  };
}
