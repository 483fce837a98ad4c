import { describeError } from '../domain/error-description';
import type { Logger } from '../ops/logger';
import { alertPass } from './pass';
import type { AlertDeps } from './run';

export interface AfterSyncDeps {
  /** Whether this process posts alerts (its jobs run, with a Slack token). */
  alerting(): boolean;
  alertDeps(): Promise<AlertDeps>;
  logger: Logger;
}

/**
 * What follows every sync in a serving process: the alert pass (as `cert-bot sync` runs it).
 * Nothing is read ahead for lists: they are queries of what the sync stored. Nothing here fails
 * the sync: a failed alert pass is logged and runs again at the next interval.
 */
export function afterSync(deps: AfterSyncDeps): () => Promise<void> {
  return async () => {
    if (!deps.alerting()) return;
    try {
      await alertPass(await deps.alertDeps(), { post: true });
    } catch (error) {
      deps.logger.error({ err: describeError(error) }, 'alert pass after the sync failed');
    }
  };
}
