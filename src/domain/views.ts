import { type Certificate, certificateNames } from './certificate';
import { certificateState, type StatefulCertificate } from './certificate-state';
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
 * Whether a certificate belongs in a view. `expired`, `expiring` and `stale` are the
 * certificate's one state (see certificate-state), so a view's count is the count every other
 * surface shows for that state: a renewed certificate is in none of them, a stale deployment
 * only in `stale`. `all` is every one; `issued` (CAS's word) the valid ones not yet expiring,
 * renewed or not; `uploaded` every uploaded one. Days are counted at `now`, so an inventory a few
 * minutes old answers as CAS would. Without a replacement or deployments (a live listing),
 * nothing is stale and the state comes from the end date alone.
 */
export function inView(certificate: Certificate & StatefulCertificate, view: CertificateView, now: Date): boolean {
  switch (view) {
    case 'uploaded':
      return certificate.uploaded;
    case 'all':
      return true;
    case 'issued': {
      const days = daysLeft(certificate.endDate, now);
      const expired = days === undefined ? certificate.expired : days < 0;
      return !expired && (days === undefined || days > EXPIRING_SOON_DAYS);
    }
    case 'expiring':
    case 'expired':
    case 'stale':
      return certificateState(certificate, now) === view;
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
