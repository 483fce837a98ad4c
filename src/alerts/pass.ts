import { describeError } from '../domain/error-description';
import { accountsReader } from '../inventory/inventory-reader';
import { type DriftRunResult, runDriftAlerts } from './drift';
import type { AlertDeps, AlertRunResult } from './run';
import { runAlerts, showRenewals } from './run';

/** What one alert pass did: the messages brought up to date, then what was posted. */
export interface AlertPassResult extends AlertRunResult {
  /** Certificates whose alert messages were updated to "Renewed" or "Deployed". */
  updated: number;
  /** Drift alerts (when endpoints are probed): endpoints announced, alerts shown as fixed. */
  drift?: DriftRunResult;
}

/**
 * The one alert pass every way of running alerts goes through (`serve`'s job and its syncs,
 * `cert-bot sync`, `cert-bot alerts --post`), so none can do less than another: first every
 * message that announced a certificate since renewed or deployed is updated to say so, then
 * the first-day summaries and due alerts are posted, each claimed once. `post: false` updates
 * nothing and only reports what would be posted.
 */
export async function alertPass(deps: AlertDeps, options: { post: boolean }): Promise<AlertPassResult> {
  const updated = options.post ? await showRenewals(deps) : 0;
  const result = await runAlerts(deps, options);
  const drift = await driftAlertPass(deps, options);
  return { ...result, updated, ...(drift ? { drift } : {}) };
}

/**
 * The alert pass of one account (`cert-bot alerts --account`): its certificates only. Endpoints
 * are not an account's, so drift alerts are left to a pass of every account.
 */
export async function accountAlertPass(
  deps: AlertDeps,
  account: string,
  options: { post: boolean },
): Promise<AlertPassResult> {
  return alertPass({ ...deps, inventory: accountsReader(deps.inventory, [account]), drift: undefined }, options);
}

/**
 * The drift alerts of the last probe pass (see alerts/drift.ts), run after each probe pass and
 * in every alert pass; undefined when endpoints are not probed. A failure is logged and does
 * not stop the certificate alerts.
 */
export async function driftAlertPass(deps: AlertDeps, options: { post: boolean }): Promise<DriftRunResult | undefined> {
  if (!deps.drift || !deps.probes?.enabled) return undefined;
  try {
    return await runDriftAlerts(deps, options);
  } catch (error) {
    deps.logger.error(
      { module: 'drift-alerts', err: describeError(error) },
      'drift alert pass failed; it runs again after the next probe pass',
    );
    return undefined;
  }
}

/** Whether a pass has anywhere to post: a Slack token, and a channel alerts go to. */
export function alertsConfigured(config: {
  SLACK_BOT_TOKEN?: string;
  ALERT_CHANNEL?: string;
  alertRoutes: readonly unknown[];
  accounts: ReadonlyArray<{ alertChannel?: string }>;
}): boolean {
  return (
    Boolean(config.SLACK_BOT_TOKEN) &&
    Boolean(config.ALERT_CHANNEL || config.alertRoutes.length > 0 || config.accounts.some((a) => a.alertChannel))
  );
}

/** One line for a terminal: "Alerts: 1 summary and 2 alert messages posted; 3 certificates shown as renewed or deployed". */
export function describeAlertPass(result: AlertPassResult): string {
  const count = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;
  const summaries = result.baselines.filter((b) => b.status === 'posted').length;
  const messages = result.channels.filter((c) => c.status === 'posted').length;
  const failed = [...result.baselines, ...result.channels].filter((c) => c.status === 'failed');
  const parts = [
    `${count(summaries, 'summary', 'summaries')} and ${count(messages, 'alert message', 'alert messages')} posted`,
    `${count(result.updated, 'certificate', 'certificates')} shown as renewed or deployed`,
  ];
  if (result.drift && (result.drift.posted > 0 || result.drift.resolved > 0))
    parts.push(
      `${count(result.drift.posted, 'endpoint', 'endpoints')} announced as drifted, ${count(result.drift.resolved, 'drift alert', 'drift alerts')} shown as fixed`,
    );
  if (result.held) parts.push('outside ALERT_HOURS: new alerts wait for the window');
  if (failed.length > 0)
    parts.push(`failed in ${failed.map((f) => `${f.channel} (${f.error ?? 'error'})`).join(', ')}`);
  return `Alerts: ${parts.join('; ')}`;
}
