import fs from 'node:fs';
import path from 'node:path';
import { DEFAULT_ACCESS_KEY_ID, DEFAULT_ACCESS_KEY_SECRET } from '../../src/sandbox';
import { AppHarness, visibleText } from '../helpers/app-harness';

/**
 * Three accounts, one of them hanging (CAS never answers for it): answers that cover every
 * account wait ACCOUNT_ANSWER_TIMEOUT_MS (default 4 s) for it at most, answer with the other
 * two and name the slow one; the other accounts' alerts do not wait for its sync.
 */
const KEYS = {
  prod: [DEFAULT_ACCESS_KEY_ID, DEFAULT_ACCESS_KEY_SECRET],
  staging: ['LTAI5tSandboxKeyId000002', 'sandbox-secret-2-do-not-use-in-production'],
  tarn: ['LTAI5tSandboxKeyId000003', 'sandbox-secret-3-do-not-use-in-production'],
} as const;
const ALERTS = 'C0ALERTS';
const SLOW = 'tarn did not answer within 4 s';

let h: AppHarness;
beforeAll(async () => {
  h = new AppHarness();
  const names = Object.keys(KEYS) as Array<keyof typeof KEYS>;
  const file = path.join(h.dataDir, 'accounts.yaml');
  await h.start({
    sandbox: {
      qps: 1_000,
      accounts: names.map((name, i) => ({
        name,
        accessKeys: { [KEYS[name][0]]: KEYS[name][1] },
        certs: 40,
        seed: 11 + i,
      })),
    },
    env: {
      CAS_ACCOUNTS_FILE: file,
      ...Object.fromEntries(
        names.flatMap((n) => [
          [`${n.toUpperCase()}_ID`, KEYS[n][0]],
          [`${n.toUpperCase()}_SECRET`, KEYS[n][1]],
        ]),
      ),
      // As the adversarial run had it: a hanging account takes about 21 s (4 attempts of 5 s).
      CAS_TIMEOUT_MS: '5000',
      CAS_MAX_ATTEMPTS: '4',
      ALERT_CHANNEL: ALERTS,
      ALERT_HOURS: '00:00-24:00',
      ALERT_BASELINE: 'off',
    },
    beforeConfig: (url) =>
      fs.writeFileSync(
        file,
        names
          .map((n) =>
            [
              `- name: ${n}`,
              `  site: ${url}`,
              `  accessKeyId: ${n.toUpperCase()}_ID`,
              `  accessKeySecret: ${n.toUpperCase()}_SECRET`,
            ].join('\n'),
          )
          .join('\n'),
      ),
  });
  h.sandbox.account('tarn').setFaults({ timeoutRate: 1 });
}, 60_000);
afterAll(async () => {
  await h.stop();
});

/** Runs `answer`, failing when it takes longer than a generous bound (the hang is about 21 s). */
async function within<T>(ms: number, answer: () => Promise<T>): Promise<T> {
  const started = Date.now();
  const result = await answer();
  expect(Date.now() - started).toBeLessThan(ms);
  return result;
}

// First, while nothing of the hanging account is in flight yet.
test("the healthy accounts' alerts are posted while the hanging account's sync still waits", async () => {
  let synced = false;
  const sync = h.services.syncAll().then((results) => {
    synced = true;
    return results;
  });
  await h.slack.waitFor((c) => c.name === 'chat.postMessage' && c.body.channel === ALERTS, 15_000);
  expect(synced).toBe(false);
  const results = await sync;
  expect(results.map((r) => [r.account, 'summary' in r])).toEqual([
    ['prod', true],
    ['staging', true],
    ['tarn', false],
  ]);
  const alerted = h.slack.apiCalls('chat.postMessage').filter((c) => c.body.channel === ALERTS);
  expect(alerted.length).toBeGreaterThan(0);
}, 90_000);

test('/cert-risk answers with the two other accounts and names the slow one', async () => {
  const { answer } = await within(12_000, () => h.command('/cert-risk', ''));
  const text = visibleText(answer);
  expect(text).toContain(SLOW);
  expect(text).toMatch(/\*prod\* · health score \d+/);
  expect(text).toMatch(/\*staging\* · health score \d+/);
  expect(text).not.toMatch(/\*tarn\* · health score/);
}, 30_000);

test('/cert-status answers from the accounts that answered and names the slow one', async () => {
  const revoked = h.sandbox.account('staging').dataset.certificates.find((c) => c.status === 'REVOKED');
  expect(revoked).toBeDefined();
  const { answer } = await within(12_000, () => h.command('/cert-status', String(revoked?.serialNo)));
  const text = visibleText(answer);
  expect(text).toMatch(new RegExp(`\`staging\` \`${revoked?.serialNo}\` \\*revoked\\*`));
  expect(text).toContain(SLOW);
}, 30_000);

test('/cert-list lists the two other accounts and names the slow one', async () => {
  const { answer } = await within(12_000, () => h.command('/cert-list', 'all'));
  const text = visibleText(answer);
  expect(text).toContain(SLOW);
  expect(text).toContain('`prod`');
  expect(text).toContain('`staging`');
}, 30_000);

test('Home shows the two other accounts and names the slow one', async () => {
  const view = await within(12_000, async () => {
    await h.openHome('U0HOME001');
    return h.waitForHome('U0HOME001');
  });
  const text = JSON.stringify(view);
  expect(text).toContain(SLOW);
  expect(text).toContain('prod');
  expect(text).toContain('staging');
}, 30_000);
