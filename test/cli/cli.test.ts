import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  DEFAULT_ACCESS_KEY_ID,
  DEFAULT_ACCESS_KEY_SECRET,
  generateDataset,
  riskCounts,
  type SandboxProcess,
  spawnSandbox,
} from '../../src/sandbox';
import { FakeSlack } from '../helpers/fake-slack';
import { runCli } from '../helpers/run-cli';
import { storedCertificateSource } from '../../src/inventory/stored-source';
import { openSqliteStore } from '../../src/store/sqlite-store';

const CERTS = 200;
const SEED = 9;
let sandbox: SandboxProcess;
let env: Record<string, string>;
const dataset = generateDataset({ count: CERTS, seed: SEED });

beforeAll(async () => {
  sandbox = await spawnSandbox({ certs: CERTS, seed: SEED, qps: 100 });
  env = {
    CAS_ENDPOINT: sandbox.url,
    ALIBABA_CLOUD_ACCESS_KEY_ID: DEFAULT_ACCESS_KEY_ID,
    ALIBABA_CLOUD_ACCESS_KEY_SECRET: DEFAULT_ACCESS_KEY_SECRET,
    CAS_QPS: '50',
  };
});
afterAll(async () => {
  await sandbox.close();
});

test('risk: readable by default, exact JSON with --json', async () => {
  const text = await runCli(['risk'], env);
  expect(text.code).toBe(0);
  // No sync yet: the bot has no counts of its own, and CAS's counters are labelled as CAS's.
  expect(text.stdout).toMatch(/^Certificate risk: No inventory yet: /);
  expect(text.stdout).toMatch(/\nCAS risk counters \(certificates, resources and domains\): \d+ in all\n/);
  expect(text.stdout).toMatch(/\n {2}Expired\s+\d+\n/);
  const json = await runCli(['risk', '--json'], env);
  const parsed = JSON.parse(json.stdout) as { risk: Record<string, number>; assets: Record<string, number> };
  expect(parsed.risk.BuyCertificateExpireCount).toBe(riskCounts(dataset).BuyCertificateExpireCount);
  expect(parsed.risk.DomainAssetNotMonitorCount).toBe(riskCounts(dataset).DomainAssetNotMonitorCount);
});

test('status: good, revoked and unknown; a bad serial is one clear line and exit 2', async () => {
  const revoked = dataset.certificates.find((c) => c.status === 'REVOKED');
  const good = dataset.certificates.find((c) => c.status === 'ISSUED');
  const result = await runCli(['status', '--json', good?.serialNo ?? '', `${revoked?.serialNo},ABCDEF`], env);
  expect(result.code).toBe(0);
  const statuses = JSON.parse(result.stdout) as Array<{ Status: string }>;
  expect(statuses.map((s) => s.Status)).toEqual(['good', 'revoked', 'unknown']);

  const bad = await runCli(['status', 'not-a-serial'], env);
  expect(bad.code).toBe(2);
  expect(bad.stderr.trim().split('\n')).toHaveLength(1);
  expect(bad.stderr).toContain('not-a-serial');
});

test('list: every expired certificate, soonest first', async () => {
  const result = await runCli(['list', '--status', 'expired', '--json'], env);
  expect(result.code).toBe(0);
  const items = (JSON.parse(result.stdout) as { certificates: Array<{ id: string; notAfter: string; state: string }> })
    .certificates;
  const expected = dataset.certificates.filter((c) => c.status === 'EXPIRED');
  expect(items.map((i) => Number(i.id)).sort()).toEqual(expected.map((c) => c.certificateId).sort());
  expect(new Set(items.map((i) => i.state))).toEqual(new Set(['expired']));
  const ends = items.map((i) => i.notAfter);
  expect([...ends].sort()).toEqual(ends);
  const table = await runCli(['list', '--status', 'expired'], env);
  expect(table.stdout).toMatch(/COMMON NAME\s+ID\s+STATE\s+END DATE\s+DAYS LEFT/);
  expect(table.stdout).toMatch(/\sexpired\s+\d{4}-\d\d-\d\d\s+expired (yesterday|\d+ days ago)\n/);
  expect(table.stdout).toContain(`${expected.length} certificates (expired)`);
});

