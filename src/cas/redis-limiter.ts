import { EventEmitter } from 'node:events';
import type Bottleneck from 'bottleneck';
import type { default as Redis, RedisOptions } from 'ioredis';
import { checkBottleneckCompat, dropWaiting, Redis7Connection } from './bottleneck-compat';
import { CasError } from './errors';

/**
 * The shared limiter: Bottleneck's clustering mode on an ioredis connection, so every replica
 * of the bot draws from one CAS_QPS budget per AccessKey. Bottleneck keeps the limiter state
 * (next free slot, running count) in Redis and computes each job's wait in a Lua script, so
 * `minTime` spacing and `maxConcurrent` hold across processes, not only within one.
 */

/** Prefix of every Redis key and pub/sub channel of the limiter (Bottleneck adds `b_` and the AccessKey ID). */
export const DEFAULT_LIMITER_NAMESPACE = 'cas-cert-bot:limiter';
/** Keys of an account nobody called for this long expire (Bottleneck's Group `timeout`). */
export const DEFAULT_KEY_TTL_MS = 10 * 60_000;
/** How long start-up waits for Redis before giving up. */
export const DEFAULT_CONNECT_TIMEOUT_MS = 5_000;
/** A Redis command that takes longer fails, so a hung server fails calls instead of stalling them. */
const COMMAND_TIMEOUT_MS = 2_000;
const RECONNECT_MAX_DELAY_MS = 2_000;

export const LIMITER_UNAVAILABLE_CODE = 'LimiterUnavailable';

export type LimiterConnectionState = 'lost' | 'restored';

export interface RedisLimiterOptions {
  /** REDIS_URL; may carry a password, so it never appears in a message. */
  url: string;
  namespace?: string;
  keyTtlMs?: number;
  connectTimeoutMs?: number;
  /**
   * Longest a job may hold a concurrency slot. Redis frees the slot of a job whose replica
   * died (or lost Redis) before telling it the job was done; without an expiration such a slot
   * would stay taken for as long as the account is busy.
   */
  jobExpirationMs: number;
  /**
   * The limits of this replica. Bottleneck writes a limiter's settings to Redis only when it
   * creates its keys, which live as long as the account is busy; written again by every new
   * limiter, a changed CAS_QPS takes effect when the replicas that carry it start.
   */
  limits: { minTime: number; maxConcurrent: number };
}

export interface SharedLimiterEvents {
  /** The connection was lost, or is back after a loss (for logs; `detail` holds no secret). */
  connection: [state: LimiterConnectionState, detail: string];
}

/** Bottleneck job options a caller of the shared limiter may set (the expiration is the limiter's). */
export type SharedJobOptions = Pick<Bottleneck.JobOptions, 'priority'>;

/** What the CAS client needs from a shared limiter (see `createCasClient`'s `sharedLimiter`). */
export interface SharedLimiter {
  /** host:port of the Redis server, without credentials. */
  readonly target: string;
  /** Connection changes after start-up; the CAS client re-emits them as its `limiter` event. */
  readonly events: EventEmitter<SharedLimiterEvents>;
  /** Options that put every limiter of a Bottleneck Group into Redis. */
  readonly bottleneck: Bottleneck.ConstructorOptions;
  isReady(): boolean;
  /** Fails the jobs waiting in the group's limiters whenever Redis is lost. */
  watch(group: Bottleneck.Group): void;
  /**
   * Runs `task` when the account's shared limit allows; rejects with a LimiterUnavailable
   * CasError when Redis is unreachable. `job` goes to Bottleneck with the job expiration added.
   */
  schedule<T>(
    group: Bottleneck.Group,
    key: string,
    operation: string,
    job: SharedJobOptions,
    task: () => Promise<T>,
  ): Promise<T>;
  /** Creates the account's limiter and waits until Bottleneck has set it up in Redis. */
  prepare(group: Bottleneck.Group, key: string): Promise<void>;
  close(): Promise<void>;
}

/** Start-up could not use Redis: reported like a configuration error, naming host:port only. */
export class LimiterStartupError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'LimiterStartupError';
  }
}

export function limiterUnavailableError(operation: string, target: string, cause?: unknown): CasError {
  const error = new CasError({
    kind: 'unavailable',
    operation,
    code: LIMITER_UNAVAILABLE_CODE,
    message: `${operation} was not sent: the shared rate limiter (Redis at ${target}) is unreachable`,
    hint: 'The bot shares its CAS rate limit with its other replicas through Redis, which is unreachable right now; try again in a minute and check Redis (REDIS_URL).',
  });
  // For logs and start-up diagnostics; not part of the message, which a person reads.
  if (cause !== undefined) error.cause = cause;
  return error;
}

export interface ParsedUrl {
  target: string;
  secrets: string[];
  /** The database ioredis SELECTs: the URL's path (`/3`), else its `?db=`, else 0. */
  database: string;
}

