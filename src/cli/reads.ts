import { lookUpStatus } from '../accounts/status-lookup';
import type { CasApi, CertificateStatus } from '../cas/types';
import { DEFAULT_ACCOUNT } from '../domain/account';
import { accountRisk } from '../domain/risk';
import { accountFailure, describeAccountFailure } from '../inventory/account-failure';
import { describeAccountRisk, totalRisk } from '../render/accounts';
import type { Certificate } from '../domain/certificate';
import { daysLeft } from '../domain/expiry';
import type { CertificateView } from '../domain/views';
import type { CertificateSource, Freshness } from '../inventory/certificate-source';
import { describeFreshness, formatUtc } from '../render/format';
import { certificateJson } from './certificate-json';
import { type Output, table } from './output';

/** `cert-bot risk`: the GetRiskCount and GetAssetCount numbers (of each account, with several). */
/** Resolves with how many accounts could not be read (the others were shown). */
export async function riskCommand(
  accounts: ReadonlyArray<{ name: string; cas: CasApi }>,
  output: Output,
  stale: (account: string) => Promise<number>,
): Promise<number> {
  if (accounts.length === 1) {
    await singleRisk(accounts[0].cas, output);
    return 0;
  }
  const settled = await Promise.allSettled(
    accounts.map(async ({ name, cas }) => {
      const [risk, assets, staleCount] = await Promise.all([cas.getRiskCount(), cas.getAssetCount(), stale(name)]);
      return { account: name, risk, assets, summary: accountRisk({ account: name, risk, assets, stale: staleCount }) };
    }),
  );
  const answered = settled.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
  const failures = settled.flatMap((r, i) =>
    r.status === 'rejected' ? [accountFailure(accounts[i].name, r.reason)] : [],
  );
  if (answered.length === 0) throw (settled[0] as PromiseRejectedResult).reason;
  if (output.json) {
    output.out(
      JSON.stringify(
        {
          accounts: answered.map(({ account, risk, assets, summary }) => ({ account, risk, assets, summary })),
          total: totalRisk(answered.map((a) => a.summary)),
          failures,
        },
        null,
        2,
      ),
    );
  } else {
    output.out('Certificate risk by account');
    output.out(table(answered.map(({ account, summary }) => [account, describeAccountRisk(summary)])));
    const scope = failures.length > 0 ? `${answered.length} of ${accounts.length}` : `all ${answered.length}`;
    output.out(table([[scope, describeAccountRisk(totalRisk(answered.map((a) => a.summary)))]]));
  }
  for (const failure of failures) output.err(`error: could not read ${describeAccountFailure(failure)}`);
  return failures.length;
}

async function singleRisk(api: CasApi, output: Output): Promise<void> {
  const [risk, assets] = await Promise.all([api.getRiskCount(), api.getAssetCount()]);
  if (output.json) {
    output.out(JSON.stringify({ risk, assets }, null, 2));
    return;
  }
  const numbers = (source: Record<string, unknown>) =>
    Object.entries(source).filter((entry): entry is [string, number] => typeof entry[1] === 'number');
  output.out('Certificate risk (GetRiskCount)');
  output.out(table(numbers(risk)));
  output.out('');
  output.out('Assets and health score (GetAssetCount)');
  output.out(table(numbers(assets)));
}

/** `cert-bot status <serial...>`: one line per serial, asked of every account. */
export async function statusCommand(
  accounts: ReadonlyArray<{ name: string; cas: CasApi }>,
  serials: string[],
  output: Output,
): Promise<{ results: CertificateStatus[]; failed: number }> {
  const { results, failures } = await lookUpStatus(accounts, serials);
  for (const failure of failures) output.err(`error: could not ask ${describeAccountFailure(failure)}`);
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

/** `cert-bot list`: every certificate of the view, soonest to expire first. */
export async function listCommand(
  source: CertificateSource,
  view: CertificateView,
  keyword: string | undefined,
  output: Output,
  now: Date,
): Promise<{ items: Certificate[]; failed: number }> {
  const { certificates: items, freshness, failures } = await source.list(view, keyword, now);
  for (const failure of failures ?? []) output.err(`error: could not list ${describeAccountFailure(failure)}`);
  if (output.json) {
    output.out(JSON.stringify(items.map(certificateJson), null, 2));
    // Where the list came from, on stderr so stdout stays exact JSON.
    output.err(describeSource(freshness, now));
    return { items, failed: failures?.length ?? 0 };
  }
  // With several accounts every row says which one it belongs to.
  const named = items.some((c) => c.account !== DEFAULT_ACCOUNT);
  const rows = items.map((c) => [
    ...(named ? [c.account] : []),
    c.commonName ?? '?',
    c.certificateId ?? c.instanceId ?? '',
    c.issuer ?? '',
    c.endDate ?? '',
    String(daysLeft(c.endDate, now) ?? ''),
  ]);
  const headings = [...(named ? ['ACCOUNT'] : []), 'COMMON NAME', 'ID', 'ISSUER', 'END DATE', 'DAYS LEFT'];
  const widths = headings.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) =>
    cells
      .map((cell, i) => cell.padEnd(widths[i]))
      .join('  ')
      .trimEnd();
  output.out(line(headings));
  for (const row of rows) output.out(line(row));
  output.out(`${items.length} certificate${items.length === 1 ? '' : 's'} (${view}${keyword ? `, "${keyword}"` : ''})`);
  output.out(describeSource(freshness, now));
  return { items, failed: failures?.length ?? 0 };
}

function describeSource(freshness: Freshness, now: Date): string {
  return freshness.source === 'inventory'
    ? `From the inventory: ${describeFreshness(freshness, now)}`
    : describeFreshness(freshness, now);
}
