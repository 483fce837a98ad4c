import { periodAt } from '../../src/jobs/period';
import { type Sandbox, startSandbox } from '../../src/sandbox';
import { botEnv, establishedStore, eventually, startTestBot, tempDataDir } from '../helpers/bot-harness';
import { FakeSlack } from '../helpers/fake-slack';
import { freshSchema, requirePostgres, type TestSchema } from '../store/postgres-test-db';

let sandbox: Sandbox;
let slack: FakeSlack;
let db: TestSchema;

beforeAll(async () => {
  await requirePostgres();
  db = await freshSchema();
  sandbox = await startSandbox({ certs: 150, seed: 5, qps: 100 });
  slack = await new FakeSlack().start();
});
afterAll(async () => {
  await slack?.stop();
  await sandbox?.close();
  await db?.drop();
});

/** The digests posted (the channel also gets expiry alerts, which are not digests). */
const posts = (channel?: string) =>
  slack
    .apiCalls('chat.postMessage')
    .filter((c) => String(c.body.metadata ?? '').includes('cert_bot_digest'))
    .filter((c) => channel === undefined || c.body.channel === channel);

test('three replicas on one PostgreSQL store post the due digest exactly once per channel', async () => {
  // The default weekly cron: the current period is already due, so every replica's start-up
  // catch-up tries to post it at the same moment. DATA_DIR is set only to show it is unused.
  const env = botEnv(sandbox, slack, {
    DATABASE_URL: db.url,
    DATA_DIR: tempDataDir(),
    DIGEST_CHANNEL: 'C0AAA,C0BBB',
  });
  await establishedStore(env);
  const bots = await Promise.all([startTestBot(env), startTestBot(env), startTestBot(env)]);
  try {
    for (const bot of bots) expect(bot.store.kind).toBe('postgres');
    await Promise.all(bots.map((bot) => bot.jobsStarted));
    await eventually(() => posts().length >= 2);
    // Long enough for a replica that lost the race but went on anyway to show up.
    await new Promise((resolve) => setTimeout(resolve, 1_000));

    expect(posts('C0AAA')).toHaveLength(1);
    expect(posts('C0BBB')).toHaveLength(1);
    const period = periodAt({ cron: '0 9 * * 1', timezone: 'UTC' }, new Date()).key;
    await eventually(async () => (await bots[0].store.claims.list('digest', 10)).every((e) => e.status === 'posted'));
    const ledger = await bots[2].store.claims.list('digest', 10);
    expect(ledger.map((e) => ({ channel: e.subject, period: e.period, status: e.status }))).toEqual([
      { channel: 'C0AAA', period, status: 'posted' },
      { channel: 'C0BBB', period, status: 'posted' },
    ]);
    expect(await bots[1].store.snapshots.previousSnapshot('9999')).toMatchObject({ period });
  } finally {
    await Promise.all(bots.map((bot) => bot.stop()));
  }
});
