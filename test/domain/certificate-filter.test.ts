import { type FilterableCertificate, matchesFilter } from '../../src/domain/certificate-filter';
import { countCertificates, daysBucket, sumCounts } from '../../src/domain/certificate-counts';

const NOW = new Date('2026-12-05T10:00:00Z');

const cert = (id: string, extra: Partial<FilterableCertificate> = {}): FilterableCertificate => ({
  account: 'prod',
  id,
  sans: [],
  expired: false,
  uploaded: false,
  ...extra,
});

const lb = { instanceId: 'lb-bp1abc', listenerPort: '443', domain: '' };
const inventory: FilterableCertificate[] = [
  cert('1', { commonName: 'www.example.com', endDate: '2026-12-20', deployment: { state: 'deployed', resources: [] } }),
  cert('2', {
    commonName: 'api.example.com',
    endDate: '2026-11-30',
    deployment: { state: 'deployed', resources: [lb] },
  }),
  cert('3', {
    commonName: '*.example.com',
    sans: ['*.example.com', 'example.com'],
    endDate: '2027-06-01',
    certificateId: '9001',
    deployment: { state: 'not-deployed', resources: [] },
  }),
  cert('4', {
    account: 'staging',
    commonName: 'old.example.org',
    endDate: '2026-12-10',
    replacedBy: { firstSeen: new Date('2026-12-01T00:00:00Z') },
    deployment: { state: 'stale', resources: [{ ...lb, instanceId: 'lb-other' }] },
  }),
  cert('5', { account: 'staging', endDate: undefined, expired: true }),
  cert('6', {
    account: 'staging',
    commonName: 'gone.example.org',
    endDate: '2026-12-08',
    replacedBy: { firstSeen: new Date('2026-11-01T00:00:00Z') },
    deployment: { state: 'not-deployed', resources: [] },
  }),
];
const ids = (filter: Parameters<typeof matchesFilter>[1]) =>
  inventory.filter((c) => matchesFilter(c, filter, NOW)).map((c) => c.id);

describe('matchesFilter', () => {
  test('an empty filter takes every certificate', () => {
    expect(ids({})).toEqual(['1', '2', '3', '4', '5', '6']);
  });

  test('each field selects by the domain rule it names', () => {
    expect(ids({ accounts: ['staging'] })).toEqual(['4', '5', '6']);
    expect(ids({ states: ['stale', 'expired'] })).toEqual(['2', '4', '5']);
    expect(ids({ states: ['renewed'] })).toEqual(['6']);
    expect(ids({ view: 'issued' })).toEqual(['3']);
    expect(ids({ view: 'expiring' })).toEqual(['1']);
    expect(ids({ keyword: 'API.' })).toEqual(['2']);
    // A keyword also matches a resource the certificate is served on.
    expect(ids({ keyword: 'lb-oth' })).toEqual(['4']);
    expect(
      ids({
        keys: [
          { account: 'staging', id: '4' },
          { account: 'prod', id: '4' },
        ],
      }),
    ).toEqual(['4']);
    expect(ids({ ids: ['9001', '5'] })).toEqual(['3', '5']);
  });

  test('endsWithinDays counts ended ones and the expired flag without a date', () => {
    expect(ids({ endsWithinDays: 5 })).toEqual(['2', '4', '5', '6']);
    expect(ids({ endsWithinDays: -6 })).toEqual(['5']);
    expect(ids({ endsWithinDays: 15 })).toEqual(['1', '2', '4', '5', '6']);
  });

  test('coveringName matches a wildcard one label deep, and the bare name', () => {
    expect(ids({ coveringName: 'shop.EXAMPLE.com' })).toEqual(['3']);
    expect(ids({ coveringName: 'www.example.com' })).toEqual(['1', '3']);
    expect(ids({ coveringName: 'a.b.example.com' })).toEqual([]);
    expect(ids({ coveringName: 'example.com' })).toEqual(['3']);
  });

  test('onResource is the resource by its ID, with or without its port', () => {
    expect(ids({ onResource: 'LB-BP1ABC' })).toEqual(['2']);
    expect(ids({ onResource: 'lb-bp1abc:443' })).toEqual(['2']);
    expect(ids({ onResource: 'lb-bp1abc:80' })).toEqual([]);
    expect(ids({ onResource: 'lb-bp1' })).toEqual([]);
  });

  test('replacementSeenAfter: replaced, and the replacement first seen after the moment', () => {
    expect(ids({ replacementSeenAfter: new Date('2026-11-15T00:00:00Z') })).toEqual(['4']);
    expect(ids({ replacementSeenAfter: new Date('2026-10-01T00:00:00Z') })).toEqual(['4', '6']);
    expect(ids({ replacementSeenAfter: new Date('2026-12-01T00:00:00Z'), states: ['renewed'] })).toEqual([]);
  });

  test('fields are ANDed', () => {
    expect(ids({ accounts: ['prod'], endsWithinDays: 30, keyword: 'example.com' })).toEqual(['1', '2']);
    expect(ids({ accounts: ['prod'], states: ['stale'] })).toEqual([]);
  });
});

describe('counts', () => {
  test('each certificate once per state, deployment and days bucket, by account', () => {
    const [prod, staging] = countCertificates(inventory, NOW);
    expect(prod.account).toBe('prod');
    expect(prod.states).toMatchObject({ expiring: 1, expired: 1, 'not-deployed': 1, total: 3 });
    expect(prod.deployments).toEqual({ stale: 0, deployed: 2, 'not-deployed': 1, unknown: 0 });
    expect(prod.days).toEqual({ expired: 1, le_7: 0, le_30: 1, gt_30: 1, unknown: 0 });
    expect(staging.states).toMatchObject({ stale: 1, expired: 1, renewed: 1, total: 3 });
    expect(staging.days).toEqual({ expired: 1, le_7: 2, le_30: 0, gt_30: 0, unknown: 0 });
    const all = sumCounts([prod, staging]);
    expect(all.states.total).toBe(6);
    expect(all.deployments.unknown).toBe(1);
  });

  test('days buckets: today is le_7, unknown without date or flag', () => {
    expect(daysBucket({ endDate: '2026-12-05', expired: false }, NOW)).toBe('le_7');
    expect(daysBucket({ endDate: '2026-12-12', expired: false }, NOW)).toBe('le_7');
    expect(daysBucket({ endDate: '2026-12-13', expired: false }, NOW)).toBe('le_30');
    expect(daysBucket({ endDate: undefined, expired: false }, NOW)).toBe('unknown');
    expect(daysBucket({ endDate: undefined, expired: true }, NOW)).toBe('expired');
  });
});
