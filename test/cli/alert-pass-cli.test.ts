import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DEFAULT_ACCESS_KEY_ID, DEFAULT_ACCESS_KEY_SECRET, type Sandbox, startSandbox } from '../../src/sandbox';
import { visibleText } from '../helpers/app-harness';
import { FakeSlack } from '../helpers/fake-slack';
import { addStaleRenewal, dayFromToday } from '../helpers/renewal';
import { runCli } from '../helpers/run-cli';

/**
 * The CLI runs the alert pass `serve` runs: `cert-bot sync` (with Slack configured) and
 * `cert-bot alerts --post` update posted alerts to "Renewed" and "Deployed", then post what is
 * due, under the same claims. The built binary, the simulator over HTTP, the fake Slack, SQLite.
 */
let sandbox: Sandbox;
let slack: FakeSlack;
let dir: string;
let env: Record<string, string>;
beforeAll(async () => {
  sandbox = await startSandbox({ certs: 30, seed: 23, qps: 100 });
  slack = await new FakeSlack().start();
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cert-bot-alert-pass-'));
  env = {
    CAS_ENDPOINT: sandbox.url,
    ALIBABA_CLOUD_ACCESS_KEY_ID: DEFAULT_ACCESS_KEY_ID,
    ALIBABA_CLOUD_ACCESS_KEY_SECRET: DEFAULT_ACCESS_KEY_SECRET,
    DATA_DIR: path.join(dir, 'data'),
    SLACK_BOT_TOKEN: 'xoxb-test-0000',
    SLACK_API_URL: slack.apiUrl,
    ALERT_CHANNEL: 'C0ALERTS',
    ALERT_HOURS: '00:00-24:00',
  };
});
afterAll(async () => {
  await slack.stop();
  await sandbox.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

const posts = () => slack.apiCalls('chat.postMessage').filter((c) => c.body.channel === 'C0ALERTS');
const updates = () => slack.apiCalls('chat.update').filter((c) => c.body.channel === 'C0ALERTS');
const text = (call: { body: Record<string, unknown> }) => visibleText(call.body as { blocks: unknown[] });

test('cert-bot sync and cert-bot alerts --post update posted alerts to Renewed and Deployed', async () => {
  // Day one: the sync posts the channel's summary, no alert per certificate.
  const first = await runCli(['sync'], env);
  expect(first.code).toBe(0);
  expect(first.stdout).toContain('Alerts: 1 summary and 0 alert messages posted');
  expect(posts()).toHaveLength(1);
  expect(String(posts()[0].body.text)).toMatch(/^Now watching \d+ certificates: /);

  // Later: an expiring certificate and a stale deployment appear; the next sync announces both.
  const expiring = sandbox.addCertificate({
    commonName: 'pay.cli.example.com',
    sans: ['pay.cli.example.com'],
    startDate: dayFromToday(-300),
    endDate: dayFromToday(5),
  });
  const stale = addStaleRenewal(sandbox, 'shop.cli.example.com', [{ product: 'CDN', domain: 'shop.cli.example.com' }]);
  const second = await runCli(['sync'], env);
  expect(second.code).toBe(0);
  expect(posts()).toHaveLength(2);
  const alert = text(posts()[1]);
  expect(alert).toContain(`\`${expiring.certificateId}\``);
  expect(alert).toContain('renewed, but the old certificate is still serving');
  expect(alert).toContain(`\`${stale.old.certificateId}\``);

  // Renewed in CAS: `cert-bot sync` updates the alert in place.
  const renewal = sandbox.addCertificate({
    commonName: 'pay.cli.example.com',
    sans: ['pay.cli.example.com'],
    startDate: dayFromToday(0),
    endDate: dayFromToday(365),
  });
  const third = await runCli(['sync'], env);
  expect(third.code).toBe(0);
  expect(third.stdout).toContain('shown as renewed or deployed');
  expect(updates().length).toBeGreaterThan(0);
  expect(text(updates()[updates().length - 1])).toContain(`Renewed by \`${renewal.certificateId}\``);
  expect(posts()).toHaveLength(2);

  // Deployed: synced by a run without Slack, then `cert-bot alerts --post` updates the alert.
  sandbox.moveResource(stale.resources[0].id, stale.renewed.certificateId);
  const { SLACK_BOT_TOKEN: _token, ...withoutSlack } = env;
  expect((await runCli(['sync'], withoutSlack)).code).toBe(0);
  const before = updates().length;
  const pass = await runCli(['alerts', '--post'], env);
  expect(pass.code).toBe(0);
  expect(updates().length).toBeGreaterThan(before);
  const deployed = text(updates()[updates().length - 1]);
  expect(deployed).toContain('Deployed');
  expect(deployed).toContain('no resource serves the old certificate any more');
  // Nothing new was due: no post.
  expect(posts()).toHaveLength(2);
}, 120_000);
