import { useReplicaEnvironment } from '../helpers/replica-environment';
import { LogCapture } from '../helpers/app-harness';
import { botEnv, startTestBot, tempDataDir } from '../helpers/bot-harness';

const shared = useReplicaEnvironment({ certs: 300, seed: 8 });

/** Each sync asks for the first page of each of its two listings once. */
const syncsSeen = () =>
  shared.sandbox.calls.filter((c) => c.action === 'ListUserCertificateOrder' && c.query.CurrentPage === '1').length / 2;

test('three bots on one PostgreSQL and one Redis run one sync per interval between them', async () => {
  const env = botEnv(shared.sandbox, shared.slack, {
    DATABASE_URL: shared.db.url,
    INVENTORY_SYNC_MINUTES: '30',
    REDIS_URL: shared.redisUrl,
    DATA_DIR: tempDataDir(),
  });
  const start = () => startTestBot(env, new LogCapture(), { redisNamespace: shared.namespace });
  const bots = await Promise.all([start(), start(), start()]);
  try {
    // Every bot finds the inventory empty at start, so every one wants to sync this interval.
    await Promise.all(bots.map((bot) => bot.jobsStarted));
    expect(syncsSeen()).toBe(1);
    const state = await bots[2].store.inventory.syncState();
    expect(state.lastSuccess?.changes?.certificates).toBe(
      shared.sandbox.dataset.certificates.filter((c) => c.status !== 'REVOKED').length,
    );
    // Triggered again within the same interval, on every replica: the lease says it is done.
    await Promise.all(bots.map(async (bot) => (await bot.services.jobs()).runNow('inventory-sync')));
    expect(syncsSeen()).toBe(1);
    // Every replica reads what the one that synced wrote.
    for (const bot of bots) expect((await bot.services.inventorySnapshot())?.certificates.length).toBeGreaterThan(0);
  } finally {
    await Promise.all(bots.map((bot) => bot.stop()));
  }
}, 30_000);
