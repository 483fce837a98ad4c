import { stringify } from 'csv-stringify/sync';
import { fanOut, firstError } from '../accounts/fan-out';
import { lookUpStatus } from '../accounts/status-lookup';
import type { AssetCount, CasApi, CertificateStatus } from '../cas/types';
import { DEFAULT_ACCOUNT } from '../domain/account';
import { accountRisk, count, riskRows } from '../domain/risk';
import { type AccountFailure, accountFailure, describeAccountFailure } from '../accounts/account-failure';
import { describeCasCounters, totalRisk } from '../render/accounts';
import { CERTIFICATE_STATES, STATE_LABELS } from '../domain/certificate-state';
import { CAS_COUNTERS_LABEL, type InventoryCounts, inventoryHeadline, riskHeadline } from '../render/inventory-counts';
import { daysLeft, parseTime } from '../domain/expiry';
import type { CertificateView } from '../domain/views';
import type { CertificateSource, Freshness, ListedCertificate } from '../inventory/certificate-source';
import { describeDaysLeft, describeFreshness, formatDelta, formatNumber, formatUtc } from '../render/format';
import { certificateCsvRow, certificatesDocument, CSV_COLUMNS } from './certificate-json';
import { endsWithin, type FailOn, isFinding, type ListFormat, listState } from './list-view';
import { type Output, table } from './output';

/**
 * `cert-bot risk`: Slack's summary line, GetRiskCount by kind and by source, the health score
 * and GetAssetCount; with several accounts, one line per account.
 */
