import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { CasClient } from '../../src/cas/client';
import { createDeploymentJobOnce, startDeploymentJob } from '../../src/deploy/create-job';
import {
  connectDeployments,
  DEFAULT_ACCESS_KEY_ID,
  DEFAULT_ACCESS_KEY_SECRET,
  type DeploymentControl,
  type Sandbox,
  startSandbox,
} from '../../src/sandbox';
import { clientFor } from '../helpers/cas';
import { addStaleRenewal, dayFromToday as day } from '../helpers/renewal';
import { runCli } from '../helpers/run-cli';

/**
 * `cert-bot deploy plan|status` and doctor's deployment checks: the built CLI in its own
 * process against the simulator, as an operator runs them. Nothing the CLI does writes to CAS.
 */

let sandbox: Sandbox;
let control: DeploymentControl;
let cas: CasClient;
let dir: string;
let env: Record<string, string>;

beforeAll(async () => {
  sandbox = await startSandbox({ certs: 30, seed: 51, qps: 100 });
  control = connectDeployments(sandbox.url);
  cas = clientFor(sandbox);
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cert-bot-deploy-'));
  env = {
    CAS_ENDPOINT: sandbox.url,
    ALIBABA_CLOUD_ACCESS_KEY_ID: DEFAULT_ACCESS_KEY_ID,
    ALIBABA_CLOUD_ACCESS_KEY_SECRET: DEFAULT_ACCESS_KEY_SECRET,
    DATA_DIR: path.join(dir, 'data'),
  };
});
afterAll(async () => {
  await cas.close();
  await sandbox.close();
  fs.rmSync(dir, { recursive: true, force: true });
});
beforeEach(async () => {
  sandbox.setFaults({ denyActions: [] });
  await control.reset();
});

let n = 0;
function renewal() {
  const name = `cli${++n}.deploy.example.com`;
  const { old, renewed, resources } = addStaleRenewal(sandbox, name, [
    {
      product: 'SLB',
      region: 'cn-shanghai',
      instanceId: `lb-uf6cli${n}`,
      listenerId: `lsn-cli${n}`,
      listenerPort: 8443,
    },
    { product: 'CDN', domain: name },
  ]);
  const [slb, cdn] = resources;
  return { name, old, renewed, slb, cdn };
}

