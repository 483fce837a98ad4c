import { keepLease } from '../jobs/lease';
import type { ClaimKey, ClaimStore } from '../store/types';

/**
 * Posting to Slack exactly once: claim by key, look for an earlier post by its metadata, post,
 * then record the post in the claim (or give the claim back). Used by the alerts, the digest and
 * the digest's chart; the claim store makes it hold across replicas and restarts.
 *
 * A post whose answer is lost (a timeout, a reset, a 5xx) may or may not have reached Slack.
 * Such a post is never sent again blindly: the channel is searched for the bot's own message
 * first, before every retry, and the claim is given back only when that search could not be
 * made; the next run, finding the claim released or taken over, searches first too.
 */

/** One thing to post once: its claim, and keys it takes along when they are free. */
export interface PostItem {
  key: ClaimKey;
  /** Claimed with `key` when free (a late-found stale deployment also covers the threshold it crossed). */
  also?: readonly ClaimKey[];
}

/** An item whose claim this holder has: its keys (the main one first) and which attempt this is. */
export interface Granted<I extends PostItem> {
  item: I;
  keys: ClaimKey[];
  attempt: number;
}

/** How long, and how often, a post with an unknown outcome is looked for and tried again. */
export interface PostRetry {
  /** First wait after a failure, doubled each time up to `maxDelayMs`. */
  baseDelayMs: number;
  maxDelayMs: number;
  /** How long to keep going before giving the claim back to a later run (0: one attempt, one look). */
  forMs: number;
}

export const DEFAULT_POST_RETRY: PostRetry = { baseDelayMs: 2_000, maxDelayMs: 30_000, forMs: 2 * 60_000 };

export interface PostOnceDeps {
  claims: ClaimStore;
  /** Names this process in the claims. */
  holder: string;
  now: () => Date;
  retry?: PostRetry;
  /** Waits between attempts; a timer unless given. */
  sleep?: (ms: number) => Promise<void>;
}

/** What a claim records once its post is done (or given up on for good). */
export interface Finish {
  status: string;
  result?: Record<string, unknown>;
  error?: string;
}

export interface PostSteps<I extends PostItem, P> {
  /** How long a claim is held without renewal; renewed while the post is under way. */
  leaseMs: number;
  /** Post again even if done (an operator's re-run): no look for an earlier post. */
  force?: boolean;
  /** The earlier post of these items, found by its metadata; rejects when the channel cannot be read. */
  find(granted: readonly Granted<I>[]): Promise<P | undefined>;
  /** Sends the post once (the Slack client must not retry on its own). */
  post(granted: readonly Granted<I>[]): Promise<P>;
  /** What each item's claim records, given the post (found: an earlier attempt's). */
  record(post: P, granted: Granted<I>, found: boolean): Finish;
  /**
   * A failure whose outcome is known (Slack answered with an error, or nothing was sent): give
   * the claims back for a later run, or record an outcome so none tries again.
   */
  refused(error: unknown): 'release' | Finish;
  /** No post could be made nor found within the retry time: by default the claims are given back. */
  unresolved?(error: unknown): 'release' | Finish;
  /** The channel could not be searched, with an answer from Slack (a missing scope): posting anyway. */
  onFindFailed?(error: unknown): void;
  /** A failure that will be looked for and tried again. */
  onRetry?(error: unknown, waitMs: number): void;
}

export type PostOnceOutcome<I extends PostItem, P> =
  /** Nothing granted: done already, or under way elsewhere. */
  | { status: 'skipped' }
  /** Posted now, or (found) an earlier attempt's post recorded. */
  | { status: 'posted'; post: P; found: boolean; granted: Granted<I>[] }
  /** Slack refused the post, or it failed before anything was sent; the claims were released or finished. */
  | { status: 'refused'; error: unknown; released: boolean; granted: Granted<I>[] }
  /** Neither posted nor found within the retry time; the claims were released (or finished). */
  | { status: 'unresolved'; error: unknown; released: boolean; granted: Granted<I>[] };

