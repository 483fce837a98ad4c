/**
 * One state per certificate and one order of urgency, for every surface (commands, digest,
 * chart, App Home, alerts, the CLI, metrics), so the same question gets the same answer
 * everywhere. Pure: `now` is always passed in.
 *
 * States, by precedence (the first that applies wins):
 * 1. `stale`: renewed, and the old certificate is still served by a resource. It breaks on the
 *    old certificate's end date although a replacement exists: the most urgent state.
 * 2. `expired`: ended (or flagged expired by CAS when the end date is unknown), not renewed.
 * 3. `expiring`: ends within the next 30 days (today included), not renewed.
 * 4. `renewed`: a valid replacement exists and the old one is served by no resource.
 * 5. `not-deployed`: valid, and served by no resource (deployments have been listed).
 * 6. `valid`: everything else.
 */
import type { Certificate } from './certificate';
import type { DeploymentState } from './deployment';
import { daysLeft, EXPIRING_SOON_DAYS } from './expiry';

export const CERTIFICATE_STATES = ['stale', 'expired', 'expiring', 'renewed', 'not-deployed', 'valid'] as const;
export type CertificateState = (typeof CERTIFICATE_STATES)[number];

/** The states in which something breaks, or has broken, unless someone acts. */
export const AT_RISK_STATES: readonly CertificateState[] = ['stale', 'expired', 'expiring'];

/** The words every surface uses for a state ("3 stale deployments", "State: stale deployment"). */
export const STATE_LABELS: Record<CertificateState, { one: string; many: string }> = {
  stale: { one: 'stale deployment', many: 'stale deployments' },
  expired: { one: 'expired', many: 'expired' },
  expiring: { one: 'expiring', many: 'expiring' },
  renewed: { one: 'renewed', many: 'renewed' },
  'not-deployed': { one: 'not deployed', many: 'not deployed' },
  valid: { one: 'valid', many: 'valid' },
};

/** A certificate as the inventory lists it: its replacement and deployment, when known. */
export type StatefulCertificate = Pick<Certificate, 'endDate' | 'expired'> & {
  replacedBy?: unknown;
  deployment?: { state: DeploymentState };
};

export function isCertificateState(value: unknown): value is CertificateState {
  return typeof value === 'string' && (CERTIFICATE_STATES as readonly string[]).includes(value);
}

/** The one state of a certificate at `now` (see the precedence above). */
export function certificateState(certificate: StatefulCertificate, now: Date): CertificateState {
  const deployment = certificate.deployment?.state;
  if (certificate.replacedBy) return deployment === 'stale' ? 'stale' : 'renewed';
  const days = daysLeft(certificate.endDate, now);
  if (days === undefined ? certificate.expired : days < 0) return 'expired';
  if (days !== undefined && days <= EXPIRING_SOON_DAYS) return 'expiring';
  return deployment === 'not-deployed' ? 'not-deployed' : 'valid';
}

/**
 * The urgency key: days until something breaks, from the end date of the certificate that is
 * actually served (for a stale deployment, the old one: this one). Negative once broken; an
 * expired flag without a date is -Infinity (broken, for how long unknown). Undefined when
 * nothing breaks (renewed and not served, or no end date).
 */
export function breaksInDays(certificate: StatefulCertificate, now: Date): number | undefined {
  const state = certificateState(certificate, now);
  if (!AT_RISK_STATES.includes(state)) return undefined;
  const days = daysLeft(certificate.endDate, now);
  if (days !== undefined) return days;
  return certificate.expired ? Number.NEGATIVE_INFINITY : undefined;
}

/** Precedence of a state: 0 for the most urgent. */
export function statePrecedence(state: CertificateState): number {
  return CERTIFICATE_STATES.indexOf(state);
}

/**
 * Most urgent first: whatever breaks soonest (already broken first, the longest broken first),
 * then, on the same day, by state precedence; certificates where nothing breaks after all, by
 * state precedence then end date. Stable for equal keys when used with Array.prototype.sort.
 */
export function compareUrgency(a: StatefulCertificate, b: StatefulCertificate, now: Date): number {
  return compareKeys(urgencyKeys(a, now), urgencyKeys(b, now));
}

