import { type Command, InvalidArgumentError, Option } from 'commander';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import YAML from 'yaml';
import { DEFAULT_PROBE_DENY_WITHOUT_LOOPBACK } from '../probe/deny';
import type { Sandbox, SandboxAccountOptions, WireListener } from '../sandbox';
import { intOption } from './context';

export function registerSandboxCommand(program: Command): void {
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
      await runSandboxCommand(options);
    });
}

export interface SandboxCommandOptions {
  port: number;
  host: string;
  certs: number;
  seed: number;
  latency: number;
  qps: number;
  profile: 'mixed' | 'healthy';
  /** Expiring or expired certificates that also get a renewed twin. */
  replaced: number;
  /** Account names; undefined: one account, as before accounts existed. */
  accounts?: string[];
  /** HTTPS with a self-signed certificate. */
  tls?: boolean;
  /** Also serve the wire (a TLS listener answering by SNI); its port, 0 for a free one. */
  wire?: boolean;
  wirePort?: number;
}

/** What the startup text says about one account. */
interface AccountPlan {
  name: string;
  seed: number;
  accessKeyId: string;
  accessKeySecret: string;
  roleArn: string;
}

/**
 * The simulator, loaded when the command runs: every other command starts without it (it is a
 * large part of the CLI's start-up time).
 */
type Simulator = typeof import('../sandbox');

/** The n-th account (n ≥ 1): sandboxAccessKey(n), seed + n − 1 and the role acs:ram::<uid>:role/cert-bot. */
function planAccounts(
  { sandboxAccessKey, sandboxRoleArn }: Simulator,
  names: readonly string[],
  seed: number,
): AccountPlan[] {
  return names.map((name, index) => {
    const accountSeed = seed + index;
    return { name, seed: accountSeed, ...sandboxAccessKey(index + 1), roleArn: sandboxRoleArn(accountSeed) };
  });
}

/** SANDBOX_<NAME>_KEY_ID / _KEY_SECRET: environment variable names, never secrets, go in the accounts file. */
export function accountKeyVariables(name: string): { id: string; secret: string } {
  const stem = `SANDBOX_${name.toUpperCase().replace(/[^A-Z0-9]/g, '_')}`;
  return { id: `${stem}_KEY_ID`, secret: `${stem}_KEY_SECRET` };
}

/** Where the startup text of several accounts tells you to save their accounts file. */
const ACCOUNTS_FILE_NAME = 'sandbox-accounts.yaml';

/** Starts the simulator and keeps it running until Ctrl-C or SIGTERM. */
export async function runSandboxCommand(options: SandboxCommandOptions): Promise<void> {
  const simulator = await import('../sandbox');
  const { createSandboxCertificate, generateDataset, startSandbox } = simulator;
  let wireDir: string | undefined;
  const caDir = () => (wireDir ??= fs.mkdtempSync(path.join(os.tmpdir(), 'cas-sandbox-wire-')));
  const tls = options.tls ? await createSandboxCertificate() : undefined;
  let caCertPath: string | undefined;
  if (tls) {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cas-sandbox-'));
    caCertPath = path.join(dir, 'sandbox-ca.pem');
    fs.writeFileSync(caCertPath, tls.cert);
  }
  try {
    const plans = options.accounts === undefined ? undefined : planAccounts(simulator, options.accounts, options.seed);
    const dataset = (seed: number) =>
      generateDataset({ count: options.certs, seed, profile: options.profile, replacedPairs: options.replaced });
    const sandbox = await listening(options, () =>
      startSandbox({
        port: options.port,
        host: options.host,
        qps: options.qps,
        faults: { latencyMs: options.latency },
        tls,
        wire: options.wire ? { host: options.host, port: options.wirePort ?? 0 } : undefined,
        ...(plans === undefined
          ? { dataset: dataset(options.seed) }
          : {
              accounts: plans.map((plan): SandboxAccountOptions => ({
                name: plan.name,
                accessKeys: { [plan.accessKeyId]: plan.accessKeySecret },
                dataset: dataset(plan.seed),
                roles: [plan.roleArn],
              })),
            }),
      }),
    );
    const text =
      plans !== undefined && plans.length > 1
        ? severalAccountsText(sandbox, options, plans, caCertPath)
        : singleAccountText(simulator, sandbox, options, plans?.[0], caCertPath);
    const wireText = sandbox.wire ? wireLines(sandbox.wire, writeWireCa(sandbox.wire.caPem, caDir())) : '';
    // Listening for the signals before saying we are up: whoever reads the text may stop us at once.
    const stopped = new Promise<void>((resolve) => {
      const stop = () => resolve();
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    });
    process.stdout.write(text + wireText);
    await stopped;
    await sandbox.close();
  } finally {
    if (caCertPath) fs.rmSync(path.dirname(caCertPath), { recursive: true, force: true });
    if (wireDir) fs.rmSync(wireDir, { recursive: true, force: true });
  }
}

/** The simulator started, or one line saying why the port could not be had (no raw EADDRINUSE). */
async function listening<T>(options: SandboxCommandOptions, start: () => Promise<T>): Promise<T> {
  try {
    return await start();
  } catch (error) {
    const code = (error as { code?: unknown } | undefined)?.code;
    const where = `${options.host}:${options.port}`;
    if (code === 'EADDRINUSE')
      throw new Error(
        `port ${options.port} is already in use on ${options.host} (another simulator or program listens on ${where}); stop it, or choose another port with --port (--port 0 takes any free one)`,
        { cause: error },
      );
    if (code === 'EACCES')
      throw new Error(
        `port ${options.port} on ${options.host} may not be bound by this user (ports below 1024 need privileges); choose a port above 1023 with --port`,
        { cause: error },
      );
    if (code === 'EADDRNOTAVAIL')
      throw new Error(`${options.host} is not an address of this machine; choose another with --host`, {
        cause: error,
      });
    throw error;
  }
}

