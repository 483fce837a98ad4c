import type Redis from 'ioredis';
import { type Sandbox, startSandbox } from '../../src/sandbox';
import { dropNamespace, freshNamespace, REDIS_URL, requireRedis } from '../cluster/redis-helpers';
import { LogCapture } from '../helpers/app-harness';
import { botEnv, startTestBot, tempDataDir } from '../helpers/bot-harness';
import { FakeSlack } from '../helpers/fake-slack';
import { freshSchema, requirePostgres, type TestSchema } from '../store/postgres-test-db';

let sandbox: Sandbox;
let slack: FakeSlack;
let db: TestSchema;
let redis: Redis;
const namespace = freshNamespace();

beforeAll(async () => {
  await requirePostgres();
  redis = await requireRedis();
  db = await freshSchema();
  sandbox = await startSandbox({ certs: 300, seed: 8, qps: 100 });
  slack = await new FakeSlack().start();
});
afterAll(async () => {
  await slack?.stop();
  await sandbox?.close();
  await db?.drop();
  await dropNamespace(redis, namespace);
  redis?.disconnect();
});

/** Each sync asks for the first page of each of its two listings once. */
const syncsSeen = () =>
  sandbox.calls.filter((c) => c.action === 'ListUserCertificateOrder' && c.query.CurrentPage === '1').length / 2;

test('three bots on one PostgreSQL and one Redis run one sync per interval between them', async () => {
  const env = botEnv(sandbox, slack, { DATABASE_URL: db.url, REDIS_URL, DATA_DIR: tempDataDir() });
  const start = () => startTestBot(env, new LogCapture(), { redisNamespace: namespace });
  const bots = await Promise.all([start(), start(), start()]);
  try {
    // Every bot finds the inventory empty at start, so every one wants to sync this interval.
    await Promise.all(bots.map((bot) => bot.jobsStarted));
    expect(syncsSeen()).toBe(1);
    const state = await bots[2].store.inventory.syncState();
    expect(state.lastSuccess?.changes?.certificates).toBe(
      sandbox.dataset.certificates.filter((c) => c.status !== 'REVOKED').length,
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
