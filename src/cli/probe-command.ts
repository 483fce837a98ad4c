import { type Command, InvalidArgumentError } from 'commander';
import { SingleBar } from 'cli-progress';
import { type Endpoint, parseEndpoint } from '../domain/endpoints';
import { buildProbeTargets } from '../domain/probe-targets';
import { compareVerdicts, PROBE_FINDINGS, type ProbeFinding } from '../domain/probe-verdict';
import { describeAccountFailure } from '../accounts/account-failure';
import { checkEndpoints } from '../probe/check';
import { proberFromConfig } from '../wiring/prober';
import type { Services } from '../services';
import { type Output, UsageError } from './output';
import { parseFailOn, verdictCounts, verdictDetails, verdictJson, verdictTable } from './probe-view';
import { ACCOUNT_OPTION, type CliContext, intOption, withServices } from './context';

/**
 * `cert-bot probe <host[:port]>…` checks what the endpoints named serve now; `cert-bot probe
 * --all` checks every target of the inventory and PROBE_TARGETS. Each endpoint gets a verdict
 * against the certificates CAS holds (the inventory, or CAS itself while there is none).
 */

export function registerProbeCommand(program: Command, context: CliContext): void {
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
        context.exitCode = await probeCommand(
          services,
          endpoints,
          { ...options, progress: process.stderr },
          output,
          () => context.now(),
        );
      });
    });
}

export interface ProbeCommandOptions {
  all?: boolean;
  json?: boolean;
  failOn?: ProbeFinding[];
  samples?: number;
  account?: string;
  /** Where the progress bar goes (stderr); shown only on a terminal. */
  progress?: NodeJS.WritableStream & { isTTY?: boolean };
}

export const MAX_SAMPLES = 10;

/** The endpoints named on the command line, or a UsageError naming every bad one. */
export function namedEndpoints(args: readonly string[]): Endpoint[] {
  const endpoints: Endpoint[] = [];
  const problems: string[] = [];
  for (const arg of args) {
    const parsed = parseEndpoint(arg);
    if ('problem' in parsed) problems.push(parsed.problem);
    else if (!endpoints.some((e) => e.host === parsed.host && e.port === parsed.port)) endpoints.push(parsed);
  }
  if (problems.length > 0) throw new UsageError(problems.join('\n       '));
  return endpoints;
}

/** Resolves with the exit code: 0, 1 (an inventory could not be read, an endpoint unreachable), 2, or 3 (--fail-on). */
export async function probeCommand(
  services: Services,
  args: readonly string[],
  options: ProbeCommandOptions,
  output: Output,
  now: () => Date,
): Promise<number> {
  if (options.all && args.length > 0) throw new UsageError('give host[:port] names or --all, not both');
  if (!options.all && args.length === 0)
    throw new UsageError('name at least one endpoint, e.g. cert-bot probe www.example.com:443, or use --all');
  const samples = options.samples ?? 1;
  if (samples > MAX_SAMPLES) throw new UsageError(`--samples must be at most ${MAX_SAMPLES}`);
  const named = options.all ? [] : namedEndpoints(args);
  const { config } = services;

  // What CAS holds: the inventory when it is fresh (as `cert-bot list`), else CAS itself.
  const selected = services.selectAccounts(options.account);
  const interval = config.INVENTORY_SYNC_MINUTES * 60_000;
  const source = await services.listSource({
    maxAgeMs: interval > 0 ? 2 * interval : undefined,
    accounts: options.account === undefined ? undefined : selected.map((a) => a.name),
  });
  const listing = await source.list('all', undefined, now());
  for (const failure of listing.failures ?? []) output.err(`error: could not list ${describeAccountFailure(failure)}`);

  let endpoints = named;
  if (options.all) {
    const list = buildProbeTargets({
      certificates: listing.certificates,
      configured: config.PROBE_TARGETS,
      maxTargets: config.PROBE_MAX_TARGETS,
      now: now(),
    });
    endpoints = list.targets;
    if (list.cut > 0)
      output.err(
        `note: ${list.total} endpoints found; probing the first ${list.targets.length} (PROBE_MAX_TARGETS), ${list.cut} left out`,
      );
    if (endpoints.length === 0)
      output.err('note: nothing to probe: no deployed domains, no valid certificate names and no PROBE_TARGETS');
  }

  const bar = progressBar(options.progress, endpoints.length * samples);
  let result;
  try {
    result = await checkEndpoints({
      endpoints,
      prober: proberFromConfig(config, { now }),
      certificates: listing.certificates,
      now,
      samples,
      checkDeny: !options.all,
      onProgress: (done) => bar?.update(done),
    });
  } finally {
    bar?.stop();
  }
  const verdicts = options.all ? [...result.verdicts].sort(compareVerdicts) : result.verdicts;

  if (options.json) output.out(JSON.stringify(verdicts.map(verdictJson), null, 2));
  else if (options.all) {
    output.out(verdictTable(verdicts));
    output.out(verdictCounts(verdicts));
  } else output.out(verdicts.map(verdictDetails).join('\n\n'));

  const denied = verdicts.filter((v) => v.failure?.reason === 'denied');
  for (const verdict of denied) output.err(`error: refused: ${verdict.failure?.message}`);
  const unreachable = verdicts.filter((v) => v.verdict === 'unreachable' && v.failure?.reason !== 'denied');
  const findings = options.failOn ? verdicts.filter((v) => v.findings.some((f) => options.failOn?.includes(f))) : [];
  if (options.failOn && findings.length > 0)
    output.err(
      `--fail-on ${options.failOn.join(',')}: ${findings.length} of ${verdicts.length} endpoint${verdicts.length === 1 ? '' : 's'} ${findings.length === 1 ? 'has' : 'have'} such a finding`,
    );
  if ((listing.failures?.length ?? 0) > 0 || unreachable.length > 0) return 1;
  if (denied.length > 0) return 2;
  return findings.length > 0 ? 3 : 0;
}

function progressBar(stream: ProbeCommandOptions['progress'], total: number): SingleBar | undefined {
  if (!stream?.isTTY || total < 2) return undefined;
  const bar = new SingleBar({
    format: 'Probing endpoints [{bar}] {value}/{total}',
    stream: stream as NodeJS.WriteStream,
    hideCursor: true,
    clearOnComplete: true,
    fps: 5,
  });
  bar.start(total, 0);
  return bar;
}
