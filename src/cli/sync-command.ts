import type { Command } from 'commander';
import { MultiBar, SingleBar } from 'cli-progress';
import { describeAlertPass } from '../alerts/pass';
import { accountFailure, describeAccountFailure } from '../accounts/account-failure';
import type { SyncSummary } from '../inventory/sync';
import type { AccountSyncResult, Services } from '../services';
import type { Output } from './output';
import { ACCOUNT_OPTION, type CliContext, withServices } from './context';

export function registerSyncCommand(program: Command, context: CliContext): void {
  program
    .command('sync')
    .description('Sync the certificate inventory from CAS into the store now (DATA_DIR or DATABASE_URL)')
    .option(...ACCOUNT_OPTION)
    .option('--json', 'the summary as JSON')
    .action(async (options: { json?: boolean; account?: string }) => {
      await withServices(context, Boolean(options.json), async (services, output) => {
        context.exitCode = await syncCommand(services, output, {
          interactive: Boolean(process.stderr.isTTY) && !options.json,
          account: options.account,
        });
      });
    });
}

/**
 * `cert-bot sync`: one inventory sync now of every account (or the one `--account` names), into
 * the configured store (a running `serve` on the same store sees it at its next request), with
 * progress when stderr is a terminal and a one-line summary per account. Exit 1 when an account
 * failed; the others are synced all the same.
 */
export async function syncCommand(
  services: Services,
  output: Output,
  options: { interactive: boolean; account?: string },
): Promise<number> {
  if (options.account !== undefined || services.accounts.length === 1) {
    const summary = await syncOne(services, options.interactive, options.account);
    if (output.json) output.out(JSON.stringify(summary, null, 2));
    else output.out(summaryLine(summary));
    return alertPassAfterSync(services, output);
  }
  const bars = options.interactive
    ? new MultiBar({
        format: 'Syncing {account} [{bar}] {value}/{total} pages',
        stream: process.stderr,
        hideCursor: true,
        clearOnComplete: true,
      })
    : undefined;
  const perAccount = new Map(services.accounts.map((a) => [a.name, bars?.create(1, 0, { account: a.name })]));
  let results: AccountSyncResult[];
  try {
    results = await services.syncAll({
      onProgress: (account, { pagesDone, pagesTotal }) => {
        const bar = perAccount.get(account);
        bar?.setTotal(Math.max(1, pagesTotal));
        bar?.update(pagesDone);
      },
    });
  } finally {
    bars?.stop();
  }
  if (output.json)
    output.out(
      JSON.stringify(
        results.map((r) =>
          'summary' in r ? r.summary : { account: r.account, error: accountFailure(r.account, r.error) },
        ),
        null,
        2,
      ),
    );
  for (const result of results) {
    if ('summary' in result) {
      if (!output.json) output.out(summaryLine(result.summary));
    } else output.err(`error: could not sync ${describeAccountFailure(accountFailure(result.account, result.error))}`);
  }
  const passed = results.some((r) => 'summary' in r) ? await alertPassAfterSync(services, output) : 0;
  return results.every((r) => 'summary' in r) ? passed : 1;
}

/**
 * With Slack configured, the alert pass `serve` runs after its syncs: alerts updated to
 * "Renewed" / "Deployed", then due alerts posted, under the same claims. Exit 1 when it failed.
 */
async function alertPassAfterSync(services: Services, output: Output): Promise<number> {
  if (!services.alertsConfigured()) return 0;
  try {
    const result = await services.runAlerts({ post: true });
    // stdout stays one JSON document with --json.
    (output.json ? output.err : output.out)(describeAlertPass(result));
    return [...result.baselines, ...result.channels].some((c) => c.status === 'failed') ? 1 : 0;
  } catch (error) {
    output.err(`error: the alert pass after the sync failed: ${(error as Error)?.message ?? String(error)}`);
    return 1;
  }
}

async function syncOne(services: Services, interactive: boolean, account: string | undefined): Promise<SyncSummary> {
  const name = account === undefined ? undefined : services.selectAccounts(account)[0].name;
  const bar = interactive
    ? new SingleBar({
        format: 'Syncing the inventory [{bar}] {value}/{total} pages',
        stream: process.stderr,
        hideCursor: true,
        clearOnComplete: true,
      })
    : undefined;
  bar?.start(1, 0);
  try {
    return await services.syncNow({
      account: name,
      onProgress: ({ pagesDone, pagesTotal }) => {
        bar?.setTotal(Math.max(1, pagesTotal));
        bar?.update(pagesDone);
      },
    });
  } finally {
    bar?.stop();
  }
}

export function summaryLine(s: SyncSummary): string {
  return (
    `Synced ${s.certificates} certificates of ${s.account}: ${s.added} added, ${s.changed} changed, ` +
    `${s.removed} removed; ${s.pages} pages, ${s.calls} calls, ${s.seconds.toFixed(1)} s`
  );
}
