/**
 * What /cert-info looks a certificate up by, on real SQLite and PostgreSQL: a domain against the
 * names each certificate holds now (kept by the store on every write: a streaming sync's swap,
 * replace(), a certificate whose names changed, one removed and back), an ID or CAS CertificateId,
 * and a resource's instance or listener ID in any case, with or without its port.
 */
import type { Certificate } from '../../../src/domain/certificate';
import type { CertificateFilter, DeployedResource } from '../../../src/store/types';
import { describeContract } from './backends';

const SYNC = new Date('2026-05-20T21:30:00.000Z');
const NOW = new Date('2026-05-21T08:00:00.000Z');
const at = (minutes: number) => {
  const finishedAt = new Date(SYNC.getTime() + minutes * 60_000);
  return { startedAt: new Date(finishedAt.getTime() - 1_000), finishedAt };
};

function cert(id: string, names: string[], extra: Partial<Certificate> = {}): Certificate {
  return {
    account: 'A',
    id,
    certificateId: id,
    commonName: names[0],
    sans: names.slice(1),
    endDate: '2026-09-01',
    expired: false,
    uploaded: false,
    ...extra,
  };
}

function resource(id: string, certificateId: string, extra: Partial<DeployedResource> = {}): DeployedResource {
  return {
    account: 'A',
    id,
    certificateId,
    cloud: 'aliyun',
    product: 'SLB',
    region: 'cn-hangzhou',
    ...extra,
  };
}

describeContract('certificate lookups', ({ store }) => {
  const found = async (filter: CertificateFilter) =>
    (await store().certificates.select(filter, NOW)).rows.map((row) => row.certificate.id).sort();

  test('a domain finds the certificates whose names cover it now, whatever wrote them', async () => {
    // A streaming sync's swap writes the first inventory.
    const staging = await store().inventory.begin('A');
    await staging.stage([
      cert('1', ['Shop.Example.com', 'www.shop.example.com']),
      cert('2', ['*.example.com']),
      cert('3', ['api.example.org']),
    ]);
    await staging.commit(at(0));
    expect(await found({ coveringName: 'shop.example.com' })).toEqual(['1', '2']);
    expect(await found({ coveringName: 'WWW.shop.example.com' })).toEqual(['1']);
    expect(await found({ coveringName: 'api.example.org' })).toEqual(['3']);
    expect(await found({ coveringName: 'example.com' })).toEqual([]);

    // The next sync: 1 lost its SAN and took another name, 3 is gone, 4 is new.
    await store().inventory.replace(
      'A',
      [
        cert('1', ['shop.example.com', 'pay.example.net']),
        cert('2', ['*.example.com']),
        cert('4', ['api.example.org']),
      ],
      at(60),
    );
    expect(await found({ coveringName: 'www.shop.example.com' })).toEqual([]);
    expect(await found({ coveringName: 'pay.example.net' })).toEqual(['1']);
    expect(await found({ coveringName: 'api.example.org' })).toEqual(['4']);

    // 3 is back with a name it never had.
    await store().inventory.replace(
      'A',
      [cert('1', ['shop.example.com']), cert('2', ['*.example.com']), cert('3', ['new.example.org'])],
      at(120),
    );
    expect(await found({ coveringName: 'new.example.org' })).toEqual(['3']);
    expect(await found({ coveringName: 'api.example.org' })).toEqual([]);
    expect(await found({ coveringName: 'pay.example.net' })).toEqual([]);
  });

  test('an ID is the inventory ID or CAS CertificateId; a resource its instance or listener ID, any case, with its port', async () => {
    await store().inventory.replace(
      'A',
      [
        cert('11', ['a.example.com'], { certificateId: '9011' }),
        cert('12', ['b.example.com'], { certificateId: '9012' }),
        cert('13', ['c.example.com'], { certificateId: '11' }),
      ],
      at(0),
    );
    expect(await found({ ids: ['11'] })).toEqual(['11', '13']);
    expect(await found({ ids: ['9012', '404'] })).toEqual(['12']);

    await store().resources.replace(
      'A',
      [
        resource('r1', '11', { instanceId: 'lb-Abc', listenerId: 'lsn-1', listenerPort: '443' }),
        resource('r2', '12', { instanceId: 'lb-abc', listenerId: 'lsn-2', listenerPort: '8443' }),
        resource('r3', '13', { instanceId: 'cdn-x' }),
      ],
      SYNC,
    );
    expect(await found({ onResource: 'LB-ABC' })).toEqual(['11', '12']);
    expect(await found({ onResource: 'lb-abc:8443' })).toEqual(['12']);
    expect(await found({ onResource: 'LSN-1' })).toEqual(['11']);
    expect(await found({ onResource: 'lsn-1:443' })).toEqual(['11']);
    expect(await found({ onResource: 'lsn-1:80' })).toEqual([]);

    // A resource no longer listed serves nothing.
    await store().resources.replace('A', [resource('r2', '12', { instanceId: 'lb-abc', listenerPort: '8443' })], SYNC);
    expect(await found({ onResource: 'lb-abc' })).toEqual(['12']);
    expect(await found({ onResource: 'cdn-x' })).toEqual([]);
  });
});
