import type { Command } from 'commander';
import { lookUpStatus } from '../accounts/status-lookup';
import type { CasApi, CertificateStatus } from '../cas/types';
import { MAX_SERIALS_PER_REQUEST, parseSerials } from '../domain/serials';
import { formatUtc } from '../render/format';
import { ACCOUNT_OPTION, type CliContext, clientsOf, failOnOption, failureLine, withServices } from './context';
import { STATUS_FAIL_ON } from './list-view';
import { type Output, table } from './output';
import { readStandardInput } from './standard-input';

export function registerStatusCommand(program: Command, context: CliContext): void {
  program
    .command('status')
    .description('Revocation status of certificates by serial number (hex, colons allowed)')
    .argument('<serial...>', 'serial numbers, separated by spaces or commas; - reads them from standard input')
    .option(...ACCOUNT_OPTION)
    .option('--json', 'exact JSON output')
    .option(
      '--fail-on <status>',
      'exit 3 when a serial is answered revoked (the answers are printed all the same)',
      failOnOption(STATUS_FAIL_ON),
    )
    .action(async (serialArgs: string[], options: { json?: boolean; account?: string; failOn?: 'revoked'[] }) => {
      await withServices(context, Boolean(options.json), async (services, output) => {
        // `-`: the serials come from standard input (one file of them, any number, any separator).
        const piped = serialArgs.includes('-');
        const words = piped
          ? await Promise.all(serialArgs.map((arg) => (arg === '-' ? readStandardInput('cert-bot status') : arg)))
          : serialArgs;
        const { serials, invalid } = parseSerials(words.join(' ').replace(/\s+/g, ' '), {
          max: piped ? Number.MAX_SAFE_INTEGER : MAX_SERIALS_PER_REQUEST,
        });
        if (piped && serials.length === 0 && invalid.length === 0) {
          output.err('error: no serials on standard input');
          context.exitCode = 2;
          return;
        }
        // Each serial that cannot be looked up is one line; the others are looked up all the same.
        for (const i of invalid) output.err(`"${i.token}": ${i.reason}`);
        if (serials.length === 0) {
          context.exitCode = 2;
          return;
        }
        const { results, failed } = await statusCommand(
          await clientsOf(services, options.account),
          serials,
          output,
          services.config.ACCOUNT_ANSWER_TIMEOUT_MS,
        );
        const revoked = (options.failOn ?? []).includes('revoked') && results.some((r) => r.Status === 'revoked');
        context.exitCode = failed > 0 ? 1 : invalid.length > 0 ? 2 : revoked ? 3 : 0;
      });
    });
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
