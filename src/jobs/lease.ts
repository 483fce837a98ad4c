import type { ClaimKey, ClaimStore } from '../store/types';

/**
 * Keeps a claim's lease alive while its holder works: renewed every third of the lease, so a
 * live holder never loses it and a dead one frees it within one lease.
 */
export function keepLease(
  claims: ClaimStore,
  keys: readonly ClaimKey[],
  options: { holder: string; leaseMs: number; now: () => Date; onLost?: (key: ClaimKey) => void },
): { stop(): void } {
  const timer = setInterval(
    () => {
      for (const key of keys) {
        claims
          .renew(key, options.holder, options.now(), options.leaseMs)
          .then((held) => {
            if (!held) options.onLost?.(key);
          })
          .catch(() => undefined); // the next renewal tries again; a lapse only allows a takeover
      }
    },
    Math.max(50, Math.floor(options.leaseMs / 3)),
  );
  timer.unref();
  return { stop: () => clearInterval(timer) };
}
