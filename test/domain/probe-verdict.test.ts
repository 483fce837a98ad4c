import type { Certificate } from '../../src/domain/certificate';
import {
  chainProblemOf,
  compareVerdicts,
  indexProbeInventory,
  judgeEndpoint,
  normaliseHex,
  normaliseSerial,
  type ProbeInventoryCertificate,
  type ProbeObservation,
  type ProbeSuccess,
  type ServedCertificate,
} from '../../src/domain/probe-verdict';

const NOW = new Date('2026-06-15T12:00:00Z');
const DAY = 86_400_000;
const iso = (days: number) => new Date(NOW.getTime() + days * DAY).toISOString();
const date = (days: number) => iso(days).slice(0, 10);
const hex = (seed: string, length: number) =>
  Array.from({ length }, (_, i) => '0123456789ABCDEF'[(seed.charCodeAt(i % seed.length) + i) % 16]).join('');

const endpoint = { host: 'www.example.com', port: 443 };
const INTERMEDIATE = 'O=Example CA, CN=Example Issuing CA';

function leaf(overrides: Partial<ServedCertificate> & { id: string }): ServedCertificate {
  const { id, ...rest } = overrides;
  return {
    subject: `CN=www.example.com`,
    issuer: INTERMEDIATE,
    commonName: 'www.example.com',
    issuerCommonName: 'Example Issuing CA',
    names: ['www.example.com', 'example.com'],
    serialNumber: hex(`serial${id}`, 32).replace(/^0+/, ''),
    notBefore: iso(-100),
    notAfter: iso(200),
    sha1: hex(`sha1${id}`, 40),
    sha256: hex(`sha256${id}`, 64),
    selfIssued: false,
    ca: false,
    ...rest,
  };
}

const intermediate = (notAfter = iso(2000)): ServedCertificate => ({
  subject: INTERMEDIATE,
  issuer: 'O=Example CA, CN=Example Root',
  commonName: 'Example Issuing CA',
  issuerCommonName: 'Example Root',
  names: [],
  serialNumber: '01',
  notBefore: iso(-2000),
  notAfter,
  sha1: hex('i1', 40),
  sha256: hex('i256', 64),
  selfIssued: false,
  ca: true,
});

function probe(served: ServedCertificate, extra: Partial<ProbeSuccess> = {}): ProbeSuccess {
  return {
    ok: true,
    endpoint,
    at: NOW,
    address: '192.0.2.1',
    handshakeMs: 12,
    leaf: served,
    chain: [intermediate()],
    trusted: true,
    ...extra,
  };
}

const failure = (reason: 'timeout' | 'dns' | 'denied' = 'timeout'): ProbeObservation => ({
  ok: false,
  endpoint,
  at: NOW,
  reason,
  message: `it failed (${reason})`,
});

/** The inventory's view of a served leaf: CAS's row fields. */
function casCertificate(
  served: ServedCertificate,
  overrides: Partial<ProbeInventoryCertificate> = {},
): ProbeInventoryCertificate {
  return {
    account: 'default',
    id: overrides.id ?? served.serialNumber.slice(0, 8),
    commonName: served.commonName,
    sans: served.names,
    issuer: 'Example',
    serialNo: served.serialNumber,
    fingerprint: served.sha1,
    sha2: served.sha256,
    startDate: served.notBefore.slice(0, 10),
    endDate: served.notAfter.slice(0, 10),
    expired: false,
    uploaded: false,
    ...overrides,
  };
}

function judge(observations: ProbeObservation[], certificates: ProbeInventoryCertificate[], extra = {}) {
  return judgeEndpoint({
    endpoint,
    observations,
    inventory: indexProbeInventory(certificates, NOW),
    now: NOW,
    ...extra,
  });
}

describe('matching a served certificate', () => {
  const served = leaf({ id: 'a' });

  it('matches on SHA-256 whatever the case and separators', () => {
    const colons = served.sha256.toLowerCase().replace(/(..)(?!$)/g, '$1:');
    const verdict = judge([probe(served)], [casCertificate(served, { sha2: colons, fingerprint: undefined })]);
    expect(verdict.verdict).toBe('ok');
    expect(verdict.served?.match?.by).toBe('sha256');
  });

  it('falls back to SHA-1 where the inventory has no SHA-256, and to the serial where it has no fingerprint', () => {
    expect(judge([probe(served)], [casCertificate(served, { sha2: undefined })]).served?.match?.by).toBe('sha1');
    const bySerial = judge(
      [probe(served)],
      [
        casCertificate(served, {
          sha2: undefined,
          fingerprint: undefined,
          serialNo: `00:${served.serialNumber.toLowerCase()}`,
        }),
      ],
    );
    expect(bySerial.served?.match?.by).toBe('serial');
    expect(bySerial.verdict).toBe('ok');
  });

  it('does not take the serial for proof when CAS gave fingerprints that differ: another certificate with that serial is unmanaged', () => {
    const verdict = judge(
      [probe(served)],
      [casCertificate(served, { sha2: hex('other', 64), fingerprint: hex('other1', 40) })],
    );
    expect(verdict.verdict).toBe('unmanaged');
  });

  it('leaves out certificates removed from CAS', () => {
    const removed = casCertificate(served, { removedAt: new Date(NOW.getTime() - DAY) });
    expect(judge([probe(served)], [removed]).verdict).toBe('unmanaged');
  });

  it('normalises hex and serials', () => {
    expect(normaliseHex('ab:cd-01 ef')).toBe('ABCD01EF');
    expect(normaliseSerial('00:0a:1B')).toBe('A1B');
    expect(normaliseSerial('00')).toBe('0');
  });
});