test('a wrong secret is one line on stderr with what to fix, no secret, no stack, exit 1', async () => {
  const result = await runCli(['risk'], { ...env, ALIBABA_CLOUD_ACCESS_KEY_SECRET: 'wrong-secret-abcdef-123' });
  expect(result.code).toBe(1);
  expect(result.stderr.trim().split('\n')).toHaveLength(1);
  expect(result.stderr).toContain('SignatureDoesNotMatch');
  expect(result.stderr).toContain('ALIBABA_CLOUD_ACCESS_KEY_SECRET');
  expect(result.stderr).not.toContain('wrong-secret-abcdef-123');
  expect(result.stderr).not.toMatch(/\n\s+at /);
});

test('invalid configuration is reported all at once, by name, exit 2', async () => {
  const result = await runCli(['serve'], {
    ...env,
    ALIBABA_CLOUD_ACCESS_KEY_SECRET: '',
    CAS_QPS: 'fast',
    DIGEST_CRON: 'every monday',
    DIGEST_TIMEZONE: 'Mars/Olympus',
  });
  expect(result.code).toBe(2);
  for (const name of [
    'ALIBABA_CLOUD_ACCESS_KEY_SECRET',
    'CAS_QPS',
    'DIGEST_CRON',
    'DIGEST_TIMEZONE',
    'SLACK_BOT_TOKEN',
    'SLACK_SIGNING_SECRET',
  ])
    expect(result.stderr).toContain(name);
});

test('digest --dry-run prints the digest readably and posts nothing', async () => {
  const slack = await new FakeSlack().start();
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'cert-bot-cli-'));
  try {
    const result = await runCli(['digest', '--dry-run'], {
      ...env,
      DATA_DIR: dataDir,
      SLACK_BOT_TOKEN: 'xoxb-test-0000',
      SLACK_API_URL: slack.apiUrl,
      DIGEST_CHANNEL: 'C0AAA',
    });
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('Weekly certificate digest');
    // Before any sync the digest says it has no inventory, and shows CAS's counters, labelled.
    expect(result.stdout).toContain('No inventory yet');
    expect(result.stdout).toContain('CAS risk counters (certificates, resources and domains)');
    expect(result.stdout).not.toContain('"type"');
    expect(result.stdout).not.toContain(':red_circle:');
    expect(slack.calls).toHaveLength(0);
    // It records nothing, and creates no store to record it in.
    expect(fs.readdirSync(dataDir)).toEqual([]);

    const json = await runCli(['digest', '--dry-run', '--json'], { ...env, DATA_DIR: dataDir });
    expect(Array.isArray((JSON.parse(json.stdout) as { blocks: unknown[] }).blocks)).toBe(true);
  } finally {
    await slack.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
});

test('digest --post posts once per period; --force posts again', async () => {
  const slack = await new FakeSlack().start();
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'cert-bot-cli-'));
  const postEnv = {
    ...env,
    DATA_DIR: dataDir,
    SLACK_BOT_TOKEN: 'xoxb-test-0000',
    SLACK_API_URL: slack.apiUrl,
    DIGEST_CHANNEL: 'C0AAA',
  };
  try {
    const first = await runCli(['digest', '--post'], postEnv);
    expect(first.stdout).toContain('C0AAA: posted');
    const again = await runCli(['digest', '--post'], postEnv);
    expect(again.stdout).toContain('C0AAA: skipped');
    const forced = await runCli(['digest', '--post', '--force'], postEnv);
    expect(forced.stdout).toContain('C0AAA: posted');
    expect(slack.apiCalls('chat.postMessage')).toHaveLength(2);
  } finally {
    await slack.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
});

