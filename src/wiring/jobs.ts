import type { AlertDeps } from '../alerts/run';
import { alertPass, alertsConfigured, driftAlertPass } from '../alerts/pass';
import type { Config } from '../config';
import type { DeployFlowDeps } from '../deploy/request-flow';
import { digestJob } from '../digest/job';
import type { DigestMessage } from '../digest/run';
import type { DigestService } from '../digest/service';
import { inventorySyncJob } from '../inventory/sync-job';
import { createScheduler, ReportedFailure, type Scheduler } from '../jobs/scheduler';
import type { Logger } from '../ops/logger';
import type { ProbePassResult } from '../probe/probe-pass';
import type { Store } from '../store/types';

/** What the scheduled jobs run: the use cases, built by the wiring. */
export interface JobsInput {
  config: Config;
  logger: Logger;
  now: () => Date;
  instanceId: string;
  overrides: { catchUpIntervalMs?: number; syncLeaseMs?: number; deployTrackMs?: number };
  store(): Promise<Store>;
  /** Every account's name. */
  accounts: readonly string[];
  syncAll(): Promise<Array<{ account: string } & ({ summary: unknown } | { error: unknown })>>;
  alertDeps(): Promise<AlertDeps>;
  digest(): Promise<DigestService<DigestMessage>>;
  digestChannels: readonly string[];
  trigger: { cron: string; timezone: string };
  probePass(): Promise<ProbePassResult | undefined>;
  deployFlow(): Promise<DeployFlowDeps>;
}

/**
 * The scheduler of `serve`, with a job for each configured part: the inventory sync, the alert
 * pass, the weekly digest, the probe pass and the deployment tracker. A part that is not
 * configured says so once in the log.
 */
export async function buildJobs(input: JobsInput): Promise<Scheduler> {
  const { config, logger, now, instanceId, overrides, store, accounts, syncAll, alertDeps, digest } = input;
  const { digestChannels, trigger, probePass } = input;
  const scheduler = createScheduler({ logger, now, catchUpIntervalMs: overrides.catchUpIntervalMs });
  if (config.INVENTORY_SYNC_MINUTES > 0) {
    const s = await store();
    const intervalMs = config.INVENTORY_SYNC_MINUTES * 60_000;
    scheduler.add(
      inventorySyncJob({
        intervalMs,
        inventory: s.inventory,
        claims: s.claims,
        holder: instanceId,
        leaseMs: overrides.syncLeaseMs ?? 2 * 60_000,
        accounts,
        sync: async () => {
          const results = await syncAll();
          const failed = results.filter((r) => 'error' in r);
          // Each failure is logged with its account; the job reports the interval as failed.
          if (failed.length > 0)
            throw new ReportedFailure(`inventory sync failed for ${failed.map((r) => r.account).join(', ')}`, {
              cause: (failed[0] as { error: unknown }).error,
            });
        },
      }),
    );
  } else {
    logger.info('INVENTORY_SYNC_MINUTES is 0: no background inventory sync');
  }
  if (config.ALERT_CHANNEL || config.alertRoutes.length > 0 || config.accounts.some((a) => a.alertChannel)) {
    scheduler.add({
      name: 'alerts',
      trigger: { everyMs: config.ALERT_CHECK_MINUTES * 60_000 },
      // Each alert is claimed on its own, so every replica may run a pass: none posts twice.
      run: async () => alertPass(await alertDeps(), { post: true }),
    });
  } else {
    logger.info('neither ALERT_CHANNEL (or DIGEST_CHANNEL) nor ALERT_ROUTES is set: no expiry alerts');
  }
  if (digestChannels.length === 0) {
    logger.info("DIGEST_CHANNEL is not set (nor any account's digestChannels): no digest will be posted");
  } else {
    const [s, d] = await Promise.all([store(), digest()]);
    scheduler.add(
      digestJob({
        trigger,
        channels: digestChannels,
        claims: s.claims,
        run: (p) => d.run(p),
        gate: {
          createdAt: () => s.info.createdAt(),
          inventoryReady: async () => (await s.inventory.syncState()).lastSuccess !== undefined,
        },
        logger,
      }),
    );
  }
  if (config.PROBE_INTERVAL_MINUTES > 0) {
    const s = await store();
    scheduler.add({
      name: 'probe',
      trigger: { everyMs: config.PROBE_INTERVAL_MINUTES * 60_000 },
      // One replica probes each interval: the others would only repeat its handshakes.
      lease: { claims: s.claims, holder: instanceId, leaseMs: 2 * 60_000 },
      run: async () => {
        const result = await probePass();
        if (!result) logger.info('no inventory yet: the probe pass waits for the first sync');
        else
          logger.info(
            { endpoints: result.verdicts.length, cut: result.cut, total: result.total },
            'probe pass finished',
          );
        // What drifted is announced now, not at the next alert pass.
        if (result && alertsConfigured(config)) await driftAlertPass(await alertDeps(), { post: true });
      },
    });
  } else {
    logger.info('PROBE_INTERVAL_MINUTES is 0: endpoints are not probed on a schedule');
  }
  if (config.DEPLOY_ENABLED) {
    const { deploymentTrackerJob } = await import('../deploy/tracker');
    scheduler.add(deploymentTrackerJob(await input.deployFlow(), { everyMs: overrides.deployTrackMs }));
  }
  return scheduler;
}
