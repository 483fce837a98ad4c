import { inUrgencyOrder } from '../../src/domain/certificate-state';
import type { ListedCertificate } from '../../src/inventory/certificate-source';
import {
  accountsReader,
  snapshotInventoryReader,
  statusFreshness,
  statusOf,
  type InventoryStatus,
} from '../../src/inventory/inventory-reader';
import type { InventorySnapshot } from '../../src/inventory/stored-source';

const NOW = new Date('2026-12-05T10:00:00Z');
const SYNCED = new Date('2026-12-05T09:00:00Z');

const cert = (account: string, id: string, endDate: string | undefined, extra: Partial<ListedCertificate> = {}) =>
  ({ account, id, endDate, sans: [], expired: false, uploaded: false, ...extra }) as ListedCertificate;

// 40 certificates over two accounts, ends spread around today so every state appears.
const certificates: ListedCertificate[] = Array.from({ length: 40 }, (_, i) => {
  const day = new Date(NOW.getTime() + (((i * 17) % 90) - 20) * 86_400_000).toISOString().slice(0, 10);
  const deployment = { state: i % 3 === 0 ? ('not-deployed' as const) : ('deployed' as const), resources: [] };
  return cert(i % 2 ? 'prod' : 'staging', String(i), i === 7 ? undefined : day, { deployment });
});
const snapshot: InventorySnapshot = { syncedAt: SYNCED, deployments: { lastSuccess: SYNCED }, certificates };
const reader = snapshotInventoryReader({ snapshot: async () => snapshot });

describe('snapshotInventoryReader', () => {
  test('select: most urgent first, one page at a time, with the total of every page', async () => {
    const expected = inUrgencyOrder(certificates, NOW).map((c) => c.id);
    const whole = await reader.select({}, NOW);
    expect(whole.total).toBe(40);
    expect(whole.certificates.map((c) => c.id)).toEqual(expected);
    const pages: string[] = [];
    for (let offset = 0; offset < 40; offset += 15) {
      const page = await reader.select({}, NOW, { offset, limit: 15 });
      expect(page.total).toBe(40);
      pages.push(...page.certificates.map((c) => c.id));
    }
    expect(pages).toEqual(expected);
    expect((await reader.select({}, NOW, { offset: 39, limit: 15 })).certificates).toHaveLength(1);
    expect((await reader.select({}, NOW, { offset: 50, limit: 15 })).certificates).toEqual([]);
    expect((await reader.select({}, NOW, { limit: 0 })).total).toBe(40);
  });

  test('select filters before it counts and pages', async () => {
    const filter = { accounts: ['prod'], states: ['expiring' as const, 'expired' as const] };
    const expected = inUrgencyOrder(
      certificates.filter((c) => c.account === 'prod'),
      NOW,
    ).filter((c) => {
      const left = c.endDate ? (Date.parse(c.endDate) - Date.parse('2026-12-05')) / 86_400_000 : undefined;
      return left !== undefined && left <= 30;
    });
    const page = await reader.select(filter, NOW, { limit: 3 });
    expect(page.total).toBe(expected.length);
    expect(page.certificates.map((c) => c.id)).toEqual(expected.slice(0, 3).map((c) => c.id));
  });

  test('counts by account, of the accounts asked; status without certificates', async () => {
    const all = await reader.counts(undefined, NOW);
    expect(all.map((c) => [c.account, c.states.total])).toEqual([
      ['staging', 20],
      ['prod', 20],
    ]);
    expect((await reader.counts(['prod'], NOW)).map((c) => c.account)).toEqual(['prod']);
    const status = await reader.status(NOW);
    expect(status).toEqual({ syncedAt: SYNCED, deployments: { lastSuccess: SYNCED } });
    expect(await snapshotInventoryReader({ snapshot: async () => undefined }).status(NOW)).toBeUndefined();
  });

  test('selected certificates carry who acknowledged or snoozed them (a snooze only while it lasts)', async () => {
    const withStates = snapshotInventoryReader(
      { snapshot: async () => snapshot },
      {
        alertStates: async () => [
          { account: 'staging', certificateId: '0', acknowledgedBy: 'U1', acknowledgedAt: SYNCED },
          { account: 'prod', certificateId: '1', snoozedBy: 'U2', snoozedUntil: new Date('2026-12-01T00:00:00Z') },
        ],
      },
    );
    const {
      certificates: [zero, one],
    } = await withStates.select({ ids: ['0', '1'] }, NOW);
    const byId = Object.fromEntries([zero, one].map((c) => [c.id, c]));
    expect(byId['0'].alert).toEqual({ acknowledgedBy: 'U1', acknowledgedAt: SYNCED });
    expect(byId['1'].alert).toEqual({});
  });
});

test('accountsReader narrows selections and counts to its accounts, whatever the filter asks', async () => {
  const prod = accountsReader(reader, ['prod']);
  const selected = await prod.select({}, NOW);
  expect(selected.total).toBe(20);
  expect(new Set(selected.certificates.map((c) => c.account))).toEqual(new Set(['prod']));
  expect((await prod.select({ accounts: ['staging'] }, NOW)).total).toBe(0);
  expect((await prod.counts(undefined, NOW)).map((c) => c.account)).toEqual(['prod']);
  expect(await prod.status(NOW)).toEqual(await reader.status(NOW));
});

describe('statusOf', () => {
  const older = new Date('2026-12-04T00:00:00Z');
  const whole: InventoryStatus = {
    syncedAt: older,
    deployments: {},
    unsynced: ['dev'],
    accounts: {
      prod: { syncedAt: SYNCED, deployments: { lastSuccess: SYNCED } },
      staging: { syncedAt: older, deployments: {}, lastFailure: { at: SYNCED, message: 'throttled' } },
    },
  };

  test('one account: its own sync; several: the oldest, the first failure by name, the unsynced', () => {
    expect(statusOf(whole, ['prod'])).toEqual({ syncedAt: SYNCED, deployments: { lastSuccess: SYNCED } });
    expect(statusOf(whole, ['dev'])).toBeUndefined();
    const two = statusOf(whole, ['prod', 'staging', 'dev']);
    expect(two).toMatchObject({
      syncedAt: older,
      lastFailure: { message: 'staging: throttled' },
      unsynced: ['dev'],
    });
    expect(statusOf(whole, undefined)).toBe(whole);
  });

  test('freshness: live while an account was never synced, else the oldest sync and its failure', () => {
    expect(statusFreshness(whole)).toEqual({ source: 'live', reason: 'never-synced' });
    const synced = statusOf(whole, ['prod', 'staging']) as InventoryStatus;
    expect(statusFreshness(synced)).toEqual({
      source: 'inventory',
      syncedAt: older,
      lastFailure: { at: SYNCED, message: 'throttled' },
    });
  });
});
