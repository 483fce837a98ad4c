import { daysLeft, urgency } from '../domain/expiry';
import { inView } from '../domain/views';
import type { ListedCertificate } from '../inventory/certificate-source';

/**
 * What `cert-bot list` shows and checks of each certificate, for scripts and people alike.
 * Pure: the current time is always passed in.
 */

export const LIST_FORMATS = ['table', 'json', 'csv'] as const;
export type ListFormat = (typeof LIST_FORMATS)[number];

/** What `--fail-on` looks for (`status` takes only `revoked`). */
export const FAIL_ON = ['expiring', 'expired', 'revoked'] as const;
export type FailOn = (typeof FAIL_ON)[number];

/** Revoked by its CA, by CAS's order status. */
export function isRevoked(certificate: Pick<ListedCertificate, 'status'>): boolean {
  return certificate.status?.toUpperCase() === 'REVOKED';
}

/**
 * The STATUS column: revoked; renewed (expiring or expired, but another certificate replaced
 * it); expired; expiring (within 30 days); uploaded or issued when valid; unknown without a
 * readable end date.
 */
export function listStatus(certificate: ListedCertificate, now: Date): string {
  if (isRevoked(certificate)) return 'revoked';
  const state = urgency(daysLeft(certificate.endDate, now), certificate.expired);
  if (state === 'unknown') return 'unknown';
  if (state === 'valid') return certificate.uploaded ? 'uploaded' : 'issued';
  return certificate.replacedBy ? 'renewed' : state;
}

/** `--days N`: ends within N days from now; expired ones ended before, so they are in too. */
export function endsWithin(certificate: ListedCertificate, days: number, now: Date): boolean {
  const left = daysLeft(certificate.endDate, now);
  return left === undefined ? certificate.expired : left <= days;
}

/**
 * `--fail-on`: expiring is ending within 30 days and not yet expired, expired has ended; a
 * certificate another one renewed is neither. Revoked is CAS's order status.
 */
export function isFinding(certificate: ListedCertificate, failOn: FailOn, now: Date): boolean {
  switch (failOn) {
    case 'revoked':
      return isRevoked(certificate);
    case 'expiring':
    case 'expired':
      return !certificate.replacedBy && inView(certificate, failOn, now);
  }
}
