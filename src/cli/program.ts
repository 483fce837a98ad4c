import { Command } from 'commander';
import { registerAccountsCommand } from './accounts-command';
import { registerAlertsCommand } from './alerts-command';
import { registerAuditCommand } from './audit-command';
import type { CliContext } from './context';
import { registerDemoCommand } from './demo-command';
import { registerDeployCommand } from './deploy-command';
import { registerDigestCommand } from './digest-command';
import { registerDocsConfigCommand } from './docs-config';
import { registerDoctorCommand } from './doctor-command';
import { registerHomeCommand } from './home-command';
import { registerInfoCommand } from './info-command';
import { registerListCommand } from './list-command';
import { registerProbeCommand } from './probe-command';
import { registerRiskCommand } from './risk-command';
import { registerSandboxCommand } from './sandbox-command';
import { registerServeCommand } from './serve-command';
import { registerStatusCommand } from './status-command';
import { registerSyncCommand } from './sync-command';
import { packageVersion } from './version';

export type { CliContext } from './context';

/** The exit codes, as `--help` ends with them. */
export const EXIT_CODES_HELP = `
Exit codes:
  0  ok
  1  a failed call (CAS, Slack or the store failed, or an account could not be read)
  2  bad input or configuration (unknown option, missing argument, bad value, invalid settings)
  3  a finding asked for with --fail-on (the output is printed all the same)
  4  not found (info: no such certificate or resource; deploy: no such certificate or deployment job)`;

/** The `cert-bot` program: the options every command shares, then each command (in `--help` order). */
export function buildProgram(context: CliContext): Command {
  const program = new Command('cert-bot')
    .description('Slack chat-ops bot and command line for Alibaba Cloud Certificate Management Service (CAS)')
    .version(packageVersion(), '-V, --version', 'print the version')
    .option('-v, --verbose', 'log at LOG_LEVEL (default info) on stderr; without it only warnings and errors')
    .showHelpAfterError('(run with --help for usage)')
    // Commander's own errors (unknown option or command, missing argument, invalid value, no
    // command at all) are bad input: exit 2; --help and --version exit 0. Subcommands inherit this.
    .exitOverride((error) => process.exit(error.exitCode === 0 ? 0 : 2))
    .addHelpText('after', EXIT_CODES_HELP)
    .hook('preAction', () => {
      context.verbose = Boolean(program.opts<{ verbose?: boolean }>().verbose);
    });

  registerRiskCommand(program, context);
  registerStatusCommand(program, context);
  registerListCommand(program, context);
  registerInfoCommand(program, context);
  registerProbeCommand(program, context);
  registerAuditCommand(program, context);
  registerHomeCommand(program, context);
  registerAlertsCommand(program, context);
  registerSyncCommand(program, context);
  registerAccountsCommand(program, context);
  registerDeployCommand(program, context);
  registerDoctorCommand(program, context);
  registerServeCommand(program, context);
  registerDigestCommand(program, context);
  registerDemoCommand(program, context);
  registerDocsConfigCommand(program);
  registerSandboxCommand(program);

  return program;
}
