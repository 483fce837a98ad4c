import type { Command } from 'commander';
import { describeCredentials } from '../accounts/account-config';
import { accountFailure, describeAccountFailure } from '../accounts/account-failure';
import type { Services } from '../services';
import type { Output } from './output';
import { type CliContext, withServices } from './context';

export function registerAccountsCommand(program: Command, context: CliContext): void {
  program
    .command('accounts')
    .description('List the configured CAS accounts: site, endpoint, credential kind, and whether a test call succeeds')
    .option('--json', 'exact JSON output')
    .action(async (options: { json?: boolean }) => {
      await withServices(context, Boolean(options.json), async (services, output) => {
        context.exitCode = await accountsCommand(services, output);
      });
    });
}

/**
 * `cert-bot accounts`: every configured account with its site, endpoint and credential kind
 * (never a secret), and whether a test call (GetAssetCount) succeeds. Exit 1 when one fails.
 */
export async function accountsCommand(services: Services, output: Output): Promise<number> {
  const checks = await Promise.all(
    services.accounts.map(async (account) => {
      try {
        await (await account.cas()).getAssetCount();
        return { account, ok: true as const };
      } catch (error) {
        return { account, ok: false as const, failure: accountFailure(account.name, error) };
      }
    }),
  );
  const rows = checks.map(({ account, ...check }) => ({
    name: account.name,
    site: account.config.site,
    endpoint: account.config.endpoint,
    region: account.config.region,
    qps: account.config.qps,
    credentials: describeCredentials(account.config.credentials),
    test: check.ok ? 'ok' : describeAccountFailure(check.failure),
  }));
  if (output.json) {
    output.out(
      JSON.stringify(
        checks.map((check, i) => ({
          ...rows[i],
          ok: check.ok,
          ...(check.ok ? {} : { error: check.failure }),
        })),
        null,
        2,
      ),
    );
  } else {
    const headings = ['NAME', 'SITE', 'ENDPOINT', 'REGION', 'QPS', 'CREDENTIALS', 'TEST CALL'];
    const cells = rows.map((r) => [r.name, r.site, r.endpoint, r.region, String(r.qps), r.credentials, r.test]);
    const widths = headings.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i].length)));
    const line = (c: string[]) =>
      c
        .map((cell, i) => (i === c.length - 1 ? cell : cell.padEnd(widths[i])))
        .join('  ')
        .trimEnd();
    output.out(line(headings));
    for (const c of cells) output.out(line(c));
  }
  return checks.every((c) => c.ok) ? 0 : 1;
}
