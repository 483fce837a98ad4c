import { AppHarness, visibleText } from '../helpers/app-harness';

/**
 * Deployment state over real HTTP: the simulator's ListCloudResources behind the real client,
 * resources moved through its control routes, and every surface of the bot.
 */
const DAY = 86_400_000;
const harnesses: AppHarness[] = [];
afterEach(async () => {
  await Promise.all(harnesses.splice(0).map((h) => h.stop()));
});
const ymd = (date: Date) => date.toISOString().slice(0, 10);
const NAME = 'shop.deployed.example.com';

async function staleSetup(env: Record<string, string> = {}) {
  const now = new Date();
  const h = await new AppHarness().start({
    certs: 40,
    env: {
      ALERT_HOURS: '00:00-24:00',
      ALERT_CHANNEL: 'C0DEFAULT',
      ALERT_ROUTES: `*.deployed.example.com=C0SHOP`,
      // Each certificate announced on its own from the first sync (no first-day summary).
      ALERT_BASELINE: 'off',
      ...env,
    },
  });
  harnesses.push(h);
  const old = h.sandbox.addCertificate({
    commonName: NAME,
    sans: [NAME],
    startDate: ymd(new Date(now.getTime() - 300 * DAY)),
    endDate: ymd(new Date(now.getTime() + 6 * DAY)),
    deployed: false,
  });
  const replacement = h.sandbox.addCertificate({
    commonName: NAME,
    sans: [NAME],
    startDate: ymd(now),
    endDate: ymd(new Date(now.getTime() + 365 * DAY)),
    deployed: false,
  });
  const slb = h.sandbox.addResource({
    certificateId: old.certificateId,
    product: 'SLB',
    region: 'cn-hangzhou',
    instanceId: 'lb-bp1old000001',
    listenerPort: 443,
  });
  const cdn = h.sandbox.addResource({ certificateId: old.certificateId, product: 'CDN', domain: NAME });
  return { h, old, replacement, slb, cdn };
}

const shopAlerts = (h: AppHarness) => h.slack.apiCalls('chat.postMessage').filter((c) => c.body.channel === 'C0SHOP');
const text = (call: { body: Record<string, unknown> }) => visibleText(call.body as { blocks: unknown[] });

test('a renewed certificate still on two resources is a stale deployment everywhere', async () => {
  const { h, old, replacement } = await staleSetup();
  await h.services.syncNow();

  const info = await h.command('/cert-info', String(old.certificateId));
  const infoText = visibleText(info.answer);
  expect(infoText).toContain('Stale deployment');
  expect(infoText).toContain('lb-bp1old000001:443');
  expect(infoText).toContain(`CDN`);
  expect(infoText).toContain(`\`${replacement.certificateId}\``);

  const stale = await h.command('/cert-list', 'stale');
  expect(stale.answer.text).toContain('Stale deployments');
  expect(visibleText(stale.answer)).toContain(`\`${old.certificateId}\``);
  expect(visibleText(stale.answer)).toContain('lb-bp1old000001:443');

  const digest = visibleText(await (await h.services.digest()).preview());
  expect(digest.indexOf('Stale deployments (')).toBeGreaterThan(-1);
  // The stale section comes before CAS's own counters, at the end of the digest.
  expect(digest.indexOf('Stale deployments (')).toBeLessThan(digest.indexOf('CAS risk counters'));

  expect(shopAlerts(h)).toHaveLength(1);
  const alert = text(shopAlerts(h)[0]);
  expect(alert).toContain('renewed, but the old certificate is still serving');
  expect(alert).toContain('lb-bp1old000001:443');
  expect(alert).toContain(NAME);
  expect(alert).toContain(`Renewed by \`${replacement.certificateId}\``);
});

test('moving both resources to the replacement turns the alert into Deployed and ends the stale listing', async () => {
  const { h, old, replacement, slb, cdn } = await staleSetup();
  await h.services.syncNow();
  expect(shopAlerts(h)).toHaveLength(1);
  h.sandbox.moveResource(slb.id, replacement.certificateId);
  h.sandbox.moveResource(cdn.id, replacement.certificateId);
  await h.services.syncNow();

  const updated = h.slack.apiCalls('chat.update').filter((c) => text(c).includes('Deployed'));
  expect(updated.length).toBeGreaterThan(0);
  expect(text(updated[updated.length - 1])).toContain('no resource serves the old certificate any more');
  const stale = await h.command('/cert-list', 'stale');
  expect(visibleText(stale.answer)).not.toContain(`\`${old.certificateId}\``);
  const info = visibleText((await h.command('/cert-info', String(replacement.certificateId))).answer);
  expect(info).toContain('on 2 resources');
});

test('a RAM policy without ListCloudResources leaves certificate alerts working and names the action', async () => {
  const { h, old } = await staleSetup();
  h.sandbox.setFaults({ denyActions: ['ListCloudResources'] });
  const summary = await h.services.syncNow();
  expect(summary.certificates).toBeGreaterThan(0);
  expect(summary.resourcesError).toContain('yundun-cert:ListCloudResources');
  // No deployments known: the old certificate is simply renewed, and the other expiring ones still alert.
  expect(h.slack.apiCalls('chat.postMessage').filter((c) => c.body.channel === 'C0DEFAULT').length).toBeGreaterThan(0);
  const info = visibleText((await h.command('/cert-info', String(old.certificateId))).answer);
  expect(info).toContain('yundun-cert:ListCloudResources');
  expect(info).toMatch(/Deployment unknown|deployment unknown/);
  expect(h.logs.text()).toContain('grant yundun-cert:ListCloudResources');
});

test('/cert-info by ID, by domain, by a wildcard-covered name, and for an unknown ID', async () => {
  const now = new Date();
  const h = await new AppHarness().start({ certs: 30 });
  harnesses.push(h);
  const wildcard = h.sandbox.addCertificate({
    commonName: '*.wild.example.com',
    sans: ['*.wild.example.com'],
    endDate: ymd(new Date(now.getTime() + 90 * DAY)),
  });
  await h.services.syncNow();
  const byId = visibleText((await h.command('/cert-info', String(wildcard.certificateId))).answer);
  expect(byId).toContain('*.wild.example.com'.replace(/\*/g, '∗'));
  const byDomain = await h.command('/cert-info', 'api.wild.example.com');
  expect(visibleText(byDomain.answer)).toContain(`\`${wildcard.certificateId}\``);
  const deeper = await h.command('/cert-info', 'a.b.wild.example.com');
  expect(visibleText(deeper.answer)).toContain('No certificate covering a.b.wild.example.com');
  const unknown = await h.command('/cert-info', '999999999');
  expect(visibleText(unknown.answer)).toMatch(
    /No certificate with ID `999999999` in the inventory\. The inventory was synced/,
  );
});
