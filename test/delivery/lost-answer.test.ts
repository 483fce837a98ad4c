import { digestClaimKey, runDigest } from '../../src/digest/run';
import { periodAt } from '../../src/jobs/period';
import { type Sandbox, startSandbox } from '../../src/sandbox';
import type { ServiceOverrides } from '../../src/services';
import { botEnv, startTestBot, type TestBot, tempDataDir } from '../helpers/bot-harness';
import { FakeSlack } from '../helpers/fake-slack';
import { LossyProxy } from '../helpers/lossy-proxy';

/**
 * A lost answer from Slack: the post reached Slack, its answer did not reach the bot. The bot
 * runs as `serve` builds it (its Slack client with the retries it has in production), talking
 * to the fake Slack through a proxy that resets the connection instead of answering.
 */
const DAY = 86_400_000;
const ALERTS = 'C0ALERTS';
let sandbox: Sandbox;
let slack: FakeSlack;
let proxy: LossyProxy;
let bot: TestBot | undefined;
beforeEach(async () => {
  sandbox = await startSandbox({ certs: 30, seed: 5, qps: 100 });
  slack = await new FakeSlack().start();
  proxy = await new LossyProxy(slack.port).start();
});
afterEach(async () => {
  await bot?.stop();
  bot = undefined;
  await proxy.stop();
  await slack.stop();
  await sandbox.close();
});

const ymd = (date: Date) => date.toISOString().slice(0, 10);
const alertPosts = () =>
  slack
    .apiCalls('chat.postMessage')
    .filter((c) => c.body.channel === ALERTS && String(c.body.metadata ?? '').includes('cert_bot_alert'));
const digestPosts = (channel: string) =>
  slack
    .apiCalls('chat.postMessage')
    .filter((c) => c.body.channel === channel && String(c.body.metadata ?? '').includes('cert_bot_digest'));

/** Three certificates a few days from expiry: one alert message announces them. */
function expiringSoon(): void {
  const now = Date.now();
  for (const name of ['a.soon.example.com', 'b.soon.example.com', 'c.soon.example.com'])
    sandbox.addCertificate({
      commonName: name,
      sans: [name],
      startDate: ymd(new Date(now - 300 * DAY)),
      endDate: ymd(new Date(now + 5 * DAY)),
    });
}

// Short waits between a lost answer and the look for the post, so the tests run in seconds.
const overrides = {
  slackRetries: 2,
  postRetry: { baseDelayMs: 100, maxDelayMs: 400, forMs: 8_000 },
} as ServiceOverrides;

async function start(extra: Record<string, string> = {}, more: ServiceOverrides = {}): Promise<TestBot> {
  bot = await startTestBot(
    botEnv(sandbox, slack, {
      DATA_DIR: tempDataDir(),
      SLACK_API_URL: proxy.apiUrl,
      ALERT_CHANNEL: ALERTS,
      ALERT_HOURS: '00:00-24:00',
      ALERT_BASELINE: 'off',
      ...extra,
    }),
    undefined,
    { ...overrides, ...more },
  );
  return bot;
}

test('an alert post whose answer is lost: the pass finds its message and posts it once', async () => {
  expiringSoon();
  const { services, logs } = await start();
  proxy.dropAnswer('chat.postMessage');
  await services.syncNow(); // the alert pass runs after the sync
  expect(proxy.log.filter((c) => c.fate === 'answer-lost')).toHaveLength(1);
  expect(alertPosts()).toHaveLength(1);
  expect(String(alertPosts()[0].body.text)).toContain('certificates need attention');
  expect(slack.apiCalls('conversations.history').length).toBeGreaterThan(0);
  expect(logs.text()).toContain('already posted by an earlier attempt');
  // Recorded as posted: the next pass announces nothing again.
  const next = await services.runAlerts({ post: true });
  expect(next.channels).toEqual([]);
  expect(alertPosts()).toHaveLength(1);
}, 60_000);

test('a digest whose answer is lost is posted once, its claim records the message', async () => {
  const bot = await start();
  proxy.dropAnswer('chat.postMessage');
  const period = periodAt({ cron: '0 9 * * 1', timezone: 'UTC' }, new Date());
  const [outcome] = await runDigest(bot.digestDeps, { period, channels: ['C0DIGEST'], retryForMs: 0 });
  expect(outcome).toMatchObject({ status: 'posted' });
  expect(digestPosts('C0DIGEST')).toHaveLength(1);
  const claim = await bot.store.claims.get(digestClaimKey('C0DIGEST', period.key));
  expect(claim).toMatchObject({ status: 'posted', attempts: 1 });
  expect(claim?.result?.messageTs).toBe(outcome.messageTs);
}, 60_000);

test('chat.postMessage unreachable for a while after Slack took the post, then back: one alert message', async () => {
  expiringSoon();
  const { services } = await start();
  proxy.dropAnswer('chat.postMessage');
  // From the lost answer on, Slack cannot be reached (post and history alike) for 1.5 s.
  const sync = services.syncNow();
  await slack.waitFor((c) => c.name === 'chat.postMessage', 20_000);
  proxy.unreachableFor(1_500);
  await sync;
  expect(proxy.log.some((c) => c.fate === 'unreachable')).toBe(true);
  expect(alertPosts()).toHaveLength(1);
  await services.runAlerts({ post: true });
  expect(alertPosts()).toHaveLength(1);
}, 60_000);

test('unreachable for longer than the bot looks: the claims go back, and the next pass finds the post', async () => {
  expiringSoon();
  const { services, store } = await start({}, {
    postRetry: { baseDelayMs: 100, maxDelayMs: 200, forMs: 600 },
  } as ServiceOverrides);
  proxy.dropAnswer('chat.postMessage');
  const sync = services.syncNow();
  await slack.waitFor((c) => c.name === 'chat.postMessage', 20_000);
  proxy.unreachableFor(3_000);
  await sync;
  expect(alertPosts()).toHaveLength(1);
  const released = await store.claims.list('alert', 100);
  expect(released.map((c) => c.status)).toEqual(expect.arrayContaining(['released']));

  await new Promise((resolve) => setTimeout(resolve, 3_000));
  const next = await services.runAlerts({ post: true });
  expect(next.channels.map((c) => c.status)).toEqual(['posted']);
  expect(alertPosts()).toHaveLength(1);
  const claims = await store.claims.list('alert', 100);
  expect(claims.every((c) => c.status === 'posted')).toBe(true);
}, 60_000);
