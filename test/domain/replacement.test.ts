import type { Certificate } from '../../src/domain/certificate';
import {
  compareIds,
  covers,
  findReplacements,
  findReplacementsByAccount,
  type InventoryCertificate,
  isReplacedBy,
} from '../../src/domain/replacement';

const NOW = new Date(Date.UTC(2026, 4, 20, 14, 5));
const day = (offset: number) => new Date(Date.UTC(2026, 4, 20) + offset * 86_400_000).toISOString().slice(0, 10);

let nextId = 1000;
function cert(overrides: Partial<InventoryCertificate> & { ends?: number } = {}): InventoryCertificate {
  const { ends, ...rest } = overrides;
  nextId += 1;
  return {
    account: 'LTAI-main',
    id: String(nextId),
    certificateId: String(nextId),
    commonName: 'www.example.com',
    sans: [],
    startDate: day(-300),
    endDate: day(ends ?? 10),
    expired: false,
    uploaded: false,
    ...rest,
  };
}

const idsOf = (map: Map<string, Certificate>) =>
  Object.fromEntries([...map].map(([id, replacement]) => [id, replacement.id]));

describe('covers', () => {
  it.each([
    ['www.example.com', 'www.example.com', true],
    ['WWW.Example.com', 'www.EXAMPLE.com', true],
    ['*.example.com', 'a.example.com', true],
    ['*.example.com', 'A.Example.COM', true],
    ['*.example.com', '*.example.com', true],
    ['*.example.com', 'a.b.example.com', false],
    ['*.example.com', 'example.com', false],
    ['*.example.com', '.example.com', false],
    ['*.example.com', 'aexample.com', false],
    ['*.example.com', '*.a.example.com', false],
    ['*.a.example.com', 'x.example.com', false],
    ['*.a.example.com', 'x.a.example.com', true],
    ['a.example.com', '*.example.com', false],
    ['www.example.com', 'example.com', false],
    ['example.com', 'www.example.com', false],
    ['a*.example.com', 'ab.example.com', false],
    ['a*.example.com', 'a*.example.com', true],
    ['*', 'localhost', false],
    ['', '', false],
  ])('%s covers %s: %s', (pattern, name, expected) => {
    expect(covers(pattern, name)).toBe(expected);
  });
});

