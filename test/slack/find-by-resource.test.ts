import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DEFAULT_ACCESS_KEY_ID, DEFAULT_ACCESS_KEY_SECRET } from '../../src/sandbox';
import { AppHarness, visibleText } from '../helpers/app-harness';
import { runCli } from '../helpers/run-cli';

/**
 * "Which certificate is on this load balancer?": `/cert-info lb-…` and `/cert-list … lb-…` as
 * Slack sends them (signed, to Bolt's receiver), and `cert-bot info`/`list --keyword` from the
 * built CLI, over one inventory synced from the simulator's ListCloudResources.
 */

const DAY = 86_400_000;
const ymd = (date: Date) => date.toISOString().slice(0, 10);
let h: AppHarness;
let cliDir: string;
let cliEnv: Record<string, string>;
let shop: { certificateId: number };
let api: { certificateId: number };

beforeAll(async () => {
  const now = new Date();
  h = await new AppHarness().start({ certs: 40 });
  shop = h.sandbox.addCertificate({
    commonName: 'shop.find.example.com',
    sans: ['shop.find.example.com'],
    endDate: ymd(new Date(now.getTime() + 90 * DAY)),
    deployed: false,
  });
  api = h.sandbox.addCertificate({
    commonName: 'api.find.example.com',
    sans: ['api.find.example.com'],
    endDate: ymd(new Date(now.getTime() + 120 * DAY)),
    deployed: false,
  });
  // One load balancer, two listeners, each with its own certificate; a CDN domain for the first.
  h.sandbox.addResource({
    certificateId: shop.certificateId,
    product: 'SLB',
    region: 'cn-hangzhou',
    instanceId: 'lb-bp1find00000001',
    listenerPort: 443,
  });
  h.sandbox.addResource({
    certificateId: api.certificateId,
    product: 'SLB',
    region: 'cn-hangzhou',
    instanceId: 'lb-bp1find00000001',
    listenerPort: 8443,
  });
  h.sandbox.addResource({ certificateId: shop.certificateId, product: 'CDN', domain: 'static.cdnfind.example.net' });
  await h.services.syncNow();

  cliDir = fs.mkdtempSync(path.join(os.tmpdir(), 'cert-bot-find-'));
  cliEnv = {
    CAS_ENDPOINT: h.sandbox.url,
    ALIBABA_CLOUD_ACCESS_KEY_ID: DEFAULT_ACCESS_KEY_ID,
    ALIBABA_CLOUD_ACCESS_KEY_SECRET: DEFAULT_ACCESS_KEY_SECRET,
    CAS_QPS: '100',
    DATA_DIR: cliDir,
  };
  expect((await runCli(['sync'], cliEnv, 60_000)).code).toBe(0);
}, 90_000);
afterAll(async () => {
  await h.stop();
  fs.rmSync(cliDir, { recursive: true, force: true });
});

describe('in Slack', () => {
  test('/cert-info of a listener answers the certificate it serves', async () => {
    const answer = (await h.command('/cert-info', 'lb-bp1find00000001:8443')).answer;
    const text = visibleText(answer);
    expect(text).toContain('Served on lb-bp1find00000001:8443');
    expect(text).toContain('api.find.example.com');
    expect(text).toContain(`\`${api.certificateId}\``);
    expect(text).not.toContain('shop.find.example.com');
  });

  test('/cert-info of a load balancer with two listeners lists both certificates, with an Info button each', async () => {
    const answer = (await h.command('/cert-info', 'LB-BP1FIND00000001')).answer;
    const text = visibleText(answer);
    expect(text).toContain('2 certificates are on LB-BP1FIND00000001');
    expect(text).toContain(`\`${shop.certificateId}\``);
    expect(text).toContain(`\`${api.certificateId}\``);
    expect(JSON.stringify(answer.blocks)).toContain('"text":"Info"');
  });

  test('/cert-list keyword matches the instance ID and the domain of a resource', async () => {
    const byInstance = visibleText((await h.command('/cert-list', 'all lb-bp1find')).answer);
    expect(byInstance).toContain('shop.find.example.com');
    expect(byInstance).toContain('api.find.example.com');
    const byDomain = visibleText((await h.command('/cert-list', 'cdnfind')).answer);
    expect(byDomain).toContain('shop.find.example.com');
    expect(byDomain).not.toContain('api.find.example.com');
  });

  test('an unknown resource is answered as nothing found, saying what can be searched', async () => {
    const text = visibleText((await h.command('/cert-info', 'lb-bp1nosuchthing')).answer);
    expect(text).toContain('No certificate covering lb-bp1nosuchthing');
    expect(text).toContain('by a resource it is deployed on');
  });
});

describe('from the command line', () => {
  test('info of a listener: the certificate it serves, in the model with --json', async () => {
    const text = await runCli(['info', 'lb-bp1find00000001:443'], cliEnv, 60_000);
    expect(text.code).toBe(0);
    expect(text.stdout).toContain('Served on lb-bp1find00000001:443');
    const json = await runCli(['info', 'lb-bp1find00000001:443', '--json'], cliEnv, 60_000);
    expect(json.code).toBe(0);
    const document = JSON.parse(json.stdout) as {
      schema: number;
      certificates: Array<{
        id: string;
        state: string;
        deployment: { state: string; resources: Array<{ instanceId: string | null; listenerPort: string | null }> };
      }>;
    };
    expect(document.schema).toBe(1);
    expect(document.certificates.map((c) => c.id)).toEqual([String(shop.certificateId)]);
    expect(document.certificates[0].deployment.state).toBe('deployed');
    expect(document.certificates[0].deployment.resources).toContainEqual(
      expect.objectContaining({ instanceId: 'lb-bp1find00000001', listenerPort: '443' }),
    );
    expect(document.certificates[0].state).toBe('valid');
  });

  test('list --keyword matches the resources the inventory knows', async () => {
    const result = await runCli(['list', '--keyword', 'lb-bp1find', '--json'], cliEnv, 60_000);
    expect(result.code).toBe(0);
    const ids = (JSON.parse(result.stdout) as { certificates: Array<{ id: string }> }).certificates.map((c) => c.id);
    expect(ids.sort()).toEqual([String(shop.certificateId), String(api.certificateId)].sort());
    const csv = await runCli(['list', '--keyword', 'cdnfind', '--format', 'csv'], cliEnv, 60_000);
    expect(csv.stdout).toContain('static.cdnfind.example.net');
    expect(csv.stdout.trimEnd().split('\r\n')).toHaveLength(2);
  });

  test('info of a resource nobody knows exits 4', async () => {
    const result = await runCli(['info', 'lb-bp1nosuchthing', '--json'], cliEnv, 60_000);
    expect(result.code).toBe(4);
    expect(JSON.parse(result.stdout)).toEqual({ schema: 1, certificates: [] });
    expect(result.stderr).toContain('no certificate in the inventory');
  });
});
