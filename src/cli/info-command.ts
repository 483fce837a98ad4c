import type { Command } from 'commander';
import { lookupCertificates } from '../inventory/certificate-info';
import type { ListedCertificate } from '../inventory/certificate-source';
import type { Services } from '../services';
import { certificatesDocument } from './certificate-json';
import type { Output } from './output';
import { ACCOUNT_OPTION, type CliContext, withServices } from './context';

export function registerInfoCommand(program: Command, context: CliContext): void {
  program
    .command('info')
    .description(
      'Everything the bot knows about one certificate, by certificate ID, by resource (lb-…: the certificate it serves) or by domain (from the inventory)',
    )
    .argument('<id-or-domain>', 'a certificate ID, a resource instance or listener ID, or a domain (CommonName, SANs)')
    .option(...ACCOUNT_OPTION)
    .option('--json', 'the certificates found, in the certificate model ({schema, certificates})')
    .action(async (query: string, options: { json?: boolean; account?: string }) => {
      await withServices(context, Boolean(options.json), async (services, output) => {
        context.exitCode = await infoCommand(services, { ...options, query }, output, {
          color: Boolean(process.stdout.isTTY),
        });
      });
    });
}

export interface InfoCommandOptions {
  query: string;
  json?: boolean;
  /** Only this account's certificates. */
  account?: string;
}

/** Exit status of `info` when nothing matches: not found, not a failure. */
export const NOT_FOUND = 4;

/**
 * `cert-bot info <id | resource | domain>`: as `/cert-info` shows it, or with --json the
 * certificates found in the certificate model. Resolves with the exit status: 4 when nothing
 * matched.
 */
export async function infoCommand(
  services: Services,
  options: InfoCommandOptions,
  output: Output,
  terminal: { color: boolean },
): Promise<number> {
  const account = options.account === undefined ? undefined : services.selectAccounts(options.account)[0].name;
  if (!options.json) {
    const { renderForTerminal } = await import('../render/terminal');
    const { message, found } = await services.certificateInfo(options.query, account);
    output.out(renderForTerminal(message, { color: terminal.color }));
    return found ? 0 : NOT_FOUND;
  }
  const now = services.now();
  const deps = await services.alertDeps();
  const lookup = await lookupCertificates(deps, options.query, now);
  const matches = lookup.matches.filter((c) => account === undefined || c.account === account);
  // Acknowledgements and snoozes, as the list shows them.
  const withAlerts: ListedCertificate[] = await Promise.all(
    matches.map(async (c) => {
      const state = await deps.alerts.state(c.account, c.id);
      return state ? { ...c, alert: { ...state } } : c;
    }),
  );
  output.out(JSON.stringify(certificatesDocument(withAlerts, now), null, 2));
  if (matches.length === 0)
    output.err(
      lookup.status
        ? `no certificate in the inventory has that ID, is on that resource or covers that domain: ${options.query}`
        : 'no certificate: no inventory sync has finished yet (run cert-bot sync)',
    );
  return matches.length > 0 ? 0 : NOT_FOUND;
}