describe('isReplacedBy', () => {
  it('is replaced by a valid, later-ending certificate with the same names', () => {
    const old = cert({ sans: ['www.example.com', 'api.example.com'], ends: 10 });
    const renewed = cert({ sans: ['api.example.com', 'www.example.com'], ends: 300 });
    expect(isReplacedBy(old, renewed, NOW)).toBe(true);
    expect(isReplacedBy(renewed, old, NOW)).toBe(false);
  });

  it('compares names without case', () => {
    const old = cert({ commonName: 'WWW.Example.COM', ends: 10 });
    expect(isReplacedBy(old, cert({ commonName: 'www.example.com', ends: 90 }), NOW)).toBe(true);
  });

  it('takes a wildcard as covering exactly one label', () => {
    const wildcard = cert({ commonName: '*.example.com', ends: 300 });
    expect(isReplacedBy(cert({ commonName: 'a.example.com' }), wildcard, NOW)).toBe(true);
    expect(isReplacedBy(cert({ commonName: 'a.b.example.com' }), wildcard, NOW)).toBe(false);
    expect(isReplacedBy(cert({ commonName: 'example.com' }), wildcard, NOW)).toBe(false);
    expect(isReplacedBy(cert({ commonName: '*.example.com' }), wildcard, NOW)).toBe(true);
    // A narrower certificate does not replace a wildcard.
    const oldWildcard = cert({ commonName: '*.example.com', ends: 5 });
    expect(isReplacedBy(oldWildcard, cert({ commonName: 'a.example.com', ends: 300 }), NOW)).toBe(false);
  });

  it('needs every name covered: CommonName and each SAN', () => {
    const old = cert({ commonName: 'www.example.com', sans: ['www.example.com', 'api.example.com', 'example.com'] });
    expect(isReplacedBy(old, cert({ commonName: 'www.example.com', sans: ['api.example.com'], ends: 300 }), NOW)).toBe(
      false,
    );
    expect(isReplacedBy(old, cert({ commonName: '*.example.com', ends: 300 }), NOW)).toBe(false);
    expect(isReplacedBy(old, cert({ commonName: '*.example.com', sans: ['example.com'], ends: 300 }), NOW)).toBe(true);
    // The CommonName counts even when the SANs leave it out.
    const cnOnly = cert({ commonName: 'legacy.example.com', sans: ['www.example.com'] });
    expect(isReplacedBy(cnOnly, cert({ commonName: 'www.example.com', ends: 300 }), NOW)).toBe(false);
  });

  it('may cover more names than the old certificate', () => {
    const old = cert({ commonName: 'www.example.com' });
    expect(
      isReplacedBy(old, cert({ commonName: 'example.com', sans: ['*.example.com', 'x.org'], ends: 300 }), NOW),
    ).toBe(true);
  });

  it('needs a later end day, not the same one', () => {
    const old = cert({ ends: 10 });
    expect(isReplacedBy(old, cert({ ends: 10 }), NOW)).toBe(false);
    expect(isReplacedBy(old, cert({ ends: 9 }), NOW)).toBe(false);
    expect(isReplacedBy(old, cert({ ends: 11 }), NOW)).toBe(true);
  });

  it('never takes an expired candidate, even one ending later than an older expired certificate', () => {
    const old = cert({ ends: -40 });
    expect(isReplacedBy(old, cert({ ends: -1 }), NOW)).toBe(false);
    expect(isReplacedBy(old, cert({ ends: 0 }), NOW)).toBe(true);
    // No end date: the expired flag says it is no longer valid.
    expect(isReplacedBy(old, cert({ endDate: undefined, expired: true }), NOW)).toBe(false);
    expect(isReplacedBy(old, cert({ endDate: undefined, expired: false }), NOW)).toBe(false);
  });

  it('lets an expired certificate without an end date be replaced by any valid one', () => {
    const old = cert({ endDate: undefined, expired: true });
    expect(isReplacedBy(old, cert({ ends: 1 }), NOW)).toBe(true);
    expect(isReplacedBy(cert({ endDate: undefined, expired: false }), cert({ ends: 300 }), NOW)).toBe(false);
  });

  it('never takes a removed or revoked candidate', () => {
    const old = cert();
    expect(isReplacedBy(old, cert({ ends: 300, removedAt: new Date(NOW.getTime() - 1000) }), NOW)).toBe(false);
    expect(isReplacedBy(old, cert({ ends: 300, removedAt: NOW }), NOW)).toBe(false);
    // Judging an earlier moment: a certificate removed later was still there.
    expect(isReplacedBy(old, cert({ ends: 300, removedAt: new Date(NOW.getTime() + 1000) }), NOW)).toBe(true);
    expect(isReplacedBy(old, cert({ ends: 300, status: 'REVOKED' }), NOW)).toBe(false);
  });

  it('only looks within the account', () => {
    expect(isReplacedBy(cert(), cert({ account: 'LTAI-other', ends: 300 }), NOW)).toBe(false);
  });

  it('never lets a certificate replace itself', () => {
    const one = cert({ endDate: day(10) });
    expect(isReplacedBy(one, one, NOW)).toBe(false);
    expect(isReplacedBy(one, { ...one, endDate: day(300) }, NOW)).toBe(false);
  });

  it('never replaces a certificate without names', () => {
    expect(isReplacedBy(cert({ commonName: undefined, sans: [] }), cert({ ends: 300 }), NOW)).toBe(false);
  });
});

describe('compareIds', () => {
  it('orders decimal ids as numbers, of any length', () => {
    expect(['10', '9', '100', '012', '99999999999999999999', '100000000000000000000'].sort(compareIds)).toEqual([
      '9',
      '10',
      '012',
      '100',
      '99999999999999999999',
      '100000000000000000000',
    ]);
    expect(compareIds('cas-cert-b', 'cas-cert-a')).toBeGreaterThan(0);
    expect(compareIds('5', 'cas-cert-a')).toBeLessThan(0);
    expect(compareIds('7', '7')).toBe(0);
  });
});

