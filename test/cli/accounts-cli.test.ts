import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  DEFAULT_ACCESS_KEY_ID,
  DEFAULT_ACCESS_KEY_SECRET,
  generateDataset,
  riskCounts,
  sandboxRoleArn,
  type SandboxProcess,
  spawnSandbox,
} from '../../src/sandbox';
import { runCli } from '../helpers/run-cli';

/** The CLI with CAS_ACCOUNTS_FILE, against one simulator process serving two accounts. */

const STAGING_KEY_ID = 'LTAI5tSandboxKeyId000002';
const STAGING_SECRET = 'sandbox-secret-2-do-not-use-in-production';
const SEED = 42;
const CERTS = 120;

let sandbox: SandboxProcess;
let dir: string;
let env: Record<string, string>;

function writeAccounts(name: string, lines: string[]): string {
  const file = path.join(dir, name);
  fs.writeFileSync(file, lines.join('\n'));
  return file;
}

beforeAll(async () => {
  sandbox = await spawnSandbox({ certs: CERTS, seed: SEED, qps: 100, accounts: ['prod', 'staging'] });
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cert-bot-accounts-cli-'));
  const file = writeAccounts('accounts.yaml', [
    '- name: prod',
    `  site: ${sandbox.url}`,
    '  accessKeyId: PROD_KEY_ID',
    '  accessKeySecret: PROD_KEY_SECRET',
    '- name: staging',
    `  site: ${sandbox.url}`,
    '  accessKeyId: STAGING_KEY_ID',
    '  accessKeySecret: STAGING_KEY_SECRET',
    '  qps: 5',
  ]);
  env = {
    CAS_ACCOUNTS_FILE: file,
    PROD_KEY_ID: DEFAULT_ACCESS_KEY_ID,
    PROD_KEY_SECRET: DEFAULT_ACCESS_KEY_SECRET,
    STAGING_KEY_ID,
    STAGING_KEY_SECRET: STAGING_SECRET,
    DATA_DIR: path.join(dir, 'data'),
  };
});
afterAll(async () => {
  await sandbox.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

test('accounts: each account with its site, endpoint, credential kind and a passing test call, no secret', async () => {
  const result = await runCli(['accounts'], env);
  expect(result.code).toBe(0);
  const lines = result.stdout.trim().split('\n');
  expect(lines[0]).toMatch(/^NAME\s+SITE\s+ENDPOINT\s+REGION\s+QPS\s+CREDENTIALS\s+TEST CALL$/);
  expect(lines[1]).toMatch(
    new RegExp(`^prod\\s+url\\s+${sandbox.url}\\s+cn-hangzhou\\s+10\\s+keys \\(env PROD_KEY_ID\\)\\s+ok$`),
  );
  expect(lines[2]).toMatch(/^staging\s+url\s+\S+\s+cn-hangzhou\s+5\s+keys \(env STAGING_KEY_ID\)\s+ok$/);
  expect(result.stdout + result.stderr).not.toContain(STAGING_SECRET);

  const refused = await runCli(['accounts', '--json'], { ...env, STAGING_KEY_SECRET: 'wrong-secret-value' });
  expect(refused.code).toBe(1);
  const rows = JSON.parse(refused.stdout) as Array<{ name: string; ok: boolean; test: string }>;
  expect(rows.map((r) => [r.name, r.ok])).toEqual([
    ['prod', true],
    ['staging', false],
  ]);
  expect(rows[1].test).toMatch(/^staging: .*SignatureDoesNotMatch/);
  expect(refused.stdout + refused.stderr).not.toContain('wrong-secret-value');
});

test('risk: a line per account and the totals; --account gives that account exactly', async () => {
  const both = await runCli(['risk'], env);
  expect(both.code).toBe(0);
  // No sync: the bot says it has no counts; CAS's counters come apart, under their label.
  expect(both.stdout).toMatch(/prod\s+no inventory yet/);
  expect(both.stdout).toContain('CAS risk counters (certificates, resources and domains) by account');
  expect(both.stdout).toMatch(/prod\s+health score \d+ · \d+ in all/);
  expect(both.stdout).toMatch(/staging\s+health score \d+ · \d+ in all/);
  expect(both.stdout).toMatch(/all 2\s+health score \d+ · \d+ in all/);

  const staging = await runCli(['risk', '--account', 'STAGING', '--json'], env);
  expect(staging.code).toBe(0);
  const parsed = JSON.parse(staging.stdout) as { risk: Record<string, number> };
  // The second account's data set is seeded one after the first.
  const expected = riskCounts(generateDataset({ count: CERTS, seed: SEED + 1 }));
  expect(parsed.risk.BuyCertificateExpireCount).toBe(expected.BuyCertificateExpireCount);
  expect(parsed.risk.DomainAssetNotMonitorCount).toBe(expected.DomainAssetNotMonitorCount);

  const unknown = await runCli(['risk', '--account', 'nope'], env);
  expect(unknown.code).toBe(2);
  expect(unknown.stderr.trim()).toBe('error: There is no account "nope". Known accounts: prod, staging.');
});

test('status finds a serial only the second account knows; list --account lists only that account', async () => {
  const prod = generateDataset({ count: CERTS, seed: SEED });
  const staging = generateDataset({ count: CERTS, seed: SEED + 1 });
  const prodSerials = new Set(prod.certificates.map((c) => c.serialNo.toUpperCase()));
  const only = staging.certificates.find((c) => c.status === 'REVOKED' && !prodSerials.has(c.serialNo.toUpperCase()));
  const status = await runCli(['status', '--json', only?.serialNo ?? ''], env);
  expect(status.code).toBe(0);
  expect(JSON.parse(status.stdout)).toEqual([expect.objectContaining({ Status: 'revoked', account: 'staging' })]);

  const list = await runCli(['list', '--live', '--account', 'staging', '--json'], env);
  expect(list.code).toBe(0);
  const items = (JSON.parse(list.stdout) as { certificates: Array<{ account: string }> }).certificates;
  expect(items.length).toBeGreaterThan(0);
  expect(new Set(items.map((i) => i.account))).toEqual(new Set(['staging']));
});

test('sync syncs every account; a failing one is named and exits 1 while the other is synced', async () => {
  const ok = await runCli(['sync'], env);
  expect(ok.code).toBe(0);
  expect(ok.stdout).toMatch(/Synced \d+ certificates of prod/);
  expect(ok.stdout).toMatch(/Synced \d+ certificates of staging/);
  const failing = await runCli(['sync'], { ...env, STAGING_KEY_SECRET: 'wrong-secret-value' });
  expect(failing.code).toBe(1);
  expect(failing.stdout).toMatch(/Synced \d+ certificates of prod/);
  expect(failing.stderr).toMatch(/error: could not sync staging: .*SignatureDoesNotMatch/);
});

describe('a bad accounts file is one clear start-up error naming the account and field, exit 2, no secret', () => {
  const cases: Array<{ what: string; lines?: string[]; file?: string; expected: RegExp }> = [
    {
      what: 'missing',
      file: '/nonexistent/accounts.yaml',
      expected: /CAS_ACCOUNTS_FILE: cannot read .*: no such file/,
    },
    { what: 'not YAML', lines: ['- name: [prod'], expected: /CAS_ACCOUNTS_FILE: .* is not valid YAML/ },
    {
      what: 'duplicate names',
      lines: ['- name: prod', '  site: china', '  profile: a', '- name: Prod', '  site: china', '  profile: b'],
      expected: /name: "Prod" is also the name of entry 1/,
    },
    {
      what: 'a name with spaces',
      lines: ['- name: my prod', '  site: china', '  profile: a'],
      expected: /entry 1: name: "my prod" is not allowed/,
    },
    {
      what: 'a bad site',
      lines: ['- name: prod', '  site: europe', '  profile: a'],
      expected: /account "prod" \(entry 1\): site: "europe" must be china, international/,
    },
    {
      what: 'an unset variable',
      lines: ['- name: prod', '  site: china', '  accessKeyId: PROD_KEY_ID', '  accessKeySecret: UNSET_SECRET_VAR'],
      expected: /account "prod" \(entry 1\): accessKeySecret: environment variable UNSET_SECRET_VAR is not set/,
    },
    {
      what: 'two credential kinds',
      lines: ['- name: prod', '  site: china', '  profile: a', '  roleArn: acs:ram::123456789:role/cert-bot'],
      expected: /account "prod" \(entry 1\): credentials: .*cannot be combined/,
    },
    {
      what: 'an unknown key',
      lines: ['- name: prod', '  site: china', '  profile: a', '  colour: blue'],
      expected: /account "prod" \(entry 1\).*colour/,
    },
  ];
  test.each(cases)('$what', async ({ lines, file, expected }) => {
    const path = file ?? writeAccounts(`bad-${Math.random().toString(36).slice(2)}.yaml`, lines ?? []);
    const result = await runCli(['risk'], { ...env, CAS_ACCOUNTS_FILE: path });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(expected);
    expect(result.stderr).not.toMatch(/\n\s+at /); // no stack trace
    expect(result.stdout + result.stderr).not.toContain(DEFAULT_ACCESS_KEY_SECRET);
    expect(result.stdout + result.stderr).not.toContain(STAGING_SECRET);
  });
});

describe('an account reached through a RAM role assumed at the simulated STS', () => {
  // The role's account is the simulator's second one; its role is assumed with the first
  // account's key pair, taken from the default credential chain (the ALIBABA_CLOUD_ variables).
  const roleLines = (url: string) => [
    '- name: sub',
    `  site: ${url}`,
    `  roleArn: ${sandboxRoleArn(SEED + 1)}`,
    '  roleSessionName: cert-bot-test',
  ];
  const chainEnv = (file: string, extra: Record<string, string> = {}) => ({
    CAS_ACCOUNTS_FILE: file,
    ALIBABA_CLOUD_ACCESS_KEY_ID: DEFAULT_ACCESS_KEY_ID,
    ALIBABA_CLOUD_ACCESS_KEY_SECRET: DEFAULT_ACCESS_KEY_SECRET,
    DATA_DIR: path.join(dir, 'role-data'),
    ...extra,
  });

  test('over HTTPS, trusting the simulator through NODE_EXTRA_CA_CERTS: the assumed role reads its own account', async () => {
    const tls = await spawnSandbox({ certs: CERTS, seed: SEED, qps: 100, accounts: ['prod', 'sub'], tls: true });
    try {
      const file = writeAccounts('role-tls.yaml', roleLines(tls.url));
      const env = chainEnv(file, { NODE_EXTRA_CA_CERTS: tls.caCertPath ?? '' });
      const accounts = await runCli(['accounts'], env);
      expect(accounts.stdout).toMatch(
        new RegExp(`^sub\\s+url\\s+${tls.url}\\s+.*role ${sandboxRoleArn(SEED + 1)}\\s+ok$`, 'm'),
      );
      expect(accounts.code).toBe(0);
      const risk = await runCli(['risk', '--json'], env);
      expect(risk.code).toBe(0);
      const expected = riskCounts(generateDataset({ count: CERTS, seed: SEED + 1 }));
      const parsed = JSON.parse(risk.stdout) as { risk: Record<string, number> };
      expect(parsed.risk.BuyCertificateExpireCount).toBe(expected.BuyCertificateExpireCount);
      // The calls were signed with the temporary key the simulated STS issued for the role.
      const calls = await tls.forAccount('sub').calls();
      expect(calls.some((c) => c.action === 'AssumeRole')).toBe(true);
      expect(calls.filter((c) => c.action === 'GetRiskCount').every((c) => c.accessKeyId?.startsWith('STS.'))).toBe(
        true,
      );

      // Without the CA the simulator's certificate is refused, and the account's test call says so.
      const untrusted = await runCli(['accounts'], chainEnv(file));
      expect(untrusted.code).toBe(1);
      expect(untrusted.stdout).toMatch(/^sub\s.*NODE_EXTRA_CA_CERTS.*error TlsCertificateUntrusted/m);
    } finally {
      await tls.close();
    }
  });

  test('an unknown role is refused by STS, named, and the other account still answers', async () => {
    const file = writeAccounts('role-bad.yaml', [
      '- name: prod',
      `  site: ${sandbox.url}`,
      '  accessKeyId: PROD_KEY_ID',
      '  accessKeySecret: PROD_KEY_SECRET',
      '- name: sub',
      `  site: ${sandbox.url}`,
      '  roleArn: acs:ram::1234567890:role/no-such-role',
    ]);
    const result = await runCli(['risk'], {
      ...chainEnv(file),
      PROD_KEY_ID: DEFAULT_ACCESS_KEY_ID,
      PROD_KEY_SECRET: DEFAULT_ACCESS_KEY_SECRET,
    });
    // A failed call (exit 1), though the other account was shown whole.
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/prod\s+health score \d+/);
    expect(result.stdout).toMatch(/1 of 2\s+health score/);
    expect(result.stderr).toMatch(/could not read sub: .*no-such-role/);
  });
});
