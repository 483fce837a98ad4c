import type { Certificate } from '../../../src/domain/certificate';
import type { DeployedResource, InventoryCertificate } from '../../../src/store/types';
import { describeContract, HOUR, later, T0 } from './backends';

const ACCOUNT = 'LTAI5tExampleAccessKey';

function cert(id: string, overrides: Partial<Certificate> = {}): Certificate {
  return {
    account: ACCOUNT,
    id,
    certificateId: id,
    instanceId: `cas-cn-${id}`,
    name: `cert-${id}`,
    commonName: `${id}.example.com`,
    sans: [`${id}.example.com`],
    issuer: 'DigiCert',
    serialNo: `0a:${id}`,
    fingerprint: `fp${id}`,
    startDate: '2025-01-01',
    endDate: '2026-01-01',
    expired: false,
    uploaded: false,
    status: 'ISSUED',
    resourceGroupId: 'rg-default',
    ...overrides,
  };
}

function resource(id: string, certificateId: string): DeployedResource {
  return {
    account: ACCOUNT,
    id,
    certificateId,
    cloud: 'Alibaba',
    product: 'SLB',
    region: 'cn-hangzhou',
    instanceId: `lb-${id}`,
    listenerPort: '443',
    domain: `${certificateId}.example.com`,
    https: true,
  };
}

const ids = (rows: InventoryCertificate[]) => rows.map((row) => row.certificate.id);
const range = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => String(from + i));
const sync = (at: Date) => ({ startedAt: new Date(at.getTime() - 60_000), finishedAt: at, pages: 3, calls: 3 });
/** The message of a rejection (better-sqlite3's errors may come from another jest realm). */
const failureOf = (promise: Promise<unknown>) =>
  promise.then(
    () => 'resolved',
    (error: unknown) => String((error as { message?: unknown }).message),
  );

