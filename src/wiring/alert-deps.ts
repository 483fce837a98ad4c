import type { WebClient } from '@slack/web-api';
import type { AlertDeps } from '../alerts/run';
import type { Config } from '../config';
import type { PostRetry } from '../delivery/post-once';
import { alertThresholds } from '../domain/alerts';
import type { InventoryReader } from '../inventory/inventory-reader';
import type { Logger } from '../ops/logger';
import type { Metrics } from '../ops/metrics';
import type { Store } from '../store/types';

export interface AlertDepsInput {
  config: Config;
  store: Store;
  /** The stored inventory the alerts are computed from. */
  inventory: InventoryReader;
  /** Reads and updates (see wiring/slack-clients.ts). */
  webClient(): Promise<WebClient>;
  /** Posts: one attempt each (postOnce looks for a post before another). */
  postClient(): Promise<WebClient>;
  logger: Logger;
  now: () => Date;
  instanceId: string;
  leaseMs?: number;
  postRetry?: PostRetry;
  observe: Metrics['observe'];
}

/**
 * What alert passes and the alert buttons work with: the stored inventory and alert ledger,
 * Slack's renderers and poster, and ALERT_* settings. Slack's modules are loaded here, and its
 * poster built at the first post, so a dry run needs no Slack token.
 */
export async function buildAlertDeps(input: AlertDepsInput): Promise<AlertDeps> {
  const { config, store: s } = input;
  const { createAlertPoster } = await import('../slack/alert-poster');
  const { renderAlertMessage } = await import('../slack/blocks/alert');
  const { renderBaselineMessage } = await import('../slack/blocks/baseline');
  const { renderDriftAlertMessage } = await import('../slack/blocks/drift-alert');
  let poster: ReturnType<typeof createAlertPoster> | undefined;
  const lazy = async () => (poster ??= createAlertPoster(await input.webClient(), await input.postClient()));
  return {
    inventory: input.inventory,
    claims: s.claims,
    alerts: s.alerts,
    probes: { results: s.probes, enabled: config.PROBE_INTERVAL_MINUTES > 0 },
    drift: { store: s.driftAlerts, render: renderDriftAlertMessage },
    poster: {
      postMessage: async (message) => (await lazy()).postMessage(message),
      update: async (message) => (await lazy()).update(message),
      findPosted: async (...args) => (await lazy()).findPosted(...args),
    },
    render: (alert) => renderAlertMessage({ ...alert, deployButton: config.DEPLOY_ENABLED }),
    renderBaseline: (baseline) => renderBaselineMessage(baseline),
    settings: {
      thresholds: alertThresholds(config.ALERT_DAYS),
      routes: config.alertRoutes,
      defaultChannel: config.ALERT_CHANNEL,
      accountChannels: Object.fromEntries(
        config.accounts.flatMap((account) => (account.alertChannel ? [[account.name, account.alertChannel]] : [])),
      ),
      hours: config.ALERT_HOURS,
      timezone: config.ALERT_TIMEZONE,
      baseline: config.ALERT_BASELINE === 'on',
      expiredGraceDays: config.ALERT_EXPIRED_GRACE_DAYS,
    },
    logger: input.logger,
    now: input.now,
    instanceId: input.instanceId,
    leaseMs: input.leaseMs,
    postRetry: input.postRetry,
    observe: input.observe,
  };
}
