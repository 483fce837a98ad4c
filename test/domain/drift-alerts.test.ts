import {
  driftAlertHeld,
  driftAlertKey,
  type DriftAlertRecord,
  driftResolution,
  driftRoute,
  resolutionPhrase,
} from '../../src/domain/drift-alerts';
import type { EndpointVerdict, ServedJudgement, Verdict } from '../../src/domain/probe-verdict';

const NOW = new Date('2026-12-05T10:00:00Z');
const DAY = 86_400_000;

function served(sha256: string, verdict: Verdict, account?: string): ServedJudgement {
  return {
    leaf: {
      subject: 'CN=www.example.com',
      issuer: 'CN=CA',
      names: ['www.example.com'],
      serialNumber: '01',
      notBefore: '2026-01-01T00:00:00Z',
      notAfter: '2027-01-01T00:00:00Z',
      sha1: 'AA',
      sha256,
      selfIssued: false,
      ca: false,
    },
    chain: [],
    verdict,
    findings: [],
    ...(account
      ? {
          match: {
            certificate: { account, id: '32900014', sans: [], expired: false, uploaded: false },
            by: 'sha256' as const,
          },
        }
      : {}),
    daysLeft: 27,
    trusted: true,
    address: '203.0.113.7',
    handshakeMs: 3,
    at: NOW,
  };
}

function verdict(kind: Verdict, sha256 = 'AA11', account?: string): EndpointVerdict {
  const base = { endpoint: { host: 'www.example.com', port: 443 }, findings: [], checkedAt: NOW };
  if (kind === 'unreachable' || kind === 'pending')
    return {
      ...base,
      verdict: kind,
      failure: { reason: 'timeout', message: 'no answer', failures: 3 },
      consecutiveFailures: 3,
    };
  if (kind === 'alternating')
    return {
      ...base,
      verdict: kind,
      served: served('BB22', 'ok', account),
      alternates: [served('BB22', 'ok', account), served('AA11', 'old', account)],
      consecutiveFailures: 0,
    };
  return { ...base, verdict: kind, served: served(sha256, kind, account), consecutiveFailures: 0 };
}

const posted = (v: EndpointVerdict, extra: Partial<DriftAlertRecord> = {}): DriftAlertRecord => ({
  ...(driftAlertKey(v) as NonNullable<ReturnType<typeof driftAlertKey>>),
  channel: 'C0DRIFT',
  ts: '1.1',
  postedAt: NOW,
  detail: v,
  ...extra,
});

describe('which verdicts alert, and under which key', () => {
  test.each(['ok', 'pending'] as const)('%s is not announced', (kind) => {
    expect(driftAlertKey(verdict(kind))).toBeUndefined();
  });

  test.each(['old', 'unmanaged', 'expired', 'expiring', 'name-mismatch', 'chain'] as const)(
    '%s is announced under (endpoint, served SHA-256, verdict)',
    (kind) => {
      expect(driftAlertKey(verdict(kind))).toEqual({
        host: 'www.example.com',
        port: 443,
        fingerprint: 'AA11',
        verdict: kind,
      });
    },
  );

  test('unreachable has no fingerprint; alternating names every certificate seen, in one order', () => {
    expect(driftAlertKey(verdict('unreachable'))?.fingerprint).toBe('');
    expect(driftAlertKey(verdict('alternating'))?.fingerprint).toBe('AA11,BB22');
  });
});

describe('acknowledgements and snoozes', () => {
  test('a snooze on the endpoint holds every new alert of it until it ends', () => {
    const earlier = [posted(verdict('old'), { snoozedBy: 'U1', snoozedUntil: new Date(NOW.getTime() + DAY) })];
    const key = driftAlertKey(verdict('unmanaged', 'CC33')) as NonNullable<ReturnType<typeof driftAlertKey>>;
    expect(driftAlertHeld(key, earlier, NOW)).toBe('snoozed');
    expect(driftAlertHeld(key, earlier, new Date(NOW.getTime() + 2 * DAY))).toBeUndefined();
  });

  test('an acknowledgement holds new findings of the same certificate, except expired', () => {
    const earlier = [posted(verdict('expiring'), { acknowledgedBy: 'U1', acknowledgedAt: NOW })];
    const same = (kind: Verdict) => driftAlertKey(verdict(kind)) as NonNullable<ReturnType<typeof driftAlertKey>>;
    expect(driftAlertHeld(same('chain'), earlier, NOW)).toBe('acknowledged');
    expect(driftAlertHeld(same('expired'), earlier, NOW)).toBeUndefined();
    const other = driftAlertKey(verdict('unmanaged', 'CC33')) as NonNullable<ReturnType<typeof driftAlertKey>>;
    expect(driftAlertHeld(other, earlier, NOW)).toBeUndefined();
  });
});

describe('when a posted alert is fixed', () => {
  const alert = driftAlertKey(verdict('old')) as NonNullable<ReturnType<typeof driftAlertKey>>;

  test('ok is fixed, naming the certificate served now', () => {
    const resolution = driftResolution(alert, verdict('ok', 'DD44', 'default'));
    expect(resolution).toEqual({ kind: 'fixed', verdict: 'ok', certificate: { account: 'default', id: '32900014' } });
    expect(resolutionPhrase(resolution as NonNullable<typeof resolution>)).toBe('now serves 32900014');
  });

  test('another finding is a change; the same finding, a failure being retried or no verdict is nothing yet', () => {
    expect(driftResolution(alert, verdict('unmanaged', 'CC33'))?.kind).toBe('changed');
    expect(driftResolution(alert, verdict('old'))).toBeUndefined();
    expect(driftResolution(alert, verdict('pending'))).toBeUndefined();
    expect(driftResolution(alert, undefined)).toBeUndefined();
  });
});

describe('routing by the endpoint’s host name', () => {
  const routes = [
    { pattern: '*.pay.example.com', channel: 'C0PAY' },
    { pattern: 'www.example.com', channel: 'C0SHOP', account: 'shop' },
  ];

  test('a route matching the host wins; one limited to an account needs that account’s certificate served', () => {
    const pay = { ...verdict('old'), endpoint: { host: 'api.pay.example.com', port: 443 } };
    expect(driftRoute(pay, routes, {}, 'C0DEFAULT')).toEqual({ channel: 'C0PAY' });
    expect(driftRoute(verdict('old', 'AA11', 'shop'), routes, {}, 'C0DEFAULT')).toEqual({ channel: 'C0SHOP' });
    expect(driftRoute(verdict('unmanaged'), routes, {}, 'C0DEFAULT')).toEqual({ channel: 'C0DEFAULT' });
  });

  test('else the served certificate’s account channel, else the default; nowhere without either', () => {
    expect(driftRoute(verdict('old', 'AA11', 'ops'), [], { ops: 'C0OPS' }, 'C0DEFAULT')).toEqual({ channel: 'C0OPS' });
    expect(driftRoute(verdict('unreachable'), [], { ops: 'C0OPS' }, undefined)).toBeUndefined();
  });
});
