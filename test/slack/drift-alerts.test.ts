import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DEFAULT_PROBE_DENY_WITHOUT_LOOPBACK } from '../../src/probe/deny';
import type { Sandbox, SandboxCertificate } from '../../src/sandbox';
import { wireControl } from '../../src/sandbox';
import { AppHarness, buttons, visibleText } from '../helpers/app-harness';

/*
 * Drift alerts over real TLS on 127.0.0.1: the simulator's wire serves what CAS says is deployed
 * until a control route makes a name serve something else; the probe pass (PROBE_RESOLVE to the
 * wire) finds it, the alert goes through the alert routing by the host name to the fake Slack,
 * and its buttons come back signed through Bolt.
 */

const CHANNEL = 'C0GENERAL'; // where the test button presses say they come from
const caDir = fs.mkdtempSync(path.join(os.tmpdir(), 'drift-ca-'));
afterAll(() => fs.rmSync(caDir, { recursive: true, force: true }));

/** A domain that exactly one issued certificate serves, by the simulator's resources. */
function deployedDomain(sandbox: Sandbox, skip = 0): { name: string; cert: SandboxCertificate } {
  const counts = new Map<string, SandboxCertificate[]>();
  for (const cert of sandbox.dataset.certificates)
    for (const r of cert.resources)
      if (r.domain && r.enableHttps) counts.set(r.domain, [...(counts.get(r.domain) ?? []), cert]);
  const found = [...counts].filter(([, certs]) => certs.length === 1 && certs[0]?.status === 'ISSUED')[skip];
  if (!found) throw new Error('no deployed domain');
  return { name: found[0], cert: found[1][0] as SandboxCertificate };
}

/**
 * A probing bot whose alerts for the watched domain's endpoint go to CHANNEL (ALERT_ROUTES by the
 * host name), everything else to C0DEFAULT; `shared` makes it a replica of another bot.
 */
async function driftHarness(options: { shared?: AppHarness; env?: Record<string, string> } = {}): Promise<AppHarness> {
  const harness = new AppHarness(options.shared?.dataDir);
  const env: Record<string, string> = {
    PROBE_INTERVAL_MINUTES: '60',
    ALERT_HOURS: '00:00-24:00',
    ALERT_CHANNEL: 'C0DEFAULT',
    ...options.env,
  };
  await harness.start({
    env,
    sandbox: { wire: true },
    ...(options.shared ? { sharedSandbox: options.shared.sandbox } : {}),
    beforeConfig: () => {
      const wire = harness.sandbox.wire;
      if (!wire) throw new Error('the simulator serves no wire');
      const caFile = path.join(caDir, `ca-${wire.port}.pem`);
      fs.writeFileSync(caFile, wire.caPem);
      Object.assign(env, {
        PROBE_RESOLVE: `*:*=${wire.endpoint}`,
        PROBE_CA_FILE: caFile,
        PROBE_DENY: DEFAULT_PROBE_DENY_WITHOUT_LOOPBACK.join(','),
        ALERT_ROUTES: `${deployedDomain(harness.sandbox).name}=${CHANNEL}`,
      });
    },
  });
  return harness;
}

const text = (call: { body: Record<string, unknown> }) => visibleText(call.body as { blocks: unknown[] });
/** The drift alerts a bot posted in CHANNEL (its certificate alerts may go there too). */
const driftPosts = (h: AppHarness) =>
  h.slack
    .apiCalls('chat.postMessage')
    .filter((c) => c.body.channel === CHANNEL && String(c.body.text).includes('not serve the current certificate'));

async function eventuallyUpdated(harnesses: AppHarness[], ts: string, expected: string | RegExp) {
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    for (const h of harnesses) {
      const update = h.slack
        .apiCalls('chat.update')
        .reverse()
        .find(
          (c) =>
            c.body.ts === ts && (typeof expected === 'string' ? text(c).includes(expected) : expected.test(text(c))),
        );
      if (update) return update;
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`no chat.update of ${ts} showing "${String(expected)}"`);
}

