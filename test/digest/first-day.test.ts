import type { Sandbox } from '../../src/sandbox';
import { visibleText } from '../helpers/app-harness';
import { botEnv, eventually, startTestBot, tempDataDir } from '../helpers/bot-harness';
import type { FakeSlack } from '../helpers/fake-slack';
import { useStack } from '../helpers/stack';

/**
 * A calm first day for the digest: a fresh `serve` reports no week that ended before its store
 * existed, and builds no digest before its first inventory sync. The bot's clock is injected;
 * CAS is the simulator over HTTP, Slack the fake Web API, the store real SQLite.
 */
let sandbox: Sandbox;
let slack: FakeSlack;
useStack({ certs: 40, seed: 19 }, (stack) => ({ sandbox, slack } = stack));

const digests = () =>
  slack.apiCalls('chat.postMessage').filter((c) => String(c.body.metadata ?? '').includes('cert_bot_digest'));
const settle = (ms = 1_000) => new Promise((resolve) => setTimeout(resolve, ms));

// Saturday: the digest (Mondays 09:00 UTC) of the week that ended last Monday was due before the store existed.
const SATURDAY = new Date('2026-12-05T10:00:00Z');
const NEXT_MONDAY_ON_TIME = new Date('2026-12-07T09:00:30Z');
const NEXT_MONDAY_LATE = new Date('2026-12-07T11:30:00Z');

async function bot(env: Record<string, string>, clock: { now: Date }) {
  return startTestBot(
    botEnv(sandbox, slack, { DATA_DIR: tempDataDir(), DIGEST_CHANNEL: 'C0DIGEST', ALERT_CHANNEL: 'C0ALERTS', ...env }),
    undefined,
    { now: () => clock.now, catchUpIntervalMs: 100 },
  );
}

test('a fresh serve posts no late digest for the week before its store existed, and the next one on time', async () => {
  const clock = { now: SATURDAY };
  const b = await bot({ INVENTORY_SYNC_MINUTES: '30' }, clock);
  try {
    await b.jobsStarted;
    await eventually(async () => (await b.store.inventory.syncState()).lastSuccess !== undefined);
    await settle();
    expect(digests()).toHaveLength(0);
    expect(await b.store.info.createdAt()).toEqual(SATURDAY);
    expect(b.logs.text()).toContain("ended before the bot's store was created");

    clock.now = NEXT_MONDAY_ON_TIME;
    await eventually(() => digests().length === 1);
    await settle(500);
    expect(digests()).toHaveLength(1);
    const text = `${String(digests()[0].body.text)}\n${visibleText(digests()[0].body as { blocks: unknown[] })}`;
    expect(text).toContain('Weekly certificate digest');
    expect(text).not.toContain('posted late');
  } finally {
    await b.stop();
  }
}, 30_000);

test('the first digest waits for the first inventory sync, then is posted once', async () => {
  const clock = { now: SATURDAY };
  // No background sync: the inventory exists only once `cert-bot sync` (here: syncNow) has run.
  const b = await bot({ INVENTORY_SYNC_MINUTES: '0' }, clock);
  try {
    await b.jobsStarted;
    clock.now = NEXT_MONDAY_ON_TIME;
    await settle();
    expect(digests()).toHaveLength(0);
    expect(b.logs.text()).toContain('no inventory sync has finished yet');

    await b.services.syncNow();
    await eventually(() => digests().length === 1);
    await settle(500);
    expect(digests()).toHaveLength(1);
    expect(String(digests()[0].body.text)).not.toContain('posted late');
  } finally {
    await b.stop();
  }
}, 30_000);

test('a digest caught up late for a week the bot existed still says it is late', async () => {
  const clock = { now: SATURDAY };
  const b = await bot({ INVENTORY_SYNC_MINUTES: '0' }, clock);
  try {
    await b.jobsStarted;
    await b.services.syncNow();
    await settle(300);
    expect(digests()).toHaveLength(0);
    // Monday 09:00 came and went without the bot: it is back at 11:30.
    clock.now = NEXT_MONDAY_LATE;
    await eventually(() => digests().length === 1);
    expect(visibleText(digests()[0].body as { blocks: unknown[] })).toContain(
      'posted late: the bot was down at Monday 09:00 UTC (7 Dec 2026), when it was due',
    );
  } finally {
    await b.stop();
  }
}, 30_000);
