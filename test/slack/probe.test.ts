import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DEFAULT_PROBE_DENY_WITHOUT_LOOPBACK } from '../../src/probe/deny';
import type { SandboxCertificate } from '../../src/sandbox';
import { wireControl } from '../../src/sandbox';
import { AppHarness, USER, visibleText } from '../helpers/app-harness';

/*
 * What endpoints really serve, in Slack and in the store: /cert-probe over real TLS against the
 * simulator's wire, the scheduled probe pass (one replica per interval) and its metrics.
 */

const caDir = fs.mkdtempSync(path.join(os.tmpdir(), 'probe-ca-'));
afterAll(() => fs.rmSync(caDir, { recursive: true, force: true }));

/** A harness whose simulator serves the wire, with PROBE_* pointing at it; `deny` as PROBE_DENY. */
async function probingHarness(options: { dataDir?: string; deny?: string } = {}): Promise<AppHarness> {
  const harness = new AppHarness(options.dataDir);
  const env: Record<string, string> = { PROBE_INTERVAL_MINUTES: '60' };
  await harness.start({
    env,
    sandbox: { wire: true },
    beforeConfig: () => {
      const wire = harness.sandbox.wire;
      if (!wire) throw new Error('the simulator serves no wire');
      const caFile = path.join(caDir, `ca-${wire.port}.pem`);
      fs.writeFileSync(caFile, wire.caPem);
      Object.assign(env, {
        PROBE_RESOLVE: `*:*=${wire.endpoint}`,
        PROBE_CA_FILE: caFile,
        PROBE_DENY: options.deny ?? DEFAULT_PROBE_DENY_WITHOUT_LOOPBACK.join(','),
      });
    },
  });
  return harness;
}

/** A domain that exactly one issued certificate serves, by the simulator's resources. */
function deployedDomain(harness: AppHarness, skip = 0): { name: string; cert: SandboxCertificate } {
  const counts = new Map<string, SandboxCertificate[]>();
  for (const cert of harness.sandbox.dataset.certificates)
    for (const r of cert.resources)
      if (r.domain && r.enableHttps) counts.set(r.domain, [...(counts.get(r.domain) ?? []), cert]);
  const found = [...counts].filter(([, certs]) => certs.length === 1 && certs[0]?.status === 'ISSUED')[skip];
  if (!found) throw new Error('no deployed domain');
  return { name: found[0], cert: found[1][0] as SandboxCertificate };
}

async function handshakes(harness: AppHarness): Promise<number> {
  return (await wireControl(harness.sandbox.url).info()).handshakes;
}

describe('/cert-probe', () => {
  let harness: AppHarness;
  beforeAll(async () => {
    harness = await probingHarness();
    await harness.services.syncNow();
  }, 60_000);
  afterAll(() => harness.stop());

  test('answers, only to the person, what the endpoint serves: its verdict, chain, fingerprint and the CAS certificate', async () => {
    const { name, cert } = deployedDomain(harness);
    const { status, answer } = await harness.command('/cert-probe', name);
    expect(status).toBe(200);
    expect(answer.response_type).toBe('ephemeral');
    const text = visibleText(answer);
    expect(text).toContain(`*${name}* — *ok*`);
    expect(text).toContain(String(cert.certificateId));
    expect(text).toMatch(/SHA-256/);
    expect(text).toMatch(/Chain served/);
    expect(text).toContain(cert.endDate.slice(0, 10));
  });

  test('a name that serves a certificate CAS does not hold is reported as unmanaged', async () => {
    const { name } = deployedDomain(harness, 1);
    await wireControl(harness.sandbox.url).serve(name, { serve: 'unmanaged' });
    const { answer } = await harness.command('/cert-probe', `${name}:443`);
    expect(visibleText(answer)).toContain(`*${name}* — *unmanaged*`);
    expect(visibleText(answer)).toContain('not a certificate CAS holds');
  });

  test.each([
    ['a URL', 'https://www.example.com/', /is a URL/],
    ['an IP address', '10.0.0.1', /is an IP address/],
    ['a port out of range', 'www.example.com:70000', /port/i],
    ['a mention', '<@U0OTHER>', /mention/],
    ['two names', 'www.example.com api.example.com', /Give one host name/],
  ])('%s gets a usage answer and no connection', async (_what, text, message) => {
    const before = await handshakes(harness);
    const { answer } = await harness.command('/cert-probe', text);
    expect(answer.response_type).toBe('ephemeral');
    expect(visibleText(answer)).toMatch(message);
    expect(visibleText(answer)).toContain('/cert-probe <host[:port]>');
    expect(await handshakes(harness)).toBe(before);
  });

  test('one person may probe a few endpoints a minute; the next is refused with when to try again', async () => {
    const { name } = deployedDomain(harness, 2);
    const user = 'U0PROBER1';
    const answers = [];
    for (let i = 0; i < 7; i++) answers.push((await harness.command('/cert-probe', name, user)).answer);
    expect(answers.slice(0, 6).every((a) => visibleText(a).includes('— *ok*'))).toBe(true);
    expect(visibleText(answers[6])).toMatch(/probed 6 endpoints in the last minute: try again in \d+ s/);
    // Another person is not held back by the first one's use.
    expect(visibleText((await harness.command('/cert-probe', name, USER)).answer)).toContain('— *ok*');
  });
});

