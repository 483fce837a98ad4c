/**
 * The list queries (store.certificates) against the domain rules they stand for, on real SQLite
 * and real PostgreSQL: over random inventories (reused names, wildcards, missing and unreadable
 * end dates, expired flags, revoked ones, resources on some, an account never listed) and several
 * `now` values, including one past the midnight after the sync, select()'s states, order, filters,
 * pages and counts must equal what certificateState, inUrgencyOrder, inView,
 * certificateMatchesKeyword, covers, resourceMatchesQuery and findReplacements say in memory.
 */
import type { Certificate } from '../../../src/domain/certificate';
import {
  CERTIFICATE_STATES,
  type CertificateState,
  certificateState,
  inUrgencyOrder,
} from '../../../src/domain/certificate-state';
import { type DeploymentState, deploymentState, resourcesByCertificate } from '../../../src/domain/deployment';
import { daysLeft, urgency } from '../../../src/domain/expiry';
import { covers, findReplacementsByAccount } from '../../../src/domain/replacement';
import { certificateMatchesKeyword, resourceMatchesQuery } from '../../../src/domain/resource-match';
import { CERTIFICATE_VIEWS, inView } from '../../../src/domain/views';
import { mulberry32, pick, type Random, randomInt } from '../../../src/sandbox/prng';
import type { CertificateFilter, DeployedResource, Store } from '../../../src/store/types';
import { describeContract } from './backends';

const DAY = 86_400_000;
/** The second sync; the first one is two days before it. */
const SYNC = new Date('2026-05-20T21:30:00.000Z');
const FIRST_SYNC = new Date(SYNC.getTime() - 2 * DAY);
const day = (offset: number) => new Date(Date.UTC(2026, 4, 20) + offset * DAY).toISOString().slice(0, 10);
/** The instants lists are asked at: before and at the sync, later that day, past midnight, weeks and a year on. */
const NOWS = [
  new Date(SYNC.getTime() - 3 * DAY),
  SYNC,
  new Date(SYNC.getTime() + 3_600_000),
  new Date('2026-05-21T00:00:30.000Z'),
  new Date(SYNC.getTime() + 10 * DAY),
  new Date(SYNC.getTime() + 45 * DAY),
  new Date(SYNC.getTime() + 400 * DAY),
];

const ZONES = ['example.com', 'EXAMPLE.com', 'a.example.com', 'example.org'];
const LABELS = ['a', 'b', 'www', 'WWW', '*', 'a*'];

function randomName(random: Random): string {
  if (random() < 0.03) return '*.';
  if (random() < 0.1) return pick(random, ZONES);
  return `${pick(random, LABELS)}.${pick(random, ZONES)}`;
}

function randomCertificate(random: Random, account: string, index: number): Certificate {
  const id = random() < 0.15 ? `inst-${index}` : String(1000 + index);
  const endRoll = random();
  return {
    account,
    id,
    certificateId: id,
    instanceId: random() < 0.8 ? `cas-${account.toLowerCase()}-${index}` : undefined,
    commonName: random() < 0.9 ? randomName(random) : undefined,
    sans: Array.from({ length: randomInt(random, 0, 3) }, () => randomName(random)),
    // Few distinct days, so ties are common; today, tomorrow, a month on; some unknown or unreadable.
    endDate:
      endRoll < 0.06
        ? undefined
        : endRoll < 0.09
          ? 'soon'
          : `${day(pick(random, [-400, -30, -1, 0, 1, 2, 7, 8, 10, 29, 30, 31, 40, 55, 90, 365, 500]))}${random() < 0.1 ? ' 12:00:00' : ''}`,
    expired: random() < 0.2,
    uploaded: random() < 0.3,
    status: random() < 0.07 ? 'REVOKED' : 'ISSUED',
  };
}

function randomResources(random: Random, account: string, certificates: readonly Certificate[]): DeployedResource[] {
  const resources: DeployedResource[] = [];
  for (let i = 0; i < Math.ceil(certificates.length * 1.5); i++) {
    const target = random() < 0.9 ? pick(random, certificates).id : 'no-such-certificate';
    const balancer = random() < 0.6;
    resources.push({
      account,
      id: `r-${i}`,
      certificateId: target,
      cloud: pick(random, ['Tencent', 'aliyun']),
      product: balancer ? 'SLB' : 'CDN',
      region: 'cn-hangzhou',
      instanceId: balancer ? `lb-${i % 5}` : undefined,
      listenerId: balancer && random() < 0.7 ? `lsn-${i % 3}` : undefined,
      listenerPort: balancer ? pick(random, ['443', '8443']) : undefined,
      domain: balancer ? undefined : `cdn${i % 4}.EXAMPLE.com`,
    });
  }
  return resources;
}

