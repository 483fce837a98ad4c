/**
 * Which certificates a list, a count or a lookup asks for: one shape for every reader of the
 * inventory, whether it filters certificates in memory (matchesFilter below) or the store
 * answers it with a query. Fields are ANDed; an unset field does not filter. Pure: `now` is
 * passed in, and the state of a certificate is its one state at `now` (certificate-state).
 */
import { type Certificate, certificateNames } from './certificate';
import { certificateState, type CertificateState, type StatefulCertificate } from './certificate-state';
import type { DeploymentState } from './deployment';
import { daysLeft } from './expiry';
import { covers } from './replacement';
import { certificateMatchesKeyword, type MatchableResource, resourceMatchesQuery } from './resource-match';
import { type CertificateView, inView } from './views';

export interface CertificateFilter {
  /** Unset: every account. */
  accounts?: readonly string[];
  /** The one state at `now`. */
  states?: readonly CertificateState[];
  /** A list's view (inView). */
  view?: CertificateView;
  /** certificateMatchesKeyword: a case-insensitive part of CN, a SAN, the instance ID, or a serving resource's names. */
  keyword?: string;
  /** Days left <= n (negatives included), or the expired flag with an unknown end date. */
  endsWithinDays?: number;
  /** Exactly these certificates, by account and inventory ID. */
  keys?: readonly { account: string; id: string }[];
  /**
   * Certificates whose inventory ID or CAS CertificateId is one of these, in any account
   * (what a person types to /cert-info: the digits they see in the console).
   */
  ids?: readonly string[];
  /** Certificates with a name (CN or SAN) that covers this host name (covers(): wildcards one label deep). */
  coveringName?: string;
  /** Certificates served by the resource named so (resourceMatchesQuery: `lb-…`, `lb-…:443`, a listener ID). */
  onResource?: string;
  /** Replaced at `now`, and the replacement first seen after this (unknown first sight counts as after). */
  replacementSeenAfter?: Date;
}

/** A certificate as a filter needs it: CAS's row, its replacement and deployment when known. */
export type FilterableCertificate = Certificate &
  StatefulCertificate & {
    replacedBy?: { firstSeen?: Date };
    deployment?: { state: DeploymentState; resources: readonly MatchableResource[] };
  };

/** Whether a certificate is one the filter asks for, at `now`. */
export function matchesFilter(certificate: FilterableCertificate, filter: CertificateFilter, now: Date): boolean {
  if (filter.accounts && !filter.accounts.includes(certificate.account)) return false;
  if (filter.keys && !filter.keys.some((k) => k.account === certificate.account && k.id === certificate.id))
    return false;
  if (filter.ids && !filter.ids.some((id) => id === certificate.id || id === certificate.certificateId)) return false;
  if (filter.states && !filter.states.includes(certificateState(certificate, now))) return false;
  if (filter.view && !inView(certificate, filter.view, now)) return false;
  if (filter.keyword && !certificateMatchesKeyword(certificate, filter.keyword)) return false;
  if (filter.endsWithinDays !== undefined && !endsWithin(certificate, filter.endsWithinDays, now)) return false;
  if (filter.coveringName !== undefined) {
    const host = filter.coveringName.toLowerCase();
    if (!certificateNames(certificate).some((name) => covers(name, host))) return false;
  }
  if (
    filter.onResource !== undefined &&
    !(certificate.deployment?.resources ?? []).some((r) => resourceMatchesQuery(r, filter.onResource as string))
  )
    return false;
  if (filter.replacementSeenAfter !== undefined) {
    const seen = certificate.replacedBy?.firstSeen;
    if (!certificate.replacedBy || (seen !== undefined && seen <= filter.replacementSeenAfter)) return false;
  }
  return true;
}

/** Ends within `days` of `now` (already ended included); with no readable end date, the expired flag decides. */
function endsWithin(certificate: Pick<Certificate, 'endDate' | 'expired'>, days: number, now: Date): boolean {
  const left = daysLeft(certificate.endDate, now);
  return left === undefined ? certificate.expired : left <= days;
}
