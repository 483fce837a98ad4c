import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DEFAULT_PROBE_DENY_WITHOUT_LOOPBACK } from '../../src/probe/deny';
import {
  DEFAULT_ACCESS_KEY_ID,
  DEFAULT_ACCESS_KEY_SECRET,
  generateDataset,
  type SandboxCertificate,
  type SandboxProcess,
  spawnSandbox,
  type WireControl,
  wireControl,
} from '../../src/sandbox';
import { CLI, runCli } from '../helpers/run-cli';

/*
 * `cert-bot probe` as an operator runs it: the built CLI in its own process, over real TLS
 * against the simulator's wire, matching against an inventory synced from the simulator.
 */

const CERTS = 120;
const SEED = 17;
const REPLACED = 8;
const dataset = generateDataset({ count: CERTS, seed: SEED, replacedPairs: REPLACED });
let sandbox: SandboxProcess;
let wire: WireControl;
let env: Record<string, string>;
let dir: string;

interface VerdictJson {
  endpoint: string;
  verdict: string;
  findings: string[];
  summary: string;
  served: {
    leaf: { sha256: string; names: string[]; notAfter: string; issuerCommonName: string };
    chain: unknown[];
    cas: { certificateId: string; matchedOn: string } | null;
    renewedBy: { certificateId: string } | null;
    chainProblem?: { kind: string };
    trusted: boolean;
  } | null;
  alternates?: Array<{ verdict: string }>;
  failure: { reason: string; message: string } | null;
}

const parse = (stdout: string) => JSON.parse(stdout) as VerdictJson[];
const byId = new Map(dataset.certificates.map((c) => [c.certificateId, c]));

/** A domain bound to exactly one resource, and the certificate ListCloudResources says it serves. */
function deployedDomain(skip = 0): { name: string; cert: SandboxCertificate } {
  const counts = new Map<string, SandboxCertificate[]>();
  for (const cert of dataset.certificates)
    for (const r of cert.resources)
      if (r.domain && r.enableHttps) counts.set(r.domain, [...(counts.get(r.domain) ?? []), cert]);
  const found = [...counts].filter(([, certs]) => certs.length === 1 && certs[0]?.status === 'ISSUED')[skip];
  if (!found) throw new Error('no deployed domain');
  return { name: found[0], cert: found[1][0] as SandboxCertificate };
}

beforeAll(async () => {
  sandbox = await spawnSandbox({ certs: CERTS, seed: SEED, qps: 100, replacedPairs: REPLACED, wire: true });
  wire = wireControl(sandbox.url);
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'probe-cli-'));
  env = {
    CAS_ENDPOINT: sandbox.url,
    ALIBABA_CLOUD_ACCESS_KEY_ID: DEFAULT_ACCESS_KEY_ID,
    ALIBABA_CLOUD_ACCESS_KEY_SECRET: DEFAULT_ACCESS_KEY_SECRET,
    CAS_QPS: '50',
    DATA_DIR: dir,
    PROBE_RESOLVE: `*:*=${sandbox.wire?.endpoint}`,
    PROBE_CA_FILE: sandbox.wire?.caFile as string,
    PROBE_DENY: DEFAULT_PROBE_DENY_WITHOUT_LOOPBACK.join(','),
  };
  const sync = await runCli(['sync'], env, 60_000);
  expect(sync.code).toBe(0);
}, 90_000);
afterAll(async () => {
  await sandbox.close();
  fs.rmSync(dir, { recursive: true, force: true });
});
beforeEach(() => wire.reset());

test('ok: the endpoint serves the certificate CAS says is deployed there, matched on its fingerprint', async () => {
  const { name, cert } = deployedDomain();
  const result = await runCli(['probe', name, '--json'], env);
  expect(result.code).toBe(0);
  const [verdict] = parse(result.stdout);
  expect(verdict).toMatchObject({ endpoint: `${name}:443`, verdict: 'ok', findings: [], failure: null });
  expect(verdict?.served?.cas?.certificateId).toBe(String(cert.certificateId));
  expect(verdict?.served?.trusted).toBe(true);

  const text = await runCli(['probe', name], env);
  expect(text.code).toBe(0);
  expect(text.stdout).toContain(`${name}  OK  serves certificate ${cert.certificateId}, the current one`);
  expect(text.stdout).toMatch(/\n {2}SHA-256 +([0-9A-F]{2}:){31}[0-9A-F]{2}\n/);
  expect(text.stdout).toContain(`In CAS     certificate ${cert.certificateId}, matched on`);
});