/** Resolves with how many accounts could not be read (the others were shown). */
export async function riskCommand(
  accounts: ReadonlyArray<{ name: string; cas: CasApi }>,
  output: Output,
  stale: (account: string) => Promise<number>,
  /** The inventory's counts of these accounts (undefined: never synced), as /cert-risk shows them. */
  inventory: (accounts: readonly string[]) => Promise<InventoryCounts | undefined> = async () => undefined,
  /** ACCOUNT_ANSWER_TIMEOUT_MS, with several accounts. */
  timeoutMs = Number.POSITIVE_INFINITY,
): Promise<number> {
  if (accounts.length === 1) {
    await singleRisk(accounts[0].cas, output, await inventory([accounts[0].name]));
    return 0;
  }
  // Each account gets ACCOUNT_ANSWER_TIMEOUT_MS: a hanging one is named, not waited for.
  const settled = await fanOut(
    accounts,
    async ({ name, cas }) => {
      const [risk, assets, staleCount] = await Promise.all([cas.getRiskCount(), cas.getAssetCount(), stale(name)]);
      return { account: name, risk, assets, summary: accountRisk({ account: name, risk, assets, stale: staleCount }) };
    },
    timeoutMs,
  );
  const answered = settled.flatMap((r) => ('value' in r ? [r.value] : []));
  const failures = settled.flatMap((r) => ('error' in r ? [accountFailure(r.account.name, r.error)] : []));
  if (answered.length === 0) throw firstError(settled);
  const counted = await Promise.all(
    answered.map(async (a) => ({ account: a.account, counts: await inventory([a.account]) })),
  );
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

/** `cert-bot status <serial...>`: one line per serial, asked of every account. */
export async function statusCommand(
  accounts: ReadonlyArray<{ name: string; cas: CasApi }>,
  serials: string[],
  output: Output,
  /** ACCOUNT_ANSWER_TIMEOUT_MS, with several accounts. */
  timeoutMs?: number,
): Promise<{ results: CertificateStatus[]; failed: number }> {
  const { results, failures } = await lookUpStatus(accounts, serials, timeoutMs);
  for (const failure of failures) output.err(failureLine('ask', failure));
  if (output.json) {
    output.out(JSON.stringify(results, null, 2));
    return { results, failed: failures.length };
  }
  output.out(
    table(
      results.map((r) => [
        r.account ? `${r.SerialNumber}  ${r.account}` : r.SerialNumber,
        r.Status === 'revoked' && r.RevokeTime !== undefined ? `revoked at ${formatUtc(r.RevokeTime)}` : r.Status,
      ]),
    ),
  );
  return { results, failed: failures.length };
}

export interface ListOptions {
  view: CertificateView;
  keyword?: string;
  /** Only certificates ending within this many days (expired ones included). */
  days?: number;
  /** Only the first this many (after sorting). */
  limit?: number;
  format: ListFormat;
  /** Exit 3 when a selected certificate is in one of these states. */
  failOn?: readonly FailOn[];
}

/**
 * `cert-bot list`: every certificate of the view, soonest to expire first, as a table, exact
 * JSON or CSV. Resolves with the accounts that could not be listed and, with `failOn`, how many
 * of the certificates selected (by view, keyword and days, whatever `limit` leaves out) match it.
 */
export async function listCommand(
  source: CertificateSource,
  options: ListOptions,
  output: Output,
  now: Date,
): Promise<{ items: ListedCertificate[]; failed: number; findings: number }> {
  const { view, keyword, days, limit, format, failOn } = options;
  const listing = await source.list(view, keyword, now);
  const { freshness, failures } = listing;
  for (const failure of failures ?? []) output.err(failureLine('list', failure));
  const items =
    days === undefined ? listing.certificates : listing.certificates.filter((c) => endsWithin(c, days, now));
  const shown = limit === undefined ? items : items.slice(0, limit);
  const findings =
    failOn === undefined || failOn.length === 0 ? 0 : items.filter((c) => isFinding(c, failOn, now)).length;
  const result = { items, failed: failures?.length ?? 0, findings };

  if (format === 'json') {
    output.out(JSON.stringify(certificatesDocument(shown, now), null, 2));
  } else if (format === 'csv') {
    // The model's columns (see certificate-json.ts); RFC 4180: a header row, CRLF line ends,
    // fields with commas, quotes or line breaks quoted.
    const rows = certificatesDocument(shown, now).certificates.map(certificateCsvRow);
    output.out(stringify([[...CSV_COLUMNS], ...rows], { record_delimiter: 'windows' }));
  } else {
    // With several accounts every row says which one it belongs to.
    const named = items.some((c) => c.account !== DEFAULT_ACCOUNT);
    const headings = [...(named ? ['ACCOUNT'] : []), 'COMMON NAME', 'ID', 'STATE', 'END DATE', 'DAYS LEFT'];
    const row = (c: ListedCertificate) => [
      ...(named ? [c.account] : []),
      c.commonName ?? '?',
      c.certificateId ?? c.instanceId ?? '',
      listState(c, now),
      c.endDate ?? '',
      describeDaysLeft(daysLeft(c.endDate, now)),
    ];
    const rows = shown.map(row);
    const widths = headings.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
    const line = (cells: string[]) =>
      cells
        .map((cell, i) => cell.padEnd(widths[i]))
        .join('  ')
        .trimEnd();
    output.out(line(headings));
    for (const cells of rows) output.out(line(cells));
    const filters = [
      view,
      ...(keyword ? [`"${keyword}"`] : []),
      ...(days === undefined ? [] : [`ending within ${days} days`]),
    ];
    const showing = limit === undefined ? '' : `, showing ${shown.length} of ${items.length}`;
    output.out(`${items.length} certificate${items.length === 1 ? '' : 's'} (${filters.join(', ')})${showing}`);
    output.out(describeSource(freshness, now));
  }
  // Where the list came from, on stderr so stdout stays exact JSON or CSV.
  if (format !== 'table') output.err(describeSource(freshness, now));
  if (failOn !== undefined && findings > 0)
    output.err(
      `--fail-on ${failOn.join(',')}: ${findings} of the certificates listed ${findings === 1 ? 'is' : 'are'} ${failOn.join(' or ')}`,
    );
  return result;
}

function describeSource(freshness: Freshness, now: Date): string {
  return freshness.source === 'inventory'
    ? `From the inventory: ${describeFreshness(freshness, now)}`
    : describeFreshness(freshness, now);
}

/** "error: could not read staging: …", or "error: tarn did not answer within 4 s". */
function failureLine(verb: string, failure: AccountFailure): string {
  return `error: ${failure.slow ? '' : `could not ${verb} `}${describeAccountFailure(failure)}`;
}
