/**
 * What needs attention in an inventory, as App Home shows it: counts of expired, expiring,
 * stale and undeployed certificates, and the certificates ordered by how urgent they are.
 * Renewed certificates are not at risk (their replacement is what counts), except when the old
 * one is still serving: a stale deployment is the most urgent state there is. Pure.
 */
import type { Certificate } from './certificate';
import type { DeploymentState } from './deployment';
import { daysLeft, urgency } from './expiry';

/** A certificate as the inventory lists it: replacement and deployment when known. */
export type AttentionCertificate = Certificate & {
  replacedBy?: unknown;
  deployment?: { state: DeploymentState };
};

export interface AttentionCounts {
  /** Ended (or flagged expired by CAS when the end date is unknown), not renewed. */
  expired: number;
  /** Ending within 7 days (today included), not renewed. */
  within7: number;
  /** Ending within 30 days (the 7 days included), not renewed. */
  within30: number;
  /** Renewed, and the old certificate is still served by a resource. */
  stale: number;
  /** Valid (not expired, not renewed) and served by no resource. */
  notDeployed: number;
  /** Whether deployments have been listed at all (else stale and notDeployed are unknown). */
  deploymentsKnown: boolean;
}

const isStale = (c: AttentionCertificate): boolean => c.deployment?.state === 'stale';

export function attentionCounts(certificates: readonly AttentionCertificate[], now: Date): AttentionCounts {
  const counts: AttentionCounts = {
    expired: 0,
    within7: 0,
    within30: 0,
    stale: 0,
    notDeployed: 0,
    deploymentsKnown: false,
  };
  for (const c of certificates) {
    if (c.deployment) counts.deploymentsKnown = true;
    if (isStale(c)) counts.stale += 1;
    if (c.replacedBy) continue;
    const days = daysLeft(c.endDate, now);
    const level = urgency(days, c.expired);
    if (level === 'expired') counts.expired += 1;
    else {
      if (days !== undefined && days <= 7) counts.within7 += 1;
      if (level === 'expiring') counts.within30 += 1;
      if (c.deployment?.state === 'not-deployed') counts.notDeployed += 1;
    }
  }
  return counts;
}

/** Whether a certificate belongs in the urgent list: a stale deployment, or expired or expiring and not renewed. */
export function needsAttention(c: AttentionCertificate, now: Date): boolean {
  if (isStale(c)) return true;
  if (c.replacedBy) return false;
  const level = urgency(daysLeft(c.endDate, now), c.expired);
  return level === 'expired' || level === 'expiring';
}

/**
 * The certificates that need attention, most urgent first: stale deployments, then by days
 * left, soonest first (expired ones, most overdue first, before those still valid; an expired
 * flag without an end date first of all). Stable; renewed certificates that are not stale are left out.
 */
export function mostUrgent<T extends AttentionCertificate>(certificates: readonly T[], now: Date): T[] {
  return certificates
    .filter((c) => needsAttention(c, now))
    .map((c, index) => {
      const days = daysLeft(c.endDate, now);
      return { c, index, stale: isStale(c), days: days ?? (c.expired ? Number.NEGATIVE_INFINITY : Infinity) };
    })
    .sort((a, b) => Number(b.stale) - Number(a.stale) || a.days - b.days || a.index - b.index)
    .map(({ c }) => c);
}
