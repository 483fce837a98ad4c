/** The certificate lists a person can ask for, by the words they type. Pure. */

export const CERTIFICATE_VIEWS = ['all', 'expiring', 'expired', 'issued', 'uploaded'] as const;
export type CertificateView = (typeof CERTIFICATE_VIEWS)[number];

export function isCertificateView(value: unknown): value is CertificateView {
  return typeof value === 'string' && (CERTIFICATE_VIEWS as readonly string[]).includes(value);
}

/** Longest keyword a list takes; a domain name is at most 253 characters. */
export const MAX_KEYWORD = 253;
