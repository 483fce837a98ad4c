import {
  breaksInDays,
  certificateState,
  mostUrgentFirst,
  type StatefulCertificate,
  statePrecedence,
  AT_RISK_STATES,
} from '../../src/domain/certificate-state';
import { daysLeft } from '../../src/domain/expiry';

// The order as compareUrgency first defined it, key by key from the certificate each time:
// mostUrgentFirst works the keys out once per certificate and must sort exactly the same.
function reference<T extends StatefulCertificate>(certificates: readonly T[], now: Date): T[] {
  const compare = (a: T, b: T) => {
    const ka = breaksInDays(a, now);
    const kb = breaksInDays(b, now);
    if (ka !== undefined || kb !== undefined) {
      if (ka === undefined) return 1;
      if (kb === undefined) return -1;
      if (ka !== kb) return ka < kb ? -1 : 1;
    }
    const byState = statePrecedence(certificateState(a, now)) - statePrecedence(certificateState(b, now));
    if (byState !== 0) return byState;
    const da = daysLeft(a.endDate, now) ?? Number.POSITIVE_INFINITY;
    const db = daysLeft(b.endDate, now) ?? Number.POSITIVE_INFINITY;
    return da === db ? 0 : da < db ? -1 : 1;
  };
  return certificates
    .filter((c) => AT_RISK_STATES.includes(certificateState(c, now)))
    .map((c, index) => ({ c, index }))
    .sort((x, y) => compare(x.c, y.c) || x.index - y.index)
    .map(({ c }) => c);
}

test('mostUrgentFirst sorts as the key-by-key comparison does, over random inventories', () => {
  const now = new Date('2026-12-05T10:00:00Z');
  let seed = 7;
  const random = (n: number) => {
    seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
    return seed % n;
  };
  const deployments = [undefined, 'stale', 'deployed', 'not-deployed', 'unknown'] as const;
  for (let round = 0; round < 50; round += 1) {
    const certificates = Array.from({ length: 200 }, (_, i) => {
      const day = random(10) === 0 ? undefined : new Date(now.getTime() + (random(120) - 40) * 86_400_000);
      const deployment = deployments[random(deployments.length)];
      return {
        id: i,
        endDate: day?.toISOString().slice(0, 10),
        expired: random(3) === 0,
        ...(random(4) === 0 ? { replacedBy: 'x' } : {}),
        ...(deployment ? { deployment: { state: deployment } } : {}),
      };
    });
    expect(mostUrgentFirst(certificates, now).map((c) => c.id)).toEqual(reference(certificates, now).map((c) => c.id));
  }
});