test('the demo runs with no configuration and shows every command and the digest', async () => {
  const result = await runCli(['demo'], {}, 60_000);
  expect(result.code).toBe(0);
  for (const part of ['/cert-risk', 'Health score', '/cert-status', '1 revoked', '1 unknown', '/cert-list expiring'])
    expect(result.stdout).toContain(part);
  expect(result.stdout).toContain('Weekly certificate digest');
  // What the simulator's endpoints really serve: expired certificates still deployed, old ones.
  expect(result.stdout).toContain('/cert-list drift');
  expect(result.stdout).toMatch(/Drift: \d+ endpoints do not serve the current certificate/);
  expect(result.stdout).toMatch(/— expired: serves certificate \d+/);
  expect(result.stdout).toMatch(/Endpoints: \d+ ok · \d+ old · \d+ unmanaged/);
  // Two accounts, one line each, and the Home tab with their scores.
  expect(result.stdout).toMatch(/prod · health score \d+/);
  expect(result.stdout).toMatch(/staging · health score \d+/);
  // A calm first day: one summary in the alert channel, not an alert for every certificate;
  // then a certificate crossing a threshold is announced by the next sync's alert pass.
  expect(result.stdout).toContain("#alerts (C0ALERTS): the first sync's summary");
  expect(result.stdout).toMatch(/Now watching \d+ certificates in prod/);
  expect(result.stdout.match(/#alerts \(C0ALERTS\): the first sync's summary/g)).toHaveLength(1);
  expect(result.stdout).toContain('#alerts (C0ALERTS): a certificate that now ends in 5 days');
  expect(result.stdout).toMatch(/5 days left \(ends \d{4}-\d{2}-\d{2}\)[\s\S]*crossed the 7-day threshold/);
  expect(result.stdout).toContain('App Home');
  expect(result.stdout).toContain('Health score by account');
  // The chart it names is a PNG.
  const chart = /trend chart \(posted in its thread in Slack\) was written to (\S+)/.exec(result.stdout)?.[1];
  expect(chart).toBeDefined();
  expect(
    fs
      .readFileSync(chart as string)
      .subarray(1, 4)
      .toString(),
  ).toBe('PNG');
  expect(result.stdout).toContain('Next steps');
  expect(result.stdout).not.toContain('\u001b[');
  expect(result.stderr).toBe('');
});

describe('the inventory from the command line', () => {
  let dataDir: string;
  beforeAll(() => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'cert-bot-cli-inventory-'));
  });
  afterAll(() => fs.rmSync(dataDir, { recursive: true, force: true }));

  test('list before any sync lists live and creates no store', async () => {
    const result = await runCli(['list', '--status', 'expired'], { ...env, DATA_DIR: dataDir });
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('Listed live from CAS: no inventory sync has finished yet');
    expect(fs.readdirSync(dataDir)).toEqual([]);
  });

  test('sync prints a one-line summary, or JSON; list then reads the inventory unless --live', async () => {
    const listedCount = dataset.certificates.filter((c) => c.status !== 'REVOKED').length;
    const first = await runCli(['sync'], { ...env, DATA_DIR: dataDir });
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(
      new RegExp(
        `^Synced ${listedCount} certificates of default: ${listedCount} added, 0 changed, 0 removed; \\d+ pages, \\d+ calls, [\\d.]+ s\\n$`,
      ),
    );
    const again = await runCli(['sync', '--json'], { ...env, DATA_DIR: dataDir });
    expect(JSON.parse(again.stdout)).toMatchObject({
      account: 'default',
      certificates: listedCount,
      added: 0,
      removed: 0,
    });

    const fromInventory = await runCli(['list', '--status', 'expired'], { ...env, DATA_DIR: dataDir });
    const expired = dataset.certificates.filter((c) => c.status === 'EXPIRED');
    // The inventory's expired view is the expired state: CAS's EXPIRED ones less those renewed.
    const store = openSqliteStore(dataDir);
    const stored = storedCertificateSource({
      inventory: store.inventory,
      resources: store.resources,
      fallback: () => ({ list: () => Promise.reject(new Error('no fallback expected')) }),
    });
    const inExpired = (await stored.list('expired', undefined, new Date())).certificates;
    await store.close();
    expect(inExpired.length).toBeLessThanOrEqual(expired.length);
    expect(fromInventory.stdout).toContain(`${inExpired.length} certificates (expired)`);
    expect(fromInventory.stdout).toMatch(/From the inventory: As of \d\d:\d\d UTC, synced just now/);
    const json = await runCli(['list', '--status', 'expired', '--json'], { ...env, DATA_DIR: dataDir });
    const items = (JSON.parse(json.stdout) as { certificates: Array<{ id: string }> }).certificates;
    expect(items.map((i) => i.id).sort()).toEqual(inExpired.map((c) => String(c.certificateId)).sort());
    expect(json.stderr).toContain('From the inventory');

    const live = await runCli(['list', '--status', 'expired', '--live'], { ...env, DATA_DIR: dataDir });
    expect(live.stdout).toContain('Listed live from CAS');
    expect(live.stdout).toContain(`${expired.length} certificates (expired)`);
  });

  test('a sync that fails says why on stderr, with exit 1 and no secret', async () => {
    const result = await runCli(['sync'], {
      ...env,
      DATA_DIR: dataDir,
      ALIBABA_CLOUD_ACCESS_KEY_SECRET: 'wrong-secret-abcdef-123',
    });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('inventory sync of default failed');
    expect(result.stderr).toContain('SignatureDoesNotMatch');
    expect(result.stderr).not.toContain('wrong-secret-abcdef-123');
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });
});

