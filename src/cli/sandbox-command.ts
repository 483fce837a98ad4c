import { DEFAULT_ACCESS_KEY_ID, DEFAULT_ACCESS_KEY_SECRET, generateDataset, startSandbox } from '../sandbox';

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
}

/** Starts the simulator and keeps it running until Ctrl-C or SIGTERM. */
export async function runSandboxCommand(options: SandboxCommandOptions): Promise<void> {
  const sandbox = await startSandbox({
    port: options.port,
    host: options.host,
    dataset: generateDataset({
      count: options.certs,
      seed: options.seed,
      profile: options.profile,
      replacedPairs: options.replaced,
    }),
    qps: options.qps,
    faults: { latencyMs: options.latency },
  });
  process.stdout.write(
    [
      `CAS simulator listening on ${sandbox.url} (${options.certs} certificates + ${options.replaced} renewed twins, seed ${options.seed})`,
      'Point the bot or the CLI at it with:',
      `  export CAS_ENDPOINT=${sandbox.url}`,
      `  export ALIBABA_CLOUD_ACCESS_KEY_ID=${DEFAULT_ACCESS_KEY_ID}`,
      `  export ALIBABA_CLOUD_ACCESS_KEY_SECRET=${DEFAULT_ACCESS_KEY_SECRET}`,
      '',
    ].join('\n'),
  );
  await new Promise<void>((resolve) => {
    const stop = () => resolve();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  await sandbox.close();
}