interface Expected extends Certificate {
  firstSeen: Date;
  replacedBy?: Certificate & { firstSeen: Date };
  deployment?: { state: DeploymentState; resources: DeployedResource[] };
}

/** Two syncs of two accounts (resources listed for A only); returns the inventory as stored-source builds it. */
async function seed(store: Store, random: Random): Promise<(now: Date) => Expected[]> {
  const a = Array.from({ length: randomInt(random, 40, 120) }, (_, i) => randomCertificate(random, 'A', i));
  const b = Array.from({ length: randomInt(random, 10, 40) }, (_, i) => randomCertificate(random, 'B', i));
  const unique = (certs: Certificate[]) => [...new Map(certs.map((c) => [c.id, c])).values()];
  const [certsA, certsB] = [unique(a), unique(b)];
  // The first sync holds some of them (and some that the second removes), so first_seen differs.
  const early = (certs: Certificate[], account: string) => [
    ...certs.filter(() => random() < 0.5),
    ...Array.from({ length: 5 }, (_, i) => randomCertificate(random, account, 900 + i)),
  ];
  const timing = (at: Date) => ({ startedAt: new Date(at.getTime() - 60_000), finishedAt: at });
  await store.inventory.replace('A', early(certsA, 'A'), timing(FIRST_SYNC));
  await store.inventory.replace('B', early(certsB, 'B'), timing(FIRST_SYNC));
  await store.resources.replace('A', randomResources(random, 'A', certsA), FIRST_SYNC);
  await store.inventory.replace('A', certsA, timing(SYNC));
  await store.inventory.replace('B', certsB, timing(SYNC));
  // After the certificate swap: served_by follows the resource swap alone.
  await store.resources.replace('A', randomResources(random, 'A', certsA), SYNC);

  const present = (await store.inventory.list()).map((row) => ({ ...row.certificate, firstSeen: row.firstSeen }));
  const served = resourcesByCertificate(await store.resources.list('A'));
  return (now) => {
    const replacements = findReplacementsByAccount(present, now);
    return present.map((c) => {
      const replacement = replacements.get(c.account)?.get(c.id) as (Certificate & { firstSeen: Date }) | undefined;
      const on = c.account === 'A' ? (served.get(c.id) ?? []) : undefined;
      return {
        ...c,
        ...(replacement ? { replacedBy: replacement } : {}),
        ...(on
          ? {
              deployment: {
                state: deploymentState({ replaced: !!replacement, servedBy: on.length, known: true }),
                resources: on,
              },
            }
          : {}),
      };
    });
  };
}

const keyOf = (c: { account: string; id: string }) => `${c.account}/${c.id}`;

/** The domain's answer to a filter: inUrgencyOrder of every present certificate, then the filter. */
function expectedKeys(all: readonly Expected[], filter: CertificateFilter, now: Date): string[] {
  const keys = filter.keys && new Set(filter.keys.map(keyOf));
  return inUrgencyOrder(all, now)
    .filter((c) => {
      const days = daysLeft(c.endDate, now);
      return (
        (!filter.accounts || filter.accounts.includes(c.account)) &&
        (!filter.states || filter.states.includes(certificateState(c, now))) &&
        (!filter.view || inView(c, filter.view, now)) &&
        certificateMatchesKeyword(c, filter.keyword) &&
        (filter.endsWithinDays === undefined || (days === undefined ? c.expired : days <= filter.endsWithinDays)) &&
        (!keys || keys.has(keyOf(c))) &&
        (filter.coveringName === undefined ||
          [c.commonName, ...c.sans].some(
            (name) => typeof name === 'string' && covers(name, filter.coveringName as string),
          )) &&
        (filter.onResource === undefined ||
          (c.deployment?.resources ?? []).some((r) => resourceMatchesQuery(r, filter.onResource as string))) &&
        (filter.replacementSeenAfter === undefined ||
          (c.replacedBy !== undefined && c.replacedBy.firstSeen.getTime() > filter.replacementSeenAfter.getTime()))
      );
    })
    .map(keyOf);
}

