import { randomBytes } from 'node:crypto';
import { CasError, type CasErrorKind } from './errors';
import { ERROR_FIELD, type StatusBatchStore } from './status-batch-store';

/**
 * Status lookups of every replica of a bot share calls: a lookup joins the account's open batch
 * in Redis (or opens one, which makes its replica the owner); the owner sends the batch as one
 * call, through its own limiter, retries and send window, and publishes each serial's answer
 * (or the call's error) for the replicas whose lookups joined. A batch is closed when the limiter
 * grants its call, so lookups arriving while it waits for a slot still join it.
 *
 * Nothing is lost when an owner dies or Redis fails: a lookup that cannot join makes its own
 * call (the local batcher), and a replica waiting on a batch whose owner's lease ran out without
 * a result makes its own call for those serials.
 */

/**
 * Least time between two status calls of one account, across replicas. A lookup alone still
 * goes after the short batch window; under a stream of lookups each call carries what arrived
 * in the last half second (20 lookups a second: about 10 a call), at most 2 status calls a
 * second of the account's CAS_QPS are spent on them however many replicas and people ask, and
 * a person waits at most half a second more for their answer.
 */
export const SHARED_STATUS_SPACING_MS = 500;
/**
 * How long an owner's claim on a batch lasts without being renewed (it renews every second while
 * its call waits, is retried or is answered). The longest a lookup waits on a dead owner before
 * making its own call: this plus CHECK_EVERY_MS.
 */
export const OWNER_LEASE_MS = 3_000;
const RENEW_EVERY_MS = 1_000;
/**
 * How often a replica waiting on another's batch looks at it, besides being told when it is
 * published: it notices a dead owner, and a result whose message it missed (a reconnect).
 */
const CHECK_EVERY_MS = 1_000;

export interface SharedStatusBatcherOptions<V> {
  store: StatusBatchStore;
  /** The shared limiter's key of the account: replicas sharing a budget share batches. */
  accountKey: () => Promise<string>;
  maxBatchSize: number;
  /** Shortest wait of a new batch before its call asks the limiter, in ms. */
  windowMs: number;
  spacingMs?: number;
  leaseMs?: number;
  /** Serials that mean the same certificate share one place in a batch. */
  identity: (serial: string) => string;
  /**
   * Sends one batch: calls `serials()` once its slot is granted (and again, with the same
   * answer, for each retry), which closes the batch, and resolves with each serial's answer.
   */
  send: (serials: () => Promise<string[]>) => Promise<(serial: string) => V>;
  /** A lookup's own way when the batch cannot be shared (Redis down, owner gone). */
  fallback: (serial: string) => Promise<V>;
}

export interface SharedStatusBatcher<V> {
  load(serial: string): Promise<V>;
  /** Stops watching batches; lookups still waiting make their own calls. */
  close(): Promise<void>;
}

interface Waiter<V> {
  serial: string;
  resolve: (value: V) => void;
  reject: (error: unknown) => void;
}

interface LocalBatch<V> {
  account: string;
  id: string;
  owned: boolean;
  /** This replica's lookups in the batch, by identity. */
  waiters: Map<string, Waiter<V>[]>;
  timer?: NodeJS.Timeout;
  inspecting?: boolean;
  /** Told of the result while reading the batch: read it again (the read may predate it). */
  again?: boolean;
  /** The owner's call has started: it answers the batch's lookups whatever happens. */
  sending?: boolean;
  done: boolean;
}