test('old: names the renewal; --fail-on old exits 3 with the results printed all the same', async () => {
  const renewal = dataset.renewals.find((r) => {
    const old = byId.get(r.certificateId);
    return old?.status === 'WILLEXPIRED' && old.sans.split(',').some((n) => !n.startsWith('*.'));
  });
  const old = byId.get(renewal?.certificateId as number) as SandboxCertificate;
  const name = old.sans.split(',').find((n) => !n.startsWith('*.')) as string;
  await wire.serve(name, { serve: 'certificate', certificateId: old.certificateId });
  const result = await runCli(['probe', name, '--json', '--fail-on', 'old'], env);
  expect(result.code).toBe(3);
  const [verdict] = parse(result.stdout);
  expect(verdict?.verdict).toBe('old');
  expect(verdict?.served?.cas?.certificateId).toBe(String(old.certificateId));
  expect(verdict?.served?.renewedBy?.certificateId).toBe(String(renewal?.renewedBy));
  expect(verdict?.summary).toContain(`deploy ${renewal?.renewedBy} here`);
  expect(result.stderr).toContain('--fail-on old: 1 of 1 endpoint has such a finding');
});

test('unmanaged, expired, name-mismatch and each chain problem, as the simulator serves them, in one run', async () => {
  const cases: Array<[object, string, string?]> = [
    [{ serve: 'unmanaged' }, 'unmanaged'],
    [{ serve: 'expired' }, 'expired'],
    [{ serve: 'mismatch' }, 'name-mismatch'],
    [{ serve: 'missing-intermediate' }, 'chain', 'missing-intermediate'],
    [{ serve: 'short-intermediate' }, 'chain', 'intermediate-expires-first'],
    [{ serve: 'untrusted' }, 'chain', 'untrusted'],
  ];
  const names = cases.map((_, i) => deployedDomain(i).name);
  for (const [i, [spec]] of cases.entries()) await wire.serve(names[i] as string, spec as never);
  const result = await runCli(['probe', ...names, '--json', '--fail-on', 'chain'], env);
  expect(result.code).toBe(3);
  const verdicts = parse(result.stdout);
  expect(verdicts.map((v) => v.verdict)).toEqual(cases.map(([, verdict]) => verdict));
  expect(verdicts.map((v) => v.served?.chainProblem?.kind)).toEqual(cases.map(([, , problem]) => problem));
  expect(result.stderr).toContain('--fail-on chain: 3 of 6 endpoints have such a finding');

  const text = await runCli(['probe', names[0] as string], env);
  expect(text.stdout).toMatch(
    /UNMANAGED {2}serves a certificate CAS does not hold \(issued by Private CA \(CAS simulator\)\), ends \d{4}-\d\d-\d\d/,
  );
  // Without --fail-on a finding is not a failure.
  expect(text.code).toBe(0);
});

test('a hanging endpoint is unreachable after PROBE_TIMEOUT_MS: exit 1, never a stall', async () => {
  const { name } = deployedDomain();
  await wire.serve(name, { serve: 'hang' });
  const started = Date.now();
  const result = await runCli(['probe', name, '--json'], { ...env, PROBE_TIMEOUT_MS: '700' });
  expect(Date.now() - started).toBeLessThan(10_000);
  expect(result.code).toBe(1);
  const [verdict] = parse(result.stdout);
  expect(verdict).toMatchObject({
    verdict: 'unreachable',
    failure: { reason: 'timeout', message: 'no TLS handshake within 700 ms' },
  });
});

test('alternating: --samples sees CDN edges taking turns', async () => {
  const { name } = deployedDomain();
  await wire.serve(name, { serve: 'alternate', between: [{ serve: 'deployed' }, { serve: 'unmanaged' }] });
  const result = await runCli(['probe', name, '--samples', '3', '--json', '--fail-on', 'alternating'], env);
  expect(result.code).toBe(3);
  const [verdict] = parse(result.stdout);
  expect(verdict?.verdict).toBe('alternating');
  expect(verdict?.alternates?.map((a) => a.verdict).sort()).toEqual(['ok', 'unmanaged']);
});

test('a name that resolves into PROBE_DENY is refused: exit 2', async () => {
  const { name } = deployedDomain();
  const { PROBE_DENY: _allowed, ...strict } = env;
  const result = await runCli(['probe', name], strict);
  expect(result.code).toBe(2);
  expect(result.stderr).toContain(
    `error: refused: ${name} resolves to 127.0.0.1, which PROBE_DENY keeps probes away from`,
  );
});

test('bad input gets a clear usage answer and exit 2: a URL, an IP, a bad port, spaces, a mention', async () => {
  const named = ['https://www.example.com/', '10.0.0.1', 'www.example.com:70000', 'www example.com', '<@U012ABCDEF>'];
  const cases: Array<[string[], string[]]> = [
    [named, ['is a URL', 'is an IP address', 'port 70000 is out of range', 'has spaces', 'is a Slack mention']],
    [[], ['name at least one endpoint']],
    [['--all', 'www.example.com'], ['not both']],
    [['www.example.com', '--fail-on', 'late'], ['"late" is not a verdict to fail on']],
  ];
  const results = await Promise.all(cases.map(([args]) => runCli(['probe', ...args], env)));
  for (const [i, result] of results.entries()) {
    expect([cases[i]?.[0], result.code]).toEqual([cases[i]?.[0], 2]);
    for (const message of cases[i]?.[1] ?? []) expect(result.stderr).toContain(message);
    expect(result.stdout).toBe('');
  }
  // Every bad name on a line of its own, nothing probed.
  expect(results[0]?.stderr.trim().split('\n')).toHaveLength(named.length);
});

