import { AppHarness, buttons, visibleText } from '../helpers/app-harness';

/**
 * Expiry alerts over real HTTP: the simulator's control routes change certificates, a settable
 * clock moves days, alerts go to the fake Slack, and buttons come back signed through Bolt.
 */
const DAY = 86_400_000;
const CHANNEL = 'C0GENERAL'; // where the test button presses say they come from
const harnesses: AppHarness[] = [];
afterEach(async () => {
  await Promise.all(harnesses.splice(0).map((h) => h.stop()));
});

async function harness(env: Record<string, string> = {}, start = new Date('2026-12-01T10:00:00Z')) {
  const clock = { now: start };
  const h = await new AppHarness().start({
    now: () => clock.now,
    certs: 40,
    env: {
      ALERT_HOURS: '00:00-24:00',
      // Every certificate one by one from the first pass: the behaviour these tests are about
      // (the first-day summary has its own tests in baseline.test.ts).
      ALERT_BASELINE: 'off',
      ALERT_CHANNEL: 'C0DEFAULT',
      ALERT_ROUTES: `*.watched.example.com=${CHANNEL} <!subteam^S0TEAM>`,
      ...env,
    },
  });
  harnesses.push(h);
  return { h, clock, advance: (days: number) => (clock.now = new Date(clock.now.getTime() + days * DAY)) };
}

const ymd = (date: Date) => date.toISOString().slice(0, 10);
const posts = (h: AppHarness, channel = CHANNEL) =>
  h.slack.apiCalls('chat.postMessage').filter((c) => c.body.channel === channel);
const text = (call: { body: Record<string, unknown> }) => visibleText(call.body as { blocks: unknown[] });

function watched(h: AppHarness, now: Date, daysLeft: number, name = 'api.watched.example.com') {
  return h.sandbox.addCertificate({
    commonName: name,
    sans: [name],
    startDate: ymd(new Date(now.getTime() - 300 * DAY)),
    endDate: ymd(new Date(now.getTime() + daysLeft * DAY)),
  });
}

test('moved from 8 to 6 days left: exactly one 7-day alert, in its route’s channel, with the mention', async () => {
  const { h, clock, advance } = await harness();
  const cert = watched(h, clock.now, 8);
  await h.services.syncNow(); // a pass runs after every sync
  expect(posts(h)).toHaveLength(1);
  expect(text(posts(h)[0])).toContain('crossed the 14-day threshold');
  // The state in the words /cert-list and the digest use.
  expect(text(posts(h)[0])).toContain('*expiring* · crossed the 14-day threshold');

  advance(2);
  await h.services.runAlerts({ post: true });
  expect(posts(h)).toHaveLength(2);
  const alert = posts(h)[1];
  expect(String(alert.body.text)).toContain('1 certificate needs attention');
  expect(text(alert)).toContain('<!subteam^S0TEAM>');
  expect(text(alert)).toContain('crossed the 7-day threshold');
  expect(text(alert)).toContain(`\`${cert.certificateId}\``);
  expect(buttons(alert.body as { blocks: unknown[] }).map((b) => b.text)).toEqual([
    'Acknowledge',
    'Snooze 1 day',
    'Snooze 7 days',
  ]);

  await h.services.runAlerts({ post: true });
  expect(posts(h)).toHaveLength(2);
  // The other certificates went to the default channel, not to this route's.
  expect(posts(h, 'C0DEFAULT').length).toBeGreaterThan(0);
});

test('first seen with 5 days left: only the 7-day alert, not 30, 14 and 7', async () => {
  const { h, clock } = await harness();
  watched(h, clock.now, 5);
  await h.services.syncNow();
  await h.services.runAlerts({ post: true });
  expect(posts(h)).toHaveLength(1);
  expect(text(posts(h)[0])).toContain('crossed the 7-day threshold');
  expect(text(posts(h)[0])).not.toMatch(/30-day|14-day/);
});

