import type { Certificate } from '../../src/domain/certificate';
import {
  certificateMatchesKeyword,
  certificatesOnResource,
  resourceMatchesKeyword,
  resourceMatchesQuery,
} from '../../src/domain/resource-match';

const certificate = (id: string, resources: Array<Record<string, string>>, commonName = `${id}.example.com`) =>
  ({
    account: 'default',
    id,
    certificateId: id,
    commonName,
    sans: [commonName],
    expired: false,
    uploaded: false,
    deployment: { resources },
  }) as Certificate & { deployment: { resources: Array<Record<string, string>> } };

const slb = { instanceId: 'lb-bp1abc', listenerId: 'lsn-xyz9', listenerPort: '443' };
const cdn = { domain: 'static.example.net' };

test('a keyword is a case-insensitive part of an instance ID, a listener ID or a domain', () => {
  expect(resourceMatchesKeyword(slb, 'LB-BP1')).toBe(true);
  expect(resourceMatchesKeyword(slb, 'xyz9')).toBe(true);
  expect(resourceMatchesKeyword(cdn, 'static.example')).toBe(true);
  expect(resourceMatchesKeyword(slb, 'alb-')).toBe(false);
  expect(resourceMatchesKeyword(slb, '  ')).toBe(false);
});

test("a certificate matches by its names (CAS's rule) or by any resource it is deployed on", () => {
  const c = certificate('1001', [slb, cdn], 'shop.example.com');
  expect(certificateMatchesKeyword(c, 'shop')).toBe(true);
  expect(certificateMatchesKeyword(c, 'lb-bp1')).toBe(true);
  expect(certificateMatchesKeyword(c, 'static.example.net')).toBe(true);
  expect(certificateMatchesKeyword(c, 'nowhere')).toBe(false);
  expect(certificateMatchesKeyword(c, undefined)).toBe(true);
  expect(certificateMatchesKeyword({ ...c, deployment: undefined }, 'lb-bp1')).toBe(false);
});

test('a resource asked for by name: its whole instance or listener ID, or instance:port', () => {
  expect(resourceMatchesQuery(slb, 'lb-bp1abc')).toBe(true);
  expect(resourceMatchesQuery(slb, 'LB-BP1ABC:443')).toBe(true);
  expect(resourceMatchesQuery(slb, 'lsn-xyz9')).toBe(true);
  expect(resourceMatchesQuery(slb, 'lb-bp1abc:8443')).toBe(false);
  expect(resourceMatchesQuery(slb, 'lb-bp1')).toBe(false);
  // A domain is searched as a domain (the certificates covering it), not as a resource.
  expect(resourceMatchesQuery(cdn, 'static.example.net')).toBe(false);
});

test('the certificates a resource serves, each listener its own', () => {
  const a = certificate('1', [{ instanceId: 'lb-1', listenerPort: '443' }]);
  const b = certificate('2', [{ instanceId: 'lb-1', listenerPort: '8443' }]);
  const c = certificate('3', [{ instanceId: 'lb-2', listenerPort: '443' }]);
  expect(certificatesOnResource([a, b, c], 'lb-1').map((x) => x.id)).toEqual(['1', '2']);
  expect(certificatesOnResource([a, b, c], 'lb-1:8443').map((x) => x.id)).toEqual(['2']);
  expect(certificatesOnResource([a, b, c], 'lb-9')).toEqual([]);
});
