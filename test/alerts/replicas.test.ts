import { useReplicaEnvironment } from '../helpers/replica-environment';
import { LogCapture, visibleText } from '../helpers/app-harness';
import { botEnv, startTestBot, tempDataDir } from '../helpers/bot-harness';

const shared = useReplicaEnvironment({ certs: 60, seed: 12 });

test('three bots on one PostgreSQL post each alert once between them', async () => {
  const env = botEnv(shared.sandbox, shared.slack, {
    DATABASE_URL: shared.db.url,
    INVENTORY_SYNC_MINUTES: '30',
    REDIS_URL: shared.redisUrl,
    DATA_DIR: tempDataDir(),
    ALERT_CHANNEL: 'C0ALERTS',
    ALERT_HOURS: '00:00-24:00',
    // Every certificate one by one, long expired ones too: the claims are what is under test.
    ALERT_BASELINE: 'off',
    ALERT_EXPIRED_GRACE_DAYS: '3650',
  });
  const start = () => startTestBot(env, new LogCapture(), { redisNamespace: shared.namespace });
  const bots = await Promise.all([start(), start(), start()]);
  try {
    await Promise.all(bots.map((bot) => bot.jobsStarted));
    // Every replica runs passes too, all at once: the claims let each alert through once.
    await Promise.all(
      bots.flatMap((bot) => [bot.services.runAlerts({ post: true }), bot.services.runAlerts({ post: true })]),
    );
    const alerts = shared.slack.apiCalls('chat.postMessage').filter((c) => c.body.channel === 'C0ALERTS');
    expect(alerts.length).toBeGreaterThan(0);
    const announced = alerts.flatMap((c) =>
      [...visibleText(c.body as { blocks: unknown[] }).matchAll(/ID `(\d+)`/g)].map((m) => m[1]),
    );
    expect(announced.length).toBeGreaterThan(0);
    expect(announced.filter((id, i) => announced.indexOf(id) !== i)).toEqual([]);
    // Every expired or expiring certificate that was not renewed (those get no alert) is announced,
    // and so is every stale deployment (renewed, old certificate still serving).
    const atRisk = (await bots[0].services.inventorySnapshot())?.certificates.filter(
      (c) =>
        c.deployment?.state === 'stale' ||
        (!c.replacedBy &&
          shared.sandbox.dataset.certificates.some(
            (d) => String(d.certificateId) === c.id && (d.status === 'WILLEXPIRED' || d.status === 'EXPIRED'),
          )),
    );
    expect(announced.sort()).toEqual((atRisk ?? []).map((c) => c.id).sort());
  } finally {
    await Promise.all(bots.map((bot) => bot.stop()));
  }
}, 30_000);

test('three bots on one PostgreSQL post a channel’s first-day summary once between them', async () => {
  // Its own channel: the test above announced certificates one by one in C0ALERTS.
  const env = botEnv(shared.sandbox, shared.slack, {
    DATABASE_URL: shared.db.url,
    INVENTORY_SYNC_MINUTES: '30',
    REDIS_URL: shared.redisUrl,
    DATA_DIR: tempDataDir(),
    ALERT_CHANNEL: 'C0SUMMARY',
    ALERT_HOURS: '00:00-24:00',
  });
  const start = () => startTestBot(env, new LogCapture(), { redisNamespace: shared.namespace });
  const bots = await Promise.all([start(), start(), start()]);
  try {
    await Promise.all(bots.map((bot) => bot.jobsStarted));
    await Promise.all(
      bots.flatMap((bot) => [bot.services.runAlerts({ post: true }), bot.services.runAlerts({ post: true })]),
    );
    const posted = shared.slack.apiCalls('chat.postMessage').filter((c) => c.body.channel === 'C0SUMMARY');
    expect(posted).toHaveLength(1);
    expect(String(posted[0].body.text)).toMatch(/^Now watching \d+ certificates: /);
  } finally {
    await Promise.all(bots.map((bot) => bot.stop()));
  }
}, 30_000);
