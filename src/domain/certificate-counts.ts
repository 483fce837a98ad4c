/**
 * How many certificates an account holds, by their one state, by deployment and by days left:
 * the numbers /cert-risk, the digest, App Home and the metrics show. A reader of the inventory
 * answers them per account (in memory with countCertificates, or the store with one GROUP BY
 * whose rows addCount folds); the surfaces add accounts up with sumCounts. Pure.
 */
import type { Certificate } from './certificate';
import {
  CERTIFICATE_STATES,
  type CertificateState,
  certificateState,
  type StateCounts,
  type StatefulCertificate,
} from './certificate-state';
import type { DeploymentState } from './deployment';
import { daysLeft, urgency } from './expiry';

/** Days left as the metrics bucket them: ended (or flagged expired), up to 7, up to 30, more, unknown. */
export const DAYS_BUCKETS = ['expired', 'le_7', 'le_30', 'gt_30', 'unknown'] as const;
export type DaysBucket = (typeof DAYS_BUCKETS)[number];

export const DEPLOYMENT_STATES: readonly DeploymentState[] = ['stale', 'deployed', 'not-deployed', 'unknown'];

/** One account's counts; every certificate is counted once in each of the three. */
export interface CertificateCounts {
  account: string;
  states: StateCounts;
  /** By deployment state; `unknown` when the account's resources were never listed. */
  deployments: Record<DeploymentState, number>;
  days: Record<DaysBucket, number>;
}

/** Resources serving a present certificate, by account, cloud and product. */
export interface ResourceCount {
  account: string;
  cloud: string;
  product: string;
  n: number;
}

export function daysBucket(certificate: Pick<Certificate, 'endDate' | 'expired'>, now: Date): DaysBucket {
  const days = daysLeft(certificate.endDate, now);
  if (urgency(days, certificate.expired) === 'expired') return 'expired';
  if (days === undefined) return 'unknown';
  if (days <= 7) return 'le_7';
  return days <= 30 ? 'le_30' : 'gt_30';
}

/** No certificates yet. */
export function emptyCounts(account: string): CertificateCounts {
  const zero = <K extends string>(keys: readonly K[]) =>
    Object.fromEntries(keys.map((k) => [k, 0])) as Record<K, number>;
  return {
    account,
    states: { ...zero(CERTIFICATE_STATES), total: 0 },
    deployments: zero(DEPLOYMENT_STATES),
    days: zero(DAYS_BUCKETS),
  };
}

/** Adds `n` certificates of one state, deployment and bucket (a GROUP BY row) to `counts`, in place. */
export function addCount(
  counts: CertificateCounts,
  row: { state: CertificateState; deployment: DeploymentState; days: DaysBucket; n: number },
): CertificateCounts {
  counts.states[row.state] += row.n;
  counts.states.total += row.n;
  counts.deployments[row.deployment] += row.n;
  counts.days[row.days] += row.n;
  return counts;
}

/** The counts of certificates in memory, by account (accounts without certificates are absent). */
export function countCertificates(
  certificates: Iterable<Pick<Certificate, 'account' | 'endDate' | 'expired'> & StatefulCertificate>,
  now: Date,
): CertificateCounts[] {
  const byAccount = new Map<string, CertificateCounts>();
  for (const c of certificates) {
    const counts = byAccount.get(c.account) ?? emptyCounts(c.account);
    byAccount.set(c.account, counts);
    addCount(counts, {
      state: certificateState(c, now),
      deployment: c.deployment?.state ?? 'unknown',
      days: daysBucket(c, now),
      n: 1,
    });
  }
  return [...byAccount.values()];
}

/** Several accounts' counts added up, named `account` (the total of none is all zeros). */
export function sumCounts(all: readonly CertificateCounts[], account = ''): CertificateCounts {
  const total = emptyCounts(account);
  for (const c of all) {
    for (const s of CERTIFICATE_STATES) total.states[s] += c.states[s];
    total.states.total += c.states.total;
    for (const d of DEPLOYMENT_STATES) total.deployments[d] += c.deployments[d];
    for (const b of DAYS_BUCKETS) total.days[b] += c.days[b];
  }
  return total;
}