function filters(random: Random, all: readonly Expected[]): CertificateFilter[] {
  const someKeys = all.filter(() => random() < 0.2).map((c) => ({ account: c.account, id: c.id }));
  return [
    {},
    { accounts: ['A'] },
    { accounts: ['B', 'nobody'] },
    { accounts: [] },
    ...CERTIFICATE_STATES.map((state) => ({ states: [state] })),
    { states: ['stale', 'expiring', 'renewed'] as CertificateState[], accounts: ['A'] },
    ...CERTIFICATE_VIEWS.map((view) => ({ view })),
    ...['EXAMPLE', 'www.a', '*', 'cas-a-1', 'lb-3', ' lb-3 ', 'CDN1.example', 'lsn-2', 'example.org', 'nothing'].map(
      (keyword) => ({ keyword }),
    ),
    { keyword: '' },
    ...[-31, -1, 0, 7, 30].map((endsWithinDays) => ({ endsWithinDays })),
    { keys: [...someKeys, { account: 'A', id: 'no-such' }, { account: 'C', id: '1000' }] },
    ...['a.example.com', 'WWW.example.com', '*.example.com', 'x.a.example.com', 'example.com', 'b.example.org', ''].map(
      (coveringName) => ({ coveringName }),
    ),
    ...['lb-3', 'LB-3:443', 'lb-3:8443', ' lsn-2 ', 'lsn-2:8443', 'cdn1.example.com', ''].map((onResource) => ({
      onResource,
    })),
    { replacementSeenAfter: new Date(FIRST_SYNC.getTime() + 60_000) },
    { replacementSeenAfter: new Date(FIRST_SYNC.getTime() - 60_000), view: 'all' },
    { view: 'expiring', keyword: 'example', accounts: ['A'], endsWithinDays: 10 },
  ];
}

function bucketOf(c: Expected, now: Date): string {
  const days = daysLeft(c.endDate, now);
  if (urgency(days, c.expired) === 'expired') return 'expired';
  if (days === undefined) return 'unknown';
  return days <= 7 ? 'le_7' : days <= 30 ? 'le_30' : 'gt_30';
}

