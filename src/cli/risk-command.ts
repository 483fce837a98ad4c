import type { Command } from 'commander';
import type { AssetCount, CasApi } from '../cas/types';
import { count, riskRows } from '../domain/risk';
import { riskByAccount } from '../risk/by-account';
import { describeCasCounters, totalRisk } from '../render/accounts';
import { CERTIFICATE_STATES, STATE_LABELS } from '../domain/certificate-state';
import {
  CAS_COUNTERS_LABEL,
  type InventoryCounts,
  inventoryCounts,
  inventoryHeadline,
  riskHeadline,
} from '../render/inventory-counts';
import { parseTime } from '../domain/expiry';
import { formatDelta, formatNumber, formatUtc } from '../render/format';
import { ACCOUNT_OPTION, type CliContext, clientsOf, failureLine, withServices } from './context';
import { type Output, table } from './output';

export function registerRiskCommand(program: Command, context: CliContext): void {
  program
    .command('risk')
    .description('Show the GetRiskCount and GetAssetCount numbers (one line per account with several)')
    .option(...ACCOUNT_OPTION)
    .option('--json', 'exact JSON output')
    .action(async (options: { json?: boolean; account?: string }) => {
      await withServices(context, Boolean(options.json), async (services, output) => {
        const clients = await clientsOf(services, options.account);
        // The bot's own counts, from the stored inventory (of the accounts synced), as /cert-risk.
        const inventory = async (names: readonly string[]) => {
          const now = context.now();
          const [status, counts] = await Promise.all([
            services.inventory.status(now),
            services.inventory.counts(names, now),
          ]);
          const synced = names.filter((name) => !(status?.unsynced ?? []).includes(name));
          return synced.length === names.length ? inventoryCounts(status, counts, names) : undefined;
        };
        // An account that could not be read is a failed call, though the others were shown.
        const timeoutMs = services.config.ACCOUNT_ANSWER_TIMEOUT_MS;
        if ((await riskCommand(clients, output, inventory, timeoutMs)) > 0) context.exitCode = 1;
      });
    });
}

/**
 * `cert-bot risk`: Slack's summary line, GetRiskCount by kind and by source, the health score
 * and GetAssetCount; with several accounts, one line per account.
 */
/** Resolves with how many accounts could not be read (the others were shown). */
export async function riskCommand(
  accounts: ReadonlyArray<{ name: string; cas: CasApi }>,
  output: Output,
  /** The inventory's counts of these accounts (undefined: never synced), as /cert-risk shows them. */
  inventory: (accounts: readonly string[]) => Promise<InventoryCounts | undefined> = async () => undefined,
  /** ACCOUNT_ANSWER_TIMEOUT_MS, with several accounts. */
  timeoutMs = Number.POSITIVE_INFINITY,
): Promise<number> {
  if (accounts.length === 1) {
    await singleRisk(accounts[0].cas, output, await inventory([accounts[0].name]));
    return 0;
  }
  // Each account waits ACCOUNT_ANSWER_TIMEOUT_MS at most: a hanging one is named, not waited for.
  const { answered, failures } = await riskByAccount(accounts, (name) => inventory([name]), timeoutMs);
  const counted = answered.map((a) => ({ account: a.account, counts: a.inventory }));
  const all = await inventory(answered.map((a) => a.account));
  if (output.json) {
    output.out(
      JSON.stringify(
        {
          accounts: answered.map(({ account, risk, assets, summary }, i) => ({
            account,
            inventory: counted[i].counts?.counts ?? null,
            risk,
            assets,
            summary,
          })),
          inventory: all?.counts ?? null,
          total: totalRisk(answered.map((a) => a.summary)),
          failures,
        },
        null,
        2,
      ),
    );
  } else {
    const scope = failures.length > 0 ? `${answered.length} of ${accounts.length}` : `all ${answered.length}`;
    output.out('Certificates by account (the bot inventory)');
    output.out(
      table([
        ...counted.map(({ account, counts }): [string, string] => [
          account,
          counts ? inventoryHeadline(counts.counts) : 'no inventory yet',
        ]),
        [scope, all ? inventoryHeadline(all.counts) : 'no inventory yet'],
      ]),
    );
    output.out('');
    output.out(`${CAS_COUNTERS_LABEL} by account`);
    output.out(table(answered.map(({ account, summary }) => [account, describeCasCounters(summary)])));
    output.out(table([[scope, describeCasCounters(totalRisk(answered.map((a) => a.summary)))]]));
  }
  for (const failure of failures) output.err(failureLine('read', failure));
  return failures.length;
}

async function singleRisk(api: CasApi, output: Output, inventory: InventoryCounts | undefined): Promise<void> {
  const [risk, assets] = await Promise.all([api.getRiskCount(), api.getAssetCount()]);
  if (output.json) {
    output.out(JSON.stringify({ inventory: inventory?.counts ?? null, risk, assets }, null, 2));
    return;
  }
  // The line Slack's /cert-risk says: the inventory's counts lead; CAS's counters follow, labelled.
  output.out(riskHeadline('Certificate risk', inventory, assets));
  if (inventory) {
    output.out('');
    output.out('Certificates by state (the bot inventory)');
    output.out(
      table(CERTIFICATE_STATES.map((state) => [STATE_LABELS[state].many, formatNumber(inventory.counts[state])])),
    );
  }
  const rows = riskRows(risk);
  output.out('');
  output.out(`${CAS_COUNTERS_LABEL}: ${formatNumber(rows.total)} in all`);
  if (rows.total > 0) {
    output.out('');
    output.out('By kind');
    output.out(table(rows.byKind.map((row) => [row.label, formatNumber(row.count)])));
    output.out('');
    output.out('By source');
    output.out(table(rows.bySource.map((row) => [row.label, formatNumber(row.count)])));
  }
  output.out('');
  output.out('Health score and assets');
  output.out(table(assetRows(assets)));
}

function assetRows(assets: AssetCount): Array<[string, string]> {
  const point = assets.Point;
  const last = assets.LastPoint;
  const known = (n: number | undefined): n is number => typeof n === 'number' && Number.isFinite(n);
  const score = !known(point)
    ? 'not available'
    : !known(last)
      ? `${formatNumber(point)} (no previous score)`
      : `${formatNumber(point)} (${point === last ? 'unchanged' : formatDelta(point - last)} since the previous score, ${formatNumber(last)})`;
  const scored = parseTime(assets.PointTime);
  const n = (value: unknown) => formatNumber(count(value));
  return [
    ['Health score', score],
    ...(scored === undefined ? [] : [['Scored at', formatUtc(scored)] as [string, string]]),
    ['Paid certificates', n(assets.BuyCertificateCount)],
    ['Free certificates', n(assets.FreeCertificateCount)],
    ['Uploaded certificates', n(assets.UploadCertificateCount)],
    ['Alibaba Cloud resources', n(assets.AliyunAssetCount)],
    ['Tencent Cloud resources', n(assets.TencentAssetCount)],
    ['Huawei Cloud resources', n(assets.HuaweiAssetCount)],
    ['AWS resources', n(assets.AwsAssetCount)],
    ['Domains', n(assets.DomainAssetCount)],
  ];
}
