import { CERTIFICATE_STATES, certificateState, stateCounts } from '../../src/domain/certificate-state';
import { AppHarness, USER, visibleText } from '../helpers/app-harness';

/** The inventory over real HTTP: the simulator behind the real client, the store, the Slack app. */
const harnesses: AppHarness[] = [];
async function harness(options: Parameters<AppHarness['start']>[0] = {}): Promise<AppHarness> {
  const h = await new AppHarness().start(options);
  harnesses.push(h);
  return h;
}
afterEach(async () => {
  await Promise.all(harnesses.splice(0).map((h) => h.stop()));
});

const listCalls = (h: AppHarness) => h.sandbox.calls.filter((c) => c.action === 'ListUserCertificateOrder').length;
/** What CAS lists: every certificate but the revoked ones. */
const listed = (h: AppHarness) => h.sandbox.dataset.certificates.filter((c) => c.status !== 'REVOKED');

test('a sync writes every certificate, and a second one records exactly what changed', async () => {
  const h = await harness({ certs: 180 });
  const first = await h.services.syncNow();
  expect(first).toMatchObject({ certificates: listed(h).length, added: listed(h).length, changed: 0, removed: 0 });
  expect(first.pages).toBe(first.calls);
  const stored = await h.store.inventory.list();
  expect(stored.map((r) => r.certificate.id).sort()).toEqual(
    listed(h)
      .map((c) => String(c.certificateId))
      .sort(),
  );

  const [gone, changed] = listed(h);
  h.sandbox.removeCertificate(gone.certificateId);
  h.sandbox.updateCertificate(changed.certificateId, { commonName: 'renamed.example.com' });
  const added = h.sandbox.addCertificate({ commonName: 'new.example.com' });
  const second = await h.services.syncNow();
  expect(second).toMatchObject({ added: 1, changed: 1, removed: 1, certificates: listed(h).length });

  const all = await h.store.inventory.list({ includeRemoved: true });
  const byId = new Map(all.map((r) => [r.certificate.id, r]));
  expect(byId.get(String(gone.certificateId))?.removedAt).toBeInstanceOf(Date);
  expect(byId.get(String(changed.certificateId))?.certificate.commonName).toBe('renamed.example.com');
  expect(byId.get(String(added.certificateId))?.certificate.commonName).toBe('new.example.com');
  expect((await h.store.inventory.list()).some((r) => r.certificate.id === String(gone.certificateId))).toBe(false);
});

test('a sync that fails on page 3 leaves the previous inventory whole and says why', async () => {
  const h = await harness({ certs: 200 });
  await h.services.syncNow();
  const before = await h.store.inventory.list();
  h.sandbox.removeCertificate(listed(h)[0].certificateId);
  h.sandbox.setFaults({ failPage: 3 });
  await expect(h.services.syncNow()).rejects.toThrow(/ServiceUnavailable|unavailable/i);
  expect(await h.store.inventory.list()).toEqual(before);
  const state = await h.store.inventory.syncState();
  expect(state.lastAttempt).toMatchObject({ status: 'failed', error: { kind: 'unavailable' } });
  expect(state.lastSuccess?.status).toBe('ok');
  expect(h.logs.text()).toContain('inventory sync failed');

  // The lists still answer from the last good inventory, and say that the last sync failed.
  const { answer } = await h.command('/cert-list', 'all');
  expect(visibleText(answer)).toMatch(/As of <!date\^\d+\^\{time\}\|\d\d:\d\d UTC>, synced .*; the last sync failed/);
});

test('/cert-list after a sync answers from the inventory, with no CAS list call', async () => {
  const h = await harness();
  await h.services.syncNow();
  const calls = listCalls(h);
  const { answer } = await h.command('/cert-list', 'expiring');
  expect(listCalls(h)).toBe(calls);
  // "of N" is the count of the expiring state: CAS's expiring ones less those already renewed.
  const counts = stateCounts((await h.services.inventorySnapshot())?.certificates ?? [], new Date());
  expect(answer.text).toContain(`of ${counts.expiring}.`);
  expect(visibleText(answer)).toMatch(/As of <!date\^\d+\^\{time\}\|\d\d:\d\d UTC>, synced just now/);

  const next = JSON.parse(
    String(
      (answer.blocks.find((b) => b.type === 'actions') as { elements: Array<{ value: string }> }).elements[0].value,
    ),
  ) as { page: number };
  expect(next.page).toBe(1);
  await h.press('cert_list_next', JSON.stringify({ status: 'expiring', page: 1 }), USER);
  expect(listCalls(h)).toBe(calls);
});

test('before any sync, lists come live from CAS and say so', async () => {
  const h = await harness();
  const { answer } = await h.command('/cert-list', 'expiring');
  expect(listCalls(h)).toBeGreaterThan(0);
  expect(visibleText(answer)).toContain('Listed live from CAS: no inventory sync has finished yet');
});

