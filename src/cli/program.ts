import { Command, InvalidArgumentError, Option } from 'commander';
import { type Config, loadConfig } from '../config';
import { MAX_SERIALS_PER_REQUEST, parseSerials } from '../domain/serials';
import { PROBE_FINDINGS } from '../domain/probe-verdict';
import { CERTIFICATE_VIEWS, type CertificateView } from '../domain/views';
import { loggerForConfig } from '../ops/logger';
import { inventoryCounts } from '../render/inventory-counts';
import { createServices, type Services } from '../services';
import type { AuditCommandOptions } from './audit-command';
import type { DigestCommandOptions } from './digest-command';
import { consoleOutput, type Output, reportFailure, UsageError } from './output';
import { FAIL_ON, type FailOn, LIST_FORMATS, type ListFormat, parseFailOnList, STATUS_FAIL_ON } from './list-view';
import { listCommand, riskCommand, statusCommand } from './reads';
import type { ProbeCommandOptions } from './probe-command';
import { parseFailOn } from './probe-view';
import type { SandboxCommandOptions } from './sandbox-command';
import { readStandardInput } from './standard-input';
import { packageVersion } from './version';

export interface CliContext {
  env: Record<string, string | undefined>;
  now: () => Date;
  /** Set by a command that finished with a failure. */
  exitCode: number;
  /** `--verbose`: logs at LOG_LEVEL rather than warnings only. */
  verbose?: boolean;
}

/** The exit codes, as `--help` ends with them. */
export const EXIT_CODES_HELP = `
Exit codes:
  0  ok
  1  a failed call (CAS, Slack or the store failed, or an account could not be read)
  2  bad input or configuration (unknown option, missing argument, bad value, invalid settings)
  3  a finding asked for with --fail-on (the output is printed all the same)
  4  not found (info: no such certificate or resource; deploy: no such certificate or deployment job)`;

function intOption(name: string, min = 0) {
  return (value: string) => {
    const n = /^\s*\d+\s*$/.test(value) ? Number(value) : NaN;
    if (!Number.isSafeInteger(n) || n < min)
      throw new InvalidArgumentError(`${name} must be a whole number${min > 0 ? ` of at least ${min}` : ''}`);
    return n;
  };
}

/** `--fail-on`, repeatable and comma-separated: each value given adds to the ones before. */
function failOnOption<T extends string>(allowed: readonly T[]) {
  return (value: string, previous: T[] | undefined) => {
    const parsed = parseFailOnList(value, allowed, previous ?? []);
    if (typeof parsed === 'string') throw new InvalidArgumentError(parsed);
    return parsed;
  };
}

/** pino's levels, most verbose first. */
const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'];

/**
 * A command's logger: warnings and errors only (or what a quieter LOG_LEVEL lets through), so
 * stderr carries what went wrong and nothing else; with --verbose, LOG_LEVEL (default info).
 */
function cliLogger(config: Config, context: CliContext) {
  const configured = LOG_LEVELS.indexOf(config.LOG_LEVEL);
  const level = context.verbose || configured > LOG_LEVELS.indexOf('warn') ? config.LOG_LEVEL : 'warn';
  return loggerForConfig({ ...config, LOG_LEVEL: level as Config['LOG_LEVEL'] });
}

/** Runs one command on the services built from the environment, reporting failures as one line. */
async function withServices(
  context: CliContext,
  json: boolean,
  run: (services: Services, output: Output) => Promise<unknown>,
): Promise<void> {
  const output = consoleOutput(json);
  let services: Services | undefined;
  try {
    const config = loadConfig(context.env);
    services = createServices(config, { logger: cliLogger(config, context), now: context.now });
    await run(services, output);
  } catch (error) {
    context.exitCode = reportFailure(output, error);
  } finally {
    await services?.stop();
  }
}

const ACCOUNT_OPTION = ['--account <name>', 'only this account of CAS_ACCOUNTS_FILE (default: every account)'] as const;

