import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { certificateState } from '../../src/domain/certificate-state';
import { AppHarness, visibleText } from '../helpers/app-harness';

/**
 * A calm first day for alerts: the first pass after the first sync posts one summary per
 * channel instead of one alert per certificate, and from then on only thresholds crossed
 * later are announced. Real simulator over HTTP, fake Slack, real SQLite, an injected clock.
 */
const DAY = 86_400_000;
const harnesses: AppHarness[] = [];
afterEach(async () => {
  await Promise.all(harnesses.splice(0).map((h) => h.stop()));
});

async function harness(env: Record<string, string> = {}) {
  const clock = { now: new Date() };
  const h = await new AppHarness().start({
    now: () => clock.now,
    certs: 60,
    env: {
      ALERT_HOURS: '00:00-24:00',
      ALERT_CHANNEL: 'C0DEFAULT',
      ALERT_ROUTES: '*.watched.example.com=C0WATCHED <!subteam^S0TEAM>',
      ...env,
    },
  });
  harnesses.push(h);
  return { h, clock, advance: (days: number) => (clock.now = new Date(clock.now.getTime() + days * DAY)) };
}

const ymd = (date: Date) => date.toISOString().slice(0, 10);
const posts = (h: AppHarness, channel: string) =>
  h.slack.apiCalls('chat.postMessage').filter((c) => c.body.channel === channel);
const text = (call: { body: Record<string, unknown> }) => visibleText(call.body as { blocks: unknown[] });

function certificate(h: AppHarness, now: Date, daysLeft: number, name: string) {
  return h.sandbox.addCertificate({
    commonName: name,
    sans: [name],
    startDate: ymd(new Date(now.getTime() - 300 * DAY)),
    endDate: ymd(new Date(now.getTime() + daysLeft * DAY)),
  });
}

test('after the first sync: one summary per channel, no storm; later exactly one alert for a threshold crossed', async () => {
  const { h, clock, advance } = await harness();
  const watched = certificate(h, clock.now, 9, 'api.watched.example.com');
  await h.services.syncNow(); // serve's pass after its sync

  // The default channel: one message, with the counts of the one state of each certificate.
  const snapshot = await h.services.inventorySnapshot();
  const inDefault = (snapshot?.certificates ?? []).filter((c) => c.commonName !== watched.commonName);
  const count = (state: string) => inDefault.filter((c) => certificateState(c, clock.now) === state).length;
  expect(count('expired')).toBeGreaterThan(0);
  expect(posts(h, 'C0DEFAULT')).toHaveLength(1);
  const summary = String(posts(h, 'C0DEFAULT')[0].body.text);
  expect(summary).toContain(`Now watching ${inDefault.length} certificates: ${count('expired')} expired`);
  if (count('expiring') > 0) expect(summary).toContain(`${count('expiring')} expiring within 30 days`);
  if (count('stale') > 0) expect(summary).toContain(`${count('stale')} stale deployment`);
  expect(summary).toContain('`/cert-list expiring`');
  expect(text(posts(h, 'C0DEFAULT')[0])).not.toContain('Acknowledge');

  // The route's channel gets its own summary, of its one certificate.
  expect(posts(h, 'C0WATCHED')).toHaveLength(1);
  expect(String(posts(h, 'C0WATCHED')[0].body.text)).toBe(
    'Now watching 1 certificate: 1 expiring within 30 days — `/cert-list expiring`',
  );

  // Nothing more while nothing crosses a threshold, however often a pass runs.
  await h.services.runAlerts({ post: true });
  await h.services.syncNow();
  expect(posts(h, 'C0WATCHED')).toHaveLength(1);
  expect(posts(h, 'C0DEFAULT')).toHaveLength(1);

  // Two days later the watched certificate crosses the 7-day threshold: exactly one alert.
  advance(2);
  await h.services.runAlerts({ post: true });
  await h.services.runAlerts({ post: true });
  expect(posts(h, 'C0WATCHED')).toHaveLength(2);
  const alert = text(posts(h, 'C0WATCHED')[1]);
  expect(alert).toContain('crossed the 7-day threshold');
  expect(alert).toContain('*expiring*');
  expect(alert).toContain(`\`${watched.certificateId}\``);
  expect(alert).toContain('<!subteam^S0TEAM>');
});

