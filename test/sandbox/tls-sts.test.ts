import { execFile } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  connectSandbox,
  createSandboxCertificate,
  type Sandbox,
  sandboxAccessKey,
  sandboxRoleArn,
  startSandbox,
} from '../../src/sandbox';

/**
 * @alicloud/credentials always reaches STS over https, and Node reads NODE_EXTRA_CA_CERTS only
 * at start-up: the credentials library runs in a child process (test/fixtures/assume-role.mjs)
 * that trusts the simulator's self-signed certificate through it.
 */
const FIXTURE = path.resolve(__dirname, '..', 'fixtures', 'assume-role.mjs');
const PROD = sandboxAccessKey(1);
const STAGING_SEED = 52;
const ROLE = sandboxRoleArn(STAGING_SEED);

interface FixtureResult {
  stage?: string;
  error?: string;
  credentials?: { accessKeyId: string; hasSecurityToken: boolean; providerName: string };
  list?: { totalCount: number; serials: string[] };
}

let sandbox: Sandbox;
let tls: { key: string; cert: string };
let dir: string;
let certFile: string;

beforeAll(async () => {
  tls = await createSandboxCertificate();
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sandbox-tls-test-'));
  certFile = path.join(dir, 'ca.pem');
  fs.writeFileSync(certFile, tls.cert);
  sandbox = await startSandbox({
    tls,
    certs: 30,
    qps: 100,
    accounts: [
      { name: 'prod', seed: 51 },
      { name: 'staging', seed: STAGING_SEED, roles: [ROLE] },
    ],
  });
});
afterAll(async () => {
  await sandbox.close();
  fs.rmSync(dir, { recursive: true, force: true });
});
beforeEach(() => sandbox.resetCalls());

function runFixture(env: Record<string, string>): Promise<FixtureResult> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      [FIXTURE],
      {
        cwd: path.resolve(__dirname, '..', '..'),
        timeout: 20_000,
        env: {
          PATH: process.env.PATH ?? '',
          NODE_EXTRA_CA_CERTS: certFile,
          SANDBOX_ENDPOINT: sandbox.endpoint,
          CALLER_KEY_ID: PROD.accessKeyId,
          CALLER_KEY_SECRET: PROD.accessKeySecret,
          ROLE_ARN: ROLE,
          ...env,
        },
      },
      (error, stdout, stderr) => {
        const line = stdout.trim().split('\n').at(-1) ?? '';
        if (error && line === '') return reject(new Error(`fixture failed: ${error.message}\n${stderr}`));
        try {
          resolve(JSON.parse(line) as FixtureResult);
        } catch {
          reject(new Error(`fixture printed no JSON: ${stdout}\n${stderr}`));
        }
      },
    );
  });
}

describe('HTTPS', () => {
  it('serves https:// with a year-long self-signed certificate for 127.0.0.1 and localhost', () => {
    expect(sandbox.url).toBe(`https://${sandbox.endpoint}`);
    const cert = new X509Certificate(tls.cert);
    expect(cert.subjectAltName).toContain('IP Address:127.0.0.1');
    expect(cert.subjectAltName).toContain('DNS:localhost');
    expect(cert.checkIP('127.0.0.1')).toBe('127.0.0.1');
    const days = (Date.parse(cert.validTo) - Date.parse(cert.validFrom)) / 86_400_000;
    expect(days).toBeGreaterThanOrEqual(364);
    expect(days).toBeLessThanOrEqual(366);
    expect(Date.parse(cert.validFrom)).toBeLessThanOrEqual(Date.now());
  });

  it('drives the control routes over HTTPS when given the certificate, and not without', async () => {
    await expect(connectSandbox(sandbox.url, { ca: tls.cert, account: 'staging' }).stats()).resolves.toMatchObject({
      calls: 0,
    });
    await expect(connectSandbox(sandbox.url).stats()).rejects.toThrow(/self[- ]signed|certificate/i);
  });
});

describe('AssumeRole through @alicloud/credentials', () => {
  it("gets a temporary key over HTTPS that signs CAS calls answered from the role's account", async () => {
    const result = await runFixture({});
    expect(result.error).toBeUndefined();
    expect(result.credentials).toEqual({
      accessKeyId: expect.stringMatching(/^STS\./),
      hasSecurityToken: true,
      providerName: 'ram_role_arn/static_ak',
    });
    const staging = sandbox.account('staging').dataset.certificates;
    const valid = staging.filter((c) => c.status === 'ISSUED' || c.status === 'WILLEXPIRED').map((c) => c.serialNo);
    expect(result.list?.serials.slice().sort()).toEqual(valid.sort());
    expect(result.list?.totalCount).toBe(valid.length);
    const prod = new Set(sandbox.account('prod').dataset.certificates.map((c) => c.serialNo));
    expect(result.list?.serials.some((serial) => prod.has(serial))).toBe(false);

    const temporaryKey = result.credentials?.accessKeyId;
    expect(sandbox.calls.map((c) => [c.action, c.account, c.accessKeyId, c.status])).toEqual([
      ['AssumeRole', 'staging', PROD.accessKeyId, 200],
      ['ListUserCertificateOrder', 'staging', temporaryKey, 200],
    ]);
    expect(sandbox.calls[0]?.query).toMatchObject({
      RoleArn: ROLE,
      RoleSessionName: 'fixture-session',
      DurationSeconds: '3600',
    });
  });

  it('lets the library recognise a wrong secret from the server string to sign', async () => {
    const result = await runFixture({ CALLER_KEY_SECRET: 'not-the-secret' });
    expect(result).toEqual({ stage: 'assume-role', error: 'the access key secret is invalid' });
    expect(sandbox.calls[0]).toMatchObject({ action: 'AssumeRole', code: 'SignatureDoesNotMatch', status: 400 });
  });

  it('refuses a role no account has', async () => {
    const result = await runFixture({ ROLE_ARN: 'acs:ram::1000000000000001:role/nobody' });
    expect(result.stage).toBe('assume-role');
    expect(result.error).toMatch(/^refresh session token failed: .*EntityNotExist\.Role/);
    expect(result.error).toContain('The role not exists: acs:ram::1000000000000001:role/nobody.');
  });

  it('cannot reach the simulator without trusting its certificate', async () => {
    const result = await runFixture({ NODE_EXTRA_CA_CERTS: '' });
    expect(result.stage).toBe('assume-role');
    expect(result.error).toMatch(/self[- ]signed|certificate/i);
    expect(sandbox.calls).toHaveLength(0);
  });
});
