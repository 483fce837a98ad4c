import { type AttentionCertificate, attentionCounts, mostUrgent, needsAttention } from '../../src/domain/attention';

const NOW = new Date('2025-03-10T09:30:00Z');

function cert(
  id: string,
  endDate: string | undefined,
  extra: Partial<AttentionCertificate> = {},
): AttentionCertificate {
  return { account: 'default', id, sans: [], endDate, expired: false, uploaded: false, ...extra };
}

describe('mostUrgent', () => {
  it('puts stale deployments first, then expired (most overdue first), then soonest to expire', () => {
    const list = [
      cert('in-20', '2025-03-30'),
      cert('in-3', '2025-03-13'),
      cert('expired-2', '2025-03-08'),
      cert('stale-in-25', '2025-04-04', { replacedBy: {}, deployment: { state: 'stale' } }),
      cert('expired-10', '2025-02-28'),
      cert('today', '2025-03-10'),
      cert('stale-in-5', '2025-03-15', { replacedBy: {}, deployment: { state: 'stale' } }),
    ];
    expect(mostUrgent(list, NOW).map((c) => c.id)).toEqual([
      'stale-in-5',
      'stale-in-25',
      'expired-10',
      'expired-2',
      'today',
      'in-3',
      'in-20',
    ]);
  });

  it('leaves out renewed certificates that are not stale, valid ones beyond 30 days and unknown end dates', () => {
    const list = [
      cert('renewed', '2025-03-12', { replacedBy: {}, deployment: { state: 'not-deployed' } }),
      cert('renewed-expired', '2025-03-01', { replacedBy: {} }),
      cert('in-31', '2025-04-10'),
      cert('in-30', '2025-04-09'),
      cert('unknown', undefined),
      cert('flagged', undefined, { expired: true }),
    ];
    expect(mostUrgent(list, NOW).map((c) => c.id)).toEqual(['flagged', 'in-30']);
    expect(needsAttention(list[0], NOW)).toBe(false);
  });

  it('is stable for equal days left', () => {
    const list = ['a', 'b', 'c'].map((id) => cert(id, '2025-03-20'));
    expect(mostUrgent(list, NOW).map((c) => c.id)).toEqual(['a', 'b', 'c']);
  });
});

describe('attentionCounts', () => {
  it('counts expired, 7 and 30 days (cumulative), stale and valid undeployed; renewed ones are not at risk', () => {
    const counts = attentionCounts(
      [
        cert('expired', '2025-03-01', { deployment: { state: 'not-deployed' } }),
        cert('flagged', undefined, { expired: true }),
        cert('in-0', '2025-03-10', { deployment: { state: 'deployed' } }),
        cert('in-7', '2025-03-17'),
        cert('in-8', '2025-03-18', { deployment: { state: 'not-deployed' } }),
        cert('in-30', '2025-04-09'),
        cert('in-90', '2025-06-08', { deployment: { state: 'not-deployed' } }),
        cert('renewed', '2025-03-12', { replacedBy: {}, deployment: { state: 'not-deployed' } }),
        cert('stale', '2025-03-01', { replacedBy: {}, deployment: { state: 'stale' } }),
      ],
      NOW,
    );
    expect(counts).toEqual({
      expired: 2,
      within7: 2,
      within30: 4,
      stale: 1,
      notDeployed: 2,
      deploymentsKnown: true,
    });
  });

  it('says when deployments were never listed', () => {
    expect(attentionCounts([cert('a', '2025-03-12')], NOW).deploymentsKnown).toBe(false);
  });
});
