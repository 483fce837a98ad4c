import { digestClaimKey } from '../../src/digest/run';
import { periodAt } from '../../src/jobs/period';
import type { Sandbox } from '../../src/sandbox';
import { openSqliteStore } from '../../src/store/sqlite-store';
import { LogCapture } from '../helpers/app-harness';
import { botEnv, establishedStore, eventually, spawnBot, startTestBot, tempDataDir } from '../helpers/bot-harness';
import type { FakeSlack } from '../helpers/fake-slack';
import { useStack } from '../helpers/stack';

/**
 * Exactly once across crashes: a process killed after Slack accepted its digest (before the
 * claim recorded it), or killed while the digest was being built.
 */
let sandbox: Sandbox;
let slack: FakeSlack;
useStack({ certs: 60, seed: 5 }, (stack) => ({ sandbox, slack } = stack));

/** The digests posted (the channel also gets expiry alerts, which are not digests). */
const posts = () =>
  slack.apiCalls('chat.postMessage').filter((c) => String(c.body.metadata ?? '').includes('cert_bot_digest'));
const LEASE_MS = 1_500;

test('killed after Slack accepted the post: the next process finds the message and does not post again', async () => {
  const dataDir = tempDataDir();
  // No inventory sync, so no alert pass either: the one post held below is the digest's.
  const env = botEnv(sandbox, slack, { DATA_DIR: dataDir, DIGEST_CHANNEL: 'C0AAA', INVENTORY_SYNC_MINUTES: '0' });
  await establishedStore(env);
  // Slack accepts the message, and the answer never reaches the bot.
  slack.hold('chat.postMessage');
  const child = spawnBot(env, { digestLeaseMs: LEASE_MS });
  try {
    await eventually(() => posts().length === 1, 15_000);
  } finally {
    child.kill('SIGKILL');
  }
  await new Promise((resolve) => child.once('exit', resolve));

  const logs = new LogCapture();
  const bot = await startTestBot(env, logs, { digestLeaseMs: LEASE_MS, catchUpIntervalMs: 200 });
  try {
    const key = digestClaimKey('C0AAA', periodAt({ cron: '0 9 * * 1', timezone: 'UTC' }, new Date()).key);
    await eventually(async () => (await bot.store.claims.get(key))?.status === 'posted', 10_000);
    const entry = await bot.store.claims.get(key);
    const history = slack.apiCalls('conversations.history');
    expect(history.length).toBeGreaterThan(0);
    expect(posts()).toHaveLength(1);
    expect(entry?.attempts).toBe(2);
    expect(entry?.result?.messageTs).toMatch(/^\d+\.\d+$/);
    expect(logs.text()).toContain('already posted by an earlier attempt');
  } finally {
    await bot.stop();
  }
}, 40_000);

test('killed while the digest was being built: taken over as soon as its lease runs out', async () => {
  const dataDir = tempDataDir();
  const env = botEnv(sandbox, slack, {
    DATA_DIR: dataDir,
    DIGEST_CHANNEL: 'C0AAA',
    DIGEST_RETRY_MINUTES: '60',
    CAS_MAX_ATTEMPTS: '1',
  });
  await establishedStore(env);
  sandbox.setFaults({ unavailableRate: 1 });
  const child = spawnBot(env, { digestLeaseMs: LEASE_MS });
  try {
    // The child claimed the period and keeps retrying the build while CAS fails.
    await eventually(() => sandbox.stats().byAction.GetRiskCount >= 2, 15_000);
  } finally {
    child.kill('SIGKILL');
  }
  await new Promise((resolve) => child.once('exit', resolve));
  sandbox.setFaults({ unavailableRate: 0 });

  const killedAt = Date.now();
  const bot = await startTestBot(env, new LogCapture(), { digestLeaseMs: LEASE_MS, catchUpIntervalMs: 200 });
  try {
    await eventually(() => posts().length === 1, 10_000);
    // Not DIGEST_RETRY_MINUTES + 15 minutes later: within a lease and a catch-up interval.
    expect(Date.now() - killedAt).toBeLessThan(8_000);
    expect(String(posts()[0].body.text)).toContain('Weekly certificate digest');
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(posts()).toHaveLength(1);
  } finally {
    await bot.stop();
  }
}, 40_000);

test('a period started and left unfinished is caught up even after the next period began', async () => {
  const dataDir = tempDataDir();
  const trigger = { cron: '*/2 * * * * *', timezone: 'UTC' };
  const env = botEnv(sandbox, slack, { DATA_DIR: dataDir, DIGEST_CHANNEL: 'C0AAA', DIGEST_CRON: trigger.cron });
  await establishedStore(env);
  const store = openSqliteStore(dataDir);
  // A holder that died two periods ago, mid-run.
  const earlier = periodAt(trigger, new Date(Date.now() - 4_000));
  await store.claims.claim({
    ...digestClaimKey('C0AAA', earlier.key),
    holder: 'dead:1',
    now: new Date(Date.now() - 4_000),
    leaseMs: 100,
  });
  await store.close();
  const bot = await startTestBot(env, new LogCapture(), { digestLeaseMs: LEASE_MS, catchUpIntervalMs: 200 });
  try {
    await eventually(
      async () => (await bot.store.claims.get(digestClaimKey('C0AAA', earlier.key)))?.status === 'posted',
    );
  } finally {
    await bot.stop();
  }
}, 20_000);