/** The wire's CA file: written at start, removed at exit. */
function writeWireCa(pem: string, dir: string): string {
  const file = path.join(dir, 'sandbox-wire-ca.pem');
  fs.writeFileSync(file, pem);
  return file;
}

/** How to point the probe at the wire: every host and port goes to the listener, loopback allowed. */
function wireLines(wire: WireListener, caFile: string): string {
  // Listening on every address: the probe reaches it on loopback.
  const reach = wire.host === '0.0.0.0' || wire.host === '::' ? `127.0.0.1:${wire.port}` : wire.endpoint;
  return [
    `Wire (TLS by SNI, the certificates CAS lists) on ${wire.endpoint}; CA file ${caFile}`,
    'Probe it with:',
    `  export PROBE_RESOLVE='*:*=${reach}'`,
    `  export PROBE_CA_FILE=${caFile}`,
    // PROBE_DENY's default without loopback: what a probe of the simulator on 127.0.0.1 needs.
    `  export PROBE_DENY=${DEFAULT_PROBE_DENY_WITHOUT_LOOPBACK.join(',')}`,
    '',
  ].join('\n');
}

function singleAccountText(
  { DEFAULT_ACCESS_KEY_ID, DEFAULT_ACCESS_KEY_SECRET }: Simulator,
  sandbox: Sandbox,
  options: SandboxCommandOptions,
  plan: AccountPlan | undefined,
  caCertPath: string | undefined,
): string {
  const accountPart = plan === undefined ? '' : `, account ${plan.name}`;
  return [
    `CAS simulator listening on ${sandbox.url} (${options.certs} certificates + ${options.replaced} renewed twins, seed ${options.seed}${accountPart})`,
    'Point the bot or the CLI at it with:',
    `  export CAS_ENDPOINT=${sandbox.url}`,
    `  export ALIBABA_CLOUD_ACCESS_KEY_ID=${plan?.accessKeyId ?? DEFAULT_ACCESS_KEY_ID}`,
    `  export ALIBABA_CLOUD_ACCESS_KEY_SECRET=${plan?.accessKeySecret ?? DEFAULT_ACCESS_KEY_SECRET}`,
    ...(caCertPath === undefined ? [] : [`  export NODE_EXTRA_CA_CERTS=${caCertPath}`]),
    ...(plan === undefined ? [] : [`STS AssumeRole accepts ${plan.roleArn}`]),
    '',
  ].join('\n');
}

/**
 * The accounts, the export lines of their key pairs and a ready-to-use accounts file. With
 * --tls every account after the first is listed by its role (assumed through STS with the
 * default credential chain, i.e. the first account's key pair exported as ALIBABA_CLOUD_*);
 * without it (STS clients only speak HTTPS) every account is listed by its key pair.
 */
function severalAccountsText(
  sandbox: Sandbox,
  options: SandboxCommandOptions,
  plans: readonly AccountPlan[],
  caCertPath: string | undefined,
): string {
  const width = Math.max(...plans.map((plan) => plan.name.length));
  const first = plans[0] as AccountPlan;
  const byRole = (index: number) => caCertPath !== undefined && index > 0;
  const entries = plans.map((plan, index) => {
    const variables = accountKeyVariables(plan.name);
    return byRole(index)
      ? { name: plan.name, site: sandbox.url, roleArn: plan.roleArn }
      : { name: plan.name, site: sandbox.url, accessKeyId: variables.id, accessKeySecret: variables.secret };
  });
  return [
    `CAS simulator listening on ${sandbox.url} with ${plans.length} accounts (${options.certs} certificates + ${options.replaced} renewed twins each)`,
    ...plans.map(
      (plan) =>
        `  ${plan.name.padEnd(width)}  seed ${plan.seed}  AccessKeyId ${plan.accessKeyId}  role ${plan.roleArn}`,
    ),
    `Export the key pairs${caCertPath === undefined ? '' : ' and the CA'} where the bot runs, and point CAS_ACCOUNTS_FILE at the accounts file below:`,
    ...plans.flatMap((plan) => {
      const variables = accountKeyVariables(plan.name);
      return [`  export ${variables.id}=${plan.accessKeyId}`, `  export ${variables.secret}=${plan.accessKeySecret}`];
    }),
    ...(caCertPath === undefined
      ? []
      : [
          `  export ALIBABA_CLOUD_ACCESS_KEY_ID=${first.accessKeyId}`,
          `  export ALIBABA_CLOUD_ACCESS_KEY_SECRET=${first.accessKeySecret}`,
          `  export NODE_EXTRA_CA_CERTS=${caCertPath}`,
        ]),
    `  export CAS_ACCOUNTS_FILE=$PWD/${ACCOUNTS_FILE_NAME}`,
    caCertPath === undefined
      ? `Save this accounts file as ${ACCOUNTS_FILE_NAME} (it names environment variables, never the secrets; start with --tls to list accounts by role instead):`
      : `Save this accounts file as ${ACCOUNTS_FILE_NAME} (it names environment variables, never the secrets; roleArn accounts are assumed through STS at ${sandbox.endpoint} with the default credential chain):`,
    YAML.stringify(entries).trimEnd(),
    '',
  ].join('\n');
}