/** The accounts a command covers, with their clients; an unknown name is bad input (exit 2). */
async function clientsOf(services: Services, name: string | undefined) {
  return Promise.all(services.selectAccounts(name).map(async (a) => ({ name: a.name, cas: await a.cas() })));
}

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

  program
    .command('risk')
    .description('Show the GetRiskCount and GetAssetCount numbers (one line per account with several)')
    .option(...ACCOUNT_OPTION)
    .option('--json', 'exact JSON output')
    .action(async (options: { json?: boolean; account?: string }) => {
      await withServices(context, Boolean(options.json), async (services, output) => {
        const clients = await clientsOf(services, options.account);
        // Stale deployments come from the inventory; without one there are none to count.
        const stale = async (account: string) => {
          const source = await services.listSource({ accounts: [account] });
          return (await source.list('stale', undefined, context.now())).certificates.length;
        };
        // The bot's own counts, from the stored inventory (of the accounts synced), as /cert-risk.
        const inventory = async (names: readonly string[]) => {
          const snapshot = await services.inventorySnapshot();
          const synced = names.filter((name) => !(snapshot?.unsynced ?? []).includes(name));
          return synced.length === names.length ? inventoryCounts(snapshot, context.now(), names) : undefined;
        };
        // An account that could not be read is a failed call, though the others were shown.
        const timeoutMs = services.config.ACCOUNT_ANSWER_TIMEOUT_MS;
        if ((await riskCommand(clients, output, stale, inventory, timeoutMs)) > 0) context.exitCode = 1;
      });
    });

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
        const { infoCommand } = await import('./info-command');
        context.exitCode = await infoCommand(services, { ...options, query }, output, {
          color: Boolean(process.stdout.isTTY),
        });
      });
    });

  program
    .command('probe')
    .description(
      'Check what endpoints really serve (a TLS handshake with SNI, no HTTP request) against the certificates CAS holds',
    )
    .argument('[endpoints...]', 'host[:port] to check (port 443 by default)')
    .option(
      '--all',
      'every endpoint of the inventory (deployed domains, names of valid certificates) and PROBE_TARGETS',
    )
    .option(
      '--samples <n>',
      'handshakes per endpoint, one after the other (2 or more catch CDN edges alternating between certificates)',
      intOption('--samples', 1),
    )
    .option(
      '--fail-on <verdicts>',
      `exit 3 when an endpoint has one of these findings, comma-separated: ${PROBE_FINDINGS.join(', ')} (the results are printed all the same)`,
      (value: string) => {
        const parsed = parseFailOn(value);
        if (typeof parsed === 'string') throw new InvalidArgumentError(parsed);
        return parsed;
      },
    )
    .option(...ACCOUNT_OPTION)
    .option('--json', 'exact JSON output')
    .action(async (endpoints: string[], options: Omit<ProbeCommandOptions, 'progress'>) => {
      await withServices(context, Boolean(options.json), async (services, output) => {
        const { probeCommand } = await import('./probe-command');
        context.exitCode = await probeCommand(
          services,
          endpoints,
          { ...options, progress: process.stderr },
          output,
          () => context.now(),
        );
      });
    });

  program
    .command('audit')
    .description('The audit log (every /cert-assign attempt, alert acknowledgements and snoozes), newest first')
    .option('--since <date>', 'only entries from this ISO date or date-time on (2026-11-01, 2026-11-01T09:00Z; UTC)')
    .option('--user <id>', "only this Slack user's entries (U… or W…)")
    .option('--limit <n>', 'at most this many entries (default 100)')
    .option('--json', 'exact JSON entries')
    .action(async (options: AuditCommandOptions) => {
      const output = consoleOutput(Boolean(options.json));
      try {
        const config = loadConfig(context.env);
        const { auditCommand } = await import('./audit-command');
        context.exitCode = await auditCommand(config, options, output);
      } catch (error) {
        context.exitCode = reportFailure(output, error);
      }
    });

  program
    .command('home')
    .description("One user's App Home dashboard as Slack shows it (scores, what is at risk, their acknowledgements)")
    .requiredOption('--user <id>', 'the Slack user ID (U… or W…) whose Home tab to build')
    .option('--json', 'the Home view as JSON (what views.publish gets)')
    .action(async (options: { user: string; json?: boolean }) => {
      await withServices(context, Boolean(options.json), async (services, output) => {
        if (!/^[UW][A-Z0-9]{2,}$/.test(options.user))
          throw new UsageError(`"${options.user.slice(0, 40)}" is not a Slack user ID (U… or W…, capitals and digits)`);
        const view = await services.homeView(options.user);
        if (options.json) output.out(JSON.stringify(view, null, 2));
        else {
          const { renderForTerminal } = await import('../render/terminal');
          const message = { text: 'App Home', blocks: view.blocks };
          output.out(renderForTerminal(message, { color: process.stdout.isTTY }));
        }
      });
    });

  program
    .command('alerts')
    .description('Expiry alerts: print what would be posted now (--dry-run) or run one alert pass (--post)')
    .option('--dry-run', 'print, per channel, what would be posted now; post and record nothing')
    .option('--post', 'run one alert pass now (same claims, exactly once)')
    .option(...ACCOUNT_OPTION)
    .option('--json', 'the result as JSON')
    .action(async (options: { dryRun?: boolean; post?: boolean; json?: boolean; account?: string }) => {
      await withServices(context, Boolean(options.json), async (services, output) => {
        const { alertsCommand } = await import('./alerts-command');
        context.exitCode = await alertsCommand(services, options, output);
      });
    });

  program
    .command('sync')
    .description('Sync the certificate inventory from CAS into the store now (DATA_DIR or DATABASE_URL)')
    .option(...ACCOUNT_OPTION)
    .option('--json', 'the summary as JSON')
    .action(async (options: { json?: boolean; account?: string }) => {
      await withServices(context, Boolean(options.json), async (services, output) => {
        const { syncCommand } = await import('./sync-command');
        context.exitCode = await syncCommand(services, output, {
          interactive: Boolean(process.stderr.isTTY) && !options.json,
          account: options.account,
        });
      });
    });

  program
    .command('accounts')
    .description('List the configured CAS accounts: site, endpoint, credential kind, and whether a test call succeeds')
    .option('--json', 'exact JSON output')
    .action(async (options: { json?: boolean }) => {
      await withServices(context, Boolean(options.json), async (services, output) => {
        const { accountsCommand } = await import('./accounts-command');
        context.exitCode = await accountsCommand(services, output);
      });
    });

  const deploy = program
    .command('deploy')
    .description('Deployment of renewals (read-only here: deployments are requested and approved in Slack)');
  deploy
    .command('plan')
    .description('What a deployment request for a certificate would do: its replacement and every resource still on it')
    .argument('<old-id>', 'the ID of the certificate being replaced')
    .option(...ACCOUNT_OPTION)
    .option('--json', 'exact JSON output')
    .action(async (certificateId: string, options: { json?: boolean; account?: string }) => {
      await withServices(context, Boolean(options.json), async (services, output) => {
        const { deployPlanCommand } = await import('./deploy-command');
        context.exitCode = await deployPlanCommand(services, { ...options, certificateId }, output, context.now());
      });
    });
  deploy
    .command('status')
    .description('A deployment request or CAS deployment job: its progress and its failed resources')
    .argument('<job-id|request-id>', 'the deployment job ID (JobId), or the request ID of a request made in Slack')
    .option(...ACCOUNT_OPTION)
    .option('--json', 'exact JSON output')
    .action(async (jobId: string, options: { json?: boolean; account?: string }) => {
      await withServices(context, Boolean(options.json), async (services, output) => {
        const { deployStatusCommand } = await import('./deploy-command');
        context.exitCode = await deployStatusCommand(services, { ...options, jobId }, output);
      });
    });

  program
    .command('doctor')
    .description(
      'Check the configuration and every dependency (store, Redis, CAS and its RAM permissions, clock, Slack, channels), one line each',
    )
    .option('--json', 'the checks as a JSON array of {check, ok, detail, fix}')
    .action(async (options: { json?: boolean }) => {
      const output = consoleOutput(Boolean(options.json));
      try {
        const { doctorCommand } = await import('./doctor-command');
        context.exitCode = await doctorCommand(context.env, { json: options.json }, output, context.now);
      } catch (error) {
        context.exitCode = reportFailure(output, error);
      }
    });

  program
    .command('serve')
    .description('Run the Slack bot (HTTP mode, or Socket Mode when SLACK_APP_TOKEN is set) and the scheduled digest')
    .action(async () => {
      const output = consoleOutput(false);
      try {
        const config = loadConfig(context.env, ['slack']);
        const { serveCommand } = await import('./serve-command');
        await serveCommand(config, loggerForConfig(config));
      } catch (error) {
        context.exitCode = reportFailure(output, error);
      }
    });

  program
    .command('digest')
    .description("Build this period's certificate-risk digest: print it (--dry-run) or post it (--post)")
    .option('--dry-run', 'print the digest in the terminal; post and record nothing')
    .option('--post', 'post it now to DIGEST_CHANNEL through the ledger')
    .option('--force', 'with --post: post again even if this period was already posted')
    .option(...ACCOUNT_OPTION)
    .option('--json', 'the Block Kit message (--dry-run) or the outcomes (--post) as JSON')
    .option('--chart <file>', "with --dry-run: write the digest's trend chart (PNG) to this file")
    .action(async (options: DigestCommandOptions) => {
      const output = consoleOutput(Boolean(options.json));
      try {
        const config = loadConfig(context.env);
        const { digestCommand } = await import('./digest-command');
        context.exitCode = await digestCommand(config, options, output, cliLogger(config, context), context.now);
      } catch (error) {
        context.exitCode = reportFailure(output, error);
      }
    });

  program
    .command('demo')
    .description('Show what the bot answers in Slack, against a local CAS simulator; needs no configuration')
    .action(async () => {
      const output = consoleOutput(false);
      try {
        const { runDemo } = await import('../demo/run-demo');
        await runDemo({
          out: output.out,
          color: Boolean(process.stdout.isTTY),
          width: Math.min(process.stdout.columns ?? 100, 100),
        });
      } catch (error) {
        context.exitCode = reportFailure(output, error);
      }
    });

  program
    .command('docs-config', { hidden: true })
    .description('Regenerate the configuration table of docs/configuration.md and .env.example from the schema')
    .action(async () => {
      const { writeConfigDocs } = await import('./docs-config');
      writeConfigDocs(process.cwd());
    });

  program
    .command('sandbox')
    .description('Run the local CAS simulator (for tests, benchmarks and trying the bot)')
    .option('--port <port>', 'port to listen on (0 = any free port)', intOption('--port'), 9000)
    .option('--host <host>', 'address to listen on', '127.0.0.1')
    .option('--certs <count>', 'certificates in the data set', intOption('--certs'), 500)
    .option('--seed <seed>', 'seed of the data set', intOption('--seed'), 42)
    .option('--latency <ms>', 'added latency per answer', intOption('--latency'), 0)
    .option('--qps <qps>', 'calls per second per account before throttling', intOption('--qps'), 10)
    .option(
      '--replaced <count>',
      'expiring or expired certificates that also get a renewed twin (on top of --certs)',
      intOption('--replaced'),
      20,
    )
    .addOption(
      new Option('--profile <profile>', 'mixed risks, or healthy (nothing at risk)')
        .choices(['mixed', 'healthy'])
        .default('mixed'),
    )
    .option(
      '--accounts <names>',
      'several accounts, comma-separated lowercase names (e.g. prod,staging): own key pair, data set (seed + n - 1) and role each',
      (value: string) => {
        const names = value.split(',').map((name) => name.trim());
        const bad = names.find((name) => !/^[a-z][a-z0-9-]{0,31}$/.test(name));
        if (bad !== undefined) {
          throw new InvalidArgumentError(
            `"${bad}" is not an account name: lowercase letters, digits and -, starting with a letter`,
          );
        }
        if (new Set(names).size !== names.length) throw new InvalidArgumentError('an account name is listed twice');
        return names;
      },
    )
    .option('--tls', 'listen with HTTPS (a self-signed certificate; needed for STS AssumeRole clients)', false)
    .option(
      '--wire',
      'also serve the wire: a TLS listener that answers each SNI name with the certificate CAS says is deployed there (prints its port and CA file, for PROBE_RESOLVE and PROBE_CA_FILE)',
      false,
    )
    .option('--wire-port <port>', 'port of the --wire listener (0 = any free port)', intOption('--wire-port'), 0)
    .action(async (options: SandboxCommandOptions) => {
      const { runSandboxCommand } = await import('./sandbox-command');
      await runSandboxCommand(options);
    });

  return program;
}