/** What compareUrgency compares, worked out once per certificate (a sort compares each many times). */
interface UrgencyKeys {
  state: CertificateState;
  /** breaksInDays. */
  breaks: number | undefined;
  /** Days left; unknown sorts last. */
  days: number;
}

function urgencyKeys(certificate: StatefulCertificate, now: Date): UrgencyKeys {
  const state = certificateState(certificate, now);
  const days = daysLeft(certificate.endDate, now);
  const breaks = !AT_RISK_STATES.includes(state)
    ? undefined
    : (days ?? (certificate.expired ? Number.NEGATIVE_INFINITY : undefined));
  return { state, breaks, days: days ?? Number.POSITIVE_INFINITY };
}

function compareKeys(a: UrgencyKeys, b: UrgencyKeys): number {
  if (a.breaks !== undefined || b.breaks !== undefined) {
    if (a.breaks === undefined) return 1;
    if (b.breaks === undefined) return -1;
    if (a.breaks !== b.breaks) return a.breaks < b.breaks ? -1 : 1;
  }
  const byState = statePrecedence(a.state) - statePrecedence(b.state);
  if (byState !== 0) return byState;
  return a.days === b.days ? 0 : a.days < b.days ? -1 : 1;
}

/** The certificates in an at-risk state, most urgent first. Stable. */
export function mostUrgentFirst<T extends StatefulCertificate>(certificates: readonly T[], now: Date): T[] {
  return certificates
    .map((c, index) => ({ c, index, keys: urgencyKeys(c, now) }))
    .filter((x) => AT_RISK_STATES.includes(x.keys.state))
    .sort((x, y) => compareKeys(x.keys, y.keys) || x.index - y.index)
    .map(({ c }) => c);
}

export type StateCounts = Record<CertificateState, number> & { total: number };

/** How many certificates are in each state: every certificate is counted exactly once. */
export function stateCounts(certificates: readonly StatefulCertificate[], now: Date): StateCounts {
  const counts = Object.fromEntries(CERTIFICATE_STATES.map((s) => [s, 0])) as Record<CertificateState, number>;
  for (const c of certificates) counts[certificateState(c, now)] += 1;
  return { ...counts, total: certificates.length };
}

/** "3 stale deployments", "1 stale deployment", "21 expiring". */
export function countPhrase(state: CertificateState, count: number): string {
  const label = STATE_LABELS[state];
  return `${count} ${count === 1 ? label.one : label.many}`;
}

/**
 * A whole list in the one order: what breaks first (mostUrgentFirst), then every certificate
 * where nothing breaks, soonest end date first (unknown end dates last). Stable. Lists of any
 * view use it, so a stale deployment that breaks tomorrow leads, and renewed ones follow.
 */
export function inUrgencyOrder<T extends StatefulCertificate>(certificates: readonly T[], now: Date): T[] {
  const atRisk = mostUrgentFirst(certificates, now);
  const risky = new Set<T>(atRisk);
  const rest = certificates
    .filter((c) => !risky.has(c))
    .map((c, index) => ({ c, index, days: daysLeft(c.endDate, now) }))
    .sort((x, y) => {
      if (x.days === undefined || y.days === undefined)
        return x.days === y.days ? x.index - y.index : x.days === undefined ? 1 : -1;
      return x.days - y.days || x.index - y.index;
    })
    .map(({ c }) => c);
  return [...atRisk, ...rest];
}

/** How many certificates are at risk (stale, expired and expiring together). */
export function atRiskCount(counts: StateCounts): number {
  return AT_RISK_STATES.reduce((sum, state) => sum + counts[state], 0);
}

/**
 * The at-risk counts in precedence order, zeros left out: "29 stale deployments, 39 expired,
 * 21 expiring"; "none at risk" when all are zero. Every surface's headline says it this way.
 */
export function atRiskPhrase(counts: StateCounts, format: (n: number) => string = String): string {
  const parts = AT_RISK_STATES.filter((state) => counts[state] > 0).map((state) => {
    const label = STATE_LABELS[state];
    return `${format(counts[state])} ${counts[state] === 1 ? label.one : label.many}`;
  });
  return parts.length > 0 ? parts.join(', ') : 'none at risk';
}