test('a renewed certificate is in no at-risk list, is shown with its replacement, and in one digest section', async () => {
  const h = await harness({ sandbox: { replacedPairs: 6 } });
  await h.services.syncNow();
  const now = new Date();
  const snapshot = (await h.services.inventorySnapshot())!;
  const renewed = snapshot.certificates.filter((c) => c.replacedBy);
  expect(renewed.length).toBeGreaterThanOrEqual(6);
  const old = renewed.find((c) => certificateState(c, now) === 'renewed') ?? renewed[0];
  const twin = old.replacedBy!;

  // Not in expiring or expired: it is not at risk. `all` shows it with its replacement.
  const { answer: expiring } = await h.command('/cert-list', `expiring ${old.commonName}`);
  expect(visibleText(expiring)).not.toContain(`\`${old.certificateId}\``);
  const { answer: all } = await h.command('/cert-list', `all ${old.commonName}`);
  expect(visibleText(all)).toContain(`Renewed by \`${twin.certificateId}\`, ends ${twin.endDate}`);

  // The digest lists each renewed certificate once: under stale deployments while the old one
  // is served, else under "Renewed since last week".
  const digestText = visibleText(await (await h.services.digest()).preview());
  const count = (title: string) => Number(new RegExp(`${title} \\((\\d+)\\)`).exec(digestText)?.[1] ?? 0);
  const byState = stateCounts(renewed, now);
  expect(count('Renewed since last week')).toBe(byState.renewed);
  expect(count('Stale deployments')).toBe(stateCounts(snapshot.certificates, now).stale);
  expect(byState.renewed + byState.stale).toBe(renewed.length);
});

test('a /cert-status sent during a slow sync is answered before the sync ends', async () => {
  // 30 pages at 10 calls a second: about three seconds of bulk calls queued at once.
  const h = await harness({ certs: 1_500, sandbox: { qps: 10 }, env: { CAS_QPS: '10' } });
  h.sandbox.setFaults({ latencyMs: 100 });
  const serial = h.sandbox.dataset.certificates.find((c) => c.status === 'ISSUED')?.serialNo ?? '';
  let syncEnded = 0;
  const sync = h.services.syncNow().then(() => (syncEnded = Date.now()));
  await new Promise((resolve) => setTimeout(resolve, 300));
  const { answer } = await h.command('/cert-status', serial);
  const answered = Date.now();
  expect(visibleText(answer)).toContain('good');
  await sync;
  expect(answered).toBeLessThan(syncEnded);
}, 30_000);

test('certificates added while a sync pages are neither lost nor doubled', async () => {
  const h = await harness({ certs: 400, env: { CAS_QPS: '20' }, sandbox: { qps: 20 } });
  let added = 0;
  // As soon as the first page has been served, 60 certificates appear (at the end of the listing).
  const adding = (async () => {
    while (!h.sandbox.calls.some((c) => c.action === 'ListUserCertificateOrder'))
      await new Promise((r) => setTimeout(r, 5));
    h.sandbox.addCertificates(Array.from({ length: 60 }, (_, i) => ({ commonName: `late-${i}.example.com` })));
    added = 60;
  })();
  const summary = await h.services.syncNow();
  await adding;
  expect(added).toBe(60);
  const ids = (await h.store.inventory.list()).map((r) => r.certificate.id);
  expect(new Set(ids).size).toBe(ids.length);
  expect(ids.sort()).toEqual(
    listed(h)
      .map((c) => String(c.certificateId))
      .sort(),
  );
  expect(summary.certificates).toBe(listed(h).length);
});

test('metrics show the inventory by state and by days left, and one end-time gauge per certificate', async () => {
  const h = await harness({ sandbox: { replacedPairs: 4 } });
  await h.services.syncNow();
  const text = await h.services.metrics.render();
  const gauge = (name: string, labels: string) =>
    Number(new RegExp(`^${name}${labels ? `\\{${labels}\\}` : ''} (\\S+)$`, 'm').exec(text)?.[1]);
  const present = listed(h).length;
  // One label value per state, each certificate counted once: the counts every surface shows.
  const states = CERTIFICATE_STATES.map((state) => gauge('certbot_inventory_certificates', `state="${state}"`));
  expect(states.reduce((a, b) => a + b, 0)).toBe(present);
  const counts = stateCounts((await h.services.inventorySnapshot())?.certificates ?? [], new Date());
  expect(Object.fromEntries(CERTIFICATE_STATES.map((state, i) => [state, states[i]]))).toEqual(
    Object.fromEntries(CERTIFICATE_STATES.map((state) => [state, counts[state]])),
  );
  expect(
    states[CERTIFICATE_STATES.indexOf('renewed')] + states[CERTIFICATE_STATES.indexOf('stale')],
  ).toBeGreaterThanOrEqual(4);
  expect(gauge('certbot_inventory_certificates_by_days_left', 'bucket="expired"')).toBe(
    h.sandbox.dataset.certificates.filter((c) => c.status === 'EXPIRED').length,
  );
  const one = listed(h)[0];
  const end = gauge(
    'certbot_inventory_certificate_not_after_seconds',
    `account="default",certificate_id="${one.certificateId}",common_name="${one.commonName.replace(/\./g, '\\.')}",issuer="[^"]*"`,
  );
  expect(end).toBe(Date.parse(`${one.endDate}T00:00:00Z`) / 1000);
  expect(gauge('certbot_inventory_last_success_timestamp_seconds', '')).toBeGreaterThan(Date.now() / 1000 - 60);
});

test('METRICS_PER_CERTIFICATE=false leaves the per-certificate gauge out', async () => {
  const h = await harness({ env: { METRICS_PER_CERTIFICATE: 'false' } });
  await h.services.syncNow();
  const text = await h.services.metrics.render();
  expect(text).not.toMatch(/^certbot_inventory_certificate_not_after_seconds\{/m);
  expect(text).toMatch(/^certbot_inventory_certificates\{state="valid"\} \d+/m);
});
