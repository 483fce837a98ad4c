/**
 * The store-backed InventoryReader (every call a query) answers what the reader over the whole
 * inventory in memory answers: status, pages of selections, counts and resource counts, for two
 * accounts (one with resources listed, one without), an account configured but never synced and
 * one in the store but no longer configured, on SQLite and PostgreSQL.
 */
import type { Certificate } from '../../src/domain/certificate';
import { AT_RISK_STATES } from '../../src/domain/certificate-state';
import type { CertificateFilter } from '../../src/domain/certificate-filter';
import { snapshotInventoryReader } from '../../src/inventory/inventory-reader';
import { mergedCertificateSource } from '../../src/inventory/merged-source';
import { storeInventoryReader } from '../../src/inventory/store-reader';
import { storedCertificateSource } from '../../src/inventory/stored-source';
import { mulberry32, pick, type Random, randomInt } from '../../src/sandbox/prng';
import type { DeployedResource } from '../../src/store/types';
import { describeContract } from '../store/contract/backends';

const SYNC = new Date('2026-05-20T21:30:00.000Z');
const LATER = new Date('2026-06-02T08:00:00.000Z');
const day = (offset: number) => new Date(Date.UTC(2026, 4, 20) + offset * 86_400_000).toISOString().slice(0, 10);
const CONFIGURED = ['prod', 'stage', 'never'];

function randomName(random: Random): string {
  return `${pick(random, ['a', 'b', 'www', '*'])}.${pick(random, ['example.com', 'example.org'])}`;
}

function certificates(random: Random, account: string): Certificate[] {
  return Array.from({ length: randomInt(random, 40, 70) }, (_, index) => ({
    account,
    id: String(100 + index),
    certificateId: String(100 + index),
    instanceId: `cas-${index}`,
    commonName: randomName(random),
    sans: Array.from({ length: randomInt(random, 0, 2) }, () => randomName(random)),
    endDate: random() < 0.05 ? undefined : day(pick(random, [-20, -1, 0, 3, 12, 25, 40, 90, 200])),
    expired: random() < 0.2,
    uploaded: random() < 0.3,
    status: 'ISSUED',
  }));
}

const FILTERS: CertificateFilter[] = [
  {},
  { states: AT_RISK_STATES },
  { view: 'expiring' },
  { keyword: 'www' },
  { accounts: ['stage'] },
  { accounts: ['retired'] },
  { ids: ['101', '102'] },
  { coveringName: 'a.example.com' },
  { onResource: 'lb-1' },
  { states: ['renewed'], replacementSeenAfter: new Date(SYNC.getTime() - 1) },
  { endsWithinDays: 14 },
  // Selections by state alone, whose totals come from the counts kept per sync and day.
  { view: 'stale' },
  { view: 'expired', states: ['expired', 'expiring'] },
  { view: 'expiring', states: ['stale'] },
  { view: 'all', states: ['stale', 'expired'] },
  { states: ['expiring', 'expiring'], accounts: ['stage', 'retired'] },
  { states: ['valid', 'renewed'] },
];

describeContract('the store-backed inventory reader', ({ store }) => {
  test('answers as the reader over the inventory in memory', async () => {
    const random = mulberry32(77);
    for (const account of ['prod', 'stage', 'retired'])
      await store().inventory.replace(account, certificates(random, account), { startedAt: SYNC, finishedAt: SYNC });
    const prod = (await store().inventory.list({ account: 'prod' })).filter(() => random() < 0.5);
    const resources: DeployedResource[] = prod.map((c, i) => ({
      account: 'prod',
      id: `r${i}`,
      certificateId: c.certificate.id,
      instanceId: `lb-${i % 3}`,
      listenerPort: '443',
      cloud: 'aliyun',
      product: i % 2 ? 'SLB' : 'CDN',
    }));
    await store().resources.replace('prod', resources, SYNC);
    await store().alerts.acknowledge('prod', prod[0].certificate.id, 'U1', SYNC);

    const alertStates = () => store().alerts.states();
    const queried = storeInventoryReader({ store: async () => store(), accounts: CONFIGURED, alertStates });
    const inMemory = snapshotInventoryReader(
      mergedCertificateSource(
        CONFIGURED.map((account) => ({
          account,
          source: storedCertificateSource({
            inventory: store().inventory,
            resources: store().resources,
            account,
            alertStates,
            fallback: () => ({ list: () => Promise.reject(new Error('no fallback expected')) }),
          }),
        })),
      ),
      { alertStates },
    );

    for (const now of [SYNC, LATER]) {
      expect(await queried.status(now)).toEqual(await inMemory.status(now));
      expect(await queried.counts(undefined, now)).toEqual(await inMemory.counts(undefined, now));
      expect(await queried.counts(['stage'], now)).toEqual(await inMemory.counts(['stage'], now));
      // Before and after the counts of this sync and day are kept (totals by state come from them).
      for (const counted of [false, true]) {
        if (counted) await queried.counts(undefined, now);
        for (const filter of FILTERS)
          for (const page of [undefined, { offset: 3, limit: 5 }, { offset: 7, limit: 40, order: 'key' as const }]) {
            const [a, b] = [await queried.select(filter, now, page), await inMemory.select(filter, now, page)];
            expect({ filter, page, counted, ...a }).toEqual({ filter, page, counted, ...b });
          }
      }
    }
    const sorted = <T extends { account: string; product: string }>(all: T[]) =>
      [...all].sort((x, y) => `${x.account}${x.product}`.localeCompare(`${y.account}${y.product}`));
    expect(sorted(await queried.resourceCounts(LATER))).toEqual(sorted(await inMemory.resourceCounts(LATER)));
    // Counts are worked out once per sync and day: a new sync of an account, here or in another
    // process, is counted at once.
    const before = await queried.counts(['stage'], LATER);
    await store().inventory.replace('stage', certificates(mulberry32(5), 'stage').slice(0, 7), {
      startedAt: LATER,
      finishedAt: LATER,
    });
    const after = await queried.counts(['stage'], LATER);
    expect(after[0].states.total).toBe(7);
    expect(after).not.toEqual(before);
    expect(after).toEqual(await inMemory.counts(['stage'], LATER));
    // Nothing of an account that is no longer configured.
    expect((await queried.select({}, LATER)).certificates.some((c) => c.account === 'retired')).toBe(false);
  });
});
