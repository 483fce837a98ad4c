import { describeError } from '../domain/error-description';
import type { Logger } from '../ops/logger';
import { alertPass } from './pass';
import type { AlertDeps } from './run';

export interface AfterSyncDeps {
  /** Whether this process answers people (it then reads the new inventory at once). */
  serving(): boolean;
  /** Whether this process posts alerts (its jobs run, with a Slack token). */
  alerting(): boolean;
  /** Reads the stored inventory, so the first list after a sync does not pay for it. */
  readInventory(): Promise<unknown>;
  alertDeps(): Promise<AlertDeps>;
  logger: Logger;
}

/**
 * What follows every sync in a serving process: the new inventory is read, and the alert pass
 * runs (as `cert-bot sync` runs it). A CLI sync has no reader and leaves the reading to whoever
 * lists next. Nothing here fails the sync: a failed read waits for the next list, a failed
 * alert pass is logged and runs again at the next interval.
 */
export function afterSync(deps: AfterSyncDeps): () => Promise<void> {
  return async () => {
    if (deps.serving()) await deps.readInventory().catch(() => undefined);
    if (!deps.alerting()) return;
    try {
      await alertPass(await deps.alertDeps(), { post: true });
    } catch (error) {
      deps.logger.error({ err: describeError(error) }, 'alert pass after the sync failed');
    }
  };
}
