import { LRUCache } from 'lru-cache';

/**
 * At most `perWindow` uses per user in any `windowMs`, in this process: enough to stop one
 * person turning a command that opens connections into a scanner, without a shared store.
 */
export interface UserRateLimit {
  /** Counts one use; `retryInSeconds` when the user has used up the window. */
  take(userId: string): { ok: true } | { ok: false; retryInSeconds: number };
}

export function createUserRateLimit(options: { perWindow: number; windowMs: number; now: () => Date }): UserRateLimit {
  // Bounded: users who stop using the command age out.
  const uses = new LRUCache<string, number[]>({ max: 10_000 });
  return {
    take(userId) {
      const at = options.now().getTime();
      const recent = (uses.get(userId) ?? []).filter((t) => at - t < options.windowMs);
      if (recent.length >= options.perWindow) {
        uses.set(userId, recent);
        return { ok: false, retryInSeconds: Math.max(1, Math.ceil((recent[0] + options.windowMs - at) / 1000)) };
      }
      recent.push(at);
      uses.set(userId, recent);
      return { ok: true };
    },
  };
}