/** Claims every item's key (and its `also` keys when free); the items granted, in order. */
export async function claimPosts<I extends PostItem>(
  deps: PostOnceDeps,
  items: readonly I[],
  options: { leaseMs: number; force?: boolean },
): Promise<Granted<I>[]> {
  const granted: Granted<I>[] = [];
  for (const item of items) {
    const request = { holder: deps.holder, now: deps.now(), leaseMs: options.leaseMs, force: options.force };
    const claimed = await deps.claims.claim({ ...item.key, ...request });
    if (!claimed) continue;
    const keys = [item.key];
    for (const also of item.also ?? []) if (await deps.claims.claim({ ...also, ...request })) keys.push(also);
    granted.push({ item, keys, attempt: claimed.attempt });
  }
  return granted;
}

/** Claims, looks for an earlier post, posts, and finishes or releases: see `postClaimed`. */
export async function postOnce<I extends PostItem, P>(
  deps: PostOnceDeps,
  items: readonly I[],
  steps: PostSteps<I, P>,
): Promise<PostOnceOutcome<I, P>> {
  const granted = await claimPosts(deps, items, steps);
  if (granted.length === 0) return { status: 'skipped' };
  return postClaimed(deps, granted, steps);
}

/**
 * The post of items already claimed by this holder. An earlier holder that claimed them and did
 * not finish (it died, or gave them back) may have posted: the channel is searched first. A
 * failure whose outcome is unknown is searched for after a wait, then posted again only if not
 * found; a search that cannot be made is tried again, never skipped, until the retry time is
 * over, when the claims are given back (the next run searches first).
 */
export async function postClaimed<I extends PostItem, P>(
  deps: PostOnceDeps,
  granted: Granted<I>[],
  steps: PostSteps<I, P>,
): Promise<PostOnceOutcome<I, P>> {
  const retry = deps.retry ?? DEFAULT_POST_RETRY;
  const sleep = deps.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const keys = granted.flatMap((g) => g.keys);
  const keeper = keepLease(deps.claims, keys, { holder: deps.holder, leaseMs: steps.leaseMs, now: deps.now });
  const settle = async (choice: 'release' | Finish): Promise<boolean> => {
    if (choice === 'release') await Promise.all(keys.map((key) => deps.claims.release(key, deps.holder)));
    else await finishAll(deps, granted, () => choice);
    return choice === 'release';
  };
  try {
    const deadline = deps.now().getTime() + retry.forMs;
    const pastDeadline = (waitMs = 0) => deps.now().getTime() + waitMs > deadline;
    let delay = retry.baseDelayMs;
    const backOff = () => {
      const wait = delay;
      delay = Math.min(delay * 2, retry.maxDelayMs);
      return wait;
    };
    let look = !steps.force && granted.some((g) => g.attempt > 1);
    let unknown: unknown;
    for (;;) {
      if (look) {
        try {
          const found = await steps.find(granted);
          if (found !== undefined) {
            await finishAll(deps, granted, (g) => steps.record(found, g, true));
            return { status: 'posted', post: found, found: true, granted };
          }
        } catch (error) {
          if (outcomeUnknown(error)) {
            // Slack did not answer the search: posting now could post twice.
            unknown = error;
            const wait = backOff();
            if (pastDeadline(wait)) return unresolved();
            steps.onRetry?.(error, wait);
            await sleep(wait);
            continue;
          }
          // The channel cannot be read (a missing scope): a missed post is worse than a double one.
          steps.onFindFailed?.(error);
        }
        look = false;
      }
      try {
        const post = await steps.post(granted);
        await finishAll(deps, granted, (g) => steps.record(post, g, false));
        return { status: 'posted', post, found: false, granted };
      } catch (error) {
        const rateLimited = retryAfterMs(error);
        if (rateLimited !== undefined) {
          // Slack refused it for now and said when to come back: nothing was posted.
          if (pastDeadline(rateLimited)) return await refused(error, 'release');
          steps.onRetry?.(error, rateLimited);
          await sleep(rateLimited);
          continue;
        }
        if (!outcomeUnknown(error)) return await refused(error, steps.refused(error));
        // Slack may have posted it: look before anything else, once its answer has had time.
        unknown = error;
        look = true;
        const wait = backOff();
        steps.onRetry?.(error, wait);
        await sleep(wait);
        if (pastDeadline()) return await lastLook();
      }
    }

    async function refused(error: unknown, choice: 'release' | Finish): Promise<PostOnceOutcome<I, P>> {
      return { status: 'refused', error, released: await settle(choice), granted };
    }
    async function unresolved(): Promise<PostOnceOutcome<I, P>> {
      return {
        status: 'unresolved',
        error: unknown,
        released: await settle(steps.unresolved?.(unknown) ?? 'release'),
        granted,
      };
    }
    /** The retry time is over after a post with an unknown outcome: one search, then give up. */
    async function lastLook(): Promise<PostOnceOutcome<I, P>> {
      const found = await steps.find(granted).catch(() => undefined);
      if (found === undefined) return unresolved();
      await finishAll(deps, granted, (g) => steps.record(found, g, true));
      return { status: 'posted', post: found, found: true, granted };
    }
  } finally {
    keeper.stop();
  }
}

