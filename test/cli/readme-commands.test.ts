import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DEFAULT_PROBE_DENY_WITHOUT_LOOPBACK } from '../../src/probe/deny';
import { DEFAULT_ACCESS_KEY_ID, DEFAULT_ACCESS_KEY_SECRET, type SandboxProcess, spawnSandbox } from '../../src/sandbox';
import { FakeSlack } from '../helpers/fake-slack';
import { runCli } from '../helpers/run-cli';

/**
 * Every command the README and the topic files in docs/ show in their `sh` blocks, run as
 * written against the simulator (and the fake Slack where it posts), exiting as the docs say. A
 * command added to the docs without a case here fails the first test, so they cannot drift.
 */

const ROOT = path.resolve(__dirname, '..', '..');
const DOC_FILES = [
  'README.md',
  ...fs
    .readdirSync(path.join(ROOT, 'docs'))
    .filter((name) => name.endsWith('.md'))
    .map((name) => path.join('docs', name)),
];
const DOCS = DOC_FILES.map((file) => fs.readFileSync(path.join(ROOT, file), 'utf8'));

/** The `cert-bot …` lines of the docs' sh blocks, without their comments, each once. */
function documentedCommands(): string[] {
  const lines = DOCS.flatMap((text) => [...text.matchAll(/```sh\n([\s\S]*?)```/g)])
    .flatMap((block) => block[1].split('\n'))
    .filter((line) => line.startsWith('cert-bot '))
    .map((line) => line.replace(/\s+#.*$/, '').trim());
  return [...new Set(lines)];
}

/**
 * The walkthrough lines of the docs' sh blocks that run the CLI through npm (`npm run cert-bot --
 * …`, `npm run -s cert-bot -- …`, `npx …`), without their comments, each once.
 */
function documentedNpmLines(): string[] {
  const lines = DOCS.flatMap((text) => [...text.matchAll(/```sh\n([\s\S]*?)```/g)])
    .flatMap((block) => block[1].split('\n'))
    .filter(
      (line) =>
        line.startsWith('npm run cert-bot -- ') ||
        line.startsWith('npm run -s cert-bot -- ') ||
        line.startsWith('npx '),
    )
    .map((line) => line.replace(/\s+#[^"]*$/, '').trim());
  return [...new Set(lines)];
}

interface Case {
  /** The line as the docs show it (comment left out). */
  shown: string;
  /** What is run: the line with its placeholders filled and optional parts left out. */
  run?: string[];
  exit?: number;
  /** Why it is not run here, when it is not. */
  skip?: string;
  check?: (stdout: string) => void;
}

let sandbox: SandboxProcess;
let slack: FakeSlack;
let dir: string;
let env: Record<string, string>;
let certificateId = '';
/** A load balancer the inventory knows, for `info <resource>`. */
let resource = '';

const CASES: Case[] = [
  { shown: 'cert-bot accounts [--json]', run: ['accounts'], check: (out) => expect(out).toMatch(/^default\s+url/m) },
  { shown: 'cert-bot --version', run: ['--version'], check: (out) => expect(out.trim()).toMatch(/^\d+\.\d+\.\d+$/) },
  { shown: 'cert-bot risk [--account NAME] [--json]', run: ['risk'] },
  {
    shown: 'cert-bot status 0A:1B:2C:3D 4E5F60 [--account NAME] [--json] [--fail-on revoked]',
    run: ['status', '0A:1B:2C:3D', '4E5F60'],
    check: (out) => expect(out).toMatch(/0A1B2C3D\s+unknown/),
  },
  {
    shown: 'cert-bot list [--status expiring|expired|issued|uploaded|stale|all] [--keyword K] [--days N] [--limit N]',
    run: ['list', '--status', 'expiring', '--limit', '3'],
    check: (out) => expect(out).toMatch(/showing 3 of \d+/),
  },
  {
    shown: 'cert-bot info <certificate-id|resource|domain> [--account NAME] [--json]',
    run: ['info', '<id>'],
    check: (out) => expect(out).toContain('Certificate ID'),
  },
  { shown: 'cert-bot audit [--since DATE] [--user U…] [--limit N] [--json]', run: ['audit'] },
  { shown: 'cert-bot sync [--account NAME] [--json]', run: ['sync'] },
  { shown: 'cert-bot alerts --dry-run|--post [--account NAME] [--json]', run: ['alerts', '--dry-run'] },
  { shown: 'cert-bot digest --dry-run [--account NAME] [--json]', run: ['digest', '--dry-run'] },
  { shown: 'cert-bot digest --dry-run --chart FILE.png', run: ['digest', '--dry-run', '--chart', '<png>'] },
  { shown: 'cert-bot home --user U012ABCDEF [--json]', run: ['home', '--user', 'U012ABCDEF'] },
  { shown: 'cert-bot digest --post [--force]', run: ['digest', '--post'] },
  {
    shown: 'cert-bot deploy plan <old-id> [--account NAME] [--json]',
    run: ['deploy', 'plan', '<id>'],
    check: (out) => expect(out).toMatch(/has no replacement|Nothing to deploy|A deployment request would put/),
  },
  {
    shown: 'cert-bot deploy status <job-id|request-id> [--account NAME] [--json]',
    run: ['deploy', 'status', '10001'],
    exit: 4,
  },
  { shown: 'cert-bot serve', skip: 'runs until stopped; its start-up is tested in startup.test.ts' },
  {
    shown: 'cert-bot sandbox --port 9000 [--accounts prod,staging] [--tls]',
    skip: 'runs until stopped; every test here talks to one it started (spawnSandbox)',
  },
  {
    shown: 'cert-bot sandbox --port 9443 --tls',
    skip: 'runs until stopped; the simulator over TLS is tested in test/sandbox/tls-sts.test.ts',
  },
  { shown: 'cert-bot demo', run: ['demo'] },
  {
    shown: 'cert-bot list --days 14 --fail-on expiring,stale --format csv > expiring.csv',
    run: ['list', '--days', '14', '--fail-on', 'expiring,stale', '--format', 'csv'],
    exit: 3,
    check: (out) => expect(out.split('\r\n')[0]).toMatch(/^account,id,commonName,sans,issuer,serial,state,daysLeft,/),
  },
  {
    shown: 'cert-bot list --status stale --json',
    run: ['list', '--status', 'stale', '--json'],
    check: (out) => {
      const document = JSON.parse(out) as { schema: number; certificates: Array<{ state: string }> };
      expect(document.schema).toBe(1);
      expect(document.certificates.length).toBeGreaterThan(0);
      expect(document.certificates.every((c) => c.state === 'stale')).toBe(true);
    },
  },
  {
    shown: 'cert-bot info <load-balancer-id>',
    run: ['info', '<resource>'],
    check: (out) => expect(out).toMatch(/Served on lb-/),
  },
  {
    shown: 'cert-bot sync',
    run: ['sync'],
    check: (out) => expect(out).toMatch(/^Synced \d+ certificates of default/),
  },
  {
    shown: 'cert-bot sandbox --port 9000 --wire --wire-port 9443',
    skip: 'runs until stopped; this file starts one with spawnSandbox({ wire: true }), and test/sandbox/wire.test.ts tests the wire',
  },
  {
    shown: 'cert-bot probe www.example.com api.example.com:8443',
    run: ['probe', 'www.example.com', 'api.example.com:8443'],
    check: (out) => expect(out).toMatch(/^www\.example\.com {2}OK [\s\S]*\napi\.example\.com:8443 {2}OK /),
  },
  {
    shown: 'cert-bot probe www.example.com --json --fail-on old,expired,expiring,name-mismatch,chain,unmanaged',
    run: ['probe', 'www.example.com', '--json', '--fail-on', 'old,expired,expiring,name-mismatch,chain,unmanaged'],
    check: (out) => expect(JSON.parse(out)).toEqual([expect.objectContaining({ verdict: 'ok' })]),
  },
  {
    shown: 'cert-bot probe www.example.com --samples 3',
    run: ['probe', 'www.example.com', '--samples', '3'],
    check: (out) => expect(out).toContain('www.example.com'),
  },
  {
    shown: 'cert-bot probe --all',
    run: ['probe', '--all'],
    // The simulator's data set has deployed names that no certificate covers: unreachable, exit 1.
    exit: 1,
    check: (out) => expect(out).toMatch(/\d+ endpoints: \d+ ok, .*\d+ unreachable/),
  },
  {
    shown: 'cert-bot audit --since 2026-11-01 --user U0123ABCD',
    run: ['audit', '--since', '2026-11-01', '--user', 'U0123ABCD'],
  },
];

/** The walkthrough, as a shell runs it from the checkout, against the simulator started here. */
const WALKTHROUGH: Array<{ shown: string; skip?: string; check?: (stdout: string) => void }> = [
  {
    shown: 'npm run cert-bot -- sandbox --port 9000',
    skip: 'runs until stopped; the lines below run against the simulator this file started',
  },
  { shown: 'npm run cert-bot -- risk', check: (out) => expect(out).toMatch(/Health score/i) },
  {
    shown: 'npm run cert-bot -- list --status expiring --limit 5',
    check: (out) => expect(out).toMatch(/showing 5 of/),
  },
  { shown: 'npm run cert-bot -- sync' },
  {
    shown: 'npm run cert-bot -- list --days 7 --fail-on expiring; echo "exit $?"',
    check: (out) => expect(out.trimEnd()).toMatch(/\nexit 3$/),
  },
  { shown: 'npx cert-bot digest --dry-run', check: (out) => expect(out).toMatch(/digest/i) },
  {
    shown: 'npm run -s cert-bot -- list --status expiring --format csv | head -3',
    // Exactly the CSV, with no banner from npm before it.
    check: (out) => expect(out.split('\r\n')[0]).toMatch(/^account,id,commonName,/),
  },
];

beforeAll(async () => {
  sandbox = await spawnSandbox({ certs: 150, seed: 5, qps: 200, wire: true });
  // The names the docs probe: a certificate in CAS covers them, so the wire serves it.
  await sandbox.addCertificates([
    {
      commonName: 'www.example.com',
      sans: ['www.example.com', 'api.example.com'],
      endDate: new Date(Date.now() + 200 * 86_400_000).toISOString().slice(0, 10),
    },
  ]);
  slack = await new FakeSlack().start();
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cert-bot-readme-'));
  env = {
    CAS_ENDPOINT: sandbox.url,
    ALIBABA_CLOUD_ACCESS_KEY_ID: DEFAULT_ACCESS_KEY_ID,
    ALIBABA_CLOUD_ACCESS_KEY_SECRET: DEFAULT_ACCESS_KEY_SECRET,
    CAS_QPS: '100',
    DATA_DIR: path.join(dir, 'data'),
    SLACK_BOT_TOKEN: 'xoxb-readme-0000',
    SLACK_API_URL: slack.apiUrl,
    DIGEST_CHANNEL: 'C0README',
    PROBE_RESOLVE: `*:*=${sandbox.wire?.endpoint}`,
    PROBE_CA_FILE: sandbox.wire?.caFile ?? '',
    PROBE_DENY: DEFAULT_PROBE_DENY_WITHOUT_LOOPBACK.join(','),
  };
  // `info` reads the inventory: there is one, as after the bot's first sync.
  expect((await runCli(['sync'], env)).code).toBe(0);
  const listed = await runCli(['list', '--json'], env);
  const certificates = (
    JSON.parse(listed.stdout) as {
      certificates: Array<{ id: string; deployment: { resources: Array<{ instanceId: string | null }> } }>;
    }
  ).certificates;
  certificateId = certificates[0].id;
  resource =
    certificates.flatMap((c) => c.deployment.resources).find((r) => r.instanceId?.startsWith('lb-'))?.instanceId ?? '';
}, 60_000);
afterAll(async () => {
  await sandbox.close();
  await slack.stop();
  fs.rmSync(dir, { recursive: true, force: true });
});

test('every command of the docs has a case here, and no case is for a command they no longer show', () => {
  expect(documentedCommands().sort()).toEqual(CASES.map((c) => c.shown).sort());
});

describe.each(CASES.filter((c) => c.run))('$shown', (c) => {
  test(`exits ${c.exit ?? 0}`, async () => {
    const args = (c.run ?? []).map((arg) =>
      arg === '<id>'
        ? certificateId
        : arg === '<resource>'
          ? resource
          : arg === '<png>'
            ? path.join(dir, 'trend.png')
            : arg,
    );
    const result = await runCli(args, env, 60_000);
    expect({ code: result.code, stderr: result.stderr }).toEqual({
      code: c.exit ?? 0,
      stderr: expect.not.stringMatching(/\n\s+at /),
    });
    c.check?.(result.stdout);
  }, 60_000);
});

test('info exits 4 for a certificate it does not know, as the docs say', async () => {
  expect(DOCS.join('\n')).toMatch(/cert-bot info .*\(exit 4: not found\)/);
  const result = await runCli(['info', 'no-such-name.example.invalid'], env);
  expect(result.code).toBe(4);
});

test('info prints the fingerprint and the serial whole, each on one line, so they copy in one piece', async () => {
  const json = await runCli(['info', certificateId, '--json'], env);
  const [model] = (JSON.parse(json.stdout) as { certificates: Array<{ fingerprint: string; serial: string }> })
    .certificates;
  expect(model.fingerprint).toMatch(/^[0-9A-F:]{32,}$/i);
  const shown = (await runCli(['info', certificateId], env)).stdout.split('\n');
  for (const whole of [model.fingerprint, model.serial])
    expect(shown.filter((line) => line.includes(whole))).toHaveLength(1);
});

test('every npm walkthrough line of the docs has a case here', () => {
  expect(documentedNpmLines().sort()).toEqual(WALKTHROUGH.map((c) => c.shown).sort());
});

describe.each(WALKTHROUGH.filter((c) => !c.skip))('walkthrough: $shown', (c) => {
  test('runs from the checkout, installing nothing, where npm asks before installing (yes=false)', async () => {
    const result = await new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
      execFile(
        'sh',
        ['-c', c.shown],
        {
          cwd: ROOT,
          timeout: 60_000,
          env: {
            PATH: process.env.PATH ?? '',
            HOME: process.env.HOME ?? os.homedir(),
            ...env,
            // npx must not ask to install anything, nor reach the registry; a cache of its own,
            // so nothing an earlier npx installed makes a line pass.
            npm_config_cache: path.join(dir, 'npm-cache'),
            npm_config_yes: 'false',
            npm_config_offline: 'true',
            npm_config_update_notifier: 'false',
          },
        },
        (error, stdout, stderr) =>
          resolve({ code: error ? Number((error as { code?: number }).code ?? 1) : 0, stdout, stderr }),
      );
    });
    expect({ code: result.code, stderr: result.stderr }).toEqual({
      code: 0,
      stderr: expect.not.stringMatching(/npx canceled|\n\s+at /),
    });
    c.check?.(result.stdout);
  }, 60_000);
});

test('the commands not run here say why', () => {
  for (const c of CASES.filter((x) => !x.run)) expect(c.skip).toBeTruthy();
});
