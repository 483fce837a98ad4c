import { periodAt } from '../../src/jobs/period';
import { digestClaimKey, runDigest } from '../../src/digest/run';
import { generateDataset, riskCounts, type Sandbox, setCertificateStatus } from '../../src/sandbox';
import { openSqliteStore } from '../../src/store/sqlite-store';
import { visibleText } from '../helpers/app-harness';
import { botEnv, establishedStore, eventually, startTestBot, tempDataDir } from '../helpers/bot-harness';
import type { FakeSlack } from '../helpers/fake-slack';
import { useStack } from '../helpers/stack';

let sandbox: Sandbox;
let slack: FakeSlack;
useStack({ certs: 150, seed: 5 }, (stack) => ({ sandbox, slack } = stack));

/** The digests posted (the channel also gets expiry alerts, which are not digests). */
const posts = (channel?: string) =>
  slack
    .apiCalls('chat.postMessage')
    .filter((c) => String(c.body.metadata ?? '').includes('cert_bot_digest'))
    .filter((c) => channel === undefined || c.body.channel === channel);

/** The "expired" kind as GetRiskCount counts it: a certificate on cloud resources counts more than once. */
function expiredCounters(): number {
  const r = riskCounts(sandbox.dataset);
  return (
    r.BuyCertificateExpireCount +
    r.FreeCertificateExpireCount +
    r.UploadCertificateExpireCount +
    r.AliyunAssetCertificateExpiredCount +
    r.MultiCloudAssetCertificateExpiredCount
  );
}

/** CAS's expired counter in a digest: the last "Expired" row, under CAS's risk counters (the bot's own counts come first). */
function expiredTotal(text: string): number {
  const matches = [...text.matchAll(/Expired: \*(\d+)\*/g)];
  const last = matches.at(-1);
  if (!last) throw new Error(`no expired row in: ${text}`);
  return Number(last[1]);
}

test('the scheduler posts each period to every channel, with the change since the previous digest', async () => {
  const env = botEnv(sandbox, slack, {
    DATA_DIR: tempDataDir(),
    DIGEST_CHANNEL: 'C0AAA,C0BBB',
    DIGEST_CRON: '*/3 * * * * *',
  });
  await establishedStore(env);
  const bot = await startTestBot(env);
  try {
    // Start-up: the current period is due and not in the ledger, so it is posted at once (a
    // loaded CI machine may take a while to start the bot).
    await eventually(() => posts('C0AAA').length >= 1 && posts('C0BBB').length >= 1, 20_000);
    const first = posts('C0AAA')[0];
    const firstText = visibleText(first.body as { blocks: unknown[] });
    expect(firstText).toContain('first digest');
    const before = expiredCounters();
    expect(expiredTotal(firstText)).toBe(before);

    // Between periods two certificates expire.
    const issued = sandbox.dataset.certificates.filter((c) => c.status === 'ISSUED' && c.source === 'buy');
    setCertificateStatus(sandbox.dataset, issued[0].certificateId, 'EXPIRED');
    setCertificateStatus(sandbox.dataset, issued[1].certificateId, 'EXPIRED');

    // The cron firing opens the next period and posts it once per channel; the first digest
    // built after the change shows it against the one before.
    const after = expiredCounters();
    expect(after).toBeGreaterThan(before);
    const showsChange = () =>
      posts('C0BBB').find((p) =>
        visibleText(p.body as { blocks: unknown[] }).includes(`Expired: *${after}* (▲ ${after - before})`),
      );
    await eventually(() => showsChange() !== undefined, 15_000);
    const second = showsChange()?.body;
    expect(visibleText(second as { blocks: unknown[] })).toContain('compared with the digest of');
    expect(String(second?.text)).toContain('Weekly certificate digest');

    const ledger = await bot.store.claims.list('digest', 10);
    const periods = new Set(ledger.map((e) => e.period));
    expect(periods.size).toBeGreaterThanOrEqual(2);
    for (const entry of ledger.filter((e) => e.status !== 'claimed')) expect(entry.status).toBe('posted');
    // Exactly once per (channel, period).
    const keys = posts().map((p) => `${p.body.channel}`);
    expect(keys.filter((k) => k === 'C0AAA').length).toBe(keys.filter((k) => k === 'C0BBB').length);
  } finally {
    await bot.stop();
  }
}, 45_000);

test('two instances on one store post the due digest once per channel', async () => {
  const dataDir = tempDataDir();
  const env = botEnv(sandbox, slack, { DATA_DIR: dataDir, DIGEST_CHANNEL: 'C0AAA,C0BBB' });
  await establishedStore(env);
  const [a, b] = await Promise.all([startTestBot(env), startTestBot(env)]);
  try {
    await Promise.all([a.jobsStarted, b.jobsStarted]);
    await eventually(() => posts().length >= 2);
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(posts('C0AAA')).toHaveLength(1);
    expect(posts('C0BBB')).toHaveLength(1);
  } finally {
    await Promise.all([a.stop(), b.stop()]);
  }
});