test('a certificate that appears after the first day is announced on its own', async () => {
  const { h, clock } = await harness();
  await h.services.syncNow();
  expect(posts(h, 'C0DEFAULT')).toHaveLength(1);
  const late = certificate(h, clock.now, 5, 'late.example.com');
  await h.services.syncNow();
  expect(posts(h, 'C0DEFAULT')).toHaveLength(2);
  const alert = text(posts(h, 'C0DEFAULT')[1]);
  expect(alert).toContain(`\`${late.certificateId}\``);
  expect(alert).toContain('crossed the 7-day threshold');
  expect(String(posts(h, 'C0DEFAULT')[1].body.text)).toContain('1 certificate needs attention');
});

test('ALERT_BASELINE=off announces every certificate from the first pass; the grace rule holds either way', async () => {
  const { h, clock } = await harness({ ALERT_BASELINE: 'off', ALERT_ROUTES: '*.grace.example.com=C0GRACE' });
  const longGone = certificate(h, clock.now, -30, 'old.grace.example.com');
  const recent = certificate(h, clock.now, -3, 'recent.grace.example.com');
  await h.services.syncNow();
  const all = [...posts(h, 'C0DEFAULT'), ...posts(h, 'C0GRACE')];
  expect(all.map((p) => String(p.body.text)).join('\n')).not.toContain('Now watching');
  expect(posts(h, 'C0DEFAULT').length).toBeGreaterThan(0);
  expect(text(posts(h, 'C0DEFAULT')[0])).toContain('crossed');
  // Expired 3 days before the bot first saw it: announced. 30 days: never one by one.
  expect(posts(h, 'C0GRACE')).toHaveLength(1);
  const grace = text(posts(h, 'C0GRACE')[0]);
  expect(grace).toContain(`\`${recent.certificateId}\``);
  expect(grace).toContain('*expired*');
  expect(grace).not.toContain(`\`${longGone.certificateId}\``);
  await h.services.runAlerts({ post: true });
  expect(posts(h, 'C0GRACE')).toHaveLength(1);
});

test('ALERT_EXPIRED_GRACE_DAYS moves the line', async () => {
  const { h, clock } = await harness({
    ALERT_BASELINE: 'off',
    ALERT_EXPIRED_GRACE_DAYS: '60',
    ALERT_ROUTES: '*.grace.example.com=C0GRACE',
  });
  const longGone = certificate(h, clock.now, -30, 'old.grace.example.com');
  await h.services.syncNow();
  expect(posts(h, 'C0GRACE')).toHaveLength(1);
  expect(text(posts(h, 'C0GRACE')[0])).toContain(`\`${longGone.certificateId}\``);
});

test('a route newly added to ALERT_ROUTES gets its own summary; the channels that had one hear nothing new', async () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'cert-bot-baseline-'));
  try {
    const env = { ALERT_HOURS: '00:00-24:00', ALERT_CHANNEL: 'C0DEFAULT' };
    const before = await new AppHarness(dataDir).start({ certs: 40, env });
    certificate(before, new Date(), 5, 'api.payments.example.com');
    await before.services.syncNow();
    expect(posts(before, 'C0DEFAULT')).toHaveLength(1);
    await before.stop();

    // Restarted with a route for the payments certificates, on the same store and the same CAS data.
    const after = await new AppHarness(dataDir).start({
      certs: 40,
      env: { ...env, ALERT_ROUTES: '*.payments.example.com=C0PAYMENTS' },
    });
    harnesses.push(after);
    certificate(after, new Date(), 5, 'api.payments.example.com');
    await after.services.syncNow();
    expect(posts(after, 'C0PAYMENTS')).toHaveLength(1);
    expect(String(posts(after, 'C0PAYMENTS')[0].body.text)).toBe(
      'Now watching 1 certificate: 1 expiring within 30 days — `/cert-list expiring`',
    );
    expect(posts(after, 'C0DEFAULT')).toHaveLength(0);
  } finally {
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
});
