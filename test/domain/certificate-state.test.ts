import {
  atRiskCount,
  atRiskPhrase,
  breaksInDays,
  inUrgencyOrder,
  certificateState,
  countPhrase,
  mostUrgentFirst,
  stateCounts,
  type StatefulCertificate,
} from '../../src/domain/certificate-state';

const NOW = new Date('2026-12-05T10:00:00Z');
const ends = (endDate: string, extra: Partial<StatefulCertificate> = {}): StatefulCertificate & { name: string } => ({
  name: `${endDate}${extra.replacedBy ? ' renewed' : ''}${extra.deployment ? ` ${extra.deployment.state}` : ''}`,
  endDate,
  expired: false,
  ...extra,
});

describe('one state per certificate', () => {
  test.each([
    [
      'renewed and still served is a stale deployment, even when the old one has ended',
      ends('2026-11-01', { replacedBy: 'x', deployment: { state: 'stale' } }),
      'stale',
    ],
    [
      'renewed and served by nothing is renewed, expired or not',
      ends('2026-11-01', { replacedBy: 'x', deployment: { state: 'not-deployed' } }),
      'renewed',
    ],
    ['renewed with deployments never listed is renewed', ends('2026-12-10', { replacedBy: 'x' }), 'renewed'],
    ['ended yesterday, not renewed, is expired', ends('2026-12-04', { deployment: { state: 'deployed' } }), 'expired'],
    ['no end date but flagged expired by CAS is expired', { endDate: undefined, expired: true }, 'expired'],
    ['ending today is expiring', ends('2026-12-05'), 'expiring'],
    [
      'ending in 30 days is expiring, even when served by nothing',
      ends('2027-01-04', { deployment: { state: 'not-deployed' } }),
      'expiring',
    ],
    [
      'ending in 31 days and served by nothing is not deployed',
      ends('2027-01-05', { deployment: { state: 'not-deployed' } }),
      'not-deployed',
    ],
    ['ending in 31 days and served is valid', ends('2027-01-05', { deployment: { state: 'deployed' } }), 'valid'],
  ])('%s', (_why, certificate, state) => {
    expect(certificateState(certificate, NOW)).toBe(state);
  });

  test('counts put every certificate in exactly one state', () => {
    const all = [
      ends('2026-11-01', { replacedBy: 'x', deployment: { state: 'stale' } }),
      ends('2026-12-01'),
      ends('2026-12-20'),
      ends('2026-12-20', { replacedBy: 'x', deployment: { state: 'not-deployed' } }),
      ends('2027-06-01', { deployment: { state: 'not-deployed' } }),
      ends('2027-06-01', { deployment: { state: 'deployed' } }),
    ];
    const counts = stateCounts(all, NOW);
    expect(counts).toEqual({ stale: 1, expired: 1, expiring: 1, renewed: 1, 'not-deployed': 1, valid: 1, total: 6 });
    expect(
      counts.stale + counts.expired + counts.expiring + counts.renewed + counts['not-deployed'] + counts.valid,
    ).toBe(counts.total);
  });
});

describe('one order of urgency: when does something break', () => {
  test('a certificate that breaks tomorrow comes before a stale deployment that breaks in 40 days', () => {
    const staleIn40 = ends('2027-01-14', { replacedBy: 'x', deployment: { state: 'stale' } });
    const tomorrow = ends('2026-12-06', { deployment: { state: 'deployed' } });
    const expired = ends('2026-10-01');
    const renewed = ends('2026-12-06', { replacedBy: 'x', deployment: { state: 'not-deployed' } });
    const valid = ends('2027-09-01');
    expect(mostUrgentFirst([staleIn40, valid, renewed, tomorrow, expired], NOW)).toEqual([
      expired,
      tomorrow,
      staleIn40,
    ]);
    expect(breaksInDays(staleIn40, NOW)).toBe(40);
    expect(breaksInDays(renewed, NOW)).toBeUndefined();
  });

  test('on the same day a stale deployment comes before an expiring certificate', () => {
    const expiring = ends('2026-12-10');
    const stale = ends('2026-12-10', { replacedBy: 'x', deployment: { state: 'stale' } });
    expect(mostUrgentFirst([expiring, stale], NOW)).toEqual([stale, expiring]);
  });

  test('count phrases use the same words as the lists', () => {
    expect(countPhrase('stale', 1)).toBe('1 stale deployment');
    expect(countPhrase('stale', 29)).toBe('29 stale deployments');
    expect(countPhrase('not-deployed', 2)).toBe('2 not deployed');
  });
});

describe('a whole list in the one order', () => {
  test('what breaks first leads, then the rest by end date, unknown end dates last', () => {
    const staleIn40 = ends('2027-01-14', { replacedBy: 'x', deployment: { state: 'stale' } });
    const tomorrow = ends('2026-12-06');
    const renewed = ends('2026-11-20', { replacedBy: 'x', deployment: { state: 'not-deployed' } });
    const valid = ends('2027-09-01');
    const soonerValid = ends('2027-03-01');
    const unknown = { ...ends('2027-01-01'), endDate: undefined };
    expect(inUrgencyOrder([unknown, valid, staleIn40, renewed, soonerValid, tomorrow], NOW)).toEqual([
      tomorrow,
      staleIn40,
      renewed,
      soonerValid,
      valid,
      unknown,
    ]);
  });

  test('the headline phrase: at-risk states in precedence order, zeros left out', () => {
    const counts = { stale: 29, expired: 1, expiring: 0, renewed: 3, 'not-deployed': 2, valid: 5, total: 40 };
    expect(atRiskCount(counts)).toBe(30);
    expect(atRiskPhrase(counts)).toBe('29 stale deployments, 1 expired');
    expect(atRiskPhrase({ ...counts, stale: 0, expired: 0 })).toBe('none at risk');
  });
});
