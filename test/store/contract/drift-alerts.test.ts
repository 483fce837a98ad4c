import type { DriftAlertRecord } from '../../../src/domain/drift-alerts';
import type { EndpointVerdict } from '../../../src/domain/probe-verdict';
import { describeContract, HOUR, later, T0 } from './backends';

const leaf = {
  subject: 'CN=www.example.com',
  issuer: 'CN=Other CA',
  commonName: 'www.example.com',
  issuerCommonName: 'Other CA',
  names: ['www.example.com'],
  serialNumber: '0A1B',
  notBefore: '2025-01-01T00:00:00.000Z',
  notAfter: '2025-06-01T00:00:00.000Z',
  sha1: 'AB'.repeat(20),
  sha256: 'CD'.repeat(32),
  selfIssued: false,
  ca: false,
};

function unmanaged(host: string, port: number): EndpointVerdict {
  return {
    endpoint: { host, port },
    verdict: 'unmanaged',
    findings: ['unmanaged'],
    checkedAt: T0,
    consecutiveFailures: 0,
    served: {
      leaf,
      chain: [],
      verdict: 'unmanaged',
      findings: ['unmanaged'],
      daysLeft: 90,
      trusted: true,
      address: '203.0.113.7',
      handshakeMs: 12.5,
      at: T0,
    },
  };
}

function alert(host: string, port: number, ts: string, channel = 'C0DRIFT'): DriftAlertRecord {
  return {
    host,
    port,
    fingerprint: leaf.sha256,
    verdict: 'unmanaged',
    channel,
    ts,
    postedAt: T0,
    detail: unmanaged(host, port),
  };
}

describeContract('drift alert store contract', ({ store, another }) => {
  test('a posted alert reads back whole, by endpoint, by message and as open; a key is recorded once', async () => {
    const drift = store().driftAlerts;
    await drift.save([alert('www.example.com', 443, '1.1'), alert('api.example.com', 8443, '1.1')]);
    // A second save of the same key (another replica finishing late) leaves the first record.
    await drift.save([alert('www.example.com', 443, '9.9', 'C0OTHER')]);
    const other = (await another()).driftAlerts;
    expect(await other.list({ endpoint: { host: 'www.example.com', port: 443 } })).toEqual([
      alert('www.example.com', 443, '1.1'),
    ]);
    expect((await other.message('C0DRIFT', '1.1')).map((r) => r.host)).toEqual(['api.example.com', 'www.example.com']);
    expect((await other.list({ open: true })).map((r) => `${r.host}:${r.port}`)).toEqual([
      'api.example.com:8443',
      'www.example.com:443',
    ]);
  });

  test('the first acknowledgement is kept; a snooze applies to the endpoint’s open alerts', async () => {
    const drift = store().driftAlerts;
    await drift.save([alert('www.example.com', 443, '1.1')]);
    const endpoint = { host: 'www.example.com', port: 443 };
    const [first] = await drift.acknowledge(endpoint, 'U0ALICE', later(HOUR));
    const [second] = await (await another()).driftAlerts.acknowledge(endpoint, 'U0BOB', later(2 * HOUR));
    expect(first?.acknowledgedBy).toBe('U0ALICE');
    expect(second?.acknowledgedBy).toBe('U0ALICE');
    expect(second?.acknowledgedAt).toEqual(later(HOUR));
    const [snoozed] = await drift.snooze(endpoint, 'U0CAROL', later(24 * HOUR));
    expect(snoozed).toMatchObject({ snoozedBy: 'U0CAROL', snoozedUntil: later(24 * HOUR) });
    expect(await drift.acknowledge({ host: 'none.example.com', port: 443 }, 'U0ALICE', T0)).toEqual([]);
  });

  test('an alert is resolved once (two replicas: one wins), can be reopened, and then is open again', async () => {
    const drift = store().driftAlerts;
    const record = alert('www.example.com', 443, '1.1');
    await drift.save([record]);
    const fixed = {
      kind: 'fixed' as const,
      verdict: 'ok' as const,
      certificate: { account: 'default', id: '32900014' },
    };
    const outcomes = await Promise.all([
      drift.resolve(record, later(HOUR), fixed),
      (await another()).driftAlerts.resolve(record, later(HOUR), fixed),
    ]);
    expect(outcomes.filter(Boolean)).toHaveLength(1);
    expect(await drift.list({ open: true })).toEqual([]);
    expect((await drift.message('C0DRIFT', '1.1'))[0]).toMatchObject({ resolvedAt: later(HOUR), resolution: fixed });
    // A resolved alert takes no acknowledgement: nothing is open on the endpoint.
    expect(await drift.acknowledge({ host: 'www.example.com', port: 443 }, 'U0ALICE', T0)).toEqual([]);
    await drift.reopen(record);
    expect(await drift.list({ open: true })).toEqual([record]);
  });
});
