import { CERTIFICATE_STATES, type CertificateState, certificateState } from '../domain/certificate-state';
import { daysLeft } from '../domain/expiry';
import type { ListedCertificate } from '../inventory/certificate-source';

/**
 * What `cert-bot list` shows and checks of each certificate, for scripts and people alike.
 * Pure: the current time is always passed in.
 */

export const LIST_FORMATS = ['table', 'json', 'csv'] as const;
export type ListFormat = (typeof LIST_FORMATS)[number];

/** What `list --fail-on` looks for: every state, and CAS's revoked order status. */
export const FAIL_ON = [...CERTIFICATE_STATES, 'revoked'] as const;
export type FailOn = (typeof FAIL_ON)[number];

/** What `status --fail-on` looks for. */
export const STATUS_FAIL_ON = ['revoked'] as const;

/**
 * `--fail-on expired,stale` (repeatable, comma-separated, any case): the values asked for,
 * each once, or what is wrong, naming the allowed ones.
 */
export function parseFailOnList<T extends string>(
  text: string,
  allowed: readonly T[],
  previous: readonly T[] = [],
): T[] | string {
  const asked = text
    .split(',')
    .map((item) => item.trim().toLowerCase())
    .filter((item) => item !== '');
  const unknown = asked.filter((item) => !(allowed as readonly string[]).includes(item));
  if (asked.length === 0 || unknown.length > 0)
    return `${unknown.length > 0 ? `"${unknown.join(', ')}" is not something to fail on; ` : 'nothing to fail on; '}allowed: ${allowed.join(', ')} (repeat --fail-on or separate them with commas)`;
  return [...new Set([...previous, ...(asked as T[])])];
}

/** Revoked by its CA, by CAS's order status. */
export function isRevoked(certificate: Pick<ListedCertificate, 'status'>): boolean {
  return certificate.status?.toUpperCase() === 'REVOKED';
}

/** The STATE column: the certificate's one state, or revoked when CAS says so. */
export function listState(certificate: ListedCertificate, now: Date): CertificateState | 'revoked' {
  return isRevoked(certificate) ? 'revoked' : certificateState(certificate, now);
}

/** `--days N`: ends within N days from now; expired ones ended before, so they are in too. */
export function endsWithin(certificate: ListedCertificate, days: number, now: Date): boolean {
  const left = daysLeft(certificate.endDate, now);
  return left === undefined ? certificate.expired : left <= days;
}

/**
 * `--fail-on`: the certificate is in one of the states asked for (its one state: a stale
 * deployment is not also expired, a renewed certificate is neither expiring nor expired), or
 * revoked by CAS's order status when that is asked for.
 */
export function isFinding(certificate: ListedCertificate, failOn: readonly FailOn[], now: Date): boolean {
  if (failOn.includes('revoked') && isRevoked(certificate)) return true;
  return (failOn as readonly string[]).includes(certificateState(certificate, now));
}
