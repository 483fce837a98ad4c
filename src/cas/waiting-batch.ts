/**
 * Batches lookups for as long as they wait. A batch opens with its first key, collects for a
 * short window, then asks the rate limiter for a slot; every key that arrives before the slot
 * is granted joins it (up to `maxBatchSize` distinct keys, then another batch opens). So the
 * busier the limiter, the fuller each call, instead of one call per lookup queued behind it.
 */
export interface WaitingBatcherOptions<K, V> {
  maxBatchSize: number;
  /** How long a new batch collects before it asks for a slot, in ms. */
  windowMs: number;
  /** Keys that mean the same lookup share one place in the batch. */
  identity: (key: K) => string;
  /**
   * Sends one batch: calls `keys()` once its slot is granted (and again, with the same answer,
   * for each retry), which closes the batch, and resolves with each key's value.
   */
  send: (keys: () => K[]) => Promise<(key: K) => V>;
}

interface Waiter<V> {
  resolve: (value: V) => void;
  reject: (error: unknown) => void;
}

interface Batch<K, V> {
  keys: Map<string, { key: K; waiters: Waiter<V>[] }>;
  closed: boolean;
}

export interface WaitingBatcher<K, V> {
  load(key: K): Promise<V>;
  /** Keys waiting in batches that have no slot yet. */
  waiting(): number;
}

export function createWaitingBatcher<K, V>(options: WaitingBatcherOptions<K, V>): WaitingBatcher<K, V> {
  let open: Batch<K, V> | undefined;

  function close(batch: Batch<K, V>): K[] {
    if (!batch.closed) {
      batch.closed = true;
      if (open === batch) open = undefined;
    }
    return [...batch.keys.values()].map((entry) => entry.key);
  }

  function start(batch: Batch<K, V>): void {
    const send = () =>
      options
        .send(() => close(batch))
        .then(
          (answer) => {
            for (const { key, waiters } of batch.keys.values()) {
              for (const waiter of waiters) {
                try {
                  waiter.resolve(answer(key));
                } catch (error) {
                  waiter.reject(error);
                }
              }
            }
          },
          (error: unknown) => {
            close(batch);
            for (const { waiters } of batch.keys.values()) for (const waiter of waiters) waiter.reject(error);
          },
        );
    // Not unref'd: a command-line lookup waits for this timer and nothing else.
    setTimeout(send, options.windowMs);
  }

  return {
    load(key) {
      return new Promise<V>((resolve, reject) => {
        const id = options.identity(key);
        let batch = open;
        if (!batch || (batch.keys.size >= options.maxBatchSize && !batch.keys.has(id))) {
          batch = { keys: new Map(), closed: false };
          open = batch;
          start(batch);
        }
        const entry = batch.keys.get(id);
        if (entry) entry.waiters.push({ resolve, reject });
        else batch.keys.set(id, { key, waiters: [{ resolve, reject }] });
        // A full batch takes no more keys: the next one opens its own.
        if (batch.keys.size >= options.maxBatchSize && open === batch) open = undefined;
      });
    },
    waiting: () => (open ? open.keys.size : 0),
  };
}
