import type { X509Certificate } from 'node:crypto';
import type { ServedCertificate } from '../domain/probe-verdict';

/** A certificate read off the wire, as the verdicts need it: plain data, easy to store and print. */

const oneLine = (dn: string) => dn.split('\n').filter(Boolean).join(', ');
const commonNameOf = (dn: string) => /(?:^|\n)CN=([^\n]*)/.exec(dn)?.[1];
const bareHex = (fingerprint: string) => fingerprint.replace(/:/g, '').toUpperCase();

/** DNS names of the subjectAltName (lowercase), or the CommonName when there are none. */
function namesOf(x509: X509Certificate): string[] {
  const names = (x509.subjectAltName ?? '')
    .split(', ')
    .filter((entry) => entry.startsWith('DNS:'))
    .map((entry) => entry.slice(4).toLowerCase());
  if (names.length > 0) return [...new Set(names)];
  const commonName = commonNameOf(x509.subject);
  return commonName ? [commonName.toLowerCase()] : [];
}

export function servedCertificateOf(x509: X509Certificate): ServedCertificate {
  const commonName = commonNameOf(x509.subject);
  const issuerCommonName = commonNameOf(x509.issuer);
  return {
    subject: oneLine(x509.subject),
    issuer: oneLine(x509.issuer),
    ...(commonName === undefined ? {} : { commonName }),
    ...(issuerCommonName === undefined ? {} : { issuerCommonName }),
    names: namesOf(x509),
    serialNumber: x509.serialNumber.toUpperCase(),
    notBefore: new Date(x509.validFrom).toISOString(),
    notAfter: new Date(x509.validTo).toISOString(),
    sha1: bareHex(x509.fingerprint),
    sha256: bareHex(x509.fingerprint256),
    selfIssued: x509.subject === x509.issuer,
    ca: x509.ca,
  };
}

/** The leaf and what was served after it, following issuers as far as they link up (at most `max`). */
export function servedChainOf(
  leaf: X509Certificate,
  max = 10,
): { leaf: ServedCertificate; chain: ServedCertificate[] } {
  const chain: ServedCertificate[] = [];
  const seen = new Set([leaf.fingerprint256]);
  for (
    let next = leaf.issuerCertificate;
    next && chain.length < max && !seen.has(next.fingerprint256);
    next = next.issuerCertificate
  ) {
    seen.add(next.fingerprint256);
    chain.push(servedCertificateOf(next));
  }
  return { leaf: servedCertificateOf(leaf), chain };
}