export function createSharedStatusBatcher<V>(options: SharedStatusBatcherOptions<V>): SharedStatusBatcher<V> {
  const { store } = options;
  const spacingMs = options.spacingMs ?? SHARED_STATUS_SPACING_MS;
  const leaseMs = options.leaseMs ?? OWNER_LEASE_MS;
  const replica = randomBytes(6).toString('hex');
  let sequence = 0;
  let closing = false;
  const batches = new Map<string, LocalBatch<V>>();
  const keyOf = (account: string, id: string) => `${account}\n${id}`;

  function finish(batch: LocalBatch<V>): void {
    batch.done = true;
    // Node clears an interval with clearTimeout as well.
    clearTimeout(batch.timer);
    if (batches.get(keyOf(batch.account, batch.id)) === batch) batches.delete(keyOf(batch.account, batch.id));
  }

  function fallBack(waiters: Iterable<Waiter<V>>): void {
    for (const waiter of waiters) options.fallback(waiter.serial).then(waiter.resolve, waiter.reject);
  }

  function fallBackAll(batch: LocalBatch<V>): void {
    const waiters = [...batch.waiters.values()].flat();
    batch.waiters.clear();
    finish(batch);
    fallBack(waiters);
  }

  function rejectAll(batch: LocalBatch<V>, error: unknown): void {
    const waiters = [...batch.waiters.values()].flat();
    batch.waiters.clear();
    finish(batch);
    for (const waiter of waiters) waiter.reject(error);
  }

  async function sendOwned(batch: LocalBatch<V>): Promise<void> {
    batch.sending = true;
    const renew = setInterval(() => {
      store.renewLease(batch.account, batch.id, replica, leaseMs).catch(() => undefined);
    }, RENEW_EVERY_MS);
    let closed: string[] | undefined;
    const serials = async () => {
      // Redis lost at the grant: this replica's own serials are all it knows of; the others'
      // replicas see no result and make their own calls.
      closed ??= await store
        .closeBatch(batch.account, batch.id)
        .catch(() => [...batch.waiters.values()].map((waiters) => (waiters[0] as Waiter<V>).serial));
      return closed;
    };
    try {
      let answer: (serial: string) => V;
      try {
        answer = await options.send(serials);
      } catch (error) {
        store.publish(batch.account, batch.id, { [ERROR_FIELD]: encodeError(error) }).catch(() => undefined);
        rejectAll(batch, error);
        return;
      }
      const fields: Record<string, string> = {};
      const sent = new Set<string>();
      for (const serial of closed ?? []) {
        sent.add(options.identity(serial));
        fields[options.identity(serial)] = JSON.stringify(answer(serial));
      }
      store.publish(batch.account, batch.id, fields).catch(() => undefined);
      const missed: Waiter<V>[] = [];
      for (const [identity, waiters] of batch.waiters) {
        for (const waiter of waiters) {
          if (!sent.has(identity)) missed.push(waiter);
          else {
            try {
              waiter.resolve(answer(waiter.serial));
            } catch (error) {
              waiter.reject(error);
            }
          }
        }
      }
      batch.waiters.clear();
      finish(batch);
      fallBack(missed);
    } finally {
      clearInterval(renew);
    }
  }

  async function inspect(batch: LocalBatch<V>): Promise<void> {
    if (batch.done) return;
    if (batch.inspecting) {
      batch.again = true;
      return;
    }
    batch.inspecting = true;
    batch.again = false;
    const identities = [...batch.waiters.keys()];
    let check: Awaited<ReturnType<StatusBatchStore['check']>>;
    try {
      check = await store.check(batch.account, batch.id, [ERROR_FIELD, ...identities]);
    } catch {
      check = { state: 'abandoned' };
    } finally {
      batch.inspecting = false;
    }
    if (batch.done) return;
    if (check.state === 'pending') {
      if (batch.again) void inspect(batch);
      return;
    }
    if (check.state === 'abandoned') return fallBackAll(batch);
    const [error, ...values] = check.fields;
    if (error) return rejectAll(batch, decodeError(error));
    const missed: Waiter<V>[] = [];
    for (const [index, identity] of identities.entries()) {
      const waiters = batch.waiters.get(identity) ?? [];
      batch.waiters.delete(identity);
      const value = values[index];
      if (value === null || value === undefined) missed.push(...waiters);
      else for (const waiter of waiters) waiter.resolve(JSON.parse(value) as V);
    }
    fallBack(missed);
    // Lookups that joined while the result was being read: read it again for them.
    if (batch.waiters.size === 0) finish(batch);
    else void inspect(batch);
  }

  const onPublished = (account: string) => (id: string) => {
    const batch = batches.get(keyOf(account, id));
    if (batch && !batch.owned) void inspect(batch);
  };

  return {
    async load(serial) {
      if (closing) return options.fallback(serial);
      const identity = options.identity(serial);
      let account: string;
      let joined: Awaited<ReturnType<StatusBatchStore['join']>>;
      try {
        account = await options.accountKey();
        // Not subscribed (Redis away): the periodic check still finds the result.
        await store.subscribe(account, onPublished(account)).catch(() => undefined);
        joined = await store.join(account, {
          newId: `${replica}.${++sequence}`,
          owner: replica,
          identity,
          serial,
          maxBatchSize: options.maxBatchSize,
          windowMs: options.windowMs,
          spacingMs,
          leaseMs,
        });
      } catch {
        // Redis unreachable, or the account's key could not be had (its own call says why).
        return options.fallback(serial);
      }
      return new Promise<V>((resolve, reject) => {
        const key = keyOf(account, joined.id);
        let batch = batches.get(key);
        if (!batch) {
          batch = { account, id: joined.id, owned: joined.owner === replica, waiters: new Map(), done: false };
          batches.set(key, batch);
          const started = batch;
          if (started.owned) started.timer = setTimeout(() => void sendOwned(started), joined.delayMs);
          else started.timer = setInterval(() => void inspect(started), CHECK_EVERY_MS);
        }
        const waiters = batch.waiters.get(identity);
        if (waiters) waiters.push({ serial, resolve, reject });
        else batch.waiters.set(identity, [{ serial, resolve, reject }]);
      });
    },
    async close() {
      closing = true;
      for (const batch of [...batches.values()]) {
        // An owner's call already under way answers its lookups; the rest make their own calls.
        if (batch.sending) continue;
        fallBackAll(batch);
      }
      await store.close();
    },
  };
}

interface EncodedError {
  cas?: { kind: CasErrorKind; operation: string; code: string; message: string; hint: string } & Partial<{
    requestId: string;
    statusCode: number;
    ramAction: string;
  }>;
  message?: string;
}

/** The call's error as the other replicas' lookups get it: the same kind, code, message and hint. */
function encodeError(error: unknown): string {
  if (error instanceof CasError) return JSON.stringify({ cas: error.toJSON() });
  return JSON.stringify({ message: error instanceof Error ? error.message : String(error) });
}

function decodeError(text: string): Error {
  try {
    const encoded = JSON.parse(text) as EncodedError;
    if (encoded.cas) {
      const { kind, operation, code, message, hint, requestId, statusCode, ramAction } = encoded.cas;
      return new CasError({ kind, operation, code, message, hint, requestId, statusCode, ramAction });
    }
    return new Error(encoded.message ?? 'the shared status lookup failed');
  } catch {
    return new Error('the shared status lookup failed');
  }
}
