import { execFile, spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import readline from 'node:readline';
import YAML from 'yaml';
import {
  accountUserId,
  DEFAULT_ACCESS_KEY_ID,
  DEFAULT_ACCESS_KEY_SECRET,
  sandboxAccessKey,
  spawnSandbox,
} from '../../src/sandbox';
import { CLI } from '../helpers/run-cli';

/** Runs `cert-bot sandbox ARGS` (the built CLI) until its startup text is out, then stops it. */
function startupText(args: string[], lines: number): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [CLI, 'sandbox', '--port', '0', '--certs', '10', '--replaced', '1', ...args],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    const out: string[] = [];
    readline.createInterface({ input: child.stdout }).on('line', (line) => {
      out.push(line);
      if (out.length === lines) child.kill('SIGTERM');
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.once('exit', () => (out.length >= lines ? resolve(out) : reject(new Error(`${out.join('\n')}\n${stderr}`))));
  });
}

describe('cert-bot sandbox --accounts --tls', () => {
  it('prints each account, its key pair exports and an accounts file naming variables, not secrets', async () => {
    const text = await startupText(['--accounts', 'prod,staging', '--tls', '--seed', '5'], 20);
    const url = /listening on (https:\/\/127\.0\.0\.1:\d+) with 2 accounts/.exec(text[0] ?? '')?.[1];
    expect(url).toBeDefined();
    const staging = sandboxAccessKey(2);
    const role = (seed: number) => `acs:ram::${accountUserId(seed)}:role/cert-bot`;
    expect(text).toEqual(
      expect.arrayContaining([
        `  export SANDBOX_PROD_KEY_ID=${DEFAULT_ACCESS_KEY_ID}`,
        `  export SANDBOX_PROD_KEY_SECRET=${DEFAULT_ACCESS_KEY_SECRET}`,
        `  export SANDBOX_STAGING_KEY_ID=${staging.accessKeyId}`,
        `  export SANDBOX_STAGING_KEY_SECRET=${staging.accessKeySecret}`,
        `  export ALIBABA_CLOUD_ACCESS_KEY_ID=${DEFAULT_ACCESS_KEY_ID}`,
      ]),
    );
    expect(text.find((line) => line.includes('staging ') && line.includes('seed 6'))).toContain(role(6));
    const caLine = text.find((line) => line.startsWith('  export NODE_EXTRA_CA_CERTS='));
    expect(caLine).toMatch(/^ {2}export NODE_EXTRA_CA_CERTS=\S+\.pem$/);
    const yamlStart = text.findIndex((line) => line.startsWith('- name: prod'));
    const file = YAML.parse(text.slice(yamlStart).join('\n')) as unknown;
    expect(file).toEqual([
      { name: 'prod', site: url, accessKeyId: 'SANDBOX_PROD_KEY_ID', accessKeySecret: 'SANDBOX_PROD_KEY_SECRET' },
      { name: 'staging', site: url, roleArn: role(6) },
    ]);
    expect(text.slice(yamlStart).join('\n')).not.toContain(DEFAULT_ACCESS_KEY_SECRET);
    // The certificate file went away with the simulator.
    expect(fs.existsSync(caLine?.split('=')[1] as string)).toBe(false);
  });

  it('without --tls: no CA is mentioned, and it says to save the accounts file and set CAS_ACCOUNTS_FILE', async () => {
    const text = await startupText(['--accounts', 'prod,staging', '--seed', '5'], 16);
    expect(text[3]).toBe(
      'Export the key pairs where the bot runs, and point CAS_ACCOUNTS_FILE at the accounts file below:',
    );
    expect(text.join('\n')).not.toMatch(/\bCA\b|NODE_EXTRA_CA_CERTS/);
    expect(text).toContain('  export CAS_ACCOUNTS_FILE=$PWD/sandbox-accounts.yaml');
    const save = text.findIndex((line) => line.startsWith('Save this accounts file as sandbox-accounts.yaml'));
    expect(save).toBeGreaterThan(0);
    expect(YAML.parse(text.slice(save + 1).join('\n'))).toHaveLength(2);
  });

  it('with --tls the CA is exported with the key pairs', async () => {
    const text = await startupText(['--accounts', 'prod,staging', '--tls', '--seed', '5'], 4);
    expect(text[3]).toBe(
      'Export the key pairs and the CA where the bot runs, and point CAS_ACCOUNTS_FILE at the accounts file below:',
    );
  });

  it('a port in use is one line that says what to do, exit 1', async () => {
    const taken = net.createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    const { port } = taken.address() as net.AddressInfo;
    try {
      const result = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
        execFile(
          process.execPath,
          [CLI, 'sandbox', '--port', String(port)],
          { timeout: 20_000 },
          (error, stdout, stderr) =>
            resolve({ code: error ? Number((error as { code?: number }).code) : 0, stdout, stderr }),
        );
      });
      expect(result).toEqual({
        code: 1,
        stdout: '',
        stderr: `error: port ${port} is already in use on 127.0.0.1 (another simulator or program listens on 127.0.0.1:${port}); stop it, or choose another port with --port (--port 0 takes any free one)\n`,
      });
    } finally {
      await new Promise<void>((resolve) => taken.close(() => resolve()));
    }
  });

  it('keeps the single-account text without --accounts', async () => {
    const text = await startupText(['--seed', '5'], 5);
    expect(text[0]).toMatch(
      /^CAS simulator listening on http:\/\/127\.0\.0\.1:\d+ \(10 certificates \+ 1 renewed twins, seed 5\)$/,
    );
    expect(text.slice(1)).toEqual([
      'Point the bot or the CLI at it with:',
      expect.stringMatching(/^ {2}export CAS_ENDPOINT=http:\/\/127\.0\.0\.1:\d+$/),
      `  export ALIBABA_CLOUD_ACCESS_KEY_ID=${DEFAULT_ACCESS_KEY_ID}`,
      `  export ALIBABA_CLOUD_ACCESS_KEY_SECRET=${DEFAULT_ACCESS_KEY_SECRET}`,
    ]);
  });

  it('exposes the accounts and the certificate through spawnSandbox', async () => {
    const remote = await spawnSandbox({ certs: 15, seed: 8, accounts: ['prod', 'staging', 'dev'], tls: true });
    try {
      expect(remote.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
      expect(fs.readFileSync(remote.caCertPath as string, 'utf8')).toMatch(/^-----BEGIN CERTIFICATE-----/);
      const accounts = await remote.accounts();
      expect(accounts).toEqual(
        [8, 9, 10].map((seed, index) => ({
          name: ['prod', 'staging', 'dev'][index],
          accessKeyIds: [sandboxAccessKey(index + 1).accessKeyId],
          roles: [`acs:ram::${accountUserId(seed)}:role/cert-bot`],
          qps: 10,
          certificates: 15,
        })),
      );
      const [added] = await remote.forAccount('dev').addCertificates([{ commonName: 'dev-only.example.com' }]);
      expect(added).toBeGreaterThan(0);
      expect((await remote.accounts()).map((a) => a.certificates)).toEqual([15, 15, 16]);
    } finally {
      await remote.close();
    }
  });
});
