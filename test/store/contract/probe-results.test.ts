import type { EndpointVerdict } from '../../../src/domain/probe-verdict';
import { describeContract } from './backends';

const leaf = {
  subject: 'CN=www.example.com',
  issuer: 'CN=Example CA',
  commonName: 'www.example.com',
  issuerCommonName: 'Example CA',
  names: ['www.example.com'],
  serialNumber: '0A1B',
  notBefore: '2026-10-01T00:00:00.000Z',
  notAfter: '2027-01-01T00:00:00.000Z',
  sha1: 'AB'.repeat(20),
  sha256: 'CD'.repeat(32),
  selfIssued: false,
  ca: false,
};

function verdict(host: string, port: number, kind: 'ok' | 'pending', at: Date): EndpointVerdict {
  if (kind === 'pending')
    return {
      endpoint: { host, port },
      verdict: 'pending',
      findings: [],
      checkedAt: at,
      failure: { reason: 'timeout', message: 'no answer within 5000 ms', failures: 1 },
      consecutiveFailures: 1,
    };
  return {
    endpoint: { host, port },
    verdict: 'ok',
    findings: [],
    checkedAt: at,
    consecutiveFailures: 0,
    served: {
      leaf,
      chain: [],
      verdict: 'ok',
      findings: [],
      match: {
        certificate: { account: 'default', id: '10000001', sans: ['www.example.com'], expired: false, uploaded: false },
        by: 'sha256',
      },
      daysLeft: 27,
      trusted: true,
      address: '203.0.113.7',
      handshakeMs: 12.5,
      at,
    },
  };
}

describeContract('probe result store contract', ({ store, another }) => {
  test('a pass replaces the previous one as a whole, and reads back as it was stored', async () => {
    const t1 = new Date('2026-12-05T10:00:00.000Z');
    const t2 = new Date('2026-12-05T11:00:00.000Z');
    const probes = store().probes;
    expect(await probes.list()).toEqual([]);
    await probes.replace([verdict('www.example.com', 443, 'ok', t1), verdict('api.example.com', 8443, 'pending', t1)]);
    expect(await (await another()).probes.list()).toEqual([
      verdict('api.example.com', 8443, 'pending', t1),
      verdict('www.example.com', 443, 'ok', t1),
    ]);
    // The next pass no longer has api.example.com: it is gone, not left over from the last pass.
    await probes.replace([verdict('www.example.com', 443, 'ok', t2)]);
    expect(await probes.list()).toEqual([verdict('www.example.com', 443, 'ok', t2)]);
  });
});
