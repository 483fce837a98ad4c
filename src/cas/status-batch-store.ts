import type { default as Redis } from 'ioredis';
import { clientOptions, DEFAULT_CONNECT_TIMEOUT_MS, parseRedisUrl } from './redis-limiter';

/**
 * Where replicas keep their shared status batches: Redis, under the shared limiter's namespace
 * and account key (`<namespace>:status:<account>:…`), so replicas that share a CAS budget also
 * share status calls, and nothing else does. Every step that decides who is in a batch is one
 * Lua script, so a serial is either in the batch when it is closed or in the next one.
 *
 * Keys of an account: `open` (the id of the batch taking serials), `pace` (when the next batch
 * may be sent), and per batch `<id>:serials` (identity → serial as first asked), `<id>:lease`
 * (the owner's id while it works on the batch) and `<id>:result` (identity → answer, or the
 * error under ERROR_FIELD). Everything expires on its own; nothing needs cleaning up.
 */

/** The result field that holds the call's error, instead of answers. Not a hexadecimal serial. */
export const ERROR_FIELD = '!error';
/** How long a batch's serials and its result stay readable: far longer than any waiter waits for them. */
const KEEP_MS = 60_000;
/** How long connecting waits for Redis before it lets lookups batch per process until Redis is there. */
const READY_WAIT_MS = 2_000;

export interface JoinRequest {
  /** Used when this join opens a new batch. */
  newId: string;
  owner: string;
  identity: string;
  serial: string;
  maxBatchSize: number;
  /** Shortest wait of a new batch before it is sent. */
  windowMs: number;
  /** Least time between two batches being sent. */
  spacingMs: number;
  /** How long the owner's lease lasts once the batch is due; the owner renews it while it works. */
  leaseMs: number;
}

export interface Joined {
  id: string;
  owner: string;
  /** For the owner of a new batch: how long to wait before sending it. */
  delayMs: number;
}

export type BatchCheck =
  | { state: 'done'; fields: Array<string | null> }
  /** The owner holds its lease: the result will come. */
  | { state: 'pending' }
  /** No lease and no result: the owner died or lost Redis. */
  | { state: 'abandoned' };

export interface StatusBatchStore {
  join(account: string, request: JoinRequest): Promise<Joined>;
  /** Takes no more serials into the batch and returns them (as first asked). */
  closeBatch(account: string, id: string): Promise<string[]>;
  /** Writes the result, ends the lease and tells every replica (closes the batch too, if still open). */
  publish(account: string, id: string, fields: Record<string, string>): Promise<void>;
  renewLease(account: string, id: string, owner: string, leaseMs: number): Promise<void>;
  /** Reads `fields` of the batch's result, or tells whether its owner still works on it. */
  check(account: string, id: string, fields: readonly string[]): Promise<BatchCheck>;
  /** Calls `onPublished(id)` for every batch of the account published from now on (by any replica). */
  subscribe(account: string, onPublished: (id: string) => void): Promise<void>;
  close(): Promise<void>;
  /** host:port, for logs. */
  readonly target: string;
}

// KEYS: open, pace. ARGV: batch key prefix, new id, owner, identity, serial, max, window, spacing, lease, keep.
const JOIN = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local prefix = ARGV[1]
local max = tonumber(ARGV[6])
local id = redis.call('GET', KEYS[1])
if id then
  local owner = redis.call('GET', prefix .. id .. ':lease')
  local serials = prefix .. id .. ':serials'
  if owner and (redis.call('HEXISTS', serials, ARGV[4]) == 1 or redis.call('HLEN', serials) < max) then
    redis.call('HSETNX', serials, ARGV[4], ARGV[5])
    if redis.call('HLEN', serials) >= max then redis.call('DEL', KEYS[1]) end
    return {id, owner, 0}
  end