describe('deploy plan', () => {
  test('names the replacement and every resource still on the old certificate; writes nothing', async () => {
    const { name, old, renewed, slb, cdn } = renewal();
    sandbox.resetCalls();
    const result = await runCli(['deploy', 'plan', String(old.certificateId)], env);
    expect(result).toMatchObject({ code: 0, stderr: '' });
    expect(result.stdout).toContain(`Old certificate ${old.certificateId} ${name}, ends ${day(6)} (6 days left)`);
    expect(result.stdout).toContain(`Replacement     ${renewed.certificateId} ${name}, ends ${day(365)}`);
    expect(result.stdout).toContain(
      `would put ${renewed.certificateId} on 2 resources still serving the old certificate`,
    );
    expect(result.stdout).toMatch(/PRODUCT\s+REGION\s+INSTANCE\s+LISTENER\s+PORT\s+DOMAIN\s+RESOURCE/);
    expect(result.stdout).toMatch(
      new RegExp(`SLB\\s+cn-shanghai\\s+lb-uf6cli${n}\\s+lsn-cli${n}\\s+8443\\s+${slb.id}`),
    );
    expect(result.stdout).toMatch(new RegExp(`CDN\\s+cn-hangzhou\\s+${name.replace(/\./g, '\\.')}\\s+${cdn.id}`));
    expect(result.stdout).toContain('Nothing was changed.');
    const actions = new Set(sandbox.calls.map((c) => c.action));
    expect(actions).toEqual(new Set(['ListUserCertificateOrder', 'ListCloudResources']));
    // Before any sync the certificates come live from CAS, and no store is created.
    expect(fs.existsSync(env.DATA_DIR as string)).toBe(false);
  });

  test('--json: the plan with a schema number, the same after a sync (from the inventory)', async () => {
    const { old, renewed, slb, cdn } = renewal();
    const live = await runCli(['deploy', 'plan', String(old.certificateId), '--json'], env);
    expect(live.code).toBe(0);
    const parsed = JSON.parse(live.stdout) as {
      schema: number;
      account: string;
      plan: { old: { id: string }; replacement: { id: string; notAfter: string }; resources: Array<{ id: string }> };
    };
    expect(parsed).toMatchObject({
      schema: 1,
      account: 'default',
      plan: {
        old: { id: String(old.certificateId) },
        replacement: { id: String(renewed.certificateId), notAfter: day(365) },
      },
    });
    expect(parsed.plan.resources.map((r) => r.id).sort()).toEqual([String(slb.id), String(cdn.id)].sort());

    expect((await runCli(['sync'], env)).code).toBe(0);
    sandbox.resetCalls();
    const stored = await runCli(['deploy', 'plan', String(old.certificateId), '--json'], env);
    expect(JSON.parse(stored.stdout)).toEqual(parsed);
    // The certificates from the inventory, with what CAS lists for the name now; the resources live.
    expect(sandbox.calls.map((c) => [c.action, c.query.Keyword ?? c.query.CertIds])).toEqual([
      ['ListUserCertificateOrder', old.commonName],
      ['ListCloudResources', `[${old.certificateId}]`],
    ]);

    // A renewal issued since the sync is the replacement, and a certificate added since is found.
    const newer = sandbox.addCertificate({
      commonName: old.commonName,
      sans: [old.commonName],
      startDate: day(0),
      endDate: day(400),
    });
    const after = JSON.parse((await runCli(['deploy', 'plan', String(old.certificateId), '--json'], env)).stdout);
    expect(after.plan.replacement).toMatchObject({ id: String(newer.certificateId), notAfter: day(400) });
    // A certificate added since the sync is not in the inventory: the answer says what to do.
    const { old: unsynced } = renewal();
    const missing = await runCli(['deploy', 'plan', String(unsynced.certificateId)], env);
    expect(missing.code).toBe(4);
    expect(missing.stderr.trim()).toBe(
      `error: no certificate ${unsynced.certificateId}. Check the ID with cert-bot list, or run cert-bot sync if it was added since the last sync.`,
    );
    expect((await runCli(['sync'], env)).code).toBe(0);
    const synced = await runCli(['deploy', 'plan', String(unsynced.certificateId)], env);
    expect(synced.code).toBe(0);
  });

  test('nothing to deploy, no replacement, not found, not an ID: a clear answer each', async () => {
    const { old, renewed, slb, cdn } = renewal();
    const live = { ...env, DATA_DIR: path.join(dir, 'live') }; // no inventory: certificates listed live
    sandbox.moveResource(slb.id, renewed.certificateId);
    sandbox.moveResource(cdn.id, renewed.certificateId);
    const done = await runCli(['deploy', 'plan', String(old.certificateId)], live);
    expect(done.code).toBe(0);
    expect(done.stdout.trim()).toBe(
      `Nothing to deploy: no resource serves certificate ${old.certificateId} (${old.commonName}) any more; its replacement ${renewed.certificateId} (${renewed.commonName}) is in place.`,
    );
    const json = JSON.parse((await runCli(['deploy', 'plan', String(old.certificateId), '--json'], live)).stdout);
    expect(json).toMatchObject({ plan: null, reason: { kind: 'nothing-stale' } });

    const lone = sandbox.addCertificate({
      commonName: 'lone.deploy.example.com',
      startDate: day(-300),
      endDate: day(9),
    });
    const none = await runCli(['deploy', 'plan', String(lone.certificateId), '--account', 'default'], live);
    expect(none.code).toBe(0);
    expect(none.stdout).toContain('has no replacement');

    const missing = await runCli(['deploy', 'plan', '99999999'], live);
    expect(missing.code).toBe(4);
    expect(missing.stderr.trim()).toBe('error: no certificate 99999999. Check the ID with cert-bot list.');
    expect(missing.stdout).toBe('');

    const bad = await runCli(['deploy', 'plan', 'shop.example.com'], live);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('is not a certificate ID');
  });

  test('ListCloudResources denied: one line naming the RAM action, exit 1', async () => {
    const { old } = renewal();
    sandbox.setFaults({ denyActions: ['ListCloudResources'] });
    const result = await runCli(['deploy', 'plan', String(old.certificateId), '--account', 'default'], {
      ...env,
      DATA_DIR: path.join(dir, 'none'),
    });
    expect(result.code).toBe(1);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toContain(
      "Grant the RAM action yundun-cert:ListCloudResources to the bot's RAM user or role.",
    );
  });
});