test('two replicas on one store post a drift alert once, and it is updated in place when the endpoint is fixed', async () => {
  const first = await driftHarness();
  const second = await driftHarness({ shared: first });
  try {
    const { name, cert } = deployedDomain(first.sandbox);
    await first.services.syncNow();
    await wireControl(first.sandbox.url).serve(name, { serve: 'unmanaged' });
    await first.services.probePass();
    // Every replica runs alert passes, twice each, all at once: the claims let the alert through once.
    await Promise.all([first, second, first, second].map((h) => h.services.runAlerts({ post: true })));
    const posted = [...driftPosts(first), ...driftPosts(second)];
    expect(posted).toHaveLength(1);
    const alert = text(posted[0]);
    expect(alert).toContain(`*${name}* — *unmanaged*: serves a certificate CAS does not hold`);
    expect(buttons(posted[0].body as { blocks: unknown[] }).map((b) => b.text)).toEqual([
      'Acknowledge',
      'Snooze 1 day',
      'Snooze 7 days',
    ]);
    // The next pass finds the same finding: nothing new.
    await first.services.probePass();
    await second.services.runAlerts({ post: true });
    expect([...driftPosts(first), ...driftPosts(second)]).toHaveLength(1);

    const [stored] = (await first.store.driftAlerts.list({ open: true })).filter((r) => r.host === name);
    expect(stored?.channel).toBe(CHANNEL);
    // Fixed: the wire serves what CAS says is deployed again; the probe job's pass updates the message.
    await wireControl(first.sandbox.url).clear(name);
    await (await first.services.jobs()).runNow('probe');
    const update = await eventuallyUpdated(
      [first, second],
      stored?.ts as string,
      `now serves ${cert.certificateId} ✅`,
    );
    expect(text(update)).toContain(name);
    expect(buttons(update.body as { blocks: unknown[] })).toEqual([]);
    // Once: another pass does not update it again, nor post anything.
    const updates = first.slack.apiCalls('chat.update').length + second.slack.apiCalls('chat.update').length;
    await Promise.all([first.services.runAlerts({ post: true }), second.services.runAlerts({ post: true })]);
    expect(first.slack.apiCalls('chat.update').length + second.slack.apiCalls('chat.update').length).toBe(updates);
    expect([...driftPosts(first), ...driftPosts(second)]).toHaveLength(1);
  } finally {
    await second.stop();
    await first.stop();
  }
}, 120_000);

describe('the buttons of a drift alert', () => {
  let h: AppHarness;
  let name: string;
  let ts: string;
  let value: string;
  beforeAll(async () => {
    h = await driftHarness();
    ({ name } = deployedDomain(h.sandbox));
    await h.services.syncNow();
    await wireControl(h.sandbox.url).serve(name, { serve: 'expired' });
    await (await h.services.jobs()).runNow('probe');
    const [post] = driftPosts(h);
    if (!post) throw new Error('no drift alert was posted');
    expect(text(post)).toContain(`*${name}* — *expired*`);
    const [stored] = (await h.store.driftAlerts.list({ open: true })).filter((r) => r.host === name);
    ts = stored?.ts as string;
    value = buttons(post.body as { blocks: unknown[] }).find((b) => b.text === 'Acknowledge')?.value as string;
  }, 90_000);
  afterAll(() => h.stop());

  test('Acknowledge updates the message with who did; a second press says who already did', async () => {
    const pressed = await h.sendPress('cert_drift_ack', value, 'U0ALICE', ts);
    expect(pressed.status).toBe(200);
    const update = await eventuallyUpdated([h], ts, 'Acknowledged by <@U0ALICE>');
    expect(buttons(update.body as { blocks: unknown[] }).map((b) => b.text)).toEqual(['Snooze 1 day', 'Snooze 7 days']);
    const again = await h.press('cert_drift_ack', value, 'U0BOB', ts);
    expect(visibleText(again.answer)).toContain('Already acknowledged by <@U0ALICE>');
    const audit = await h.store.audit.list(10);
    expect(audit.some((e) => e.action === 'drift-acknowledge' && e.userId === 'U0ALICE')).toBe(true);
  });

  test('Snooze 7 days updates the message with until when, and holds the endpoint’s next alert', async () => {
    const pressed = await h.sendPress('cert_drift_snooze_7d', value, 'U0CAROL', ts);
    expect(pressed.status).toBe(200);
    await eventuallyUpdated([h], ts, /Snoozed until .* by <@U0CAROL>/);
    // Another wrong certificate on the same endpoint while snoozed: no new alert.
    await wireControl(h.sandbox.url).serve(name, { serve: 'unmanaged' });
    await (await h.services.jobs()).runNow('probe');
    await h.services.runAlerts({ post: true });
    expect(driftPosts(h)).toHaveLength(1);
  });

  test('a press naming an endpoint with no open drift alert, or a forged one, changes nothing and says so', async () => {
    const other = await h.press(
      'cert_drift_ack',
      JSON.stringify({ host: 'nothing.example.com', port: 443 }),
      'U0ALICE',
    );
    expect(visibleText(other.answer)).toContain('has no open drift alert');
    expect(other.answer.replace_original).toBe(false);
    const forged = await h.press('cert_drift_ack', JSON.stringify({ host: 'a b', port: 99999 }), 'U0ALICE');
    expect(forged.status).toBe(200);
    expect(visibleText(forged.answer)).toContain('This button could not be used');
    expect((await h.store.driftAlerts.list({ endpoint: { host: 'a b', port: 99999 } })).length).toBe(0);
  });
});

