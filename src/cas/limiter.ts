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