test('acknowledge updates the message and mutes 3 and 1, but not the expiry day', async () => {
  const { h, clock, advance } = await harness();
  watched(h, clock.now, 5);
  await h.services.syncNow();
  const alert = posts(h)[0];
  const ack = buttons(alert.body as { blocks: unknown[] }).find((b) => b.text === 'Acknowledge');
  const ts = await alertTs(h, alert);
  const pressed = await h.sendPress('cert_alert_ack', ack?.value ?? '', 'U0ALICE', ts);
  expect(pressed.status).toBe(200);
  await eventuallyUpdated(h, ts, 'Acknowledged by <@U0ALICE>');
  const again = await h.press('cert_alert_ack', ack?.value ?? '', 'U0BOB', ts);
  expect(visibleText(again.answer)).toContain('Already acknowledged by <@U0ALICE>');

  advance(2); // 3 days left
  await h.services.runAlerts({ post: true });
  advance(2); // 1 day left
  await h.services.runAlerts({ post: true });
  expect(posts(h)).toHaveLength(1);
  advance(1); // the expiry day
  await h.services.runAlerts({ post: true });
  expect(posts(h)).toHaveLength(2);
  expect(text(posts(h)[1])).toContain('crossed the expiry day');
});

test('snooze 1 day delays the next threshold to the next day', async () => {
  const { h, clock, advance } = await harness();
  watched(h, clock.now, 4);
  await h.services.syncNow();
  const alert = posts(h)[0];
  const snooze = buttons(alert.body as { blocks: unknown[] }).find((b) => b.text === 'Snooze 1 day');
  const ts = await alertTs(h, alert);
  await h.sendPress('cert_alert_snooze_1d', snooze?.value ?? '', 'U0ALICE', ts);
  await eventuallyUpdated(h, ts, 'Snoozed until');

  advance(1); // 3 days left, but snoozed for another moment
  clock.now = new Date(clock.now.getTime() - 60_000);
  await h.services.runAlerts({ post: true });
  expect(posts(h)).toHaveLength(1);
  clock.now = new Date(clock.now.getTime() + 2 * 60_000); // the snooze is over
  await h.services.runAlerts({ post: true });
  expect(posts(h)).toHaveLength(2);
  expect(text(posts(h)[1])).toContain('crossed the 3-day threshold');
});

test('a replacement found by a later sync turns the posted alert into “renewed”, and no more alerts come', async () => {
  const { h, clock, advance } = await harness();
  const old = watched(h, clock.now, 6);
  await h.services.syncNow();
  const ts = await alertTs(h, posts(h)[0]);
  h.sandbox.addCertificate({
    commonName: old.commonName,
    sans: [old.commonName],
    startDate: ymd(clock.now),
    endDate: ymd(new Date(clock.now.getTime() + 365 * DAY)),
  });
  await h.services.syncNow();
  const update = await eventuallyUpdated(h, ts, 'Renewed by');
  expect(buttons(update.body as { blocks: unknown[] })).toHaveLength(0);
  advance(4);
  await h.services.runAlerts({ post: true });
  expect(posts(h)).toHaveLength(1);
});

test('quiet hours hold an alert until the window opens', async () => {
  const { h, clock } = await harness(
    { ALERT_HOURS: '09:00-20:00', ALERT_TIMEZONE: 'UTC' },
    new Date('2026-12-01T22:00:00Z'),
  );
  watched(h, clock.now, 6);
  await h.services.syncNow();
  const held = await h.services.runAlerts({ post: true });
  expect(held.held).toBe(true);
  expect(posts(h)).toHaveLength(0);
  clock.now = new Date('2026-12-02T09:00:30Z');
  await h.services.runAlerts({ post: true });
  expect(posts(h)).toHaveLength(1);
});