describe('findReplacements', () => {
  it('maps each replaced certificate to the latest-ending replacement', () => {
    const old = cert({ id: '1', commonName: 'a.example.com', ends: 5 });
    const renewedOnce = cert({ id: '2', commonName: 'a.example.com', ends: 100 });
    const renewedTwice = cert({ id: '3', commonName: '*.example.com', ends: 200 });
    const unrelated = cert({ id: '4', commonName: 'b.example.org', ends: 7 });
    const result = findReplacements([old, renewedOnce, renewedTwice, unrelated], NOW);
    expect(idsOf(result)).toEqual({ '1': '3', '2': '3' });
    expect(result.get('1')).toBe(renewedTwice);
  });

  it('breaks a tie on the end date by the highest id, compared as a number', () => {
    const old = cert({ id: '50', ends: 5 });
    const first = cert({ id: '9', ends: 100 });
    const second = cert({ id: '10', ends: 100 });
    expect(idsOf(findReplacements([first, old, second], NOW))).toEqual({ '50': '10' });
    expect(idsOf(findReplacements([second, first, old], NOW))).toEqual({ '50': '10' });
  });

  it('finds the exact name and the wildcard parent together, best first', () => {
    const old = cert({ id: '1', commonName: 'a.example.com', ends: 5 });
    const exactLater = cert({ id: '2', commonName: 'a.example.com', ends: 150 });
    const wildcardEarlier = cert({ id: '3', commonName: '*.example.com', ends: 100 });
    expect(findReplacements([old, wildcardEarlier, exactLater], NOW).get('1')).toBe(exactLater);
    const wildcardLater = cert({ id: '4', commonName: '*.example.com', ends: 200 });
    expect(findReplacements([old, wildcardEarlier, exactLater, wildcardLater], NOW).get('1')).toBe(wildcardLater);
  });

  it('skips a better-ending candidate that does not cover every name', () => {
    const old = cert({ id: '1', commonName: 'a.example.com', sans: ['a.example.com', 'b.example.com'], ends: 5 });
    const partial = cert({ id: '2', commonName: 'a.example.com', ends: 300 });
    const full = cert({ id: '3', commonName: 'a.example.com', sans: ['b.example.com'], ends: 100 });
    expect(idsOf(findReplacements([old, partial, full], NOW))).toEqual({ '1': '3' });
    expect(findReplacements([old, partial], NOW).size).toBe(0);
  });

  it('leaves out expired, removed, revoked and other-account candidates', () => {
    const old = cert({ id: '1', ends: -10 });
    const others = [
      cert({ id: '2', ends: -1 }),
      cert({ id: '3', ends: 300, removedAt: new Date(NOW.getTime() - 60_000) }),
      cert({ id: '4', ends: 300, status: 'REVOKED' }),
      cert({ id: '5', ends: 300, account: 'LTAI-other' }),
    ];
    const result = findReplacements([old, ...others], NOW);
    expect(result.has('1')).toBe(false);
    expect(result.has('2')).toBe(false);
  });

  it('keeps accounts apart, also when an id repeats in two accounts', () => {
    const certs = [
      cert({ id: '1', account: 'A', ends: 5 }),
      cert({ id: '2', account: 'A', ends: 100 }),
      cert({ id: '1', account: 'B', ends: 5 }),
      cert({ id: '3', account: 'B', commonName: 'other.example.com', ends: 100 }),
    ];
    const byAccount = findReplacementsByAccount(certs, NOW);
    expect([...byAccount.keys()]).toEqual(['A']);
    expect(byAccount.get('A')?.get('1')?.id).toBe('2');
  });

  it('does not let two copies of the same certificate replace each other', () => {
    const one = cert({ id: '7', ends: 5 });
    expect(findReplacements([one, { ...one }], NOW).size).toBe(0);
  });

  it('handles an empty inventory and certificates without names', () => {
    expect(findReplacements([], NOW).size).toBe(0);
    expect(
      findReplacements([cert({ commonName: undefined }), cert({ commonName: undefined, ends: 300 })], NOW).size,
    ).toBe(0);
  });

  it('agrees with isReplacedBy on a mixed inventory', () => {
    const names = ['a.example.com', 'b.example.com', '*.example.com', 'example.com', 'a.b.example.com'];
    const certs: InventoryCertificate[] = [];
    for (let i = 0; i < 60; i++) {
      const commonName = names[i % names.length] as string;
      const sans = i % 3 === 0 ? [names[(i + 1) % names.length] as string] : [];
      certs.push(
        cert({
          id: String(i + 1),
          account: i % 7 === 0 ? 'B' : 'A',
          commonName,
          sans,
          ends: ((i * 37) % 120) - 30,
          status: i % 11 === 0 ? 'REVOKED' : undefined,
          removedAt: i % 13 === 0 ? NOW : undefined,
        }),
      );
    }
    const fast = findReplacements(certs, NOW);
    for (const old of certs) {
      const expected = certs
        .filter((candidate) => isReplacedBy(old, candidate, NOW))
        .sort((x, y) => (y.endDate ?? '').localeCompare(x.endDate ?? '') || compareIds(y.id, x.id))[0];
      expect([old.id, fast.get(old.id)?.id]).toEqual([old.id, expected?.id]);
    }
    expect(fast.size).toBeGreaterThan(5);
  });

  it('runs over 50,000 certificates', () => {
    const certs: InventoryCertificate[] = [];
    const zones = 2_000;
    for (let i = 0; i < 50_000; i++) {
      const zone = `zone-${i % zones}.example.com`;
      const wildcard = i % 10 === 0;
      const commonName = wildcard ? `*.${zone}` : `host-${i % 7}.${zone}`;
      certs.push(
        cert({
          id: String(10_000_000 + i),
          commonName,
          sans: [commonName, ...(i % 4 === 0 ? [`api.${zone}`] : []), ...(wildcard ? [zone] : [])],
          ends: ((Math.floor(i / zones) * 17 + i) % 400) - 60,
        }),
      );
    }
    const result = findReplacements(certs, NOW);
    expect(result.size).toBeGreaterThan(10_000);
    for (const [id, replacement] of [...result].slice(0, 200)) {
      const old = certs.find((c) => c.id === id) as InventoryCertificate;
      expect(isReplacedBy(old, replacement as InventoryCertificate, NOW)).toBe(true);
    }
  });
});
