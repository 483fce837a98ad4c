import { type Certificate, certificateNames } from './certificate';
import { daysLeft, EXPIRING_SOON_DAYS } from './expiry';

/** The certificate lists a person can ask for, by the words they type. Pure. */

export const CERTIFICATE_VIEWS = ['all', 'expiring', 'expired', 'issued', 'uploaded', 'stale'] as const;
export type CertificateView = (typeof CERTIFICATE_VIEWS)[number];

export function isCertificateView(value: unknown): value is CertificateView {
  return typeof value === 'string' && (CERTIFICATE_VIEWS as readonly string[]).includes(value);
}

/** Longest keyword a list takes; a domain name is at most 253 characters. */
export const MAX_KEYWORD = 253;

/**
 * Whether a certificate belongs in a view, by the rules of the CAS listings behind it (OrderType
 * CERT holds issued and uploaded certificates alike): `all` is every one, `issued` the valid
 * ones not yet expiring, `expiring` ends within the next 30 days, `expired` has ended,
 * `uploaded` is every uploaded one. Days are counted at `now`, so an inventory a few minutes
 * old answers as CAS would.
 */
export function inView(certificate: Certificate, view: CertificateView, now: Date): boolean {
  const days = daysLeft(certificate.endDate, now);
  const expired = days === undefined ? certificate.expired : days < 0;
  switch (view) {
    case 'uploaded':
      return certificate.uploaded;
    case 'all':
      return true;
    case 'issued':
      return !expired && (days === undefined || days > EXPIRING_SOON_DAYS);
    case 'expiring':
      return !expired && days !== undefined && days <= EXPIRING_SOON_DAYS;
    case 'expired':
      return expired;
    case 'stale':
      // Renewed but still served: only the inventory, with the deployments, can tell.
      return false;
  }
}

/** CAS's Keyword: a case-insensitive part of the CommonName, a SAN or the instance ID. */
export function matchesKeyword(certificate: Certificate, keyword: string | undefined): boolean {
  if (!keyword) return true;
  const needle = keyword.toLowerCase();
  return [...certificateNames(certificate), certificate.instanceId?.toLowerCase() ?? ''].some((field) =>
    field.includes(needle),
  );
}