async function finishAll<I extends PostItem>(
  deps: PostOnceDeps,
  granted: readonly Granted<I>[],
  outcome: (g: Granted<I>) => Finish,
): Promise<void> {
  const now = deps.now();
  await Promise.all(
    granted.flatMap((g) => {
      const finish = outcome(g);
      return g.keys.map((key) => deps.claims.finish(key, deps.holder, { ...finish, now }));
    }),
  );
}

/** Network error codes after which a request may have been carried out, its answer lost. */
const LOST_ANSWER_CODES = new Set([
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'ECONNABORTED',
  'UND_ERR_SOCKET',
  'UND_ERR_CLOSED',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
]);

/**
 * Whether a failed Slack call may nevertheless have been carried out: no answer (a timeout, a
 * reset, a dropped connection) or a 5xx. Slack's own error answers (`not_in_channel`, …), a
 * rate limit and a request that never went out (a refused connection, a bad address) are
 * known outcomes: nothing was posted.
 */
export function outcomeUnknown(error: unknown): boolean {
  const e = error as { code?: unknown; statusCode?: unknown; original?: unknown; name?: unknown } | undefined;
  if (e?.code === 'slack_webapi_platform_error' || e?.code === 'slack_webapi_rate_limited_error') return false;
  if (e?.code === 'slack_webapi_http_error') return typeof e.statusCode === 'number' && e.statusCode >= 500;
  // The request error wraps fetch's; fetch's names its cause.
  const cause = e?.code === 'slack_webapi_request_error' ? e.original : error;
  for (
    let inner = cause as { name?: unknown; code?: unknown; cause?: unknown } | undefined, depth = 0;
    inner && depth < 4;
    depth++
  ) {
    if (inner.code === 'ECONNREFUSED' || inner.code === 'ENOTFOUND') return false;
    if (inner.name === 'TimeoutError' || inner.name === 'AbortError') return true;
    if (typeof inner.code === 'string' && LOST_ANSWER_CODES.has(inner.code)) return true;
    inner = inner.cause as typeof inner;
  }
  // Anything else failed before the request went out (a refused connection, a bad address).
  return false;
}

/** How long Slack asked to wait, when it refused a call for its rate limit. */
function retryAfterMs(error: unknown): number | undefined {
  const e = error as { code?: unknown; retryAfter?: unknown } | undefined;
  return e?.code === 'slack_webapi_rate_limited_error' && typeof e.retryAfter === 'number'
    ? e.retryAfter * 1000
    : undefined;
}

/**
 * fetch for the client that posts: a failure is rethrown as an Error of this realm carrying the
 * original as its cause. The Slack client keeps only the text of a failure that is not an
 * `instanceof Error` here (fetch's own errors, made in another realm under a test runner, and a
 * timeout's DOMException), and `outcomeUnknown` needs its cause: a reset or a timeout.
 */
export const fetchKeepingCause: typeof fetch = async (input, init) => {
  try {
    return await fetch(input, init);
  } catch (error) {
    const e = error as { name?: unknown; message?: unknown } | undefined;
    throw new Error(`${String(e?.name ?? 'Error')}: ${String(e?.message ?? error)}`, { cause: error });
  }
};