test('alerts --dry-run prints what would be posted and records nothing; bad flags exit 2', async () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'cert-bot-cli-alerts-'));
  try {
    const alertEnv = {
      ...env,
      DATA_DIR: dataDir,
      ALERT_CHANNEL: 'C0ALERTS',
      ALERT_HOURS: '00:00-24:00',
      // One by one, not a first-day summary: the alerts listed are what is under test.
      ALERT_BASELINE: 'off',
    };
    expect((await runCli(['sync'], alertEnv)).code).toBe(0);
    const dry = await runCli(['alerts', '--dry-run', '--json'], alertEnv);
    expect(dry.code).toBe(0);
    const result = JSON.parse(dry.stdout) as {
      schema: number;
      certificates: Array<{ account: string; id: string; state: string }>;
      channels: Array<{ channel: string; status: string; alerts: Array<{ account: string; certificateId: string }> }>;
    };
    expect(result.channels).toEqual([expect.objectContaining({ channel: 'C0ALERTS', status: 'would-post' })]);
    expect(result.channels[0].alerts.length).toBeGreaterThan(0);
    // Every certificate due, once, in the certificate model; each alert names one of them.
    expect(result.schema).toBe(1);
    const due = new Set(result.certificates.map((c) => `${c.account}/${c.id}`));
    expect(due.size).toBe(result.certificates.length);
    for (const alert of result.channels[0].alerts)
      expect(due.has(`${alert.account}/${alert.certificateId}`)).toBe(true);
    for (const c of result.certificates) expect(['stale', 'expired', 'expiring']).toContain(c.state);
    // Nothing was recorded: a second dry run shows the same alerts.
    const again = JSON.parse((await runCli(['alerts', '--dry-run', '--json'], alertEnv)).stdout) as typeof result;
    expect(again.channels[0].alerts).toHaveLength(result.channels[0].alerts.length);
    const both = await runCli(['alerts'], alertEnv);
    expect(both.code).toBe(2);
    const badRoute = await runCli(['alerts', '--dry-run'], { ...alertEnv, ALERT_ROUTES: 'bad pattern=C0X' });
    expect(badRoute.code).toBe(2);
    expect(badRoute.stderr).toContain('ALERT_ROUTES');
  } finally {
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
});
