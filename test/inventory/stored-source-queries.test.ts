/**
 * storedCertificateSource's list() as one query of the store (given store.certificates) answers
 * exactly what it answers from the whole inventory in memory: every view, keywords, two days, an
 * acknowledged and a snoozed certificate, on SQLite and PostgreSQL.
 */
import type { Certificate } from '../../src/domain/certificate';
import { CERTIFICATE_VIEWS } from '../../src/domain/views';
import { storedCertificateSource } from '../../src/inventory/stored-source';
import { mulberry32, pick, type Random, randomInt } from '../../src/sandbox/prng';
import type { DeployedResource } from '../../src/store/types';
import { describeContract } from '../store/contract/backends';

const SYNC = new Date('2026-05-20T21:30:00.000Z');
const NOWS = [new Date('2026-05-20T22:00:00.000Z'), new Date('2026-06-02T08:00:00.000Z')];
const day = (offset: number) => new Date(Date.UTC(2026, 4, 20) + offset * 86_400_000).toISOString().slice(0, 10);

function randomName(random: Random): string {
  return `${pick(random, ['a', 'b', 'www', '*'])}.${pick(random, ['example.com', 'example.org', 'x.example.com'])}`;
}

function certificates(random: Random, account: string): Certificate[] {
  return Array.from({ length: randomInt(random, 30, 80) }, (_, index) => ({
    account,
    id: String(100 + index),
    instanceId: `cas-${index}`,
    commonName: randomName(random),
    sans: Array.from({ length: randomInt(random, 0, 2) }, () => randomName(random)),
    endDate: random() < 0.05 ? undefined : day(pick(random, [-20, -1, 0, 3, 12, 25, 40, 90, 200])),
    expired: random() < 0.2,
    uploaded: random() < 0.3,
    status: random() < 0.05 ? 'REVOKED' : 'ISSUED',
  }));
}

describeContract('stored-source list as a query', ({ store }) => {
  test.each(['acct-1', undefined])('equals the in-memory list for every view (account %s)', async (account) => {
    const random = mulberry32(4242);
    const certs = certificates(random, 'acct-1');
    await store().inventory.replace('acct-1', certs, { startedAt: SYNC, finishedAt: SYNC });
    const resources: DeployedResource[] = certs
      .filter(() => random() < 0.5)
      .map((c, i) => ({
        account: 'acct-1',
        id: `r${i}`,
        certificateId: c.id,
        instanceId: `lb-${i % 4}`,
        listenerPort: '443',
      }));
    await store().resources.replace('acct-1', resources, SYNC);
    await store().alerts.acknowledge('acct-1', certs[0].id, 'U1', SYNC);
    await store().alerts.snooze('acct-1', certs[1].id, 'U2', new Date(SYNC.getTime() + 3 * 86_400_000));

    const common = {
      inventory: store().inventory,
      resources: store().resources,
      alertStates: () => store().alerts.states(),
      fallback: () => ({ list: () => Promise.reject(new Error('no fallback expected')) }),
      ...(account !== undefined ? { account } : {}),
    };
    // Without an account the old path reads the deployments of 'default'; the accounts are named here.
    if (account === undefined) await store().resources.replace('default', [], SYNC);
    const inMemory = storedCertificateSource(common);
    const asQuery = storedCertificateSource({ ...common, certificates: store().certificates });
    let listed = 0;
    for (const now of NOWS)
      for (const view of CERTIFICATE_VIEWS)
        for (const keyword of [undefined, 'example.org', 'LB-2', 'cas-1']) {
          const expected = await inMemory.list(view, keyword, now);
          expect({ view, keyword, now, listing: await asQuery.list(view, keyword, now) }).toEqual({
            view,
            keyword,
            now,
            listing: expected,
          });
          listed += expected.certificates.length;
        }
    expect(listed).toBeGreaterThan(100);
  });
});