describe('deploy status', () => {
  test("a job's progress and its failed workers, where they are", async () => {
    const { old, renewed, slb, cdn } = renewal();
    await control.configure({ failResources: [slb.id], workerDurationMs: 50 });
    const name = `certbot-${old.certificateId}-to-${renewed.certificateId}-cliRequest${n}`;
    const { jobId } = await createDeploymentJobOnce(cas, {
      name,
      certIds: [String(renewed.certificateId)],
      resourceIds: [String(slb.id), String(cdn.id)],
      contactIds: ['519580'],
    });
    const waiting = await runCli(['deploy', 'status', String(jobId)], env);
    expect(waiting.stdout).toContain(`Deployment job ${jobId} (${name}): editing`);
    expect(waiting.stdout).toContain('waiting to be started, 2 resources');

    await startDeploymentJob(cas, jobId, { scheduled: false });
    await new Promise((resolve) => setTimeout(resolve, 100));
    const result = await runCli(['deploy', 'status', String(jobId)], env);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`Deployment job ${jobId} (${name}): error`);
    expect(result.stdout).toContain('1 of 2 resources done, 1 failed');
    expect(result.stdout).toContain(
      `Request cliRequest${n}: certificate ${old.certificateId} → ${renewed.certificateId}`,
    );
    expect(result.stdout).toMatch(
      new RegExp(
        `Failed \\(1\\):\\n  SLB cn-shanghai lb-uf6cli${n}:8443 listener lsn-cli${n}: failed \\[worker \\d+\\]`,
      ),
    );
    expect(result.stdout).toContain('CAS gives no reason per resource here');

    const json = JSON.parse((await runCli(['deploy', 'status', String(jobId), '--json'], env)).stdout);
    expect(json).toMatchObject({
      schema: 1,
      jobId,
      status: 'error',
      summary: '1 of 2 resources done, 1 failed',
      request: { requestId: `cliRequest${n}` },
      progress: { finished: true, outcome: 'partly' },
      failed: [
        { status: 'error', error: null, resource: { id: String(slb.id), product: 'SLB', listenerPort: '8443' } },
      ],
    });
  });

  test('an unknown job or request is exit 4; neither a job nor a request ID is exit 2', async () => {
    const missing = await runCli(['deploy', 'status', '424242'], env);
    expect(missing.code).toBe(4);
    expect(missing.stderr.trim()).toBe('error: no deployment job 424242. Check the ID (CAS console, Deployment).');
    const request = await runCli(['deploy', 'status', 'Zx9_kL-3aBcD'], env);
    expect(request.code).toBe(4);
    expect(request.stderr).toContain('no deployment request Zx9_kL-3aBcD');
    const neither = await runCli(['deploy', 'status', 'no!such'], env);
    expect(neither.code).toBe(2);
    expect(neither.stderr).toContain('is neither a deployment job ID');
  });

  test('DescribeDeploymentJob denied names yundun-cert:DescribeDeployment', async () => {
    sandbox.setFaults({ denyActions: ['DescribeDeploymentJob'] });
    const result = await runCli(['deploy', 'status', '10001'], env);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('yundun-cert:DescribeDeployment');
  });
});

describe('doctor with DEPLOY_ENABLED=true', () => {
  const deployEnv = () => ({
    ...env,
    DATA_DIR: path.join(dir, 'doctor'),
    DEPLOY_ENABLED: 'true',
    DEPLOY_APPROVERS: 'U0APPROVER',
    DEPLOY_CHANNELS: 'C0DEPLOY',
  });
  type Check = { check: string; ok: boolean; detail: string; fix: string | null; skipped?: boolean };
  const checks = async (extra: Record<string, string> = {}) => {
    const result = await runCli(['doctor', '--json'], { ...deployEnv(), ...extra });
    return { code: result.code, checks: JSON.parse(result.stdout) as Check[] };
  };

  test('the deployment reads are allowed and the contact found; writes are named, not made', async () => {
    sandbox.resetCalls();
    const { code, checks: found } = await checks();
    expect(code).toBe(0);
    const details = found.filter((c) => c.check === 'CAS default').map((c) => c.detail);
    expect(details).toEqual(
      expect.arrayContaining([
        'ListDeploymentJob allowed',
        'ListContact allowed',
        'deployment jobs notify contact 519580 (cert-admins), the first ListContact lists (DEPLOY_CONTACT_IDS unset)',
        expect.stringContaining(
          'CreateDeploymentJob, UpdateDeploymentJobStatus and UpdateWorkerResourceStatus not checked',
        ),
      ]),
    );
    const writes = sandbox.calls.filter((c) => /^(Create|Update)/.test(c.action));
    expect(writes).toEqual([]);
  });

  test('a denied read names the RAM action; unknown DEPLOY_CONTACT_IDS are named; exit 1', async () => {
    sandbox.setFaults({ denyActions: ['ListDeploymentJob'] });
    const denied = await checks({ DEPLOY_CONTACT_IDS: '519580,777' });
    expect(denied.code).toBe(1);
    expect(denied.checks).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ detail: 'ListDeploymentJob denied', fix: 'grant yundun-cert:ListDeploymentJob' }),
        expect.objectContaining({ ok: false, detail: 'DEPLOY_CONTACT_IDS names a contact CAS does not list: 777' }),
      ]),
    );
  });

  test('without DEPLOY_ENABLED nothing of deployment is checked', async () => {
    const result = await runCli(['doctor'], { ...env, DATA_DIR: path.join(dir, 'doctor') });
    expect(result.stdout).not.toContain('ListDeploymentJob');
  });
});
