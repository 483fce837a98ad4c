import { type Command, Option } from 'commander';
import { stringify } from 'csv-stringify/sync';
import { DEFAULT_ACCOUNT } from '../domain/account';
import { daysLeft } from '../domain/expiry';
import { CERTIFICATE_VIEWS, type CertificateView } from '../domain/views';
import type { CertificateSource, Freshness, ListedCertificate } from '../inventory/certificate-source';
import { describeDaysLeft, describeFreshness } from '../render/format';
import { certificateCsvRow, certificatesDocument, CSV_COLUMNS } from './certificate-json';
import { ACCOUNT_OPTION, type CliContext, failOnOption, failureLine, intOption, withServices } from './context';
import { endsWithin, FAIL_ON, type FailOn, isFinding, LIST_FORMATS, type ListFormat, listState } from './list-view';
import { type Output, UsageError } from './output';

export function registerListCommand(program: Command, context: CliContext): void {
  program
    .command('list')
    .description('Certificates from the inventory (or CAS when it is missing or old), soonest to expire first')
    .addOption(new Option('--status <status>', 'which certificates').choices(CERTIFICATE_VIEWS).default('all'))
    .option('--keyword <keyword>', 'fuzzy match on domain or resource ID')
    .option('--days <n>', 'only those ending within N days from now (expired ones included)', intOption('--days'))
    .option('--limit <n>', 'only the first N (the summary says "showing N of M")', intOption('--limit', 1))
    .option('--live', 'list from CAS even when the inventory is fresh')
    .option(...ACCOUNT_OPTION)
    .addOption(new Option('--format <format>', 'output format (default table)').choices(LIST_FORMATS))
    .option('--json', 'exact JSON output (the same as --format json)')
    .option(
      '--fail-on <states>',
      `exit 3 when a listed certificate is in one of these states, comma-separated or repeated: ${FAIL_ON.join(', ')} (its one state: a renewed certificate is neither expiring nor expired); --limit does not hide any, and the list is printed all the same`,
      failOnOption(FAIL_ON),
    )
    .action(
      async (options: {
        status: CertificateView;
        keyword?: string;
        days?: number;
        limit?: number;
        live?: boolean;
        format?: ListFormat;
        json?: boolean;
        failOn?: FailOn[];
        account?: string;
      }) => {
        const format = options.format ?? (options.json ? 'json' : 'table');
        await withServices(context, format === 'json', async (services, output) => {
          if (options.json && format !== 'json')
            throw new UsageError(`--json is --format json: it cannot go with --format ${format}`);
          const selected = services.selectAccounts(options.account);
          const accounts = options.account === undefined ? undefined : selected.map((a) => a.name);
          // The inventory when it is younger than two sync intervals (any age when syncs are manual).
          const interval = services.config.INVENTORY_SYNC_MINUTES * 60_000;
          const source = await services.listSource({
            live: options.live,
            maxAgeMs: interval > 0 ? 2 * interval : undefined,
            accounts,
          });
          const clients = await Promise.all(selected.map((a) => a.cas()));
          const { withListProgress } = await import('./list-progress');
          const { failed, findings } = await withListProgress({ stream: process.stderr, clients }, () =>
            listCommand(
              source,
              {
                view: options.status,
                keyword: options.keyword,
                days: options.days,
                limit: options.limit,
                format,
                failOn: options.failOn,
              },
              output,
              context.now(),
            ),
          );
          context.exitCode = failed > 0 ? 1 : findings > 0 ? 3 : 0;
        });
      },
    );
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
