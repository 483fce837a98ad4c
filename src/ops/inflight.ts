/**
 * Counts work that must finish before the process exits (slash-command answers, button
 * actions), so a shutdown can wait for it instead of cutting users off mid-answer.
 */
export interface Inflight {
  track<T>(work: Promise<T>): Promise<T>;
  count(): number;
  /** Resolves true when nothing is in flight, or false after `timeoutMs`. */
  drained(timeoutMs: number): Promise<boolean>;
}

export function createInflight(): Inflight {
  let active = 0;
  let waiters: Array<() => void> = [];
  const settle = () => {
    active -= 1;
    if (active === 0) {
      for (const wake of waiters) wake();
      waiters = [];
    }
  };
  return {
    track(work) {
      active += 1;
      return work.finally(settle);
    },
    count: () => active,
    drained(timeoutMs) {
      if (active === 0) return Promise.resolve(true);
      return new Promise((resolve) => {
        const timer = setTimeout(() => resolve(false), timeoutMs);
        waiters.push(() => {
          clearTimeout(timer);
          resolve(true);
        });
      });
    },
  };
}