describe('verdicts of one served certificate', () => {
  it('ok: the newest CAS certificate, valid, covering the name, on a sound chain', () => {
    const served = leaf({ id: 'ok' });
    const verdict = judge([probe(served)], [casCertificate(served)]);
    expect(verdict).toMatchObject({ verdict: 'ok', findings: [], consecutiveFailures: 0, checkedAt: NOW });
    expect(verdict.served?.daysLeft).toBe(200);
  });

  it('old: names the certificate that renewed it (the inventory’s replacedBy, or the same rule worked out here)', () => {
    const served = leaf({ id: 'old', notAfter: iso(20) });
    const renewal: Certificate = casCertificate(leaf({ id: 'new', notAfter: iso(380) }), { id: '32900014' });
    const given = judge([probe(served)], [casCertificate(served, { replacedBy: renewal })]);
    expect(given).toMatchObject({ verdict: 'old', findings: ['old', 'expiring'] });
    expect(given.served?.replacement?.id).toBe('32900014');
    const worked = judge([probe(served)], [casCertificate(served, { id: '1' }), renewal]);
    expect(worked.verdict).toBe('old');
    expect(worked.served?.replacement?.id).toBe('32900014');
  });

  it('unmanaged: a certificate CAS does not hold; its issuer and end are there to show', () => {
    const verdict = judge([probe(leaf({ id: 'u' }))], []);
    expect(verdict).toMatchObject({ verdict: 'unmanaged', findings: ['unmanaged'] });
    expect(verdict.served?.leaf.issuerCommonName).toBe('Example Issuing CA');
    expect(verdict.served?.match).toBeUndefined();
  });

  it('expired and expiring go by the served leaf’s own end, whatever CAS says', () => {
    const expired = leaf({ id: 'e', notAfter: iso(-2) });
    // CAS still lists a later end date for it: the wire wins.
    const verdict = judge(
      [probe(expired, { trusted: false, trustError: 'CERT_HAS_EXPIRED' })],
      [casCertificate(expired, { endDate: date(100) })],
    );
    expect(verdict).toMatchObject({ verdict: 'expired', findings: ['expired'] });
    expect(verdict.served?.chainProblem).toBeUndefined();
    const expiring = leaf({ id: 's', notAfter: iso(30) });
    expect(judge([probe(expiring)], [casCertificate(expiring)]).verdict).toBe('expiring');
    const notYet = leaf({ id: 't', notAfter: iso(31) });
    expect(judge([probe(notYet)], [casCertificate(notYet)]).verdict).toBe('ok');
  });

  it('name-mismatch: the leaf does not cover the name (a wildcard covers one label)', () => {
    const other = leaf({ id: 'm', names: ['shop.example.org'] });
    expect(judge([probe(other)], [casCertificate(other)]).verdict).toBe('name-mismatch');
    const wildcard = leaf({ id: 'w', names: ['*.example.com'] });
    expect(judge([probe(wildcard)], [casCertificate(wildcard)]).verdict).toBe('ok');
    const deeper = leaf({ id: 'd', names: ['*.com'] });
    expect(judge([probe(deeper)], [casCertificate(deeper)]).verdict).toBe('name-mismatch');
  });

  it('chain: says which — missing intermediate, untrusted, or an intermediate ending before the leaf', () => {
    const served = leaf({ id: 'c' });
    const cas = [casCertificate(served)];
    const missing = judge(
      [probe(served, { chain: [], trusted: false, trustError: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE' })],
      cas,
    );
    expect(missing).toMatchObject({ verdict: 'chain', findings: ['chain'] });
    expect(missing.served?.chainProblem).toEqual({ kind: 'missing-intermediate', issuer: 'Example Issuing CA' });

    const untrusted = judge([probe(served, { trusted: false, trustError: 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY' })], cas);
    expect(untrusted.served?.chainProblem).toEqual({ kind: 'untrusted', code: 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY' });

    const selfSigned = leaf({ id: 'self', issuer: 'CN=www.example.com', selfIssued: true });
    expect(
      judge([probe(selfSigned, { chain: [], trusted: false, trustError: 'DEPTH_ZERO_SELF_SIGNED_CERT' })], []).served
        ?.chainProblem,
    ).toEqual({ kind: 'untrusted', code: 'DEPTH_ZERO_SELF_SIGNED_CERT' });

    const short = judge([probe(served, { chain: [intermediate(iso(150))] })], cas);
    expect(short.verdict).toBe('chain');
    expect(short.served?.chainProblem).toEqual({
      kind: 'intermediate-expires-first',
      certificate: 'Example Issuing CA',
      notAfter: iso(150),
    });
  });

  it('lists every finding, most urgent first, so --fail-on sees an expiring certificate that is also old', () => {
    const served = leaf({ id: 'x', notAfter: iso(5), names: ['other.example.com'] });
    const renewal = casCertificate(leaf({ id: 'y', notAfter: iso(300), names: ['other.example.com'] }), { id: 'r' });
    const verdict = judge(
      [probe(served, { chain: [], trusted: false, trustError: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE' })],
      [casCertificate(served, { id: 'o' }), renewal],
    );
    expect(verdict.findings).toEqual(['name-mismatch', 'chain', 'old', 'expiring']);
    expect(verdict.verdict).toBe('name-mismatch');
  });
});

describe('unreachable and alternating, over an interval', () => {
  const served = leaf({ id: 'r' });

  it('unreachable only after PROBE_FAILURES_BEFORE_ALERT failures in a row; pending before', () => {
    const first = judge([failure()], [], { failuresBeforeAlert: 3 });
    expect(first).toMatchObject({ verdict: 'pending', findings: [], consecutiveFailures: 1 });
    expect(first.failure).toEqual({ reason: 'timeout', message: 'it failed (timeout)', failures: 1 });
    const third = judge([failure()], [], { failuresBeforeAlert: 3, previousFailures: 2 });
    expect(third).toMatchObject({ verdict: 'unreachable', findings: ['unreachable'], consecutiveFailures: 3 });
    // A success in between starts the count again.
    expect(
      judge([failure(), probe(served), failure()], [casCertificate(served)], {
        failuresBeforeAlert: 2,
        previousFailures: 5,
      }),
    ).toMatchObject({ verdict: 'pending', consecutiveFailures: 1 });
    expect(judge([probe(served)], [casCertificate(served)], { previousFailures: 9 }).consecutiveFailures).toBe(0);
  });

  it('a check made now (the default) and a refusal by PROBE_DENY are reported at once', () => {
    expect(judge([failure('dns')], []).verdict).toBe('unreachable');
    expect(judge([failure('denied')], [], { failuresBeforeAlert: 3 }).verdict).toBe('unreachable');
  });

  it('alternating: two certificates taking turns within the interval, each judged', () => {
    const renewed = leaf({ id: 'n', notAfter: iso(365) });
    const old = leaf({ id: 'o', notAfter: iso(20) });
    const cas = [
      casCertificate(old, { id: 'old', replacedBy: casCertificate(renewed, { id: 'new' }) }),
      casCertificate(renewed, { id: 'new' }),
    ];
    const verdict = judge([probe(renewed), probe(old), probe(renewed)], cas);
    expect(verdict.verdict).toBe('alternating');
    expect(verdict.findings).toEqual(['alternating', 'old', 'expiring']);
    expect(verdict.alternates?.map((a) => [a.match?.certificate.id, a.verdict])).toEqual([
      ['new', 'ok'],
      ['old', 'old'],
    ]);
  });

  it('two certificates in one interval are alternating, in any order; the next interval judges what it serves then', () => {
    const renewed = leaf({ id: 'n2' });
    const old = leaf({ id: 'o2', notAfter: iso(10) });
    const cas = [casCertificate(old), casCertificate(renewed)];
    expect(judge([probe(old), probe(old), probe(renewed)], cas).verdict).toBe('alternating');
    expect(judge([probe(renewed), probe(renewed)], cas)).toMatchObject({ verdict: 'ok', findings: [] });
    expect(judge([probe(renewed), probe(renewed)], cas).alternates).toBeUndefined();
    // A failed probe among them does not hide what the others saw.
    expect(judge([probe(old), failure(), probe(renewed)], cas).verdict).toBe('alternating');
  });
});

describe('chainProblemOf', () => {
  it('leaves an expired leaf to the expired verdict, but reports a broken chain behind it', () => {
    const expired = leaf({ id: 'z', notAfter: iso(-1) });
    expect(chainProblemOf(probe(expired, { trusted: false, trustError: 'CERT_HAS_EXPIRED' }), NOW)).toBeUndefined();
    expect(
      chainProblemOf(probe(expired, { chain: [], trusted: false, trustError: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE' }), NOW),
    ).toEqual({
      kind: 'missing-intermediate',
      issuer: 'Example Issuing CA',
    });
  });
});

describe('compareVerdicts', () => {
  it('puts the most urgent first: expired, mismatch, chain, old... ok last; then fewest days left', () => {
    const a = leaf({ id: 'a', notAfter: iso(100) });
    const b = leaf({ id: 'b', notAfter: iso(10) });
    const c = leaf({ id: 'c', notAfter: iso(-1) });
    const verdicts = [
      judge([probe(a)], [casCertificate(a)]),
      judge([failure()], []),
      judge([probe(b)], []),
      judge([probe(c)], [casCertificate(c)]),
      judge([probe(a)], []),
    ].sort(compareVerdicts);
    expect(verdicts.map((v) => v.verdict)).toEqual(['expired', 'expiring', 'unreachable', 'unmanaged', 'ok']);
  });
});