end
id = ARGV[2]
local sendAt = math.max(now + tonumber(ARGV[7]), tonumber(redis.call('GET', KEYS[2]) or '0'))
local delay = sendAt - now
local keep = tonumber(ARGV[10])
redis.call('SET', KEYS[2], sendAt + tonumber(ARGV[8]), 'PX', delay + tonumber(ARGV[8]) + 1000)
redis.call('HSET', prefix .. id .. ':serials', ARGV[4], ARGV[5])
redis.call('PEXPIRE', prefix .. id .. ':serials', delay + keep)
redis.call('SET', prefix .. id .. ':lease', ARGV[3], 'PX', delay + tonumber(ARGV[9]))
if max > 1 then redis.call('SET', KEYS[1], id, 'PX', delay + tonumber(ARGV[9])) end
return {id, ARGV[3], delay}
`;

// KEYS: open, serials. ARGV: id.
const CLOSE = `
if redis.call('GET', KEYS[1]) == ARGV[1] then redis.call('DEL', KEYS[1]) end
return redis.call('HVALS', KEYS[2])
`;

// KEYS: open, result, lease. ARGV: channel, id, keep, then field, value pairs.
const PUBLISH = `
if redis.call('GET', KEYS[1]) == ARGV[2] then redis.call('DEL', KEYS[1]) end
redis.call('HSET', KEYS[2], unpack(ARGV, 4))
redis.call('PEXPIRE', KEYS[2], tonumber(ARGV[3]))
redis.call('DEL', KEYS[3])
return redis.call('PUBLISH', ARGV[1], ARGV[2])
`;

// KEYS: lease. ARGV: owner, lease ms. Renews only our own lease.
const RENEW = `
if redis.call('GET', KEYS[1]) == ARGV[1] then redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[2])) end
return 1
`;

// KEYS: lease, result. ARGV: fields. The lease is read first: the owner writes the result and
// ends its lease in one step, so no lease and no result means nobody will answer.
const CHECK = `
local leased = redis.call('EXISTS', KEYS[1])
if redis.call('EXISTS', KEYS[2]) == 1 then return {'done', redis.call('HMGET', KEYS[2], unpack(ARGV))} end
if leased == 1 then return {'pending'} end
return {'abandoned'}
`;

interface ScriptedRedis extends Redis {
  statusJoin(open: string, pace: string, ...args: Array<string | number>): Promise<[string, string, number]>;
  statusClose(open: string, serials: string, id: string): Promise<string[]>;
  statusPublish(open: string, result: string, lease: string, ...args: Array<string | number>): Promise<number>;
  statusRenew(lease: string, owner: string, leaseMs: number): Promise<number>;
  statusCheck(lease: string, result: string, ...fields: string[]): Promise<[string, Array<string | null>?]>;
}

/** Resolves when `connection` is ready, or after `ms` whatever it is. */
function untilReady(connection: Redis, ms: number): Promise<void> {
  if (connection.status === 'ready') return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      connection.off('ready', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    connection.once('ready', done);
  });
}

/**
 * Connects a store on REDIS_URL, waiting up to READY_WAIT_MS for Redis and never failing: a
 * lookup while Redis is away makes its own call, and ioredis keeps reconnecting. `namespace` is
 * the shared limiter's, so the batches of one bot's replicas meet. The connections are the
 * limiter's kind (clientOptions): commands fail fast while Redis is away and time out on a hung
 * server, so lookups go to their own calls instead of stalling.
 */
export async function connectStatusBatchStore(options: { url: string; namespace: string }): Promise<StatusBatchStore> {
  const { default: RedisClient } = await import('ioredis');
  const redis = new RedisClient(options.url, clientOptions(DEFAULT_CONNECT_TIMEOUT_MS)) as ScriptedRedis;
  // ioredis subscribes again after a reconnect; a SUBSCRIBE refused meanwhile is asked again by the next lookup.
  const subscriber = new RedisClient(options.url, clientOptions(DEFAULT_CONNECT_TIMEOUT_MS));
  // Failed (re)connections are reported as 'error' events, which would be thrown without a listener;
  // each command that fails meanwhile says so to its caller, who falls back.
  redis.on('error', () => undefined);
  subscriber.on('error', () => undefined);
  redis.defineCommand('statusJoin', { numberOfKeys: 2, lua: JOIN });
  redis.defineCommand('statusClose', { numberOfKeys: 2, lua: CLOSE });
  redis.defineCommand('statusPublish', { numberOfKeys: 3, lua: PUBLISH });
  redis.defineCommand('statusRenew', { numberOfKeys: 1, lua: RENEW });
  redis.defineCommand('statusCheck', { numberOfKeys: 2, lua: CHECK });

  await Promise.all([redis, subscriber].map((connection) => untilReady(connection, READY_WAIT_MS)));

  const prefix = (account: string) => `${options.namespace}:status:${account}:`;
  const channelOf = (account: string) => `${prefix(account)}published`;
  const listeners = new Map<string, (id: string) => void>();
  const subscribed = new Map<string, Promise<unknown>>();
  subscriber.on('message', (channel: string, id: string) => listeners.get(channel)?.(id));

  return {
    target: parseRedisUrl(options.url).target,
    async join(account, request) {
      const p = prefix(account);
      const [id, owner, delayMs] = await redis.statusJoin(
        `${p}open`,
        `${p}pace`,
        p,
        request.newId,
        request.owner,
        request.identity,
        request.serial,
        request.maxBatchSize,
        Math.round(request.windowMs),
        Math.round(request.spacingMs),
        Math.round(request.leaseMs),
        KEEP_MS,
      );
      return { id, owner, delayMs: Number(delayMs) };
    },
    closeBatch: async (account, id) =>
      redis.statusClose(`${prefix(account)}open`, `${prefix(account)}${id}:serials`, id),
    async publish(account, id, fields) {
      const p = prefix(account);
      await redis.statusPublish(
        `${p}open`,
        `${p}${id}:result`,
        `${p}${id}:lease`,
        channelOf(account),
        id,
        KEEP_MS,
        ...Object.entries(fields).flat(),
      );
    },
    async renewLease(account, id, owner, leaseMs) {
      await redis.statusRenew(`${prefix(account)}${id}:lease`, owner, Math.round(leaseMs));
    },
    async check(account, id, fields) {
      const p = prefix(account);
      const [state, values] = await redis.statusCheck(`${p}${id}:lease`, `${p}${id}:result`, ...fields);
      if (state === 'done') return { state, fields: values ?? [] };
      return { state: state === 'pending' ? 'pending' : 'abandoned' };
    },
    async subscribe(account, onPublished) {
      const channel = channelOf(account);
      listeners.set(channel, onPublished);
      let done = subscribed.get(channel);
      if (!done) {
        done = subscriber.subscribe(channel);
        subscribed.set(channel, done);
        done.catch(() => subscribed.delete(channel));
      }
      await done;
    },
    async close() {
      listeners.clear();
      redis.disconnect();
      subscriber.disconnect();
    },
  };
}
