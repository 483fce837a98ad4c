import { DEFAULT_ACCESS_KEY_ID, DEFAULT_ACCESS_KEY_SECRET } from '../../src/sandbox';
import {
  atRiskCount,
  CERTIFICATE_STATES,
  certificateState,
  type CertificateState,
  mostUrgentFirst,
  stateCounts,
} from '../../src/domain/certificate-state';
import { collectDigest, snapshotOf } from '../../src/digest/collect';
import { periodAt } from '../../src/jobs/period';
import { trendRows } from '../../src/render/trend-chart';
import { renderDigest } from '../../src/slack/blocks/digest';
import { BUTTONS } from '../../src/slack/button-codecs';
import type { InventorySnapshot } from '../../src/inventory/stored-source';
import { AppHarness, buttons, visibleText } from '../helpers/app-harness';
import { runCli } from '../helpers/run-cli';

/**
 * One inventory at one moment, every surface: the simulator (with renewals, most of them still
 * served by the old certificate) synced into a real SQLite store, then /cert-risk, /cert-list of
 * each view, the digest text and its chart data, App Home, `cert-bot list` and /metrics. The
 * same question must get the same count everywhere.
 */
let h: AppHarness;
let snapshot: InventorySnapshot;
let counts: ReturnType<typeof stateCounts>;

beforeAll(async () => {
  h = await new AppHarness().start({ certs: 200, sandbox: { replacedPairs: 10 } });
  await h.services.syncNow();
  snapshot = (await h.services.inventorySnapshot())!;
  counts = stateCounts(snapshot.certificates, new Date());
}, 60_000);
afterAll(async () => {
  await h.stop();
});

const number = (text: string | undefined) => Number((text ?? '').replace(/,/g, ''));
const AT_RISK: CertificateState[] = ['stale', 'expired', 'expiring'];

test('the inventory has every at-risk state, so the comparison means something', () => {
  expect(counts.total).toBe(snapshot.certificates.length);
  for (const state of [...AT_RISK, 'renewed'] as const) expect([state, counts[state] > 0]).toEqual([state, true]);
});

test('/cert-risk leads with the inventory counts, CAS counters apart under their label', async () => {
  const { answer } = await h.command('/cert-risk', '');
  const text = visibleText(answer);
  const cas = text.indexOf('*CAS risk counters (certificates, resources and domains)*');
  expect(cas).toBeGreaterThan(0);
  const ours = text.slice(0, cas);
  expect(ours).toContain(`${atRiskCount(counts)} of ${counts.total} certificates at risk`);
  expect(ours).toContain(`Stale deployments: *${counts.stale}*`);
  expect(ours).toContain(`Expired: *${counts.expired}*`);
  expect(ours).toContain(`Expiring: *${counts.expiring}*`);
  expect(ours).toContain(`Renewed: *${counts.renewed}*`);
  expect(answer.text).toContain(`${atRiskCount(counts)} of ${counts.total} certificates at risk`);
});

test('/cert-list of each view: "of N" is the count of its state', async () => {
  const total = async (view: string) => {
    const { answer } = await h.command('/cert-list', view);
    return /of ([\d,]+)\./.exec(answer.text ?? '') ? number(/of ([\d,]+)\./.exec(answer.text ?? '')?.[1]) : 0;
  };
  expect(await total('stale')).toBe(counts.stale);
  expect(await total('expired')).toBe(counts.expired);
  expect(await total('expiring')).toBe(counts.expiring);
  expect(await total('all')).toBe(counts.total);
});

test('the digest text and its chart data count the same', async () => {
  const deps = (await h.services.digest()).deps;
  const now = new Date();
  const data = await collectDigest(deps, periodAt({ cron: '0 9 * * 1', timezone: 'UTC' }, now), now);
  expect(data.inventory?.counts).toEqual(counts);
  expect([data.stale?.length, data.expired.length, data.expiring.length]).toEqual([
    counts.stale,
    counts.expired,
    counts.expiring,
  ]);
  const text = visibleText(renderDigest(data));
  expect(text).toContain(`${atRiskCount(counts)} of ${counts.total} certificates at risk`);
  expect(text).toContain(`Stale deployments (${counts.stale})`);
  expect(text).toContain(`Expired (${counts.expired})`);
  expect(text).toContain(`Expiring (${counts.expiring})`);
  // The chart plots the numbers the text shows: this digest's snapshot is its last bar.
  const [bar] = trendRows([snapshotOf(data)]);
  expect({ stale: bar.stale, expired: bar.expired, expiring: bar.expiring }).toEqual({
    stale: counts.stale,
    expired: counts.expired,
    expiring: counts.expiring,
  });
  // And the preview /cert-risk digest shows is the same digest.
  expect(visibleText(await (await h.services.digest()).preview())).toContain(`Expiring (${counts.expiring})`);
});