test('--all: every target of the inventory and PROBE_TARGETS, a summary table, the cut said out loud', async () => {
  const { name } = deployedDomain();
  await wire.serve(name, { serve: 'expired' });
  const result = await runCli(['probe', '--all'], { ...env, PROBE_TARGETS: `${name}:443,extra.example.net` });
  expect(result.stdout.split('\n')[0]).toMatch(/^ENDPOINT +VERDICT +CAS +ENDS +DETAIL$/);
  // Most urgent first.
  expect(result.stdout.split('\n')[1]).toContain('expired');
  expect(result.stdout).toMatch(/\n\d+ endpoints: [\d, a-z-]+\n$/);
  expect(result.stdout).toContain('extra.example.net');
  // The extra target serves nothing (a TLS alert): unreachable, so exit 1.
  expect(result.code).toBe(1);

  const cut = await runCli(['probe', '--all', '--json'], { ...env, PROBE_MAX_TARGETS: '5' });
  expect(parse(cut.stdout)).toHaveLength(5);
  expect(cut.stderr).toMatch(/note: \d+ endpoints found; probing the first 5 \(PROBE_MAX_TARGETS\), \d+ left out/);
}, 60_000);

describe('docs/probing.md', () => {
  const doc = fs.readFileSync(path.resolve(__dirname, '..', '..', 'docs', 'probing.md'), 'utf8');
  /** The `cert-bot …` lines of a section's sh blocks, without their comments. */
  const commands = (heading: string) => {
    const start = doc.indexOf(`\n## ${heading}`);
    const section = doc.slice(start, doc.indexOf('\n## ', start + 1));
    return [...section.matchAll(/```sh\n([\s\S]*?)```/g)]
      .flatMap((block) => (block[1] as string).split('\n'))
      .filter((line) => line.startsWith('cert-bot '))
      .map((line) => line.replace(/\s+#.*$/, '').trim());
  };

  test('every command of "Command line" runs as written, with the example names swapped for the simulator’s', async () => {
    const lines = commands('Command line');
    expect(lines).toEqual([
      'cert-bot probe www.example.com api.example.com:8443',
      'cert-bot probe www.example.com --json --fail-on old,expired,expiring,name-mismatch,chain,unmanaged',
      'cert-bot probe www.example.com --samples 3',
      'cert-bot probe --all',
    ]);
    const first = deployedDomain(0).name;
    const second = deployedDomain(1).name;
    const results = await Promise.all(
      lines.map((line) =>
        runCli(
          line.replace('www.example.com', first).replace('api.example.com:8443', `${second}:443`).split(' ').slice(1),
          env,
        ),
      ),
    );
    expect(results.slice(0, 3).map((r) => r.code)).toEqual([0, 0, 0]);
    expect(results[0]?.stdout).toContain(`${second}  OK  serves certificate`);
    expect(parse(results[1]?.stdout as string)[0]?.verdict).toBe('ok');
    const all = results[3];
    expect(all?.stdout.split('\n')[0]).toMatch(/^ENDPOINT +VERDICT/);
    // Names of recently expired certificates that nothing serves any more answer with an alert.
    expect(all?.code).toBe(/ unreachable\n/.test(all?.stdout ?? '') ? 1 : 0);
  }, 60_000);

  test('"Trying it against the simulator": cert-bot sandbox --wire prints the exports the page shows', async () => {
    expect(commands('Trying it against the simulator')).toEqual([
      'cert-bot sandbox --port 9000 --wire --wire-port 9443',
      'cert-bot sync',
      'cert-bot probe --all',
    ]);
    const child = spawn(
      process.execPath,
      [CLI, 'sandbox', '--port', '0', '--wire', '--wire-port', '0', '--certs', '60', '--replaced', '0'],
      {
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    try {
      const printed = await new Promise<string>((resolve) => {
        let text = '';
        child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
          text += chunk;
          if (text.includes('export PROBE_DENY=')) resolve(text);
        });
        child.once('exit', () => resolve(text));
      });
      const wirePort = /Wire .* on 127\.0\.0\.1:(\d+); CA file (\S+)/.exec(printed);
      expect(wirePort).not.toBeNull();
      expect(printed).toContain(`  export PROBE_RESOLVE='*:*=127.0.0.1:${wirePort?.[1]}'`);
      expect(printed).toContain(`  export PROBE_CA_FILE=${wirePort?.[2]}`);
      expect(doc).toContain(`export PROBE_DENY=${DEFAULT_PROBE_DENY_WITHOUT_LOOPBACK.join(',')}  `);
      expect(printed).toContain(`  export PROBE_DENY=${DEFAULT_PROBE_DENY_WITHOUT_LOOPBACK.join(',')}\n`);
      expect(fs.readFileSync(wirePort?.[2] as string, 'utf8')).toMatch(/^-----BEGIN CERTIFICATE-----/);
    } finally {
      child.kill('SIGTERM');
    }
  });
});
