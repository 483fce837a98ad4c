import type { CasApi, CertificateStatus } from '../cas/types';
import type { Certificate } from '../domain/certificate';
import { daysLeft } from '../domain/expiry';
import type { CertificateView } from '../domain/views';
import type { CertificateSource, Freshness } from '../inventory/certificate-source';
import { describeFreshness, formatUtc } from '../render/format';
import { certificateJson } from './certificate-json';
import { type Output, table } from './output';

/** `cert-bot risk`: the GetRiskCount and GetAssetCount numbers. */
export async function riskCommand(api: CasApi, output: Output): Promise<void> {
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

/** `cert-bot status <serial...>`: one line per serial. */
export async function statusCommand(api: CasApi, serials: string[], output: Output): Promise<CertificateStatus[]> {
  const results = await Promise.all(serials.map((serial) => api.getCertificateStatus(serial)));
  if (output.json) {
    output.out(JSON.stringify(results, null, 2));
    return results;
  }
  output.out(
    table(
      results.map((r) => [
        r.SerialNumber,
        r.Status === 'revoked' && r.RevokeTime !== undefined ? `revoked at ${formatUtc(r.RevokeTime)}` : r.Status,
      ]),
    ),
  );
  return results;
}

/** `cert-bot list`: every certificate of the view, soonest to expire first. */
export async function listCommand(
  source: CertificateSource,
  view: CertificateView,
  keyword: string | undefined,
  output: Output,
  now: Date,
): Promise<Certificate[]> {
  const { certificates: items, freshness } = await source.list(view, keyword, now);
  if (output.json) {
    output.out(JSON.stringify(items.map(certificateJson), null, 2));
    // Where the list came from, on stderr so stdout stays exact JSON.
    output.err(describeSource(freshness, now));
    return items;
  }
  const rows = items.map((c) => [
    c.commonName ?? '?',
    c.certificateId ?? c.instanceId ?? '',
    c.issuer ?? '',
    c.endDate ?? '',
    String(daysLeft(c.endDate, now) ?? ''),
  ]);
  const headings = ['COMMON NAME', 'ID', 'ISSUER', 'END DATE', 'DAYS LEFT'];
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
  return items;
}

function describeSource(freshness: Freshness, now: Date): string {
  return freshness.source === 'inventory'
    ? `From the inventory: ${describeFreshness(freshness, now)}`
    : describeFreshness(freshness, now);
}
