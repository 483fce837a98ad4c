import { type Sandbox, startSandbox } from '../../src/sandbox';
import { LogCapture } from '../helpers/app-harness';
import { botEnv, eventually, startTestBot, type TestBot, tempDataDir } from '../helpers/bot-harness';
import { FakeSlack } from '../helpers/fake-slack';
import { freshSchema, type TestSchema } from '../store/postgres-test-db';

/**
 * One full sync per interval across replicas, with INVENTORY_SYNC_MINUTES=1 and the clock of
 * both bots set seconds before the next minute: the start-up sync runs late in one interval,
 * and the next interval's trigger fires on both bots seconds later.
 */
const MINUTE = 60_000;
const shared = {
  sandbox: undefined as unknown as Sandbox,
  slack: undefined as unknown as FakeSlack,
  db: undefined as unknown as TestSchema,
};

beforeAll(async () => {
  shared.sandbox = await startSandbox({ certs: 300, seed: 23, qps: 100 });
  shared.slack = await new FakeSlack().start();
});

afterAll(async () => {
  await shared.slack?.stop();
  await shared.sandbox?.close();
});

beforeEach(async () => {
  shared.sandbox.resetCalls();
  shared.sandbox.setFaults({ latencyMs: 0 });
  // A new database for each test: the first bot finds the inventory empty.
  shared.db = await freshSchema();
});

afterEach(async () => {
  await shared.db?.drop();
});

/** Each sync asks for the first page of each of its two listings once. */
const syncsSeen = () =>
  shared.sandbox.calls.filter((c) => c.action === 'ListUserCertificateOrder' && c.query.CurrentPage === '1').length / 2;

/** A clock that runs with the real one, `beforeBoundaryMs` before a minute boundary now. */
function clockBeforeBoundary(beforeBoundaryMs: number): { now: () => Date; nextBoundary: Date } {
  const real = Date.now();
  const offset = MINUTE - beforeBoundaryMs - (real % MINUTE);
  return { now: () => new Date(Date.now() + offset), nextBoundary: new Date(real + offset + beforeBoundaryMs) };
}

async function twoBots(now: () => Date): Promise<TestBot[]> {
  const env = botEnv(shared.sandbox, shared.slack, {
    DATABASE_URL: shared.db.url,
    INVENTORY_SYNC_MINUTES: '1',
    DATA_DIR: tempDataDir(),
  });
  const bots: TestBot[] = [];
  for (let i = 0; i < 2; i++) bots.push(await startTestBot(env, new LogCapture(), { now, syncLeaseMs: 5_000 }));
  return bots;
}

/** The next interval's claim, once a bot has finished with it. */
async function settledClaim(bot: TestBot, period: Date) {
  const key = { kind: 'job', subject: 'inventory-sync', period: period.toISOString() };
  await eventually(async () => {
    const entry = await bot.store.claims.get(key);
    return entry !== undefined && entry.status !== 'claimed';
  }, 20_000);
  return bot.store.claims.get(key);
}

test('a start-up sync late in an interval stands for the next one: the next trigger on either replica skips', async () => {
  const clock = clockBeforeBoundary(15_000);
  const bots = await twoBots(clock.now);
  try {
    await Promise.all(bots.map((bot) => bot.jobsStarted));
    expect(syncsSeen()).toBe(1);
    // The start-up sync finished within its interval (the case of the other test otherwise).
    expect(clock.now().getTime()).toBeLessThan(clock.nextBoundary.getTime());
    // The next interval begins on both bots; the sync that started seconds ago is its sync.
    const claim = await settledClaim(bots[1], clock.nextBoundary);
    expect(claim?.status).toBe('skipped');
    expect(String(claim?.result?.reason)).toMatch(/a sync started .* less than half an interval before/);
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(syncsSeen()).toBe(1);
  } finally {
    await Promise.all(bots.map((bot) => bot.stop()));
  }
}, 40_000);

test('a sync still running when the next interval begins is not doubled by another replica', async () => {
  const clock = clockBeforeBoundary(2_500);
  // Every CAS answer takes a second: the start-up sync runs on past the boundary.
  shared.sandbox.setFaults({ latencyMs: 1_000 });
  const bots = await twoBots(clock.now);
  try {
    const claim = await settledClaim(bots[0], clock.nextBoundary);
    expect(claim?.status).toBe('skipped');
    // Still running at the boundary, or (when a busy machine started the bots late) just
    // finished by the time the trigger is judged: either way it is this interval's one sync.
    expect(String(claim?.result?.reason)).toMatch(/still running|a sync started .* less than half an interval before/);
    await Promise.all(bots.map((bot) => bot.jobsStarted));
    expect(syncsSeen()).toBe(1);
    // The one sync finished and every replica reads it.
    for (const bot of bots) expect((await bot.services.inventorySnapshot())?.certificates.length).toBeGreaterThan(0);
  } finally {
    await Promise.all(bots.map((bot) => bot.stop()));
  }
}, 40_000);