describeContract('streaming sync staging contract', ({ store, another }) => {
  test('staged pages are invisible to every reader until the commit swaps them in at once', async () => {
    const inventory = store().inventory;
    await inventory.replace(
      ACCOUNT,
      range(0, 120).map((id) => cert(id)),
      sync(T0),
    );
    const reader = await another();
    const before = await reader.inventory.list({ includeRemoved: true });
    const stateBefore = await reader.inventory.syncState(ACCOUNT);

    const staging = await inventory.begin(ACCOUNT);
    // Three pages, as a sync writes them: 60 of the old ones (one changed), 50 new ones.
    await staging.stage(range(0, 50).map((id) => cert(id)));
    await staging.stage([...range(50, 59).map((id) => cert(id)), cert('59', { endDate: '2027-01-01' })]);
    await staging.stage(range(1_000, 1_050).map((id) => cert(id)));
    expect(await reader.inventory.list({ includeRemoved: true })).toStrictEqual(before);
    expect(await reader.inventory.syncState(ACCOUNT)).toEqual(stateBefore);

    expect(await staging.commit(sync(later(HOUR)))).toEqual({ certificates: 110, added: 50, changed: 1, removed: 60 });
    expect(ids(await reader.inventory.list({ account: ACCOUNT })).sort()).toEqual(
      [...range(0, 60), ...range(1_000, 1_050)].sort(),
    );
    expect((await reader.inventory.syncState(ACCOUNT)).lastSuccess).toMatchObject({
      finishedAt: later(HOUR),
      pages: 3,
      changes: { certificates: 110, added: 50, changed: 1, removed: 60 },
    });
    // A staging is swapped in once: a second commit is refused and changes nothing.
    const inventoryAfter = await reader.inventory.list({ includeRemoved: true });
    expect(await failureOf(staging.commit(sync(later(2 * HOUR))))).toMatch(/were cleared/);
    expect(await reader.inventory.list({ includeRemoved: true })).toStrictEqual(inventoryAfter);
  });

  test('a certificate staged again on a later page replaces the earlier one', async () => {
    const staging = await store().inventory.begin(ACCOUNT);
    await staging.stage([cert('1', { name: 'first' }), cert('2')]);
    await staging.stage([cert('1', { name: 'again' })]);
    expect(await staging.commit(sync(T0))).toEqual({ certificates: 2, added: 2, changed: 0, removed: 0 });
    expect((await store().inventory.list()).map((row) => row.certificate.name)).toEqual(['again', 'cert-2']);
  });

  test('an aborted staging leaves the previous inventory exactly as it was, and its rows go with it', async () => {
    const inventory = store().inventory;
    await inventory.replace(
      ACCOUNT,
      range(0, 30).map((id) => cert(id)),
      sync(T0),
    );
    const before = await inventory.list({ includeRemoved: true });
    const state = await inventory.syncState();

    const failed = await inventory.begin(ACCOUNT);
    await failed.stage(range(100, 150).map((id) => cert(id)));
    await failed.abort();
    expect(await inventory.list({ includeRemoved: true })).toStrictEqual(before);
    expect(await inventory.syncState()).toEqual(state);
    expect(await failureOf(failed.commit(sync(later(HOUR))))).toMatch(/were cleared/);

    // The next sync's staging holds only what it staged itself.
    const next = await inventory.begin(ACCOUNT);
    await next.stage([cert('7')]);
    expect(await next.commit(sync(later(2 * HOUR)))).toEqual({ certificates: 1, added: 0, changed: 0, removed: 29 });
  });

  test('two syncs of one account staged side by side each swap in their own complete listing', async () => {
    const first = await store().inventory.begin(ACCOUNT);
    const second = await (await another()).inventory.begin(ACCOUNT);
    await first.stage([cert('1'), cert('2')]);
    await second.stage([cert('2'), cert('3')]);
    expect(await first.commit(sync(T0))).toEqual({ certificates: 2, added: 2, changed: 0, removed: 0 });
    expect(await second.commit(sync(later(HOUR)))).toEqual({ certificates: 2, added: 1, changed: 0, removed: 1 });
    expect(ids(await store().inventory.list())).toEqual(['2', '3']);
  });

  test('a sync silent for longer than the abandonment age is cleared by the next one, and cannot swap in later', async () => {
    const inventory = store().inventory;
    await inventory.replace(ACCOUNT, [cert('1'), cert('2')], sync(T0));
    const before = await inventory.list({ includeRemoved: true });

    const killed = await inventory.begin(ACCOUNT);
    await killed.stage([cert('9')]);
    await new Promise((resolve) => setTimeout(resolve, 5)); // its last page a few ms ago
    // Another process's sync starts; to it, the first one has been silent too long (age 0 here).
    const other = await another();
    const next = await other.inventory.begin(ACCOUNT, { abandonedAfterMs: 0 });

    expect(await failureOf(killed.commit(sync(later(HOUR))))).toMatch(/were cleared/);
    expect(await inventory.list({ includeRemoved: true })).toStrictEqual(before);

    await next.stage([cert('1'), cert('2'), cert('3')]);
    expect(await next.commit(sync(later(2 * HOUR)))).toEqual({ certificates: 3, added: 1, changed: 0, removed: 0 });
    expect(ids(await inventory.list())).toEqual(['1', '2', '3']);
  });

  test('resources are staged page by page and swapped in at once; an abort keeps the previous ones', async () => {
    const resources = store().resources;
    await resources.replace(ACCOUNT, [resource('r1', '1'), resource('r2', '2')], T0);
    const reader = await another();
    const before = await reader.resources.list(ACCOUNT);
    const stateBefore = await reader.resources.state(ACCOUNT);

    const staging = await resources.begin(ACCOUNT);
    await staging.stage([resource('r2', '3'), resource('r3', '3')]);
    await staging.stage([resource('r4', '4')]);
    expect(await reader.resources.list(ACCOUNT)).toEqual(before);
    expect(await reader.resources.state(ACCOUNT)).toEqual(stateBefore);
    expect(await staging.commit(later(HOUR))).toEqual({ resources: 3 });
    const after = await reader.resources.list(ACCOUNT);
    expect(after.map((r) => [r.id, r.certificateId]).sort()).toEqual([
      ['r2', '3'],
      ['r3', '3'],
      ['r4', '4'],
    ]);
    expect((await reader.resources.state(ACCOUNT)).lastSuccess).toEqual(later(HOUR));

    const failed = await resources.begin(ACCOUNT);
    await failed.stage([resource('r9', '9')]);
    await failed.abort();
    expect(await reader.resources.list(ACCOUNT)).toEqual(after);
    expect((await reader.resources.state(ACCOUNT)).lastSuccess).toEqual(later(HOUR));
  });
});
