import Bottleneck from 'bottleneck';

/**
 * Every use of Bottleneck internals, in one place. The shared (Redis) limiter needs two things
 * Bottleneck has no public API for; both are private members of 2.19.5, its last release, and
 * may be gone or different in any other. package.json pins that exact version, and
 * `checkBottleneckCompat` (run when the shared limiter is built) makes an upgrade that lost
 * either member a start-up error instead of a limiter that quietly misbehaves.
 */

/** The release the patches below are written against; package.json pins it. */
export const PINNED_BOTTLENECK_VERSION = '2.19.5';

/** The shape of the Bottleneck class the check looks at: the class itself in production, a fake in tests. */
export interface BottleneckClassLike {
  readonly prototype: object;
  readonly IORedisConnection: { readonly prototype: object };
}

interface Internal {
  /** As a person would look it up in Bottleneck's source. */
  name: string;
  owner(bottleneck: BottleneckClassLike): object;
  member: string;
  usedFor: string;
}

const INTERNALS: readonly Internal[] = [
  {
    name: 'IORedisConnection.prototype.__scriptArgs__',
    owner: (bottleneck) => bottleneck.IORedisConnection.prototype,
    member: '__scriptArgs__',
    usedFor: "to read Redis 7's error replies to its Lua scripts",
  },
  {
    name: 'Bottleneck.prototype._dropAllQueued',
    owner: (bottleneck) => bottleneck.prototype,
    member: '_dropAllQueued',
    usedFor: 'to fail waiting calls when Redis is lost',
  },
];

/** The installed Bottleneck lacks an internal the shared limiter patches. */
export class BottleneckCompatError extends Error {
  /** The missing internals, e.g. `Bottleneck.prototype._dropAllQueued`. */
  readonly missing: readonly string[];

  constructor(missing: readonly string[], message: string) {
    super(message);
    this.name = 'BottleneckCompatError';
    this.missing = missing;
  }
}

/**
 * Throws a BottleneckCompatError naming every internal `bottleneck` lacks and the pinned
 * version. `bottleneck` defaults to the installed class; tests hand in a fake.
 */
export function checkBottleneckCompat(bottleneck: BottleneckClassLike = Bottleneck): void {
  const missing = INTERNALS.filter((internal) => {
    const owner = internal.owner(bottleneck) as Record<string, unknown>;
    return typeof owner[internal.member] !== 'function';
  });
  if (missing.length === 0) return;
  const version = (bottleneck as { version?: unknown }).version;
  const installed = typeof version === 'string' ? `bottleneck ${version}` : 'the installed bottleneck';
  const what = missing.map((internal) => `${internal.name} (used ${internal.usedFor})`).join(' and ');
  throw new BottleneckCompatError(
    missing.map((internal) => internal.name),
    `The shared rate limiter cannot run on ${installed}: it lacks ${what}. ` +
      `It is written for bottleneck ${PINNED_BOTTLENECK_VERSION} (pinned in package.json): ` +
      `reinstall that version (npm ci), or port src/cas/bottleneck-compat.ts to the new one.`,
  );
}

type ScriptCallback = (error: Error | null, replies: unknown) => void;

interface ScriptArgs {
  __scriptArgs__(name: string, id: string, args: unknown[], callback: ScriptCallback): unknown[];
}

/**
 * Bottleneck's Lua scripts answer `redis.error_reply('SETTINGS_KEY_NOT_FOUND')` when the
 * limiter's keys are gone (expired, or a Redis restarted empty) and `UNKNOWN_CLIENT` when other
 * replicas wrote this one off after a silence; Bottleneck then recreates the keys or registers
 * again. Since Redis 7 such replies arrive as `ERR SETTINGS_KEY_NOT_FOUND`, which Bottleneck
 * 2.19.5 does not recognise, so the limiter fails every call until the process restarts
 * (SGrondin/bottleneck#205 and #212; the fix, PR #215, was never released). This connection
 * hands Bottleneck the replies in the form it expects, by wrapping the private
 * `__scriptArgs__` that builds every script call's arguments and callback.
 */
export class Redis7Connection extends Bottleneck.IORedisConnection {
  __scriptArgs__(name: string, id: string, args: unknown[], callback: ScriptCallback): unknown[] {
    const base = Bottleneck.IORedisConnection.prototype as unknown as ScriptArgs;
    return base.__scriptArgs__.call(this, name, id, args, (error, replies) => {
      if (error && /^ERR (SETTINGS_KEY_NOT_FOUND|UNKNOWN_CLIENT|OVERWEIGHT:)/.test(error.message)) {
        error.message = error.message.slice('ERR '.length);
      }
      callback(error, replies);
    });
  }
}

interface QueueDropping {
  _dropAllQueued(message?: string): void;
}

/**
 * Fails every job waiting in `limiter`'s local queue. Those jobs wait for a slot that only
 * Redis can grant, so while Redis is away they would wait until it is back, however long that
 * takes. Bottleneck 2.19.5 has no public way to fail waiting jobs short of `stop()`, which
 * retires the limiter for good; the private `_dropAllQueued` is what it calls itself when a
 * cluster-wide BLOCK drops every queue. Jobs already granted a slot are left to run.
 */
export function dropWaiting(limiter: Bottleneck, message: string): void {
  (limiter as unknown as QueueDropping)._dropAllQueued(message);
}