test('App Home counts the same, orders by what breaks first, Info and Acknowledge on each item', async () => {
  const user = 'U0COUNT01';
  await h.openHome(user);
  const view = await h.waitForHome(user);
  const text = visibleText(view);
  expect(text).toContain(`*Stale deployments*\n:warning: ${counts.stale}`);
  expect(text).toContain(`*Expired*\n:red_circle: ${counts.expired}`);
  expect(text).toContain(`*Expiring*\n:large_orange_circle: ${counts.expiring}`);
  expect(text).toContain(`*Most urgent* (${atRiskCount(counts)} certificates)`);
  // Each item: Info then Acknowledge, for the same certificate, in the urgency order.
  const pressed = buttons(view).filter((b) => b.text !== 'Refresh');
  expect(pressed.length).toBeGreaterThan(0);
  const info = pressed.filter((_, i) => i % 2 === 0);
  const acknowledge = pressed.filter((_, i) => i % 2 === 1);
  expect(info.map((b) => b.text)).toEqual(info.map(() => 'Info'));
  expect(acknowledge.map((b) => b.text)).toEqual(info.map(() => 'Acknowledge'));
  const shown = info.map((b) => BUTTONS.certInfo.decode(b.value)?.id);
  expect(acknowledge.map((b) => BUTTONS.alertAcknowledge.decode(b.value)?.id)).toEqual(shown);
  const expected = mostUrgentFirst(snapshot.certificates, new Date()).map((c) => c.id);
  expect(shown).toEqual(expected.slice(0, shown.length));
});

test('`cert-bot list` says "showing x of N" with the same N, from the same store', async () => {
  const env = {
    CAS_ENDPOINT: h.sandbox.url,
    ALIBABA_CLOUD_ACCESS_KEY_ID: DEFAULT_ACCESS_KEY_ID,
    ALIBABA_CLOUD_ACCESS_KEY_SECRET: DEFAULT_ACCESS_KEY_SECRET,
    DATA_DIR: h.dataDir,
    INVENTORY_SYNC_MINUTES: '0',
  };
  const of = async (status: string) => {
    const result = await runCli(['list', '--status', status, '--limit', '1'], env);
    expect([status, result.code]).toEqual([status, 0]);
    return number(/showing \d+ of ([\d,]+)/.exec(result.stdout)?.[1]);
  };
  expect(await of('stale')).toBe(counts.stale);
  expect(await of('expired')).toBe(counts.expired);
  expect(await of('expiring')).toBe(counts.expiring);
  expect(await of('all')).toBe(counts.total);
}, 60_000);

test('/metrics has one gauge value per state, the same counts', async () => {
  const metrics = await h.services.metrics.render();
  for (const state of CERTIFICATE_STATES) {
    const value = new RegExp(`^certbot_inventory_certificates\\{state="${state}"\\} (\\d+)$`, 'm').exec(metrics)?.[1];
    expect([state, Number(value)]).toEqual([state, counts[state]]);
  }
});

test('on a fresh store, a stale or renewed certificate is in exactly one digest section', async () => {
  const deps = (await h.services.digest()).deps;
  const now = new Date();
  // The first digest: no snapshot before it, so every renewal is "since last week".
  expect(await h.store.snapshots.history(1)).toEqual([]);
  const data = await collectDigest(deps, periodAt({ cron: '0 9 * * 1', timezone: 'UTC' }, now), now);
  const sections = {
    stale: data.stale ?? [],
    expired: data.expired,
    expiring: data.expiring,
    renewed: data.renewed ?? [],
  };
  const seen = new Map<string, string[]>();
  for (const [name, items] of Object.entries(sections))
    for (const c of items) seen.set(c.id, [...(seen.get(c.id) ?? []), name]);
  for (const [id, where] of seen) expect([id, where]).toEqual([id, [where[0]]]);
  for (const [name, items] of Object.entries(sections))
    for (const c of items) expect([c.id, certificateState(c, now)]).toEqual([c.id, name]);
  expect(sections.renewed.length).toBeGreaterThan(0);

  // In the text too: the first stale deployment shown is in its section and not under "Renewed since".
  const text = visibleText(renderDigest(data));
  const staleStart = text.indexOf('*Stale deployments (');
  const renewedStart = text.indexOf('*Renewed since last week (');
  expect(staleStart).toBeGreaterThan(0);
  expect(renewedStart).toBeGreaterThan(staleStart);
  const first = sections.stale[0];
  const id = `\`${first.certificateId ?? first.id}\``;
  const after = text.slice(renewedStart);
  expect(text.slice(staleStart, renewedStart)).toContain(id);
  expect(after.slice(0, after.indexOf('\n*', 1) > 0 ? after.indexOf('\n*', 1) : undefined)).not.toContain(id);
  // One line per certificate, at most five resources named.
  const line = text.split('\n').find((l) => l.includes(id)) ?? '';
  expect(line).toContain('still on');
  const resources = first.deployment?.resources.length ?? 0;
  if (resources > 5) expect(line).toContain(`and ${resources - 5} more`);
});