test('the digest, App Home, /cert-list drift and the metrics count endpoints by verdict alike', async () => {
  const h = await driftHarness();
  try {
    // Before any probe pass: no endpoint line anywhere.
    await h.services.syncNow();
    expect(visibleText(await (await h.services.digest()).preview())).not.toContain('Endpoints:');
    const wire = wireControl(h.sandbox.url);
    await wire.serve(deployedDomain(h.sandbox, 0).name, { serve: 'unmanaged' });
    await wire.serve(deployedDomain(h.sandbox, 1).name, { serve: 'expired' });
    await h.services.probePass();

    const stored = await h.store.probes.list();
    const count = (verdict: string) => stored.filter((v) => v.verdict === verdict).length;
    expect(count('unmanaged')).toBeGreaterThan(0);
    expect(count('expired')).toBeGreaterThan(0);
    const drift = visibleText((await h.command('/cert-list', 'drift')).answer);
    const line = /Endpoints: [^\n*]+/.exec(drift)?.[0] as string;
    expect(line).toContain(`${count('ok')} ok`);
    expect(line).toContain(`${count('unmanaged')} unmanaged`);
    expect(line).toContain(`${count('expired')} expired`);

    const digest = visibleText(await (await h.services.digest()).preview());
    expect(digest).toContain(`*${line}*`);
    expect(digest).toContain('`/cert-list drift` lists the endpoints');

    expect(await h.openHome('U0HOME01')).toBe(200);
    const home = visibleText(await h.waitForHome('U0HOME01'));
    expect(home).toContain(`*${line}*`);

    const metrics = await (await fetch(`http://127.0.0.1:${h.port}/metrics`)).text();
    expect(metrics).toContain(`certbot_probe_endpoints{verdict="ok"} ${count('ok')}`);
    expect(metrics).toContain(`certbot_probe_endpoints{verdict="unmanaged"} ${count('unmanaged')}`);
  } finally {
    await h.stop();
  }
}, 90_000);

test('outside ALERT_HOURS a drift alert waits for the window', async () => {
  // A one-hour window two hours from now (UTC): whatever the hour the test runs, it is outside.
  const hour = (new Date().getUTCHours() + 2) % 24;
  const pad = (n: number) => String(n).padStart(2, '0');
  const h = await driftHarness({
    env: { ALERT_HOURS: `${pad(hour)}:00-${pad(hour)}:59`, ALERT_TIMEZONE: 'UTC' },
  });
  try {
    await h.services.syncNow();
    await wireControl(h.sandbox.url).serve(deployedDomain(h.sandbox).name, { serve: 'unmanaged' });
    await h.services.probePass();
    const result = await h.services.runAlerts({ post: true });
    expect(result.drift?.held).toBe(true);
    expect(result.drift?.messages.some((m) => m.channel === CHANNEL && m.status === 'skipped')).toBe(true);
    expect(driftPosts(h)).toHaveLength(0);
  } finally {
    await h.stop();
  }
}, 90_000);