test('a restart after the scheduled time posts the missed digest once; a second restart does not', async () => {
  const dataDir = tempDataDir();
  const env = botEnv(sandbox, slack, { DATA_DIR: dataDir, DIGEST_CHANNEL: 'C0AAA' });
  await establishedStore(env);
  const first = await startTestBot(env);
  await first.jobsStarted;
  await eventually(() => posts().length === 1);
  await first.stop();

  const second = await startTestBot(env);
  await second.jobsStarted;
  await new Promise((resolve) => setTimeout(resolve, 300));
  await second.stop();
  expect(posts()).toHaveLength(1);

  const store = openSqliteStore(dataDir);
  const period = periodAt({ cron: '0 9 * * 1', timezone: 'UTC' }, new Date());
  expect(await store.claims.get(digestClaimKey('C0AAA', period.key))).toMatchObject({ status: 'posted' });
  await store.close();
});

test('a CAS outage ends in a failure notice after the retries, and it is recorded', async () => {
  const bot = await startTestBot(botEnv(sandbox, slack, { DATA_DIR: tempDataDir(), CAS_MAX_ATTEMPTS: '1' }));
  try {
    sandbox.setFaults({ unavailableRate: 1 });
    const period = periodAt({ cron: '0 9 * * 1', timezone: 'UTC' }, new Date());
    const started = Date.now();
    const outcomes = await runDigest(bot.digestDeps, {
      period,
      channels: ['C0AAA'],
      retryForMs: 1_000,
      retryBaseDelayMs: 50,
      maxRetryDelayMs: 200,
    });
    expect(Date.now() - started).toBeGreaterThanOrEqual(1_000);
    expect(outcomes).toEqual([expect.objectContaining({ channel: 'C0AAA', status: 'failed' })]);
    expect(sandbox.stats().byAction.GetRiskCount).toBeGreaterThan(2);
    const notice = posts('C0AAA')[0];
    expect(String(notice.body.text)).toContain('could not be built');
    expect(visibleText(notice.body as { blocks: unknown[] })).toContain('ServiceUnavailable');
    expect(await bot.store.claims.get(digestClaimKey('C0AAA', period.key))).toMatchObject({ status: 'failed' });
  } finally {
    await bot.stop();
  }
});

test('nothing at risk gives the short all-clear digest', async () => {
  sandbox.setDataset(generateDataset({ count: 80, seed: 2, profile: 'healthy' }));
  const bot = await startTestBot(botEnv(sandbox, slack, { DATA_DIR: tempDataDir() }));
  try {
    await bot.services.syncNow();
    const period = periodAt({ cron: '0 9 * * 1', timezone: 'UTC' }, new Date());
    await runDigest(bot.digestDeps, { period, channels: ['C0AAA'], retryForMs: 0 });
    const post = posts('C0AAA')[0];
    // The headline is the inventory's: nothing at risk in it, and no at-risk section.
    expect(String(post.body.text)).toMatch(/All clear: none of the \d+ certificates is at risk/);
    const shown = visibleText(post.body as { blocks: unknown[] });
    for (const title of ['Stale deployments (', 'Expired (', 'Expiring ('])
      expect([title, shown.includes(title)]).toEqual([title, false]);
  } finally {
    await bot.stop();
  }
});

test('not_in_channel is logged with the fix and recorded; a 429 is waited out and posted once', async () => {
  slack.script('chat.postMessage', (body) =>
    body.channel === 'C0NOPE'
      ? { status: 200, body: { ok: false, error: 'not_in_channel' } }
      : { status: 429, headers: { 'retry-after': '1' }, body: { ok: false, error: 'ratelimited' } },
  );
  const bot = await startTestBot(botEnv(sandbox, slack, { DATA_DIR: tempDataDir() }));
  try {
    const period = periodAt({ cron: '0 9 * * 1', timezone: 'UTC' }, new Date());
    const outcomes = await runDigest(bot.digestDeps, { period, channels: ['C0NOPE'], retryForMs: 0 });
    expect(outcomes[0]).toMatchObject({ status: 'failed' });
    expect(bot.logs.text()).toContain('/invite');
    expect(await bot.store.claims.get(digestClaimKey('C0NOPE', period.key))).toMatchObject({ status: 'failed' });

    slack.script('chat.postMessage', {
      status: 429,
      headers: { 'retry-after': '1' },
      body: { ok: false, error: 'ratelimited' },
    });
    const started = Date.now();
    const [ok] = await runDigest(bot.digestDeps, { period, channels: ['C0OKAY'], retryForMs: 0 });
    expect(ok.status).toBe('posted');
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
    expect(posts('C0OKAY')).toHaveLength(2);
    expect(posts('C0OKAY').filter((p) => p === posts('C0OKAY')[1])).toHaveLength(1);
  } finally {
    await bot.stop();
  }
});
