import type { Command } from 'commander';
import type { AlertPassResult } from '../alerts/pass';
import { displayName } from '../domain/certificate';
import { daysLeft } from '../domain/expiry';
import { accountPrefix } from '../render/accounts';
import { describeDaysLeft } from '../render/format';
import type { Services } from '../services';
import { certificatesDocument } from './certificate-json';
import { type Output, UsageError } from './output';
import { ACCOUNT_OPTION, type CliContext, withServices } from './context';

export function registerAlertsCommand(program: Command, context: CliContext): void {
  program
    .command('alerts')
    .description('Expiry alerts: print what would be posted now (--dry-run) or run one alert pass (--post)')
    .option('--dry-run', 'print, per channel, what would be posted now; post and record nothing')
    .option('--post', 'run one alert pass now (same claims, exactly once)')
    .option(...ACCOUNT_OPTION)
    .option('--json', 'the result as JSON')
    .action(async (options: { dryRun?: boolean; post?: boolean; json?: boolean; account?: string }) => {
      await withServices(context, Boolean(options.json), async (services, output) => {
        context.exitCode = await alertsCommand(services, options, output);
      });
    });
}

export interface AlertsCommandOptions {
  dryRun?: boolean;
  post?: boolean;
  json?: boolean;
  /** Only this account's certificates. */
  account?: string;
}

/**
 * `cert-bot alerts --dry-run` prints, per channel, what an alert pass would post now (nothing
 * is posted or recorded); `--post` runs one pass now, through the same claims as `serve`.
 */
export async function alertsCommand(
  services: Services,
  options: AlertsCommandOptions,
  output: Output,
): Promise<number> {
  if (Boolean(options.dryRun) === Boolean(options.post))
    throw new UsageError('give exactly one of --dry-run or --post');
  const result = await services.runAlerts({ post: Boolean(options.post), account: options.account });
  if (options.json) {
    output.out(JSON.stringify(jsonOf(result, services.now()), null, 2));
  } else {
    const now = services.now();
    if (result.held) output.out('Outside ALERT_HOURS: nothing is posted now; these wait for the window to open.');
    if (result.updated > 0)
      output.out(`${result.updated} alerted certificates renewed or deployed: their messages now say so.`);
    for (const summary of result.baselines)
      output.out(
        `${summary.channel}: first-day summary of ${summary.certificates} certificates (${summary.accounts.join(', ')}) — ${summary.status}${summary.ts ? ` (ts ${summary.ts})` : ''}${summary.error ? ` — ${summary.error}` : ''}`,
      );
    if (result.channels.length === 0 && result.baselines.length === 0) output.out('No alerts are due.');
    for (const channel of result.channels) {
      output.out(
        `${channel.channel}${channel.mention ? ` (${channel.mention})` : ''}: ${channel.alerts.length} due — ${channel.status}${channel.ts ? ` (ts ${channel.ts})` : ''}${channel.error ? ` — ${channel.error}` : ''}`,
      );
      for (const alert of channel.alerts)
        output.out(
          `  ${accountPrefix(alert.certificate.account)}${displayName(alert.certificate) ?? '?'}  ${alert.certificate.id}  ${describeDaysLeft(daysLeft(alert.certificate.endDate, now))}  threshold ${alert.threshold}`,
        );
    }
    if (result.unrouted > 0) output.out(`${result.unrouted} due with no channel: set ALERT_CHANNEL or ALERT_ROUTES.`);
    for (const message of result.drift?.messages ?? [])
      output.out(
        `${message.channel}: drift alert of ${message.endpoints} endpoint(s) — ${message.status}${message.error ? ` — ${message.error}` : ''}`,
      );
    if (result.drift?.resolved) output.out(`${result.drift.resolved} drift alert(s) now show the endpoint fixed.`);
  }
  const failed = [...result.baselines, ...result.channels, ...(result.drift?.messages ?? [])];
  return failed.some((c) => c.status === 'failed') ? 1 : 0;
}

/**
 * The pass as JSON: per channel what is due (each alert names its certificate by account and
 * ID), and every certificate due once, in the certificate model (`schema`, `certificates`).
 */
function jsonOf(result: AlertPassResult, now: Date) {
  const due = new Map(
    result.channels.flatMap((c) =>
      c.alerts.map((a) => [`${a.certificate.account}/${a.certificate.id}`, a.certificate]),
    ),
  );
  return {
    ...certificatesDocument([...due.values()], now),
    held: result.held,
    unrouted: result.unrouted,
    updated: result.updated,
    baselines: result.baselines,
    ...(result.drift ? { drift: result.drift } : {}),
    channels: result.channels.map((c) => ({
      channel: c.channel,
      mention: c.mention,
      status: c.status,
      ts: c.ts,
      error: c.error,
      alerts: c.alerts.map((a) => ({
        account: a.certificate.account,
        certificateId: a.certificate.id,
        commonName: a.certificate.commonName,
        endDate: a.certificate.endDate,
        threshold: a.threshold,
        stale: a.stale === true,
      })),
    })),
  };
}