test('/cert-probe refuses a name that resolves to a denied address (loopback, by default) without connecting', async () => {
  const harness = await probingHarness({ deny: '127.0.0.0/8' });
  try {
    const { name } = deployedDomain(harness);
    const { answer } = await harness.command('/cert-probe', name);
    expect(answer.response_type).toBe('ephemeral');
    expect(visibleText(answer)).toMatch(/Refused: .*127\.0\.0\.1/);
    expect(await handshakes(harness)).toBe(0);
  } finally {
    await harness.stop();
  }
}, 60_000);

describe('the scheduled probe pass', () => {
  test('stores a verdict per target, and /metrics counts endpoints by verdict from it', async () => {
    const harness = await probingHarness();
    try {
      expect(await harness.services.probePass()).toBeUndefined(); // no inventory yet: nothing probed
      expect(await handshakes(harness)).toBe(0);
      await harness.services.syncNow();
      const { name } = deployedDomain(harness);
      await wireControl(harness.sandbox.url).serve(name, { serve: 'expired' });
      const result = await harness.services.probePass();
      expect(result?.verdicts.length).toBeGreaterThan(0);
      const stored = await harness.store.probes.list();
      expect(stored).toHaveLength(result?.verdicts.length ?? -1);
      expect(stored.find((v) => v.endpoint.host === name)?.verdict).toBe('expired');
      const okCount = stored.filter((v) => v.verdict === 'ok').length;
      expect(okCount).toBeGreaterThan(0);
      const metrics = await (await fetch(`http://127.0.0.1:${harness.port}/metrics`)).text();
      expect(metrics).toContain(`certbot_probe_endpoints{verdict="ok"} ${okCount}`);
      const expiredCount = stored.filter((v) => v.verdict === 'expired').length;
      expect(metrics).toContain(`certbot_probe_endpoints{verdict="expired"} ${expiredCount}`);
      // Per-endpoint series only with METRICS_PER_ENDPOINT=true.
      expect(metrics).not.toContain('certbot_probe_success{');

      // /cert-list drift names the endpoint and what it serves; ok endpoints are not listed.
      const drift = visibleText((await harness.command('/cert-list', 'drift')).answer);
      expect(drift).toMatch(new RegExp(`• ${name.replace(/\./g, '\\.')} — \\*expired\\*: serves .*, which expired on`));
      expect(drift).toContain(`Of ${stored.length} endpoints probed`);
      const okHost = stored.find((v) => v.verdict === 'ok')?.endpoint.host as string;
      expect(drift).not.toContain(`• ${okHost} —`);
      // A keyword narrows it to matching hosts.
      const narrowed = visibleText((await harness.command('/cert-list', `drift ${name}`)).answer);
      expect(narrowed).toContain(`• ${name} —`);
      expect(narrowed).toMatch(/Of 1 endpoints probed matching/);
    } finally {
      await harness.stop();
    }
  }, 90_000);

  test("/cert-info says where a certificate is served, with each endpoint's verdict and when it was checked", async () => {
    const harness = await probingHarness();
    try {
      await harness.services.syncNow();
      const { name, cert } = deployedDomain(harness);
      await harness.services.probePass();
      const info = visibleText((await harness.command('/cert-info', String(cert.certificateId))).answer);
      expect(info).toMatch(
        new RegExp(
          `\\*Served at:\\*[\\s\\S]*• ${name.replace(/\./g, '\\.')} — \\*ok\\*: serves certificate ${cert.certificateId}, the current one .*\\(checked \\d{4}-\\d{2}-\\d{2} \\d{2}:\\d{2} UTC\\)`,
        ),
      );
      // Told to serve something CAS does not hold, the name shows up as a problem of this certificate.
      await wireControl(harness.sandbox.url).serve(name, { serve: 'unmanaged' });
      await harness.services.probePass();
      const after = visibleText((await harness.command('/cert-info', String(cert.certificateId))).answer);
      expect(after).toContain(`• ${name} — *unmanaged*: serves a certificate CAS does not hold`);
    } finally {
      await harness.stop();
    }
  }, 90_000);

  test('two replicas on one store: one probes the interval, the other skips it', async () => {
    const first = await probingHarness();
    const second = await probingHarness({ dataDir: first.dataDir });
    try {
      await first.services.syncNow();
      const [a, b] = [await first.services.jobs(), await second.services.jobs()];
      const before = await handshakes(first);
      await Promise.all([a.runNow('probe'), b.runNow('probe')]);
      const targets = (await first.store.probes.list()).length;
      expect(targets).toBeGreaterThan(0);
      // Each replica has its own simulator: exactly one of them was probed, once per target.
      const made = (await handshakes(first)) - before + (await handshakes(second));
      expect(made).toBe(targets);
    } finally {
      await second.stop();
      await first.stop();
    }
  }, 90_000);
});