describeContract('certificate list queries', ({ store }) => {
  test.each([1, 2, 3, 4])(
    'over a random inventory (seed %i), states, order, filters, pages and counts equal the domain rules at every now',
    async (seedNumber) => {
      const random = mulberry32(seedNumber * 104_729);
      const expectedAt = await seed(store(), random);
      // The inventory must exercise what is compared: every state, and most filters matching some.
      const seen = new Set<string>();
      const matched = new Map<number, number>();
      for (const now of NOWS) {
        const all = expectedAt(now);
        const byKey = new Map(all.map((c) => [keyOf(c), c]));

        const { rows, total } = await store().certificates.select({}, now);
        expect(rows.map((row) => keyOf(row.certificate))).toEqual(inUrgencyOrder(all, now).map(keyOf));
        expect(total).toBe(all.length);
        for (const row of rows) {
          const c = byKey.get(keyOf(row.certificate)) as Expected;
          const { firstSeen, replacedBy, deployment, ...certificate } = c;
          expect({ at: now, key: keyOf(c), state: row.state }).toEqual({
            at: now,
            key: keyOf(c),
            state: certificateState(c, now),
          });
          expect(row.certificate).toEqual(certificate);
          expect(row.firstSeen).toEqual(firstSeen);
          expect(row.replacedBy && { ...row.replacedBy.certificate, firstSeen: row.replacedBy.firstSeen }).toEqual(
            replacedBy,
          );
          expect(row.deployment.state).toBe(deployment?.state ?? 'unknown');
          expect(row.deployment.resources.map((r) => r.id).sort()).toEqual(
            (deployment?.resources ?? []).map((r) => r.id).sort(),
          );
          expect(row.servedBy).toBe(deployment?.resources.length);
        }

        for (const row of rows) seen.add(row.state);
        for (const [index, filter] of filters(random, all).entries()) {
          const expected = expectedKeys(all, filter, now);
          matched.set(index, (matched.get(index) ?? 0) + expected.length);
          const answer = await store().certificates.select(filter, now);
          expect({ filter, at: now, keys: answer.rows.map((row) => keyOf(row.certificate)) }).toEqual({
            filter,
            at: now,
            keys: expected,
          });
          expect(answer.total).toBe(expected.length);
        }

        const offset = randomInt(random, 0, all.length);
        const page = await store().certificates.select({ view: 'all' }, now, { offset, limit: 7 });
        expect(page.rows.map((row) => keyOf(row.certificate))).toEqual(
          inUrgencyOrder(all, now)
            .slice(offset, offset + 7)
            .map(keyOf),
        );
        expect(page.total).toBe(all.length);

        const expectedCounts = new Map<string, number>();
        for (const c of all) {
          const k = [c.account, certificateState(c, now), c.deployment?.state ?? 'unknown', bucketOf(c, now)].join(' ');
          expectedCounts.set(k, (expectedCounts.get(k) ?? 0) + 1);
        }
        const counts = await store().certificates.counts({}, now);
        expect(
          Object.fromEntries(
            counts.map((row) => [[row.account, row.state, row.deployment, row.days].join(' '), row.n]),
          ),
        ).toEqual(Object.fromEntries(expectedCounts));
      }
      expect([...seen].sort()).toEqual([...CERTIFICATE_STATES].sort());
      const never = [...matched].filter(([, n]) => n === 0).map(([index]) => index);
      // Only the filters that match nothing by design may match nothing at every now.
      const empty = ['{"accounts":[]}', '{"keyword":"nothing"}', '{"coveringName":""}', '{"onResource":""}'];
      // resourceMatchesQuery takes ids only: a CDN's domain names no resource.
      empty.push('{"onResource":"cdn1.example.com"}');
      const names = never.map((index) => JSON.stringify(filters(mulberry32(1), [])[index]));
      expect(names.filter((name) => !empty.includes(name))).toEqual([]);
    },
    120_000,
  );

  test('a day boundary changes states without a sync: expiring today, expired after midnight; a replacement that ended stops counting', async () => {
    const cert = (id: string, names: string[], endDate: string): Certificate => ({
      account: 'A',
      id,
      commonName: names[0],
      sans: names,
      endDate,
      expired: false,
      uploaded: false,
    });
    await store().inventory.replace(
      'A',
      [
        cert('1', ['a.example.com'], '2026-05-20'),
        cert('2', ['*.example.com'], '2026-05-21'),
        cert('3', ['b.example.com'], '2026-05-25'),
      ],
      { startedAt: SYNC, finishedAt: SYNC },
    );
    const states = async (now: Date) =>
      Object.fromEntries(
        (await store().certificates.select({}, now)).rows.map((row) => [
          row.certificate.id,
          [row.state, row.replacedBy?.certificate.id],
        ]),
      );
    // 1 is renewed by the wildcard 2, which ends a day later; 3 is not (2 ends before it).
    expect(await states(new Date('2026-05-20T23:59:59Z'))).toEqual({
      '1': ['renewed', '2'],
      '2': ['expiring', undefined],
      '3': ['expiring', undefined],
    });
    expect(await states(new Date('2026-05-22T00:00:01Z'))).toEqual({
      '1': ['expired', undefined],
      '2': ['expired', undefined],
      '3': ['expiring', undefined],
    });
  });

  test('ids: what a person types to /cert-info, the inventory ID or CAS CertificateId, in any account; none asked, none found', async () => {
    const cert = (account: string, id: string, certificateId: string): Certificate => ({
      account,
      id,
      certificateId,
      commonName: `${id}.example.com`,
      sans: [],
      endDate: '2026-09-01',
      expired: false,
      uploaded: false,
    });
    await store().inventory.replace('A', [cert('A', '11', '9011'), cert('A', '12', '9012')], {
      startedAt: SYNC,
      finishedAt: SYNC,
    });
    await store().inventory.replace('B', [cert('B', '21', '11')], { startedAt: SYNC, finishedAt: SYNC });
    const found = async (ids: string[]) =>
      (await store().certificates.select({ ids }, SYNC)).rows
        .map((r) => `${r.certificate.account}/${r.certificate.id}`)
        .sort();
    // 11 is A's inventory ID and B's CertificateId: both are what a person might mean.
    expect(await found(['11'])).toEqual(['A/11', 'B/21']);
    expect(await found(['9012'])).toEqual(['A/12']);
    expect(await found([])).toEqual([]);
  });

  test('counts of resources by account, cloud and product, present ones only', async () => {
    const resource = (id: string, product: string | undefined, account = 'A'): DeployedResource => ({
      account,
      id,
      certificateId: '1',
      cloud: 'aliyun',
      product,
    });
    await store().resources.replace('A', [resource('1', 'SLB'), resource('2', 'SLB'), resource('3', 'CDN')], SYNC);
    await store().resources.replace('B', [resource('1', undefined, 'B')], SYNC);
    await store().resources.replace('A', [resource('1', 'SLB'), resource('3', 'CDN')], SYNC);
    expect(await store().certificates.resourceCounts()).toEqual([
      { account: 'A', cloud: 'aliyun', product: 'CDN', n: 1 },
      { account: 'A', cloud: 'aliyun', product: 'SLB', n: 1 },
      { account: 'B', cloud: 'aliyun', n: 1 },
    ]);
    expect(await store().certificates.resourceCounts(['B'])).toEqual([{ account: 'B', cloud: 'aliyun', n: 1 }]);
    expect(await store().certificates.resourceCounts([])).toEqual([]);
  });
});