test('a channel that fails does not stop the others, and its alert stays due', async () => {
  const { h, clock } = await harness({
    ALERT_ROUTES: `*.watched.example.com=${CHANNEL};*.broken.example.com=C0NOPE`,
  });
  watched(h, clock.now, 6);
  watched(h, clock.now, 6, 'x.broken.example.com');
  const answer = (body: Record<string, unknown>) =>
    body.channel === 'C0NOPE'
      ? { status: 200, body: { ok: false, error: 'channel_not_found' } }
      : { status: 200, body: { ok: true, channel: body.channel, ts: `${Math.floor(Date.now() / 1000)}.000777` } };
  h.slack.script('chat.postMessage', answer, answer, answer, answer, answer, answer);
  await h.services.syncNow();
  expect(posts(h)).toHaveLength(1);
  expect(h.logs.text()).toContain('check ALERT_ROUTES');
  const due = await h.services.runAlerts({ post: false });
  expect(due.channels.find((c) => c.channel === 'C0NOPE')?.alerts).toHaveLength(1);
  await h.services.runAlerts({ post: true });
  expect(posts(h, 'C0NOPE').length).toBe(2);
});

test('a hostile certificate name cannot ping or format anything', async () => {
  const { h, clock } = await harness({ ALERT_ROUTES: `*=${CHANNEL}` });
  watched(h, clock.now, 6, '<!channel>*x*<@U123>.watched.example.com');
  await h.services.syncNow();
  const all = posts(h).map(text).join('\n');
  expect(all).not.toContain('<!channel>');
  expect(all).not.toContain('<@U123>');
  expect(all).toContain('&lt;!channel&gt;');
});

/** The ts the fake Slack gave a post (its answer), read back from the bot's record. */
async function alertTs(h: AppHarness, post: { body: Record<string, unknown> }): Promise<string> {
  const history = await fetch(`${h.slack.apiUrl}conversations.history`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ channel: String(post.body.channel) }).toString(),
  });
  const { messages } = (await history.json()) as { messages: Array<{ ts: string; text?: string }> };
  const found = messages.find((m) => m.text === post.body.text);
  if (!found) throw new Error('posted alert not found in the fake Slack');
  return found.ts;
}

async function eventuallyUpdated(h: AppHarness, ts: string, expected: string) {
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    const update = h.slack
      .apiCalls('chat.update')
      .reverse()
      .find((c) => c.body.ts === ts && text(c).includes(expected));
    if (update) return update;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`no chat.update of ${ts} showing "${expected}"`);
}

test('/cert-list shows who acknowledged a certificate and who snoozed it', async () => {
  const { h, clock } = await harness();
  const cert = watched(h, clock.now, 5);
  await h.services.syncNow();
  const alert = posts(h)[0];
  const ts = await alertTs(h, alert);
  const value = buttons(alert.body as { blocks: unknown[] }).find((b) => b.text === 'Acknowledge')?.value ?? '';
  await h.sendPress('cert_alert_ack', value, 'U0ALICE', ts);
  await h.sendPress('cert_alert_snooze_7d', value, 'U0BOB', ts);
  await eventuallyUpdated(h, ts, 'Snoozed until');
  const { answer } = await h.command('/cert-list', `expiring ${cert.commonName}`);
  const shown = visibleText(answer);
  expect(shown).toContain('Acknowledged by <@U0ALICE>');
  expect(shown).toContain('by <@U0BOB>');
  const audit = (await h.store.audit.list(5)).map((e) => `${e.userId}:${e.outcome}`);
  expect(audit).toEqual(expect.arrayContaining(['U0ALICE:acknowledged', 'U0BOB:snoozed']));
});

test('a press naming a certificate the bot does not know gets a clear answer', async () => {
  const { h } = await harness();
  await h.services.syncNow();
  const pressed = await h.press('cert_alert_ack', JSON.stringify({ account: 'default', id: '999999999' }), 'U0ALICE');
  expect(visibleText(pressed.answer)).toContain('not in the inventory');
  expect(pressed.answer.replace_original).toBe(false);
});
