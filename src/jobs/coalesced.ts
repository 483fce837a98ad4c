/**
 * `run`, one at a time: a call while it runs gets one more run after it (shared by every call
 * meanwhile), so whatever changed before the call is seen by a run that starts after it.
 */
export function coalesced(run: () => Promise<void>): () => Promise<void> {
  let running: Promise<void> | undefined;
  let next: Promise<void> | undefined;
  const start = (): Promise<void> =>
    (running = run().finally(() => {
      running = undefined;
    }));
  return () => {
    if (!running) return start();
    next ??= running
      .catch(() => undefined)
      .then(() => {
        next = undefined;
        return start();
      });
    return next;
  };
}