export function parseRedisUrl(url: string): ParsedUrl {
  try {
    const parsed = new URL(url);
    const secrets = [parsed.password, parsed.username].filter((s) => s.length > 0).flatMap((s) => [s, safeDecode(s)]);
    const database = parsed.pathname.replace(/^\//, '') || parsed.searchParams.get('db') || '0';
    return { target: `${parsed.hostname || 'localhost'}:${parsed.port || '6379'}`, secrets, database };
  } catch {
    // The config schema refuses such a URL; should one get here, it must still not be echoed.
    return { target: 'the REDIS_URL host', secrets: [url], database: '0' };
  }
}

/** ioredis reports a failed SELECT of the URL's database as an 'error' event and goes on in database 0. */
function isSelectError(error: unknown): boolean {
  const command = (error as { command?: { name?: unknown } } | null)?.command;
  return typeof command?.name === 'string' && command.name.toLowerCase() === 'select';
}

function safeDecode(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}

function reasonOf(error: unknown, secrets: string[]): string {
  // Duck-typed: socket errors may come from another realm (e.g. under jest) and fail `instanceof Error`.
  const { message, name } = (typeof error === 'object' && error !== null ? error : {}) as Partial<Error>;
  let text = typeof message === 'string' && message ? message : typeof name === 'string' ? name : String(error);
  for (const secret of secrets) text = text.split(secret).join('[redacted]');
  return text.split('\n')[0].slice(0, 200);
}

/**
 * The ioredis options. Commands never wait in ioredis' offline queue and are not resent after
 * a reconnect: Bottleneck's Lua scripts are not idempotent (a resent `register` would take a
 * second slot) and a call must fail fast while Redis is away rather than hang. ioredis keeps
 * reconnecting in the background, so calls work again as soon as Redis is back.
 */
export function clientOptions(connectTimeoutMs: number): RedisOptions {
  return {
    connectTimeout: Math.min(connectTimeoutMs, 3_000),
    commandTimeout: COMMAND_TIMEOUT_MS,
    maxRetriesPerRequest: 0,
    enableOfflineQueue: false,
    autoResendUnfulfilledCommands: false,
    retryStrategy: (attempt) => Math.min(attempt * 100, RECONNECT_MAX_DELAY_MS),
  };
}

function withTimeout<T>(promise: Promise<T>, ms: number, onTimeout: () => Error): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(onTimeout()), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/**
 * Connects to Redis and waits until both connections Bottleneck needs (commands, pub/sub) are
 * ready. Rejects with a LimiterStartupError naming host:port when that does not happen in time,
 * and with a BottleneckCompatError, before connecting, when the installed Bottleneck lacks an
 * internal that bottleneck-compat.ts patches.
 */
export async function connectRedisLimiter(options: RedisLimiterOptions): Promise<SharedLimiter> {
  // Before anything connects: a Bottleneck without the internals the limiter patches fails here, loudly.
  checkBottleneckCompat();
  const { target, secrets, database } = parseRedisUrl(options.url);
  const connectTimeoutMs = options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS;
  const namespace = options.namespace ?? DEFAULT_LIMITER_NAMESPACE;
  let lastError: unknown;
  let selectError: unknown;
  let closing = false;
  const groups: Bottleneck.Group[] = [];
  const events = new EventEmitter<SharedLimiterEvents>();

  // Loaded only when a shared limiter is configured: one replica (and the CLI) never pays for it.
  const { default: RedisClient } = await import('ioredis');
  const client = new RedisClient(options.url, clientOptions(connectTimeoutMs));
  // ioredis emits 'error' on every failed (re)connection, and an 'error' event nobody listens
  // to would be thrown. Bottleneck listens on both of its connections and re-emits here.
  client.on('error', (error: unknown) => {
    lastError = error;
    if (isSelectError(error)) selectError = error;
  });
  // Bottleneck subscribes to its pub/sub channels on `client.duplicate()`, which inherits these options.
  const connection = new Redis7Connection({ client, Redis: RedisClient });
  connection.on('error', (error: unknown) => {
    lastError = error;
    if (isSelectError(error)) selectError = error;
  });
  let subscriber: Redis | undefined;

  const isReady = () => client.status === 'ready' && (subscriber === undefined || subscriber.status === 'ready');

  // Whether start-up succeeded, and whether the last connection event said "up".
  let connectedOnce = false;
  let reportedUp = false;
  client.on('close', () => {
    if (closing) return;
    for (const group of groups) {
      for (const { limiter } of group.limiters()) dropWaiting(limiter, 'Redis connection lost');
    }
    if (connectedOnce && reportedUp) {
      reportedUp = false;
      events.emit('connection', 'lost', `Redis at ${target}: ${reasonOf(lastError ?? 'connection closed', secrets)}`);
    }
  });
  client.on('ready', () => {
    if (closing || !connectedOnce || reportedUp) return;
    reportedUp = true;
    events.emit('connection', 'restored', `Redis at ${target} is reachable again`);
  });

  const disconnect = async () => {
    closing = true;
    try {
      // flush=true sends QUIT and waits for its answer, which needs a live connection.
      await connection.disconnect(isReady());
    } catch {
      await connection.disconnect(false);
    }
  };

  try {
    // Typed as a method in bottleneck.d.ts, but a promise property in the library itself.
    const ready = (connection as unknown as { ready: Promise<Bottleneck.ClientsList> }).ready;
    const clients = await withTimeout(
      ready,
      connectTimeoutMs,
      () =>
        new LimiterStartupError(
          `Redis at ${target} (REDIS_URL) is unreachable: no ready connection after ${connectTimeoutMs} ms` +
            `${lastError ? ` (${reasonOf(lastError, secrets)})` : ''}. The replicas share the CAS rate limit through it: ` +
            'check that Redis is running and reachable from the bot, and the host, port, password and TLS (rediss://) ' +
            'in REDIS_URL; or unset REDIS_URL to run a single replica with its own limiter.',
        ),
    );
    subscriber = clients.subscriber as Redis;
    // ioredis sends the SELECT before it reports the connection ready; one round trip more and
    // its answer has surely arrived. A refused database would otherwise mean database 0, quietly.
    if (database !== '0') await client.ping().catch(() => undefined);
    if (selectError !== undefined)
      throw new LimiterStartupError(
        `Redis at ${target} (REDIS_URL) refused database ${database}, the number in the URL's path ` +
          `(${reasonOf(selectError, secrets)}); the limiter would have used database 0 instead. ` +
          'Use a database the server has (/0 to /15 with the default `databases 16`; a Redis Cluster has only /0), ' +
          'or raise `databases` in its configuration.',
      );
  } catch (error) {
    await disconnect();
    throw error;
  }
  connectedOnce = true;
  reportedUp = true;

  const unavailable = (operation: string, cause?: unknown) => limiterUnavailableError(operation, target, cause);

  // Limiters whose settings this process has written to Redis.
  const settled = new WeakSet<Bottleneck>();

  async function usableLimiter(group: Bottleneck.Group, key: string, operation: string): Promise<Bottleneck> {
    // A new limiter registers itself in Redis once, when created; Bottleneck never repeats that
    // if it fails, so creating one while Redis is away would leave it broken for good.
    if (!group.keys().includes(key) && !isReady()) throw unavailable(operation);
    const limiter = group.key(key);
    try {
      await limiter.ready();
    } catch (error) {
      // Redis went away while this limiter registered. Forget it so that the next call builds
      // a fresh one; deleteKey also deletes the account's keys, which Bottleneck recreates.
      // Only with both connections up: it unsubscribes without handling a failure.
      if (isReady()) await group.deleteKey(key).catch(() => undefined);
      throw unavailable(operation, error);
    }
    if (!settled.has(limiter)) {
      try {
        // Also gives every key of the limiter its TTL: Bottleneck's registration leaves some
        // without one until the first job.
        await limiter.updateSettings(options.limits);
      } catch (error) {
        throw unavailable(operation, error);
      }
      settled.add(limiter);
    }
    return limiter;
  }

  return {
    target,
    events,
    bottleneck: {
      datastore: 'ioredis',
      connection,
      // The Group derives each account's id (`<namespace>-<AccessKey ID>`) and key TTL from these.
      id: namespace,
      timeout: options.keyTtlMs ?? DEFAULT_KEY_TTL_MS,
      clearDatastore: false,
    },
    isReady,
    watch(group) {
      groups.push(group);
      group.on('created', (limiter: Bottleneck) => {
        // Bottleneck reports Redis failures of its own bookkeeping (drain, free, heartbeat) as
        // 'error' events; with none of them working, waiting jobs could only wait.
        limiter.on('error', (error: unknown) => {
          lastError = error;
          dropWaiting(limiter, 'Redis command failed');
        });
      });
    },
    async schedule(group, key, operation, job, task) {
      const limiter = await usableLimiter(group, key, operation);
      let sent = false;
      try {
        return await limiter.schedule({ ...job, expiration: options.jobExpirationMs }, () => {
          sent = true;
          return task();
        });
      } catch (error) {
        // Once the task ran, the failure is the call's own; before that it can only be the limiter's.
        if (sent) throw error;
        throw unavailable(operation, error);
      }
    },
    async prepare(group, key) {
      try {
        await withTimeout(usableLimiter(group, key, 'start-up'), connectTimeoutMs, () => new Error('timed out'));
      } catch (error) {
        const cause = error instanceof CasError ? (error.cause ?? lastError) : error;
        const reason = reasonOf(cause ?? 'no answer', secrets);
        throw new LimiterStartupError(
          `Redis at ${target} (REDIS_URL) accepted the connection, but the shared rate limiter could not be set up there (${reason}). ` +
            'Check that the Redis user may run EVAL/EVALSHA, PUBLISH and SUBSCRIBE, and that the server is a primary, not a read-only replica.',
        );
      }
    },
    close: disconnect,
  };
}
